#!/usr/bin/env python3
"""Splits a feature directory into parts that each fit one transfer to a remote training machine.

Every part gets a copy of stats.json and its own train/index.jsonl; shards are hard-linked, not copied.
The dev split goes into the first part. train.py takes the parts with one --features flag each.

    python3 training/features/split_for_upload.py training/work/features training/work/upload --max-mb 60
"""
import argparse
import json
import os
import shutil


def main():
    p = argparse.ArgumentParser()
    p.add_argument("features")
    p.add_argument("out")
    p.add_argument("--max-mb", type=float, default=60)
    p.add_argument("--parts", type=int, default=2)
    args = p.parse_args()
    budget = args.max_mb * 2**20

    def records(split):
        path = os.path.join(args.features, split, "index.jsonl")
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]

    train = records("train")
    by_shard = {}
    for r in train:
        by_shard.setdefault(r["shard"], []).append(r)
    shards = sorted(by_shard)
    size = lambda split, s: os.path.getsize(os.path.join(args.features, split, s))  # noqa: E731

    if os.path.exists(args.out):
        shutil.rmtree(args.out)
    used = [0.0] * args.parts
    dirs = [os.path.join(args.out, f"part{k}") for k in range(args.parts)]
    for d in dirs:
        os.makedirs(os.path.join(d, "train"))
        shutil.copy(os.path.join(args.features, "stats.json"), d)
    dev = records("dev")
    os.makedirs(os.path.join(dirs[0], "dev"))
    for s in sorted({r["shard"] for r in dev}):
        os.link(os.path.join(args.features, "dev", s), os.path.join(dirs[0], "dev", s))
        used[0] += size("dev", s)
    with open(os.path.join(dirs[0], "dev", "index.jsonl"), "w") as f:
        f.writelines(json.dumps(r) + "\n" for r in dev)

    indexes = [[] for _ in dirs]
    skipped = 0
    for s in shards:
        n = size("train", s)
        k = min(range(args.parts), key=lambda i: used[i])
        if used[k] + n > budget:
            skipped += 1
            continue
        os.link(os.path.join(args.features, "train", s), os.path.join(dirs[k], "train", s))
        used[k] += n
        indexes[k].extend(by_shard[s])
    for d, idx in zip(dirs, indexes):
        with open(os.path.join(d, "train", "index.jsonl"), "w") as f:
            f.writelines(json.dumps(r) + "\n" for r in idx)
    for d, idx, u in zip(dirs, indexes, used):
        hours = sum(r["frames"] for r in idx) / 360000
        print(f"{d}: {len(idx)} train utterances, {hours:.2f} h, {u / 2**20:.1f} MB")
    if skipped:
        print(f"{skipped} shards did not fit")


if __name__ == "__main__":
    main()
