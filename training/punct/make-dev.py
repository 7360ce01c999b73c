#!/usr/bin/env python3
"""The dev split for tuning the runtime's decisions (training/punct/tune-decisions.ts): text the network never
trained on, read the way prepare.py reads its sources (Python 3 stdlib only).

    python3 training/punct/make-dev.py          # writes training/punct/dev-text.txt (~15 s)
    python3 training/punct/make-dev.py --seen   # also training/work/punct/dev-seen.txt (text it trained on)

Why not a slice of the training sources: the network trained on all of them (11 epochs, the benchmark's
domain twice and question passages three times per epoch), and it scores far better on text it saw
(`tune-decisions.ts --seen` measures this). train.py's own dev split (2 % of the in-domain training
passages, never trained on) cannot be rebuilt here: it is a shuffle of every training passage, and the
documentation installed on a machine, and so that set, changes from one machine to the next.

So the dev text is the same kinds of text as the benchmark (fortunes and /usr/share/doc prose) from Debian
packages that are none of prepare.py's sources and not installed on the build machine (refused if they
are: prepare.py would then read them into training): fetched with `apt-get download` and unpacked under
training/work/punct/dev-debs, not installed.

  fortune-anarchism, fortunes-bofh-excuses, fortunes-debian-hints   fortune files (prepare.fortune_passages;
      the attribution lines, which these files indent with tabs, are removed first)
  debian-faq, fetchmail (its FAQ)   HTML paragraphs and question headings (as prepare.html_doc_passages
      reads Python's manual, with the headings' section numbers "1.2." and "G1." removed; a question
      heading joined to the paragraph answering it, see html_passages)
  doc-debian, fetchmail, lynx-common, bsdgames   README/FAQ/.txt prose (prepare.doc_passages)

Held out as prepare.py holds text out: a passage holding a sentence of the speech corpus's eval or dev
lists or of an eval-*/dev manifest is dropped, and so is one that reads as, or shares 8 words in a row
with, a passage of the held-out test text (models/punct/heldout/text-test.txt) or a training passage
that this machine's sources give (fortunes, wordnet, package descriptions, /usr/share/doc, Perl's
manuals; the other training-only sources are not installed here). One passage a line, written as the
model should write it, like text-test.txt.
"""
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import prepare  # noqa: E402

PACKAGES = ["fortune-anarchism", "fortunes-bofh-excuses", "fortunes-debian-hints", "debian-faq", "fetchmail",
            "doc-debian", "lynx-common", "bsdgames"]
DEBS = os.path.join(prepare.OUT, "dev-debs")
OUT = os.path.join(HERE, "dev-text.txt")


def installed(package):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True)
    return r.returncode == 0 and "ok installed" in r.stdout


def unpack():
    """The packages' files under DEBS/root (downloaded once)."""
    root = os.path.join(DEBS, "root")
    os.makedirs(DEBS, exist_ok=True)
    have = [f for f in os.listdir(DEBS) if f.endswith(".deb")]
    missing = [p for p in PACKAGES if not any(f.startswith(p + "_") for f in have)]
    if missing:
        subprocess.run(["apt-get", "download", *missing], cwd=DEBS, check=True)
    for f in sorted(os.listdir(DEBS)):
        if f.endswith(".deb"):
            subprocess.run(["dpkg-deb", "-x", os.path.join(DEBS, f), root], check=True)
    return root


def fortunes(root):
    src = os.path.join(root, "usr", "share", "games", "fortunes")
    with tempfile.TemporaryDirectory() as tmp:
        for name in os.listdir(src):
            path = os.path.join(src, name)
            if os.path.isfile(path) and "." not in name:
                with open(path, encoding="utf-8", errors="replace") as f:
                    data = f.read()
                # "\t\t-- Alan Moore": fortune_passages drops tabbed fortunes (tables) and "--" lines
                data = re.sub(r"(?m)^\s+--.*\n?", "", data)
                # "BOFH excuse #12:\n\nclock speed": the excuse alone, a lower-case fragment like a package's
                # short description
                data = re.sub(r"(?m)^BOFH excuse #\d+:\s*", "", data)
                with open(os.path.join(tmp, name), "w", encoding="utf-8") as f:
                    f.write(data)
        saved = prepare.corpus.FORTUNE_DIR
        prepare.corpus.FORTUNE_DIR = tmp
        try:
            return prepare.fortune_passages()
        finally:
            prepare.corpus.FORTUNE_DIR = saved


def html_passages(files):
    """Paragraphs and question headings. A question heading is joined to the paragraph that answers it when
    that directly follows (and reads as prose): in the benchmark's sources 46 % of the questions end their
    passage (the training side of fortunes, wordnet, package descriptions and /usr/share/doc), where a FAQ's
    headings alone would make nearly all of them do (73 % of the dev text's; joined, 52 %)."""
    import html as html_lib

    out = []
    block = re.compile(r"<(p|h[1-4])\b[^>]*>(.*?)</\1>", re.S | re.I)
    for path in files:
        with open(path, encoding="utf-8", errors="replace") as f:
            data = f.read()
        pending = None  # a question heading waiting for its answer
        for tag, body in block.findall(data):
            text = None
            if not re.search(r"<(code|tt|pre|kbd|span class=\"(pre|command|literal|filename))", body):
                text = html_lib.unescape(re.sub(r"<[^>]+>", "", body))
                text = re.sub(r"^\s*(?:[A-Z]?\d+(?:\.\d+)*\.?|[QA]\.)\s+", "", text)  # "1.2.", "G1.", "Q."
                text = prepare.prose(text, min_words=4 if tag.lower() != "p" else 6)
            if pending and text and tag.lower() == "p":
                out.append(pending + " " + text)
                pending = None
                continue
            if pending:
                out.append(pending)
                pending = None
            if text and tag.lower() != "p" and text.endswith("?"):
                pending = text
            elif text:
                out.append(text)
        if pending:
            out.append(pending)
    return out


def doc_files(root):
    faq = os.path.join(root, "usr", "share", "doc", "debian", "FAQ")
    files = [os.path.join(faq, f) for f in sorted(os.listdir(faq)) if f.endswith(".en.html")]
    return files + [os.path.join(root, "usr", "share", "doc", "fetchmail", "fetchmail-FAQ.html")]


def seen_split(held, test):
    """For comparison only: the benchmark's sources' passages that prepare.py puts in train with a hash of
    2 or 3 (the test split has 0 and 1): text the network trained on (but for train.py's 2 % dev)."""
    rng = prepare.random.Random(18)
    passages = (prepare.fortune_passages() + prepare.wordnet_passages(rng) + prepare.package_passages()
                + prepare.doc_passages())
    out, seen = [], set(test)
    for passage in passages:
        if int(prepare.hashlib.sha1(passage.encode()).hexdigest()[:8], 16) % 100 not in (2, 3):
            continue
        tokens = prepare.tokenize(passage)
        if not tokens or len(tokens) < 3 or " ".join(t[0] for t in tokens) in seen:
            continue
        if {prepare.corpus.normalize_text(x) for x in prepare.corpus.split_sentences(passage)} & held:
            continue
        seen.add(" ".join(t[0] for t in tokens))
        out.append(prepare.canonical(tokens))
    path = os.path.join(prepare.OUT, "dev-seen.txt")
    with open(path, "w", encoding="utf-8") as f:
        f.write("".join(line + "\n" for line in sorted(out)))
    print(f"wrote {path}: {len(out)} passages")


def main():
    bad = [p for p in PACKAGES if installed(p)]
    if bad:
        sys.exit(f"installed on this machine, so prepare.py may train on them: {', '.join(bad)}")
    root = unpack()
    sources = {"fortunes": fortunes(root), "faq html": html_passages(doc_files(root)),
               "docs": prepare.doc_passages(os.path.join(root, "usr", "share", "doc"))}
    held = prepare.held_sentences()
    with open(os.path.join(prepare.HELDOUT_DIR, "text-test.txt"), encoding="utf-8") as f:
        test = [" ".join(t[0] for t in prepare.tokenize(l.strip())) for l in f if l.strip()]
    # What this machine's training sources give (the benchmark's domain and Perl's manuals)
    rng = prepare.random.Random(18)
    trained = (prepare.fortune_passages() + prepare.wordnet_passages(rng) + prepare.package_passages()
               + prepare.doc_passages() + prepare.pod_passages())
    trained = [" ".join(t[0] for t in tokens) for tokens in map(prepare.tokenize, trained) if tokens]
    known = set(test) | set(trained)
    runs = {run for p in known for run in prepare.word_runs(p.split())}
    by_source = {}
    seen, out, dropped = set(), [], {"held sentence": 0, "shares 8 words with test or training text": 0}
    for source, passages in sources.items():
        kept = 0
        for passage in passages:
            tokens = prepare.tokenize(passage)
            if not tokens or len(tokens) < 3:
                continue
            words = [t[0] for t in tokens]
            key = " ".join(words)
            if key in seen:
                continue
            seen.add(key)
            if {prepare.corpus.normalize_text(x) for x in prepare.corpus.split_sentences(passage)} & held:
                dropped["held sentence"] += 1
                continue
            if key in known or not runs.isdisjoint(prepare.word_runs(words)):
                dropped["shares 8 words with test or training text"] += 1
                continue
            out.append(tokens)
            by_source.setdefault(source, []).append(tokens)
            kept += 1
        print(f"{source}: {len(passages)} passages read, {kept} kept", flush=True)
    print(f"dropped: {dropped}")
    marks = [m for tokens in out for _, m, _, _ in tokens]
    print(f"dev: {len(out)} passages, {len(marks)} words, {marks.count(prepare.COMMA)} commas, "
          f"{marks.count(prepare.STOP)} full stops, {marks.count(prepare.QUESTION)} question marks")
    with open(OUT, "w", encoding="utf-8") as f:
        for tokens in sorted(out, key=lambda t: " ".join(w for w, *_ in t)):
            f.write(prepare.canonical(tokens) + "\n")
    print(f"wrote {OUT}")
    for source, rows in by_source.items():  # for looking at one kind of text alone
        with open(os.path.join(prepare.OUT, f"dev-text-{source.replace(' ', '-')}.txt"), "w", encoding="utf-8") as f:
            f.write("".join(prepare.canonical(t) + "\n" for t in rows))
    if "--seen" in sys.argv:
        seen_split(held, test)


if __name__ == "__main__":
    main()
