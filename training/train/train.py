#!/usr/bin/env python3
"""Train the Speech Studio acoustic model: stacked MFCC frames -> BiLSTM -> CTC over characters.

    /usr/bin/python3 training/train/train.py --features FEATS --out RUN_DIR [options]

Only torch, numpy and the standard library.  Runs on CUDA when available (cuDNN LSTM), else CPU.
Rerunning the same command resumes from RUN_DIR/last.pt.  See training/train/README.md.

The model defined here must match what the TypeScript runtime builds from export.py's output:
  * stack_frames(): stride 3, size 3, zero padding at the end (zero = the normalised mean);
  * ALPHABET: index 0 = CTC blank, then ' ', "'", a..z;
  * L x Bidirectional(LSTM(U), merge 'concat', forward first) -> Dense(29) logits.
"""
import argparse
import json
import math
import os
import platform
import random
import signal
import sys
import time

# OpenMP threads that spin while waiting make CPU training several times slower when the cores
# are shared with other work (measured here: 4.5 s vs 0.9 s per step).  Must precede `import torch`.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence  # noqa: E402

# ---------------------------------------------------------------------------------------------
# Constants shared with export.py (and, through the export, with the TypeScript runtime).

# Output symbols.  Index 0 is the CTC blank (written as "" in the export), then space, apostrophe,
# a..z.  29 outputs.
CHAR_ALPHABET = ("", " ", "'") + tuple(chr(c) for c in range(ord("a"), ord("z") + 1))
ALPHABET = list(CHAR_ALPHABET)  # phone targets replace it (use_phone_targets)
BLANK = 0
CHAR_TO_ID = {c: i for i, c in enumerate(ALPHABET) if i != BLANK}
NUM_OUTPUTS = len(ALPHABET)
# Frame stacking: output step t = concat(frames 3t, 3t+1, 3t+2).
STACK = 3
# One input frame is 10 ms (used only for the "hours" figures).
FRAME_SECONDS = 0.01
MAX_PARAMS = 8_000_000


def stack_frames(x, stack=STACK):
    """Stack frames: [..., T, D] -> [..., ceil(T/stack), stack*D].

    Output step t is the concatenation of input frames stack*t, stack*t+1, ..., stack*t+stack-1
    (frame-major: the first D values are frame stack*t).  When T is not a multiple of `stack`,
    the missing frames at the end are zeros, i.e. the normalised mean.  Works on numpy arrays
    and torch tensors; stride == size == `stack` (no overlap).
    """
    t = x.shape[-2]
    d = x.shape[-1]
    t_out = -(-t // stack)
    pad = t_out * stack - t
    if pad:
        if isinstance(x, np.ndarray):
            widths = [(0, 0)] * (x.ndim - 2) + [(0, pad), (0, 0)]
            x = np.pad(x, widths)
        else:
            x = F.pad(x, (0, 0, 0, pad))
    return x.reshape(*x.shape[:-2], t_out, stack * d)


def stacked_length(frames, stack=STACK):
    """Number of output steps for `frames` input frames: ceil(frames / stack)."""
    return (frames + stack - 1) // stack


# Phone targets (`--targets phones`): `use_phone_targets` swaps the output symbols for phones.py's
# ARPAbet set; labels come from the pronouncing dictionary, and the runtime decodes through it.
PHONE_TARGETS = None
# `--only-pronounceable`: a character model trained on exactly the utterances a phone model can use
# (every word in the dictionary), for comparing the two on the same data.
PRONOUNCEABLE = None


def use_phone_targets(dictionary):
    """Make the output symbols blank, word boundary and 39 phones (41 outputs) for this process."""
    global ALPHABET, CHAR_TO_ID, NUM_OUTPUTS, PHONE_TARGETS
    import phones
    PHONE_TARGETS = phones.PhoneTargets(dictionary)
    ALPHABET = list(phones.ALPHABET)
    CHAR_TO_ID = {c: i for i, c in enumerate(ALPHABET) if i != BLANK}
    NUM_OUTPUTS = len(ALPHABET)
    return PHONE_TARGETS


def use_pronounceable_filter(dictionary):
    """Character targets, but only for transcripts whose every word `dictionary` pronounces."""
    global PRONOUNCEABLE
    import phones
    PRONOUNCEABLE = phones.PhoneTargets(dictionary)
    return PRONOUNCEABLE


def text_to_ids(text):
    """Label ids for a transcript, or None when it has characters outside the alphabet (with phone
    targets: a word outside the dictionary)."""
    if PHONE_TARGETS is not None:
        return PHONE_TARGETS.encode(text)
    if PRONOUNCEABLE is not None and PRONOUNCEABLE.encode(text) is None:
        return None
    try:
        return [CHAR_TO_ID[c] for c in text]
    except KeyError:
        return None


def ctc_min_steps(ids):
    """Fewest CTC input steps that can emit `ids`: one per label plus a blank between repeats."""
    return len(ids) + sum(1 for a, b in zip(ids, ids[1:]) if a == b)


# ---------------------------------------------------------------------------------------------
# Model


class AcousticModel(nn.Module):
    """L bidirectional LSTM layers (U units per direction) + a linear layer to 29 logits."""

    def __init__(self, input_dim, layers, units, dropout=0.0, outputs=NUM_OUTPUTS):
        super().__init__()
        self.lstm = nn.LSTM(
            input_dim,
            units,
            num_layers=layers,
            bidirectional=True,
            batch_first=True,
            dropout=dropout if layers > 1 else 0.0,
        )
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(2 * units, outputs)
        # Forget-gate bias 1 (sum of PyTorch's two biases; the export adds them).
        with torch.no_grad():
            for name, p in self.lstm.named_parameters():
                if name.startswith("bias_ih"):
                    p[units : 2 * units].fill_(1.0)
                elif name.startswith("bias_hh"):
                    p[units : 2 * units].fill_(0.0)

    def forward(self, x, lengths=None):
        """x: [B, T, input_dim] (stacked, normalised); lengths: CPU int64 [B] valid steps, or None
        when every sequence is full length.  Returns logits [B, T, outputs]."""
        if lengths is None:
            y, _ = self.lstm(x)
        else:
            # Packing makes the backward direction start at each sequence's own last step, as the
            # runtime does (it runs one unpadded utterance at a time).
            packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
            y, _ = self.lstm(packed)
            y, _ = pad_packed_sequence(y, batch_first=True, total_length=x.shape[1])
        return self.out(self.drop(y))


def model_config(input_dim, layers, units, dropout):
    return {
        "input_dim": int(input_dim),
        "layers": int(layers),
        "units": int(units),
        "dropout": float(dropout),
        "outputs": NUM_OUTPUTS,
        "stack": STACK,
    }


def build_model(cfg):
    return AcousticModel(cfg["input_dim"], cfg["layers"], cfg["units"], cfg["dropout"], cfg["outputs"])


def load_tfjs_model(model, model_dir, stats):
    """Warm start: the weights of a shipped TensorFlow.js model (models/NAME: model.json + weights.bin,
    the Keras layout export.py writes) into `model`, the inverse of export.py's mapping (kernels
    transposed; the one Keras bias goes to bias_ih, bias_hh is zero).  The model's normalisation
    (manifest.json) must be the one the features were made with, or its inputs would mean something
    else."""
    with open(os.path.join(model_dir, "manifest.json")) as f:
        manifest = json.load(f)
    norm = manifest["normalization"]
    if not (np.allclose(norm["mean"], stats["mean"], rtol=1e-6) and np.allclose(norm["std"], stats["std"], rtol=1e-6)):
        raise SystemExit(f"{model_dir}: its normalisation differs from the features' stats.json; dump the "
                         "features with that model's statistics (dump-features.ts --stats-from-model)")
    model_mean_from = norm.get("meanFrom", "training")
    features_mean_from = stats.get("meanFrom", "training")
    if model_mean_from != features_mean_from:
        # Allowed on purpose: moving a model to utterance means is a fine-tune from its weights (same
        # scale, inputs shifted by each utterance's offset from the training mean), not a fresh start.
        print(f"warm start: {model_dir} subtracts the {model_mean_from} mean, these features the "
              f"{features_mean_from} mean; the first steps adapt the model to it", flush=True)
    with open(os.path.join(model_dir, "model.json")) as f:
        topology = json.load(f)
    blob = b"".join(open(os.path.join(model_dir, p), "rb").read()
                    for g in topology["weightsManifest"] for p in g["paths"])
    arrays, offset = [], 0
    for g in topology["weightsManifest"]:
        for w in g["weights"]:
            if w["dtype"] != "float32":
                raise SystemExit(f"{model_dir}: weight {w['name']} is {w['dtype']}, expected float32")
            n = int(np.prod(w["shape"]))
            arrays.append(np.frombuffer(blob, dtype="<f4", count=n, offset=offset).reshape(w["shape"]))
            offset += 4 * n
    layers = model.lstm.num_layers
    if len(arrays) != 6 * layers + 2:
        raise SystemExit(f"{model_dir}: {len(arrays)} weight tensors, expected {6 * layers + 2}")
    sd = {}
    for layer in range(layers):
        for d, suffix in enumerate(("", "_reverse")):
            kernel, recurrent, bias = arrays[6 * layer + 3 * d: 6 * layer + 3 * d + 3]
            sd[f"lstm.weight_ih_l{layer}{suffix}"] = torch.from_numpy(kernel.T.copy())
            sd[f"lstm.weight_hh_l{layer}{suffix}"] = torch.from_numpy(recurrent.T.copy())
            sd[f"lstm.bias_ih_l{layer}{suffix}"] = torch.from_numpy(bias.copy())
            sd[f"lstm.bias_hh_l{layer}{suffix}"] = torch.zeros(bias.shape[0])
    out_w, out_b = arrays[-2].T.copy(), arrays[-1].copy()
    if out_w.shape[0] != model.out.out_features and PHONE_TARGETS is not None and out_w.shape[0] == len(CHAR_ALPHABET):
        # A phone model warm-started from the character model: blank and word boundary keep their rows,
        # each phone starts from the row of the letter that usually spells it (phones.PHONE_LETTER).
        import phones
        rows = [CHAR_ALPHABET.index(c if i < 2 else phones.PHONE_LETTER[c]) for i, c in enumerate(ALPHABET)]
        out_w, out_b = out_w[rows], out_b[rows]
        print(f"warm start: output layer mapped from {model_dir}'s letters to phones", flush=True)
    sd["out.weight"] = torch.from_numpy(out_w)
    sd["out.bias"] = torch.from_numpy(out_b)
    model.load_state_dict(sd)   # strict: every tensor present and of the right shape


def count_params(model):
    return sum(p.numel() for p in model.parameters())


# ---------------------------------------------------------------------------------------------
# Data


def read_stats(feature_dirs, allow_mismatch=False):
    """stats.json of the first directory; the others must agree (one normalisation ships)."""
    stats = None
    for d in feature_dirs:
        path = os.path.join(d, "stats.json")
        with open(path) as f:
            s = json.load(f)
        for key in ("dim", "mean", "std", "scale"):
            if key not in s:
                raise SystemExit(f"{path}: missing key {key!r}")
        if len(s["mean"]) != s["dim"] or len(s["std"]) != s["dim"]:
            raise SystemExit(f"{path}: mean/std length differs from dim={s['dim']}")
        if stats is None:
            stats = s
            continue
        if s["dim"] != stats["dim"] or float(s["scale"]) != float(stats["scale"]):
            raise SystemExit(f"{path}: dim/scale {s['dim']}/{s['scale']} differ from "
                             f"{stats['dim']}/{stats['scale']} of {feature_dirs[0]}")
        same = np.allclose(s["mean"], stats["mean"], rtol=1e-5, atol=1e-6) and np.allclose(
            s["std"], stats["std"], rtol=1e-5, atol=1e-6) and s.get("frontend") == stats.get("frontend") and (
            s.get("meanFrom", "training"), s.get("meanPriorFrames", 0)) == (
            stats.get("meanFrom", "training"), stats.get("meanPriorFrames", 0))
        if not same:
            msg = (f"{path}: mean/std/frontend/mean source differ from {feature_dirs[0]}/stats.json; the model "
                   "ships one normalisation, so all feature directories must share it")
            if not allow_mismatch:
                raise SystemExit(msg + " (override with --allow-stats-mismatch)")
            print("WARNING: " + msg, flush=True)
    return stats


class Split:
    """All utterances of one split, in memory: int8 frames concatenated in `feats` [N, D]."""

    def __init__(self, name):
        self.name = name
        self.ids = []
        self.texts = []
        self.source = np.zeros(0, np.int64)   # index of the feature directory
        self.starts = np.zeros(0, np.int64)   # first row in feats
        self.lengths = np.zeros(0, np.int64)  # frames
        self.lab_starts = np.zeros(0, np.int64)
        self.lab_lengths = np.zeros(0, np.int64)
        self.labels = np.zeros(0, np.int64)
        self.feats = np.zeros((0, 0), np.int8)
        self.feats_t = None  # torch int8 tensor on the training device

    def __len__(self):
        return len(self.ids)

    @property
    def total_frames(self):
        return int(self.lengths.sum())

    @property
    def hours(self):
        return self.total_frames * FRAME_SECONDS / 3600.0


def load_split(feature_dirs, split, dim, log, max_frames=0, max_utts=0, required=True):
    """Reads DIR/split/index.jsonl (+ shards) of every directory into one in-memory Split.

    Skips (and reports) utterances with characters outside the alphabet, no frames, more than
    `max_frames` frames, or more labels than CTC can emit in ceil(frames/3) steps.
    """
    entries = []  # (source, id, text, ids, frames, shard_path, offset)
    skipped = {"bad_chars": 0, "empty": 0, "too_long": 0, "ctc_infeasible": 0}
    examples = {}
    found = False
    for si, d in enumerate(feature_dirs):
        sdir = os.path.join(d, split)
        index = os.path.join(sdir, "index.jsonl")
        if not os.path.exists(index):
            continue
        found = True
        with open(index) as f:
            for ln, line in enumerate(f, 1):
                line = line.strip()
                if not line:
                    continue
                e = json.loads(line)
                text = e["text"]
                frames = int(e["frames"])
                ids = text_to_ids(text)
                reason = None
                if ids is None:
                    reason = "bad_chars"
                elif frames <= 0:
                    reason = "empty"
                elif max_frames and frames > max_frames:
                    reason = "too_long"
                elif ctc_min_steps(ids) > stacked_length(frames):
                    reason = "ctc_infeasible"
                if reason:
                    skipped[reason] += 1
                    examples.setdefault(reason, f"{index}:{ln} id={e.get('id')} frames={frames} text={text!r}")
                    continue
                shard = e["shard"]
                path = os.path.join(sdir, shard)
                if not os.path.exists(path):
                    path = os.path.join(d, shard)
                entries.append((si, str(e["id"]), text, ids, frames, path, int(e["offset"])))
    if not found:
        if required:
            raise SystemExit(f"no {split}/index.jsonl in any of {feature_dirs}")
        return None
    if max_utts and len(entries) > max_utts:
        # Evenly spaced, deterministic subset.
        pick = np.linspace(0, len(entries) - 1, max_utts).round().astype(np.int64)
        entries = [entries[i] for i in pick]

    s = Split(split)
    n = len(entries)
    s.lengths = np.array([e[4] for e in entries], np.int64)
    s.starts = np.zeros(n, np.int64)
    if n:
        s.starts[1:] = np.cumsum(s.lengths)[:-1]
    s.source = np.array([e[0] for e in entries], np.int64)
    s.ids = [e[1] for e in entries]
    s.texts = [e[2] for e in entries]
    s.lab_lengths = np.array([len(e[3]) for e in entries], np.int64)
    s.lab_starts = np.zeros(n, np.int64)
    if n:
        s.lab_starts[1:] = np.cumsum(s.lab_lengths)[:-1]
    s.labels = np.array([i for e in entries for i in e[3]], np.int64)
    s.feats = np.empty((int(s.lengths.sum()), dim), np.int8)
    shards = {}
    for k, (_, uid, _, _, frames, path, offset) in enumerate(entries):
        mm = shards.get(path)
        if mm is None:
            mm = shards[path] = np.memmap(path, dtype=np.int8, mode="r")
        end = offset + frames * dim
        if offset < 0 or end > mm.shape[0]:
            raise SystemExit(f"{path}: utterance {uid} bytes [{offset}, {end}) outside the shard "
                             f"({mm.shape[0]} bytes)")
        s.feats[s.starts[k] : s.starts[k] + frames] = np.asarray(mm[offset:end]).reshape(frames, dim)
    del shards
    msg = f"{split}: {n} utterances, {s.total_frames} frames, {s.hours:.2f} h"
    if any(skipped.values()):
        msg += " | skipped " + ", ".join(f"{k}={v}" for k, v in skipped.items() if v)
    log(msg)
    for reason, ex in examples.items():
        log(f"  first {reason}: {ex}")
    return s


def make_batches(lengths, batch_frames, max_utts, rng=None, jitter=0.1):
    """Groups utterance indices by length so that len(batch) * max_len <= batch_frames (padded
    input frames).  With `rng`, lengths are jittered before sorting and the batch order is
    shuffled, so batches differ between epochs."""
    n = len(lengths)
    if rng is not None and jitter > 0:
        key = lengths * (1.0 + rng.uniform(-jitter, jitter, n))
    else:
        key = lengths.astype(np.float64)
    order = np.argsort(key, kind="stable")
    batches, cur, cur_max = [], [], 0
    for i in order:
        ln = int(lengths[i])
        new_max = max(cur_max, ln)
        if cur and (new_max * (len(cur) + 1) > batch_frames or (max_utts and len(cur) >= max_utts)):
            batches.append(np.array(cur, np.int64))
            cur, new_max = [], ln
        cur.append(i)
        cur_max = new_max
    if cur:
        batches.append(np.array(cur, np.int64))
    if rng is not None:
        perm = rng.permutation(len(batches))
        batches = [batches[i] for i in perm]
    return batches


class Augment:
    """Vocal tract length perturbation (--vtlp), then SpecAugment-style masks and gaussian noise on
    normalised, unstacked frames (masked value 0, the normalised mean).  Vectorised; runs on the training
    device with torch's global RNG."""

    def __init__(self, args, dim, stats, device):
        self.vtlp = None
        if args.vtlp:
            import vtlp
            self.vtlp = vtlp.Vtlp(*args.vtlp, stats, device)
        self.freq_masks = args.freq_masks
        self.freq_width = min(args.freq_mask_width, dim)
        self.time_rate = args.time_masks_per_sec  # masks per 100 frames
        self.time_frac = args.time_mask_frac
        self.time_max = args.time_mask_max
        self.noise_std = args.noise_std

    def __call__(self, x, lengths):
        """x: [B, T, D] float; lengths: device int64 [B].  Returns augmented x."""
        if self.vtlp is not None:
            x = self.vtlp(x, lengths)
        b, t, d = x.shape
        dev = x.device
        if self.noise_std > 0:
            x = x + torch.randn_like(x) * self.noise_std
        mask = None
        if self.freq_masks > 0 and self.freq_width > 0:
            w = torch.randint(0, self.freq_width + 1, (b, self.freq_masks), device=dev)
            f0 = (torch.rand(b, self.freq_masks, device=dev) * (d - w + 1).float()).long()
            fr = torch.arange(d, device=dev).view(1, 1, d)
            fm = ((fr >= f0.unsqueeze(-1)) & (fr < (f0 + w).unsqueeze(-1))).any(1)  # [B, D]
            mask = fm.unsqueeze(1)
        if self.time_rate > 0 and self.time_frac > 0:
            lf = lengths.float()
            count = (lf * (self.time_rate / 100.0) + torch.rand(b, device=dev)).floor().long()
            m = int(math.ceil(t * self.time_rate / 100.0)) + 1  # upper bound on count, no sync
            maxw = torch.clamp((lf * self.time_frac).floor(), max=float(self.time_max))
            w = (torch.rand(b, m, device=dev) * (maxw.unsqueeze(1) + 1)).floor()
            t0 = (torch.rand(b, m, device=dev) * (lf.unsqueeze(1) - w + 1)).floor()
            active = torch.arange(m, device=dev).view(1, m) < count.unsqueeze(1)
            tr = torch.arange(t, device=dev).view(1, 1, t).float()
            tm = (active.unsqueeze(-1) & (tr >= t0.unsqueeze(-1)) & (tr < (t0 + w).unsqueeze(-1))).any(1)
            tm = tm.unsqueeze(-1)  # [B, T, 1]
            mask = tm if mask is None else (mask | tm)
        if mask is not None:
            x = x.masked_fill(mask, 0.0)
        return x


def make_batch(split, idx, scale, device, augment=None):
    """Padded model input for utterances `idx` of `split`.

    Returns (x [B, T', 3D] float32 on device, out_lengths CPU int64 [B],
             targets CPU int64 [sum labels], target_lengths CPU int64 [B])."""
    lens_np = split.lengths[idx]
    t = int(lens_np.max())
    t_pad = stacked_length(t) * STACK
    starts = torch.from_numpy(split.starts[idx]).to(device, non_blocking=True)
    lens = torch.from_numpy(lens_np).to(device, non_blocking=True)
    ar = torch.arange(t_pad, device=device)
    valid = ar.unsqueeze(0) < lens.unsqueeze(1)  # [B, T]
    rows = starts.unsqueeze(1) + torch.minimum(ar.unsqueeze(0), (lens - 1).unsqueeze(1))
    x = split.feats_t[rows].float() * (1.0 / scale)  # [B, T, D], dequantised
    if augment is not None:
        x = augment(x, lens)
    x = x * valid.unsqueeze(-1)  # padding (incl. the end of the last stack) = 0
    x = stack_frames(x)
    out_lens = torch.from_numpy(stacked_length(lens_np))
    tl = split.lab_lengths[idx]
    ts = split.lab_starts[idx]
    targets = np.concatenate([split.labels[a : a + n] for a, n in zip(ts, tl)]) if tl.sum() else \
        np.zeros(0, np.int64)
    return x, out_lens, torch.from_numpy(targets), torch.from_numpy(tl)


# ---------------------------------------------------------------------------------------------
# Decoding and scoring


def greedy_decode(ids):
    """Best-path CTC decode of per-step argmax ids (1-D int array) -> text (phone names for a phone
    model)."""
    ids = collapse(ids)
    if PHONE_TARGETS is not None:
        import phones
        return phones.decode_ids(ids)
    return "".join(ALPHABET[i] for i in ids)


def collapse(ids):
    """Per-step argmax ids -> the label ids CTC reads from them (repeats merged, blanks dropped)."""
    ids = np.asarray(ids)
    if ids.size == 0:
        return ids
    keep = np.ones(ids.shape, bool)
    keep[1:] = ids[1:] != ids[:-1]
    ids = ids[keep]
    return ids[ids != BLANK]


def split_words(ids, space):
    """Label ids -> words, each a tuple of ids (for word error rates in any alphabet)."""
    words, cur = [], []
    for i in ids:
        if i == space:
            if cur:
                words.append(tuple(cur))
            cur = []
        else:
            cur.append(int(i))
    if cur:
        words.append(tuple(cur))
    return words


def edit_distance(a, b):
    """Levenshtein distance between two sequences."""
    if len(a) < len(b):
        a, b = b, a
    if not b:
        return len(a)
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def evaluate(model, split, scale, device, batch_frames, autocast_ctx, n_sources=1):
    """Greedy-decoded CER/WER (and CTC loss) on `split`.  Returns a dict."""
    model.eval()
    ctc = nn.CTCLoss(blank=BLANK, reduction="sum", zero_infinity=True)
    space = CHAR_TO_ID[" "]
    char_err = char_tot = word_err = word_tot = 0
    per_src = np.zeros((n_sources, 4), np.int64)
    loss_sum = 0.0
    examples = []
    with torch.no_grad():
        for idx in make_batches(split.lengths, batch_frames, 0):
            x, out_lens, targets, tlens = make_batch(split, idx, scale, device)
            with autocast_ctx():
                logits = model(x, out_lens)
            logits = logits.float()
            lp = logits.log_softmax(-1)
            loss_sum += float(ctc(lp.transpose(0, 1), targets.to(device), out_lens, tlens))
            best = lp.argmax(-1).cpu().numpy()
            steps = out_lens.numpy()
            for k, u in enumerate(idx):
                # Errors are counted on label ids: characters for the character model (the same
                # figures as on text), phones and word boundaries for a phone model.
                hyp_ids = collapse(best[k, : int(steps[k])])
                a = int(split.lab_starts[u])
                ref_ids = split.labels[a : a + int(split.lab_lengths[u])]
                ce = edit_distance(list(hyp_ids), list(ref_ids))
                rw, hw = split_words(ref_ids, space), split_words(hyp_ids, space)
                we = edit_distance(hw, rw)
                char_err += ce
                char_tot += len(ref_ids)
                word_err += we
                word_tot += len(rw)
                per_src[split.source[u]] += (ce, len(ref_ids), we, len(rw))
                if len(examples) < 2 and k == len(idx) // 2:
                    examples.append((split.texts[u], greedy_decode(best[k, : int(steps[k])])))
    model.train()
    res = {
        "cer": char_err / max(1, char_tot),
        "wer": word_err / max(1, word_tot),
        "loss": loss_sum / max(1, len(split)),
        "examples": examples,
    }
    if n_sources > 1:
        res["per_source"] = [
            {"cer": float(p[0] / max(1, p[1])), "wer": float(p[2] / max(1, p[3]))} for p in per_src
        ]
    return res


# ---------------------------------------------------------------------------------------------
# Learning-rate schedule


class Schedule:
    """Linear warm-up over `warmup` steps, then cosine / inverse-sqrt / constant.

    The cosine decays over *training progress* p in [0, 1]: the larger of step/total_steps (from
    --max-epochs) and the fraction of this run's --max-minutes budget used (continuing from the
    progress reached before a resume), so a time-limited run ends at the low learning rate.
    p never decreases."""

    def __init__(self, args):
        self.kind = args.schedule
        self.peak = args.lr
        self.warmup = max(0, args.warmup)
        self.min_ratio = args.min_lr_ratio
        self.progress = 0.0
        self.run_start_progress = 0.0

    def state_dict(self):
        return {"kind": self.kind, "progress": self.progress}

    def load_state_dict(self, s):
        self.progress = float(s.get("progress", 0.0))

    def start_run(self):
        self.run_start_progress = self.progress

    def update_progress(self, step, total_steps, time_frac):
        p = self.progress
        if total_steps:
            p = max(p, step / total_steps)
        if time_frac is not None:
            p = max(p, self.run_start_progress + (1 - self.run_start_progress) * time_frac)
        self.progress = min(1.0, p)

    def lr(self, step):
        warm = min(1.0, (step + 1) / self.warmup) if self.warmup else 1.0
        if self.kind == "cosine":
            decay = self.min_ratio + (1 - self.min_ratio) * 0.5 * (1 + math.cos(math.pi * self.progress))
        elif self.kind == "invsqrt":
            decay = math.sqrt(self.warmup / (step + 1)) if self.warmup and step + 1 > self.warmup else 1.0
            decay = max(decay, self.min_ratio)
        else:
            decay = 1.0
        return self.peak * warm * decay


# ---------------------------------------------------------------------------------------------
# Checkpoints, logging


class Logger:
    """Writes each line to stdout and DIR/train.log, flushed immediately."""

    def __init__(self, path):
        self.f = open(path, "a", buffering=1)

    def __call__(self, msg):
        line = msg
        print(line, flush=True)
        self.f.write(line + "\n")
        self.f.flush()


def atomic_save(obj, path):
    tmp = path + ".tmp"
    torch.save(obj, tmp)
    os.replace(tmp, path)


def load_checkpoint(path, map_location="cpu"):
    """torch.load of our own checkpoints (they hold numpy RNG state and plain dicts, so not
    weights_only; torch >= 2.6 defaults to weights_only=True)."""
    try:
        return torch.load(path, map_location=map_location, weights_only=False)
    except TypeError:  # very old torch without the argument
        return torch.load(path, map_location=map_location)


def rng_state(np_rng):
    s = {"torch": torch.get_rng_state(), "numpy": np_rng.bit_generator.state, "python": random.getstate()}
    if torch.cuda.is_available():
        s["cuda"] = torch.cuda.get_rng_state_all()
    return s


def set_rng_state(s, np_rng):
    torch.set_rng_state(s["torch"].cpu())
    np_rng.bit_generator.state = s["numpy"]
    random.setstate(s["python"])
    if "cuda" in s and torch.cuda.is_available() and len(s["cuda"]) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all([t.cpu() for t in s["cuda"]])


def keep_freed_memory():
    """CPU only: stop glibc from returning freed blocks to the OS.  PyTorch's CPU allocator is
    plain malloc; the LSTM's large temporaries otherwise go through mmap/munmap every step and are
    page-faulted in again (measured here: ~10 M minor faults and +30-60 s on a ~20 s step)."""
    try:
        import ctypes
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-4, 0)  # M_MMAP_MAX: no mmap'ed chunks, reuse the heap
        libc.mallopt(-1, 2**31 - 1)  # M_TRIM_THRESHOLD: never shrink the heap
    except Exception:
        pass


def device_name(device):
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return f"cpu ({platform.processor() or platform.machine()}, {torch.get_num_threads()} threads)"


# ---------------------------------------------------------------------------------------------
# Main


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    g = p.add_argument_group("data")
    g.add_argument("--features", action="append", required=True, metavar="DIR",
                   help="feature directory (stats.json, train/, dev/); repeat to combine")
    g.add_argument("--out", required=True, metavar="DIR", help="run directory (checkpoints, train.log)")
    g.add_argument("--max-frames", type=int, default=3000, help="skip longer training utterances (0: keep all)")
    g.add_argument("--init-from", metavar="MODEL_DIR",
                   help="warm start from a shipped TensorFlow.js model (e.g. models/default); only when the "
                        "run starts (a resumed run continues from last.pt)")
    g.add_argument("--dev-max-utts", type=int, default=0, help="evaluate on an evenly spaced subset (0: all)")
    g.add_argument("--targets", choices=["chars", "phones"], default="chars",
                   help="output symbols: characters, or ARPAbet phones spelt by --pronunciations (utterances "
                        "with a word outside it are skipped)")
    g.add_argument("--only-pronounceable", action="store_true",
                   help="with character targets, skip the utterances a phone model would skip (a word "
                        "outside --pronunciations), so the two train on the same data")
    g.add_argument("--pronunciations", metavar="DICT", default=None,
                   help="CMUdict-format pronouncing dictionary for --targets phones (default: pocketsphinx-en-us's)")
    g.add_argument("--allow-stats-mismatch", action="store_true",
                   help="combine feature directories whose stats.json differ (not recommended)")
    g = p.add_argument_group("model")
    g.add_argument("--layers", type=int, default=3)
    g.add_argument("--units", type=int, default=320, help="LSTM units per direction")
    g.add_argument("--dropout", type=float, default=0.2, help="between LSTM layers and before the output layer")
    g = p.add_argument_group("optimisation")
    g.add_argument("--batch-frames", type=int, default=20000,
                   help="max padded input frames per batch (utterances x longest), before stacking")
    g.add_argument("--max-batch-utts", type=int, default=0, help="cap utterances per batch (0: none)")
    g.add_argument("--lr", type=float, default=1e-3, help="peak learning rate (Adam)")
    g.add_argument("--warmup", type=int, default=500, help="linear warm-up steps")
    g.add_argument("--schedule", choices=["cosine", "invsqrt", "constant"], default="cosine")
    g.add_argument("--min-lr-ratio", type=float, default=0.05, help="floor of the decay, relative to --lr")
    g.add_argument("--weight-decay", type=float, default=0.0)
    g.add_argument("--clip", type=float, default=5.0, help="gradient-norm clipping")
    g.add_argument("--bf16", action="store_true",
                   help="bf16 autocast for the LSTM on CUDA (log-softmax and CTC stay fp32); default fp32/TF32")
    g = p.add_argument_group("augmentation")
    g.add_argument("--no-augment", action="store_true", help="disable masks and noise")
    g.add_argument("--freq-masks", type=int, default=2)
    g.add_argument("--freq-mask-width", type=int, default=4, help="max width of each frequency mask")
    g.add_argument("--time-masks-per-sec", type=float, default=1.0,
                   help="time masks per second (100 frames) of audio")
    g.add_argument("--time-mask-frac", type=float, default=0.05, help="max time-mask width, fraction of length")
    g.add_argument("--time-mask-max", type=int, default=20, help="max time-mask width in frames")
    g.add_argument("--noise-std", type=float, default=0.0, help="gaussian noise on normalised features")
    g.add_argument("--vtlp", metavar="LOW,HIGH",
                   help="vocal tract length perturbation: each utterance's frequency axis warped by a factor "
                        "drawn from LOW..HIGH in every batch (vtlp.py; e.g. 0.8,1.2)")
    g = p.add_argument_group("run control")
    g.add_argument("--max-epochs", type=int, default=100)
    g.add_argument("--max-minutes", type=float, default=0.0,
                   help="wall-clock budget of this invocation, including loading, the final dev "
                        "evaluation and saving (0: none); training stops early enough to fit")
    g.add_argument("--max-steps", type=int, default=0, help="stop after this many steps in total (0: none)")
    g.add_argument("--eval-every", type=int, default=0,
                   help="evaluate every N steps (0: after each epoch, unless --eval-minutes)")
    g.add_argument("--eval-minutes", type=float, default=0.0,
                   help="evaluate every N minutes of wall time (0: off; combinable with --eval-every)")
    g.add_argument("--patience", type=int, default=8, help="stop after N evaluations without a better dev CER")
    g.add_argument("--log-every", type=int, default=50, help="training log line every N steps")
    g.add_argument("--save-minutes", type=float, default=5.0, help="also save last.pt every N minutes")
    g.add_argument("--seed", type=int, default=1234)
    g.add_argument("--threads", type=int, default=0, help="CPU threads (0: all available cores)")
    g.add_argument("--device", default="auto", help="auto (cuda if available), cuda, cpu")
    args = p.parse_args(argv)
    if args.vtlp:  # made (LOW, HIGH) here, once
        try:
            low, high = (float(v) for v in args.vtlp.split(","))
        except ValueError:
            p.error(f"--vtlp {args.vtlp}: give LOW,HIGH, e.g. 0.8,1.2")
        if not 0.5 <= low <= high <= 2.0:
            p.error(f"--vtlp {args.vtlp}: the factors must satisfy 0.5 <= LOW <= HIGH <= 2")
        args.vtlp = (low, high)
    return args


def main(argv=None):
    t_start = time.time()
    args = parse_args(argv)
    args.features = [os.path.abspath(d) for d in args.features]
    os.makedirs(args.out, exist_ok=True)
    log = Logger(os.path.join(args.out, "train.log"))
    log("")
    log("train.py " + " ".join(sys.argv[1:] if argv is None else argv))

    if args.device == "auto":
        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    else:
        device = torch.device(args.device)
    threads = args.threads
    if not threads:
        threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    torch.set_num_threads(max(1, threads))
    if device.type == "cpu":
        keep_freed_memory()
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
        torch.backends.cudnn.enabled = True
        try:
            torch.set_float32_matmul_precision("high")  # TF32 for the output layer
        except Exception:
            pass
    use_bf16 = bool(args.bf16 and device.type == "cuda")

    def autocast_ctx():
        if use_bf16:
            return torch.autocast(device_type="cuda", dtype=torch.bfloat16)
        return torch.autocast(device_type=device.type, enabled=False)

    log(f"torch {torch.__version__}, numpy {np.__version__}, python {platform.python_version()}, "
        f"device {device_name(device)}, precision {'bf16 autocast' if use_bf16 else 'fp32'}")

    random.seed(args.seed)
    np_rng = np.random.default_rng(args.seed)
    torch.manual_seed(args.seed)

    if args.targets == "phones":
        import phones
        t = use_phone_targets(args.pronunciations or phones.DEFAULT_DICTIONARY)
        log(f"phone targets: {len(ALPHABET)} outputs, {len(t.prons):,} words in {t.path}")
    elif args.only_pronounceable:
        import phones
        t = use_pronounceable_filter(args.pronunciations or phones.DEFAULT_DICTIONARY)
        log(f"character targets, only utterances whose words are all in {t.path}")
    stats = read_stats(args.features, args.allow_stats_mismatch)
    dim, scale = int(stats["dim"]), float(stats["scale"])
    train = load_split(args.features, "train", dim, log, max_frames=args.max_frames)
    dev = load_split(args.features, "dev", dim, log, max_utts=args.dev_max_utts)
    if len(train) == 0 or len(dev) == 0:
        raise SystemExit("empty train or dev split")
    for s in (train, dev):
        # Whole splits live on the device (int8, < 200 MB); batches are gathered there.
        s.feats_t = torch.from_numpy(s.feats)
        if device.type == "cuda":
            s.feats_t = s.feats_t.pin_memory().to(device, non_blocking=True)
    n_sources = len(args.features)

    cfg = model_config(STACK * dim, args.layers, args.units, args.dropout)
    model = build_model(cfg).to(device)
    n_params = count_params(model)
    log(f"model: {cfg['layers']} x BiLSTM({cfg['units']}) in={cfg['input_dim']} out={cfg['outputs']}, "
        f"{n_params:,} parameters")
    if n_params > MAX_PARAMS:
        raise SystemExit(f"{n_params:,} parameters > {MAX_PARAMS:,}; use fewer --layers/--units")

    opt = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    sched = Schedule(args)
    ctc = nn.CTCLoss(blank=BLANK, reduction="mean", zero_infinity=True)
    augment = None if args.no_augment else Augment(args, dim, stats, device)

    st = {
        "epoch": 0, "batch_pos": 0, "step": 0, "best_cer": float("inf"), "best_wer": float("inf"),
        "best_step": -1, "best_epoch": -1, "evals_since_best": 0, "train_seconds": 0.0,
        "last_eval_step": 0, "finished": None, "epoch_loss_sum": 0.0, "epoch_loss_n": 0,
    }
    history = []
    last_path = os.path.join(args.out, "last.pt")
    best_path = os.path.join(args.out, "best.pt")
    if os.path.exists(last_path):
        ck = load_checkpoint(last_path, map_location="cpu")
        old = ck["config"]
        for key in ("input_dim", "layers", "units", "outputs", "stack"):
            if old[key] != cfg[key]:
                raise SystemExit(f"{last_path}: {key}={old[key]} but this command gives {cfg[key]}; "
                                 "use another --out or the same model flags")
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        for g in opt.param_groups:  # flags may have changed; the schedule sets lr each step
            g["weight_decay"] = args.weight_decay
        sched.load_state_dict(ck["scheduler"])
        st.update(ck["state"])
        history = ck.get("history", [])
        set_rng_state(ck["rng"], np_rng)
        log(f"resumed from {last_path}: epoch {st['epoch']} batch {st['batch_pos']} step {st['step']} "
            f"best dev_cer {st['best_cer']:.4f}")
        del ck
    elif args.init_from:
        load_tfjs_model(model, args.init_from, stats)
        log(f"warm start from {args.init_from}")
    sched.start_run()

    data_info = {
        "features": args.features,
        "train_utterances": len(train), "train_frames": train.total_frames, "train_hours": train.hours,
        "dev_utterances": len(dev), "dev_frames": dev.total_frames, "dev_hours": dev.hours,
    }

    def checkpoint(kind):
        obj = {
            "config": cfg, "alphabet": ALPHABET, "stats": stats, "args": vars(args), "state": dict(st),
            "history": history, "data": data_info, "param_count": n_params,
            "device": device_name(device), "torch_version": torch.__version__,
            "precision": "bf16" if use_bf16 else "fp32",
            "model": {k: v.detach().cpu() for k, v in model.state_dict().items()},
        }
        if kind == "last":
            obj["optimizer"] = opt.state_dict()
            obj["scheduler"] = sched.state_dict()
            obj["rng"] = rng_state(np_rng)
            atomic_save(obj, last_path)
        else:
            atomic_save(obj, best_path)

    # Stop requests (SIGINT/SIGTERM): finish the current step, save last.pt, exit.
    stop = {"signal": None}

    def on_signal(signum, frame):
        if stop["signal"] is not None:
            raise KeyboardInterrupt
        stop["signal"] = signum

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    budget = args.max_minutes * 60.0 if args.max_minutes > 0 else None
    steps_per_epoch = len(make_batches(train.lengths, args.batch_frames, args.max_batch_utts))
    total_steps = steps_per_epoch * args.max_epochs if args.max_epochs else 0
    if args.max_steps:
        total_steps = min(total_steps, args.max_steps) if total_steps else args.max_steps
    data_info["steps_per_epoch"] = steps_per_epoch
    log(f"{steps_per_epoch} batches per epoch (--batch-frames {args.batch_frames}); "
        f"schedule {args.schedule} over {total_steps or '?'} steps"
        + (f" or {args.max_minutes:g} min" if budget else "")
        + f"; load took {time.time() - t_start:.1f} s")

    eval_time = None  # measured seconds per dev evaluation
    last_eval_time = time.time()
    step_time_max = 0.0
    save_time = 1.0
    # Until the first evaluation, guess its cost from the dev size (forward only + decoding).
    dev_frames = dev.total_frames

    def elapsed():
        return time.time() - t_start

    def eval_estimate(train_sec_per_frame):
        if eval_time is not None:
            return eval_time
        return dev_frames * train_sec_per_frame * 0.6 + 0.003 * len(dev) + 2.0

    def run_eval(train_loss):
        nonlocal eval_time, last_eval_time
        t0 = time.time()
        res = evaluate(model, dev, scale, device, args.batch_frames * 2, autocast_ctx, n_sources)
        dt = time.time() - t0
        last_eval_time = time.time()
        eval_time = dt if eval_time is None else max(eval_time, dt)
        st["last_eval_step"] = st["step"]
        improved = res["cer"] < st["best_cer"]
        if improved:
            st.update(best_cer=res["cer"], best_wer=res["wer"], best_step=st["step"],
                      best_epoch=st["epoch"], evals_since_best=0)
        else:
            st["evals_since_best"] += 1
        entry = {"epoch": st["epoch"], "step": st["step"], "train_loss": train_loss,
                 "dev_loss": res["loss"], "dev_cer": res["cer"], "dev_wer": res["wer"],
                 "elapsed_min": elapsed() / 60.0, "lr": sched.lr(st["step"])}
        if "per_source" in res:
            entry["per_source"] = res["per_source"]
        history.append(entry)
        tl = "nan" if train_loss is None else f"{train_loss:.4f}"
        log(f"epoch {st['epoch']} step {st['step']} train_loss {tl} dev_cer {res['cer']:.4f} "
            f"dev_wer {res['wer']:.4f} elapsed_min {elapsed() / 60.0:.2f}")
        extra = (f"  dev_loss {res['loss']:.4f} lr {entry['lr']:.2e} eval_s {dt:.1f} "
                 f"best_cer {st['best_cer']:.4f} (step {st['best_step']})" + (" *new best*" if improved else ""))
        if "per_source" in res:
            extra += " | per dir cer " + " ".join(f"{p['cer']:.4f}" for p in res["per_source"])
        log(extra)
        for ref, hyp in res["examples"][:2]:
            log(f"  ref: {ref}")
            log(f"  hyp: {hyp}")
        return improved

    def save_all(improved):
        nonlocal save_time
        t0 = time.time()
        if improved:
            checkpoint("best")
        checkpoint("last")
        save_time = max(save_time, time.time() - t0)

    # Already finished?
    def finished_reason():
        if st["evals_since_best"] >= args.patience > 0:
            return f"early stop: no better dev CER in {args.patience} evaluations"
        if args.max_epochs and st["epoch"] >= args.max_epochs:
            return f"reached --max-epochs {args.max_epochs}"
        if args.max_steps and st["step"] >= args.max_steps:
            return f"reached --max-steps {args.max_steps}"
        return None

    reason = finished_reason()
    if reason:
        log(f"nothing to do ({reason}); best dev_cer {st['best_cer']:.4f} in {best_path}")
        return 0

    model.train()
    loss_sum, loss_n, frames_done, skipped_steps = 0.0, 0, 0, 0
    epoch_loss_sum, epoch_loss_n = st["epoch_loss_sum"], st["epoch_loss_n"]
    t_log = time.time()
    last_save = time.time()
    run_t0 = time.time()
    train_sec_per_frame = 1e-5 if device.type == "cuda" else 1e-3
    stop_reason = None
    run_steps = 0
    train_seconds_base = st["train_seconds"]

    while stop_reason is None:
        epoch = st["epoch"]
        ep_rng = np.random.default_rng([args.seed, epoch])
        batches = make_batches(train.lengths, args.batch_frames, args.max_batch_utts, ep_rng)
        while st["batch_pos"] < len(batches):
            # --- stop conditions checked before each step
            if stop["signal"] is not None:
                stop_reason = f"signal {stop['signal']}"
                break
            time_frac = None
            if budget is not None:
                reserve = eval_estimate(train_sec_per_frame) + save_time * 2 + step_time_max * 1.5 + 3.0
                time_frac = min(1.0, (elapsed() + reserve) / budget)
                if elapsed() + reserve >= budget:
                    stop_reason = f"time budget --max-minutes {args.max_minutes:g}"
                    break
            idx = batches[st["batch_pos"]]
            t0 = time.time()
            x, out_lens, targets, tlens = make_batch(train, idx, scale, device, augment)
            with autocast_ctx():
                logits = model(x, out_lens)
            lp = logits.float().log_softmax(-1).transpose(0, 1)  # [T, B, C]
            loss = ctc(lp, targets.to(device, non_blocking=True), out_lens, tlens)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            lr = sched.lr(st["step"])
            for g in opt.param_groups:
                g["lr"] = lr
            loss_v = float(loss)
            if math.isfinite(loss_v) and math.isfinite(float(gnorm)):
                opt.step()
                loss_sum += loss_v
                loss_n += 1
                epoch_loss_sum += loss_v
                epoch_loss_n += 1
            else:
                skipped_steps += 1
            st["step"] += 1
            st["batch_pos"] += 1
            dt = time.time() - t0
            n_frames = int(train.lengths[idx].sum())
            frames_done += n_frames
            run_steps += 1
            if run_steps >= 2:  # the first step of a run includes cuDNN/allocator warm-up
                step_time_max = max(step_time_max, dt)
                spf = dt / max(1, n_frames)
                train_sec_per_frame = spf if run_steps == 2 else 0.9 * train_sec_per_frame + 0.1 * spf
            st["train_seconds"] = train_seconds_base + (time.time() - run_t0)
            st["epoch_loss_sum"], st["epoch_loss_n"] = epoch_loss_sum, epoch_loss_n
            sched.update_progress(st["step"], total_steps, time_frac)

            if args.log_every and st["step"] % args.log_every == 0:
                now = time.time()
                rate = frames_done * FRAME_SECONDS / max(1e-9, now - t_log)
                log(f"  step {st['step']} epoch {epoch} batch {st['batch_pos']}/{len(batches)} "
                    f"loss {loss_sum / max(1, loss_n):.4f} lr {lr:.2e} gnorm {float(gnorm):.2f} "
                    f"{(now - t_log) / args.log_every:.3f} s/step {rate:.0f} audio-s/s"
                    + (f" skipped {skipped_steps}" if skipped_steps else ""))
                loss_sum, loss_n, frames_done, t_log = 0.0, 0, 0, now

            due = (args.eval_every and st["step"] % args.eval_every == 0) or (
                args.eval_minutes and time.time() - last_eval_time >= args.eval_minutes * 60)
            if due:
                improved = run_eval(epoch_loss_sum / epoch_loss_n if epoch_loss_n else None)
                save_all(improved)
                last_save = time.time()
                t_log = time.time()
                frames_done = 0
                if finished_reason():
                    stop_reason = finished_reason()
                    break
            elif args.save_minutes and time.time() - last_save > args.save_minutes * 60:
                checkpoint("last")
                last_save = time.time()
            if args.max_steps and st["step"] >= args.max_steps:
                stop_reason = finished_reason()
                break
        if stop_reason is not None:
            break
        # --- end of epoch
        st["epoch"] += 1
        st["batch_pos"] = 0
        train_loss = epoch_loss_sum / epoch_loss_n if epoch_loss_n else None
        epoch_loss_sum, epoch_loss_n = 0.0, 0
        st["epoch_loss_sum"], st["epoch_loss_n"] = 0.0, 0
        if not args.eval_every and not args.eval_minutes:
            improved = run_eval(train_loss)
            save_all(improved)
            last_save = time.time()
            t_log = time.time()
            frames_done = 0
        stop_reason = finished_reason()

    # --- clean stop: a final evaluation when training moved since the last one (not on signals:
    # a killer may not wait), then last.pt.
    st["finished"] = stop_reason
    if st["step"] > st["last_eval_step"] and not (stop_reason or "").startswith("signal"):
        improved = run_eval(epoch_loss_sum / epoch_loss_n if epoch_loss_n else None)
        save_all(improved)
    else:
        checkpoint("last")
    log(f"stopped: {stop_reason}. steps {st['step']} epochs {st['epoch'] + st['batch_pos'] / max(1, steps_per_epoch):.2f} "
        f"best dev_cer {st['best_cer']:.4f} dev_wer {st['best_wer']:.4f} at step {st['best_step']}; "
        f"wall {elapsed() / 60.0:.2f} min; {best_path}")
    # 128 + signal number when stopped by a signal (conventional); 0 when training ended normally.
    return 128 + stop["signal"] if stop["signal"] is not None else 0


if __name__ == "__main__":
    sys.exit(main())
