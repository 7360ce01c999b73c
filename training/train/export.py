#!/usr/bin/env python3
"""Export a train.py checkpoint for the TypeScript runtime (TensorFlow.js LayersModel, Keras layout).

    /usr/bin/python3 training/train/export.py --checkpoint RUN_DIR/best.pt --out EXPORT_DIR
        [--features FEATS ...] [--golden 3]

Writes (no tensorflow / tensorflowjs needed):
  weights.bin    float32 little-endian, the tensors of weights.json back to back
  weights.json   {"architecture": {...}, "alphabet": [...], "blank": 0,
                  "weights": [{"name", "shape", "offset"}]}  (order below)
  golden.json    a few short dev utterances: stacked normalised inputs [T' x 3D] and the
                 PyTorch logits [T' x 29] (eval mode, CPU, float32)
  training.json  model-card metadata
  stats.json     the normalisation (dim, mean, std, scale, frontend) the features were made with

Weight order, per BiLSTM layer l: forward kernel [in, 4U], forward recurrent kernel [U, 4U],
forward bias [4U], backward kernel, backward recurrent kernel, backward bias; then the dense
kernel [2U, 29] and bias [29].  Gate order i, f, c(g), o (PyTorch and Keras agree); PyTorch's
W_ih [4U, in] / W_hh [4U, U] are transposed and bias = bias_ih + bias_hh.  The runtime must use
recurrentActivation 'sigmoid', activation 'tanh', Bidirectional mergeMode 'concat' (forward first).

Before writing, the exported arrays are run through an independent numpy (float64) Keras-style
LSTM on the golden inputs and compared with the PyTorch logits; a mismatch is an error.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import phones  # noqa: E402
import train as T  # noqa: E402  (same directory: model, stacking, alphabet, data loading)


def keras_weights(model, cfg):
    """[(name, float32 array)] in the export order, Keras layout."""
    sd = {k: v.detach().cpu().double().numpy() for k, v in model.state_dict().items()}
    out = []
    for layer in range(cfg["layers"]):
        for direction, suffix in (("forward", ""), ("backward", "_reverse")):
            w_ih = sd[f"lstm.weight_ih_l{layer}{suffix}"]  # [4U, in]
            w_hh = sd[f"lstm.weight_hh_l{layer}{suffix}"]  # [4U, U]
            b = sd[f"lstm.bias_ih_l{layer}{suffix}"] + sd[f"lstm.bias_hh_l{layer}{suffix}"]
            base = f"bilstm_{layer}/{direction}"
            out.append((f"{base}/kernel", w_ih.T))
            out.append((f"{base}/recurrent_kernel", w_hh.T))
            out.append((f"{base}/bias", b))
    out.append(("dense/kernel", sd["out.weight"].T))  # [2U, 29]
    out.append(("dense/bias", sd["out.bias"]))
    return [(n, np.ascontiguousarray(a, dtype=np.float32)) for n, a in out]


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def numpy_reference(weights, cfg, x):
    """Keras semantics, float64: Bidirectional(LSTM, return_sequences, merge concat) x L, Dense."""
    w = [a.astype(np.float64) for _, a in weights]
    u = cfg["units"]
    h_in = x.astype(np.float64)
    k = 0
    for _ in range(cfg["layers"]):
        outs = []
        for reverse in (False, True):
            kern, rec, bias = w[k], w[k + 1], w[k + 2]
            k += 3
            n = h_in.shape[0]
            h = np.zeros(u)
            c = np.zeros(u)
            y = np.zeros((n, u))
            xw = h_in @ kern + bias
            for t in (range(n - 1, -1, -1) if reverse else range(n)):
                z = xw[t] + h @ rec
                i, f, g, o = _sigmoid(z[:u]), _sigmoid(z[u : 2 * u]), np.tanh(z[2 * u : 3 * u]), _sigmoid(z[3 * u :])
                c = f * c + i * g
                h = o * np.tanh(c)
                y[t] = h
            outs.append(y)
        h_in = np.concatenate(outs, axis=1)
    return h_in @ w[k] + w[k + 1]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", required=True, help="best.pt (or last.pt) written by train.py")
    p.add_argument("--out", required=True, help="export directory")
    p.add_argument("--features", action="append", metavar="DIR",
                   help="feature directories for the golden utterances (default: those of training)")
    p.add_argument("--golden", type=int, default=3, help="number of golden utterances")
    p.add_argument("--golden-frames", type=int, default=150, help="preferred length (input frames) of golden utterances")
    args = p.parse_args()

    torch.set_num_threads(max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1))
    ck = T.load_checkpoint(args.checkpoint, map_location="cpu")
    cfg = ck["config"]
    if ck["args"].get("targets") == "phones":
        # A phone model: the output symbols are phones.py's (the dictionary is only needed for labels).
        T.use_phone_targets(ck["args"].get("pronunciations") or phones.DEFAULT_DICTIONARY)
    if ck.get("alphabet", T.ALPHABET) != T.ALPHABET:
        raise SystemExit("checkpoint alphabet differs from train.ALPHABET")
    model = T.build_model(cfg)
    model.load_state_dict(ck["model"])
    model.eval()
    n_params = T.count_params(model)
    stats = ck["stats"]
    dim, scale = int(stats["dim"]), float(stats["scale"])
    if cfg["input_dim"] != T.STACK * dim:
        raise SystemExit(f"input_dim {cfg['input_dim']} != {T.STACK} x dim {dim}")
    os.makedirs(args.out, exist_ok=True)

    # --- weights
    weights = keras_weights(model, cfg)
    entries, offset = [], 0
    with open(os.path.join(args.out, "weights.bin"), "wb") as f:
        for name, a in weights:
            f.write(a.astype("<f4").tobytes())
            entries.append({"name": name, "shape": list(a.shape), "offset": offset})
            offset += a.nbytes
    # PyTorch keeps two LSTM biases, the export one: 2 directions x L layers x 4U fewer numbers.
    n_exported = n_params - 2 * cfg["layers"] * 4 * cfg["units"]
    assert offset == 4 * n_exported, (offset, n_exported)
    spec = {
        "architecture": {"inputDim": cfg["input_dim"], "layers": cfg["layers"], "units": cfg["units"],
                         "outputs": cfg["outputs"], "stack": cfg["stack"]},
        "alphabet": T.ALPHABET,
        "blank": T.BLANK,
        "weights": entries,
    }
    with open(os.path.join(args.out, "weights.json"), "w") as f:
        json.dump(spec, f, indent=1)
    with open(os.path.join(args.out, "stats.json"), "w") as f:
        json.dump(stats, f)

    # --- golden utterances (dev; train when there is no dev split)
    feature_dirs = [os.path.abspath(d) for d in (args.features or ck["args"]["features"])]
    quiet = lambda msg: None  # noqa: E731
    split = T.load_split(feature_dirs, "dev", dim, quiet, required=False)
    if split is None or len(split) == 0:
        split = T.load_split(feature_dirs, "train", dim, quiet)
    order = np.argsort(np.abs(split.lengths - args.golden_frames), kind="stable")[: args.golden]
    golden = []
    max_diff = 0.0
    for u in order:
        frames = split.feats[split.starts[u] : split.starts[u] + split.lengths[u]].astype(np.float32) / scale
        x = T.stack_frames(frames)  # [T', 3D]
        with torch.no_grad():
            logits = model(torch.from_numpy(x)[None])[0].numpy()
        ref = numpy_reference(weights, cfg, x)
        diff = float(np.abs(ref - logits).max())
        max_diff = max(max_diff, diff)
        golden.append({
            "id": split.ids[u], "text": split.texts[u], "frames": int(split.lengths[u]),
            "decoded": T.greedy_decode(logits.argmax(-1)),
            "inputs": x.astype(np.float32).tolist(), "logits": logits.astype(np.float32).tolist(),
        })
    if max_diff > 1e-4:
        raise SystemExit(f"exported weights do not reproduce the PyTorch logits: max |diff| {max_diff:.3g}")
    with open(os.path.join(args.out, "golden.json"), "w") as f:
        json.dump({"description": "inputs: normalised frames stacked by 3 ([T' x inputDim]); logits: "
                                  "PyTorch eval-mode output ([T' x outputs]) before softmax",
                   "tolerance": 1e-4, "utterances": golden}, f)

    # --- model card metadata (totals from last.pt next to the checkpoint when present)
    st = dict(ck["state"])
    last = os.path.join(os.path.dirname(os.path.abspath(args.checkpoint)), "last.pt")
    total = st
    if os.path.exists(last) and os.path.abspath(last) != os.path.abspath(args.checkpoint):
        try:
            total = T.load_checkpoint(last, map_location="cpu")["state"]
        except Exception as e:  # e.g. written by a much newer torch; fall back to best.pt's counters
            print(f"note: could not read {last} ({e}); totals are those of the checkpoint")
    hp = {k: v for k, v in ck["args"].items() if k not in ("features", "out")}
    data = ck["data"]
    meta = {
        "parameters": n_params,
        "exported_weights": n_exported,
        "architecture": spec["architecture"],
        "hyperparameters": hp,
        "precision": ck.get("precision", "fp32"),
        "device": ck.get("device"),
        "torch_version": ck.get("torch_version"),
        "best": {"dev_cer": st["best_cer"], "dev_wer": st["best_wer"], "step": st["best_step"],
                 "epoch": st["best_epoch"]},
        "epochs": round(total["epoch"] + total["batch_pos"] / max(1, data.get("steps_per_epoch", 1)), 3),
        "steps": total["step"],
        "wall_minutes": total["train_seconds"] / 60.0,
        "training_utterances": data["train_utterances"],
        "training_hours": data["train_frames"] * T.FRAME_SECONDS / 3600.0,
        "dev_utterances": data["dev_utterances"],
        "dev_hours": data["dev_frames"] * T.FRAME_SECONDS / 3600.0,
        "features": [os.path.basename(d.rstrip("/")) for d in data["features"]],
        "frontend": stats.get("frontend"),
        "history": ck.get("history", []),
    }
    if ck.get("averaged_from"):  # average.py: the weights are the mean of these checkpoints
        meta["averaged_from"] = ck["averaged_from"]
    with open(os.path.join(args.out, "training.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(f"exported {n_exported:,} weights ({offset} bytes; {n_params:,} trained parameters) to {args.out}; golden {len(golden)} "
          f"utterances, numpy-vs-torch max |diff| {max_diff:.2e}; best dev_cer {st['best_cer']:.4f} "
          f"dev_wer {st['best_wer']:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
