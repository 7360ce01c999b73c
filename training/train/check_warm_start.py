#!/usr/bin/env python3
"""Checks train.py's warm start (--init-from): the shipped TensorFlow.js weights loaded into the PyTorch
model reproduce the logits in the model's golden.json (made by PyTorch before the export).

    /usr/bin/python3 training/train/check_warm_start.py [models/default]
"""
import json, os, sys
import numpy as np
import torch
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train as T  # noqa: E402

model_dir = sys.argv[1] if len(sys.argv) > 1 else "models/default"
m = json.load(open(os.path.join(model_dir, "manifest.json")))
stats = {"mean": m["normalization"]["mean"], "std": m["normalization"]["std"]}
g = json.load(open(os.path.join(model_dir, "golden.json")))
topology = json.load(open(os.path.join(model_dir, "model.json")))
shapes = [w["shape"] for grp in topology["weightsManifest"] for w in grp["weights"]]
layers, units, input_dim = (len(shapes) - 2) // 6, shapes[1][0], shapes[0][0]
model = T.build_model(T.model_config(input_dim, layers, units, 0.0))
T.load_tfjs_model(model, model_dir, stats)
model.eval()
worst = 0.0
for u in g["utterances"]:
    x = torch.tensor(np.array(u["inputs"], dtype=np.float32))[None]
    with torch.no_grad():
        y = model(x)[0].numpy()
    worst = max(worst, float(np.abs(y - np.array(u["logits"])).max()))
print(f"{model_dir}: {layers} x BiLSTM({units}); largest logit difference from golden.json {worst:.2e}")
sys.exit(0 if worst <= g.get("tolerance", 1e-4) else 1)
