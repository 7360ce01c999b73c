#!/usr/bin/env python3
"""Synthetic feature shards in the exact format the TypeScript front end writes (for tests).

    /usr/bin/python3 training/train/make_fake_shards.py --out /tmp/fake [--train 400 --dev 60]

Writes OUT/stats.json and OUT/{train,dev}/index.jsonl + shard-NNNNN.i8 (raw int8 [frames x dim]).
By default the frames are *learnable*: every character is a fixed random vector held for a few
frames (plus noise), so a small model's dev CER falls within minutes; --random gives pure noise.
numpy + stdlib only.
"""
import argparse
import json
import os

import numpy as np

WORDS = ("the a an of to and in is it's don't can't we'll speech studio hello world quick brown fox "
         "jumps over lazy dog zebra quartz jive wax vex bud press one two three pound star "
         "recognise model voice tell me more please again sorry yes no").split()
CHARS = " '" + "abcdefghijklmnopqrstuvwxyz"


def make_text(rng, words):
    return " ".join(rng.choice(WORDS) for _ in range(rng.integers(words[0], words[1] + 1)))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True)
    p.add_argument("--train", type=int, default=400, help="training utterances")
    p.add_argument("--dev", type=int, default=60, help="dev utterances")
    p.add_argument("--dim", type=int, default=20)
    p.add_argument("--scale", type=float, default=32.0)
    p.add_argument("--frames-per-char", type=int, nargs=2, default=(5, 9), metavar=("MIN", "MAX"))
    p.add_argument("--words", type=int, nargs=2, default=(1, 6), metavar=("MIN", "MAX"),
                   help="words per utterance")
    p.add_argument("--noise", type=float, default=0.4, help="noise std (normalised units)")
    p.add_argument("--shard-bytes", type=int, default=1 << 20, help="start a new shard after this many bytes")
    p.add_argument("--random", action="store_true", help="pure random frames (not learnable)")
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args()

    rng = np.random.default_rng(args.seed)
    d = args.dim
    protos = {c: rng.normal(0, 1.0, d) for c in CHARS}
    silence = np.zeros(d)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "stats.json"), "w") as f:
        json.dump({"dim": d, "mean": [0.0] * d, "std": [1.0] * d, "scale": args.scale,
                   "frontend": {"fake": True, "seed": args.seed}}, f)

    for split, n in (("train", args.train), ("dev", args.dev)):
        sdir = os.path.join(args.out, split)
        os.makedirs(sdir, exist_ok=True)
        shard_no, shard_f, shard_len = -1, None, args.shard_bytes
        with open(os.path.join(sdir, "index.jsonl"), "w") as index:
            for u in range(n):
                text = make_text(rng, args.words)
                if args.random:
                    frames = int(len(text) * rng.integers(*args.frames_per_char) + rng.integers(0, 30))
                    x = rng.normal(0, 1.0, (frames, d))
                else:
                    parts = [np.tile(silence, (rng.integers(5, 20), 1))]
                    for c in text:
                        parts.append(np.tile(protos[c], (rng.integers(args.frames_per_char[0],
                                                                      args.frames_per_char[1] + 1), 1)))
                    parts.append(np.tile(silence, (rng.integers(5, 20), 1)))
                    x = np.concatenate(parts)
                    x = x + rng.normal(0, args.noise, x.shape)
                    frames = x.shape[0]
                q = np.clip(np.round(x * args.scale), -127, 127).astype(np.int8)
                if shard_len >= args.shard_bytes:
                    if shard_f:
                        shard_f.close()
                    shard_no += 1
                    shard_f = open(os.path.join(sdir, f"shard-{shard_no:05d}.i8"), "wb")
                    shard_len = 0
                index.write(json.dumps({"id": f"{split}-{u:06d}", "text": text, "frames": frames,
                                        "shard": f"shard-{shard_no:05d}.i8", "offset": shard_len}) + "\n")
                shard_f.write(q.tobytes())
                shard_len += q.nbytes
        if shard_f:
            shard_f.close()
        print(f"{split}: {n} utterances, {shard_no + 1} shards in {sdir}")


if __name__ == "__main__":
    main()
