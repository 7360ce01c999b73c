#!/usr/bin/env python3
"""A simulated *dev* user for learning from corrections (Python 3 stdlib + festival, festlex-cmu, sox).

`npm run bench:learn` measures on a held-out voice (flite awb), so the learner's settings must be chosen
on another voice the model has never heard, or the benchmark would measure its own tuning.  This builds
that voice: festival's Czech male voice `czech_machac` reading English respelt from the CMU lexicon
(accented.py; a real person's diphones with an accent, and not in any training recipe the shipped model
was trained on) saying 200 distinct sentences of the *dev* text list (never training text, never
evaluation text), clean, 16 kHz mono.

    apt-get install festival festlex-cmu festvox-czech-machac sox
    python3 training/corpus/dev-user.py            # ~2 min on 2 cores → manifests/dev-user-machac.tsv

The manifest is written last, so an interrupted run leaves no manifest and builds again from scratch.
"""
import argparse
import concurrent.futures as cf
import os
import random
import shutil
import sys
import tempfile
import wave

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import accented  # noqa: E402
import text as textmod  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
VOICE = "czech_machac"
SET = "dev-user-machac"


def sentences(n):
    """n distinct dev sentences of 5–20 words that the CMU lexicon can respell, in a seeded order."""
    pool = textmod.read_list("dev")
    order = list(range(len(pool)))
    random.Random(SET).shuffle(order)
    chosen, seen = [], set()
    for k in order:
        s = pool[k]
        if s in seen or not 5 <= len(s.split()) <= 20 or accented.respell(s, "czech") is None:
            continue
        seen.add(s)
        chosen.append(s)
        if len(chosen) == n:
            return chosen
    raise SystemExit(f"only {len(chosen)} usable dev sentences, {n} wanted")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sentences", type=int, default=200)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    if args.sentences < 1 or args.jobs < 1:
        ap.error("--sentences and --jobs must be at least 1")
    audio_rel = os.path.join("training", "work", "audio", SET)
    audio_dir = os.path.join(ROOT, audio_rel)
    manifest = os.path.join(ROOT, "training", "work", "manifests", f"{SET}.tsv")
    shutil.rmtree(audio_dir, ignore_errors=True)
    os.makedirs(audio_dir)
    os.makedirs(os.path.dirname(manifest), exist_ok=True)
    chosen = sentences(args.sentences)

    def one(i):
        tmp = tempfile.mkdtemp()
        try:
            raw = os.path.join(tmp, "raw.wav")
            accented.synthesize(VOICE, accented.respell(chosen[i], "czech"), raw, tmp)
            out = os.path.join(audio_dir, f"{i:03d}.wav")
            accented.to_clean_16k(raw, out)
            with wave.open(out) as w:
                return i, w.getnframes() / w.getframerate()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    with cf.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        seconds = dict(ex.map(one, range(len(chosen))))
    rows = ["path\ttranscript\tduration_sec\tvoice\tsplit"]
    for i, s in enumerate(chosen):
        rows.append(f"{os.path.join(audio_rel, f'{i:03d}.wav')}\t{s}\t{seconds[i]:.3f}\tfestival:{VOICE}\t{SET}")
    with open(manifest + ".tmp", "w") as f:
        f.write("\n".join(rows) + "\n")
    os.replace(manifest + ".tmp", manifest)
    print(f"{manifest}: {len(chosen)} sentences, {sum(seconds.values()) / 60:.1f} min of audio")


if __name__ == "__main__":
    main()
