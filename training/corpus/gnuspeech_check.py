#!/usr/bin/env python3
"""Intelligibility of GnuSpeech's articulatory voices (gnuspeech.mjs) before any is trained on.

    npm install --no-save --prefix training/work/gnuspeech @echogarden/gnuspeech-wasm@0.3.0
    python3 training/corpus/gnuspeech_check.py [--sentences 8] [--out /tmp/gnuspeech-check]

Reads --sentences train sentences (seeded draw from training/work/text/train.txt, 4-14 words) with
vocal tracts of 13, 14.5, 16, 17.5 and 19 cm (glottal pitch falling with the length, as from child-like
to deep voices), clean, resampled to 16 kHz, and prints pooled WER/CER per length for pocketsphinx
(stock en-us model and LM, pocketsphinx_batch) and for the shipped model (`npm run eval`, its beam
decoder). The accented recipe's rule (training/corpus/README.md) drops a voice at pocketsphinx CER
>= 67 % with the shipped model's CER >= 60 %: labels garbled that much teach noise-to-word mappings.
"""
import argparse
import json
import os
import random
import re
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from accented import _edit_distance as edit_distance, pocketsphinx_hypotheses  # noqa: E402
from generate import gnuspeech_glottal_pitch  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LENGTHS_CM = [13, 14.5, 16, 17.5, 19]


def voice(length_cm):
    """Glottal pitch as the recipe's (without its jitter); the rest GnuSpeech's defaults."""
    return {"vocalTractLength": length_cm, "referenceGlottalPitch": round(gnuspeech_glottal_pitch(length_cm), 1),
            "breathiness": 1, "glottalPulseTp": 40, "glottalPulseTnMin": 24, "glottalPulseTnMax": 28,
            "tempo": 1.0, "driftDeviation": 0.5, "tonicRange": -8, "notionalPitch": 2}


def scores(refs, hyps):
    words = sum(edit_distance(r.split(), h.split()) for r, h in zip(refs, hyps))
    chars = sum(edit_distance(list(r), list(h)) for r, h in zip(refs, hyps))
    return 100 * words / sum(len(r.split()) for r in refs), 100 * chars / sum(len(r) for r in refs)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sentences", type=int, default=8)
    ap.add_argument("--out", default="/tmp/gnuspeech-check")
    args = ap.parse_args()
    with open(os.path.join(REPO, "training", "work", "text", "train.txt")) as f:
        sentences = [s.strip() for s in f if 4 <= len(s.split()) <= 14]
    picked = random.Random(5).sample(sentences, args.sentences)
    print("length   pocketsphinx WER / CER   shipped model WER / CER")
    for length in LENGTHS_CM:
        d = os.path.join(args.out, f"vtl{length}")
        os.makedirs(d, exist_ok=True)
        for i, s in enumerate(picked):
            raw = os.path.join(d, f"{i:03d}.22k.wav")
            subprocess.run(["node", os.path.join(REPO, "training", "corpus", "gnuspeech.mjs"), "--out", raw,
                            "--voice", json.dumps(voice(length))], input=s.encode(), check=True)
            subprocess.run(["sox", raw, "-r", "16000", "-b", "16", os.path.join(d, f"{i:03d}.wav"), "norm", "-3"],
                           check=True)
        with open(os.path.join(d, "set.tsv"), "w") as f:
            f.write("path\ttranscript\n" + "".join(f"{i:03d}.wav\t{s}\n" for i, s in enumerate(picked)))
        ps = {int(name): hyp for name, hyp in
              pocketsphinx_hypotheses([os.path.join(d, f"{i:03d}") for i in range(len(picked))], d).items()}
        subprocess.run(["npx", "tsx", "main/cli/eval.ts", os.path.join(d, "set.tsv"), "--decoder", "beam",
                        "--out", os.path.join(d, "eval.json")], cwd=REPO, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=True)
        with open(os.path.join(d, "eval.json")) as f:
            ours = {os.path.basename(r["file"]): r["hypothesis"].lower() for r in json.load(f)["files"]}
        ps_w, ps_c = scores(picked, [ps.get(i, "") for i in range(len(picked))])
        our_w, our_c = scores(picked, [re.sub(r"[^a-z' ]", "", ours.get(f"{i:03d}.wav", "")) for i in
                                       range(len(picked))])
        print(f"{length:>5} cm  {ps_w:7.1f} / {ps_c:5.1f} %          {our_w:7.1f} / {our_c:5.1f} %")


if __name__ == "__main__":
    main()
