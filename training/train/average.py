#!/usr/bin/env python3
"""Average the weights of checkpoints of one network into a new checkpoint that export.py reads.

    python3 training/train/average.py --out training/work/runs/avg-trim23/last.pt \
        training/work/runs/ph-trim2/last.pt training/work/runs/ph-trim3/last.pt

Meant for points on one training path (a run and its continuation): their element-wise mean tends to
land between them on every test set, so it trades one run's luck on a set against the other's. The
first checkpoint gives everything but the weights (configuration, alphabet, normalisation, counters);
the optimiser, scheduler and random state are dropped, so the result can be exported or used as a warm
start but not resumed. `averaged_from` records the sources, and export.py copies it to training.json.
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train as T  # noqa: E402  (checkpoint loading, same directory)


# What a features directory's stats.json says about how its recordings were perturbed (dump-features.ts
# --speed, --trim-edges, --noise-floor, --band-limit) and how many were counted: facts about the training
# data, not about the normalisation, so checkpoints trained on differently perturbed copies of the same
# recordings may be averaged (the export's normalisation comes from the first).
DATA_ONLY_STATS = {"speed", "trimEdges", "noiseFloor", "bandLimit", "utterances", "frames"}


def normalisation(stats):
    return {k: v for k, v in stats.items() if k not in DATA_ONLY_STATS}


def read_checkpoint(path):
    """A training checkpoint, or a one-line exit naming the file that is not one."""
    try:
        ck = T.load_checkpoint(path, map_location="cpu")
    except Exception as e:  # missing, unreadable, or not a torch file at all
        raise SystemExit(f"{path}: not a readable checkpoint ({type(e).__name__}: {e})")
    missing = [k for k in ("config", "alphabet", "stats", "model") if not isinstance(ck, dict) or k not in ck]
    if missing:
        raise SystemExit(f"{path}: not a train.py checkpoint (no {', '.join(missing)})")
    return ck


def average(paths):
    """The first checkpoint with its model weights replaced by the mean over all of them."""
    checkpoints = [read_checkpoint(p) for p in paths]
    first = checkpoints[0]
    for path, ck in zip(paths[1:], checkpoints[1:]):
        if ck["config"] != first["config"] or ck["alphabet"] != first["alphabet"]:
            raise SystemExit(f"{path}: another network (configuration or alphabet differ from {paths[0]})")
        if normalisation(ck["stats"]) != normalisation(first["stats"]):
            raise SystemExit(f"{path}: trained on other normalisation statistics than {paths[0]}")
    weights = {}
    for name, value in first["model"].items():
        if value.is_floating_point():
            weights[name] = sum(ck["model"][name].double() for ck in checkpoints).div(len(paths)).to(value.dtype)
        else:
            weights[name] = value
    out = {k: v for k, v in first.items() if k not in ("optimizer", "scheduler", "rng")}
    out["model"] = weights
    out["averaged_from"] = [os.path.relpath(p) for p in paths]
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("checkpoints", nargs="+", help="two or more checkpoints (.pt) of the same network")
    p.add_argument("--out", required=True, help="the averaged checkpoint (.pt) to write")
    args = p.parse_args(argv)
    if len(args.checkpoints) < 2:
        p.error("give at least two checkpoints")
    averaged = average(args.checkpoints)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    torch.save(averaged, args.out)
    print(f"wrote {args.out}: the mean of {len(args.checkpoints)} checkpoints")
    return 0


if __name__ == "__main__":
    sys.exit(main())
