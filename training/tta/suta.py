#!/usr/bin/env python3
"""Test-time adaptation by entropy minimisation (SUTA: Lin et al., 2022) of a shipped phone model, per
utterance, as an experiment: does adapting to each recording before decoding it help on real voices?

    npx tsx bench/model-inputs.ts --out DIR warzone2100          # the app's model inputs
    /usr/bin/python3 training/tta/suta.py --inputs DIR/warzone2100-291.in.f32 --params l0 --lr 1e-3 \
        --write CACHE                                                          # adapt, decode greedily
    npm run bench:decoders -- --sets warzone2100 --alphas 1.3 --betas 0 --beam 48 --cache CACHE

Each utterance starts from the model's own weights; `--steps` Adam steps on the chosen weights lower the
mean entropy of the frames' posteriors (divided by `--temp`; with `--nonblank`, only frames whose most
likely output is not the blank) mixed with SUTA's minimum class confusion (`--mcc`, its weight). Prints the
greedy phone error rate before and after (references spelt through the pronouncing dictionary; utterances
with a word it lacks are not counted); `--write` keeps the adapted log-posteriors in bench:decoders'
cache format (`bench/posterior-cache.ts`), so the shipped beam search and LM score the words.
Results: the model card, "Adapting to each recording".
"""
import argparse
import copy
import json
import os
import re
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "train"))
import phones  # noqa: E402
import train  # noqa: E402

PARAM_SETS = {
    "all": lambda name: True,
    "l0": lambda name: "_l0" in name,  # the first BiLSTM layer: nearest the acoustics
    "out": lambda name: name.startswith("out."),
}


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--inputs", required=True, action="append", help="a bench/model-inputs.ts file (repeatable)")
    ap.add_argument("--model", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                                    "models", "default"))
    ap.add_argument("--params", choices=sorted(PARAM_SETS), default="l0", help="which weights adapt")
    ap.add_argument("--steps", type=int, default=10, help="Adam steps per utterance (0: the model as is)")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--temp", type=float, default=2.5, help="posterior temperature in the loss (SUTA: 2.5)")
    ap.add_argument("--mcc", type=float, default=0.3, help="weight of minimum class confusion (SUTA: 0.3)")
    ap.add_argument("--nonblank", action=argparse.BooleanOptionalAction, default=True,
                    help="entropy over frames whose most likely output is not the blank")
    ap.add_argument("--limit", type=int, default=0, help="first N utterances of each file (0: all)")
    ap.add_argument("--write", help="folder for the adapted log-posteriors (bench:decoders --cache)")
    ap.add_argument("--threads", type=int, default=1)
    return ap.parse_args()


def load_model(model_dir):
    with open(os.path.join(model_dir, "manifest.json")) as f:
        manifest = json.load(f)
    if len(manifest["alphabet"]) != len(phones.ALPHABET):
        raise SystemExit(f"{model_dir}: not a phone model ({len(manifest['alphabet'])} outputs)")
    norm = manifest["normalization"]
    with open(os.path.join(model_dir, "model.json")) as f:
        layers = [l for l in json.load(f)["modelTopology"]["config"]["layers"]
                  if l["class_name"] == "Bidirectional"]
    units = layers[0]["config"]["layer"]["config"]["units"]
    inputs = manifest["stacking"]["size"] * manifest["frontend"]["mfccCoefficients"]
    model = train.AcousticModel(inputs, len(layers), units, 0.0, len(phones.ALPHABET))
    train.load_tfjs_model(model, model_dir, {"mean": norm["mean"], "std": norm["std"],
                                             "meanFrom": norm.get("meanFrom", "training")})
    return model.eval(), inputs


def adaptation_loss(logits, args):
    x = logits[0] / args.temp
    probs = x.softmax(-1)
    entropy = -(probs * x.log_softmax(-1)).sum(-1)
    if args.nonblank:
        entropy = entropy[x.argmax(-1) != train.BLANK]
    loss = entropy.mean() if entropy.numel() else logits.sum() * 0
    if args.mcc:
        confusion = probs.T @ probs
        confusion = confusion / confusion.sum(1, keepdim=True)
        mcc = (confusion.sum() - confusion.trace()) / confusion.shape[0]
        loss = (1 - args.mcc) * loss + args.mcc * mcc
    return loss


def reference_phones(targets, transcript):
    text = re.sub(r"[^a-z' ]", "", transcript.lower().replace("-", " "))
    ids = targets.encode(" ".join(text.split()))
    return None if ids is None else [i for i in ids if i != phones.PHONE_ID[" "]]


def greedy_phones(log_probs):
    """Best-path phones, word boundaries left out (the references leave them out too)."""
    return [int(i) for i in train.collapse(log_probs.argmax(-1).numpy()) if i != phones.PHONE_ID[" "]]


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    targets = train.use_phone_targets(phones.DEFAULT_DICTIONARY)
    model, inputs = load_model(args.model)
    original = copy.deepcopy(model.state_dict())
    chosen = [p for name, p in model.named_parameters() if PARAM_SETS[args.params](name)]
    chosen_ids = {id(p) for p in chosen}
    for p in model.parameters():
        p.requires_grad_(id(p) in chosen_ids)
    for path in args.inputs:
        if not (os.path.isfile(path) and os.path.isfile(path + ".json")):
            raise SystemExit(f"{path}: not found, or its .json beside it missing (bench/model-inputs.ts writes both)")
        with open(path + ".json") as f:
            meta = json.load(f)
        if meta["inputs"] != inputs:
            raise SystemExit(f"{path}: {meta['inputs']} inputs per step, the model takes {inputs}")
        data = np.fromfile(path, dtype="<f4")
        count = len(meta["steps"]) if not args.limit else min(args.limit, len(meta["steps"]))
        errors_before = errors_after = reference_length = 0
        outputs, offset, t0 = [], 0, time.time()
        for k in range(count):
            steps = meta["steps"][k]
            x = torch.from_numpy(data[offset: offset + steps * inputs].reshape(1, steps, inputs).copy())
            offset += steps * inputs
            model.load_state_dict(original)
            with torch.no_grad():
                before = model(x).log_softmax(-1)[0]
            if args.steps:
                opt = torch.optim.Adam(chosen, lr=args.lr)
                for _ in range(args.steps):
                    opt.zero_grad()
                    adaptation_loss(model(x), args).backward()
                    opt.step()
                with torch.no_grad():
                    after = model(x).log_softmax(-1)[0]
            else:
                after = before
            outputs.append(after.numpy().astype("<f4"))
            ref = reference_phones(targets, meta["transcripts"][k])
            if ref is not None:
                errors_before += train.edit_distance(greedy_phones(before), ref)
                errors_after += train.edit_distance(greedy_phones(after), ref)
                reference_length += len(ref)
        name = os.path.basename(path)[: -len(".in.f32")]
        per = lambda e: 100 * e / max(reference_length, 1)  # noqa: E731
        print(f"{name}: {count} utterances, greedy PER {per(errors_before):.1f} -> {per(errors_after):.1f} % "
              f"({args.params}, lr {args.lr}, {args.steps} steps, temp {args.temp}, mcc {args.mcc}, "
              f"nonblank {args.nonblank}; {time.time() - t0:.0f} s)", flush=True)
        if args.write:
            os.makedirs(args.write, exist_ok=True)
            np.concatenate([o.reshape(-1) for o in outputs]).tofile(os.path.join(args.write, name + ".f32"))
            with open(os.path.join(args.write, name + ".f32.json"), "w") as f:
                json.dump([int(o.shape[0]) for o in outputs], f)


if __name__ == "__main__":
    main()
