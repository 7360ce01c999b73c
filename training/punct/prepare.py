#!/usr/bin/env python3
"""Punctuated, cased text for the punctuation + truecasing model (Python 3 stdlib only).

    python3 training/punct/prepare.py        # writes training/work/punct/{train,test}.jsonl, held-out files
    python3 training/punct/prepare.py --new-heldout   # also replaces the shipped held-out text split

Sources (the same Debian packages as the speech corpus, see training/corpus/text.py): fortunes, wordnet
example sentences (each made a sentence: first letter capitalised, a full stop where it has no end mark),
package descriptions (`apt-cache dumpavail`). Wordnet glosses are left out: they are fragments. Besides
those, the prose paragraphs of /usr/share/doc, and, as training text only (TRAIN_ONLY_SOURCES), Perl's and
Python's manuals and the manuals, dictionaries and game text of extra_sources.py. Each of those sources
returns nothing when its package is not installed; to have them all (wamerican and the asterisk prompts are
required: the sentence lists' word filter and the held-out asterisk test split):

    apt-get install --no-install-recommends wamerican asterisk-core-sounds-en asterisk-core-sounds-en-wav \
        fortunes wordnet-base perl-doc python3-doc debian-handbook debian-reference-en \
        developers-reference maint-guide debian-policy harden-doc debian-history postgresql-doc-15 git-doc \
        bash-doc linux-doc-6.1 python-django-doc apache2-doc dict-foldoc dict-jargon dict-devil dict-gcide \
        crawl-common freeciv-data nethack-common freedroidrpg-data wesnoth-1.16-httt wesnoth-1.16-tsg \
        wesnoth-1.16-sof wesnoth-1.16-did wesnoth-1.16-dm wesnoth-1.16-dw wesnoth-1.16-ei wesnoth-1.16-l \
        wesnoth-1.16-low wesnoth-1.16-nr wesnoth-1.16-sota wesnoth-1.16-sotbe wesnoth-1.16-thot \
        wesnoth-1.16-trow wesnoth-1.16-ttb wesnoth-1.16-utbs endless-sky-data cataclysm-dda-data naev-data \
        widelands-data

Each passage becomes tokens as the recogniser would spell them (training/corpus/text.py normalize_text:
lower case a-z and apostrophe, numbers as words), each with the mark after it (none, comma, full stop,
question mark; "!" and ";" count as a full stop, ":" and dashes as a comma) and the case of its written
form (lower, Title, UPPER, Mixed).

Held-out rules (training/work/manifests and /work/shared/notes/model.md):
  * every passage that contains a sentence of the speech corpus's eval or dev lists (built by text.py when
    missing), a transcript of the asterisk test split or of any eval-*/dev manifest, goes to the test
    split, never to train (it refuses to run without them);
  * besides those, a fixed 2 % of passages (by a hash of their text) is the held-out text test split;
  * no training passage reads word for word as a held-out passage, and none of extra_sources.py's shares
    SHARED_RUN words in a row with one.
"""
import hashlib
import json
import os
import random
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "training", "corpus"))
import text as corpus  # noqa: E402  (the speech corpus's sources and normaliser)
sys.path.insert(0, HERE)
import extra_sources  # noqa: E402  (more manuals, dictionaries and game text: training only)

OUT = os.path.join(REPO, "training", "work", "punct")
MANIFESTS = os.path.join(REPO, "training", "work", "manifests")
HELDOUT_DIR = os.path.join(REPO, "models", "punct", "heldout")
TEST_PERCENT = 2

NONE, COMMA, STOP, QUESTION = 0, 1, 2, 3
MARK_TEXT = {NONE: "", COMMA: ",", STOP: ".", QUESTION: "?"}
LOWER, TITLE, UPPER, MIXED = 0, 1, 2, 3

OPENERS = "\"'([{`\u201c\u2018<*_"
WORD_RE = re.compile(r"^[A-Za-z\u00C0-\u024F]+(?:'[A-Za-z]+)*$")


def case_class(surface):
    letters = [c for c in surface if c.isalpha()]
    if not letters or surface == surface.lower():
        return LOWER
    if len(letters) > 1 and surface == surface.upper():
        return UPPER
    if surface[0].isupper() and surface[1:] == surface[1:].lower():
        return TITLE
    return MIXED


def ascii_fold(s):
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c))


def mark_of(trailing):
    if "?" in trailing:
        return QUESTION
    if any(c in trailing for c in ".!;"):
        return STOP
    if any(c in trailing for c in ",:-\u2013\u2014"):
        return COMMA
    return NONE


def tokenize(passage):
    """[(word, mark, case, surface)] for a passage of written text; None when it has nothing speakable."""
    s = unicodedata.normalize("NFKC", passage)
    s = s.replace("\u2019", "'").replace("\u2018", "'")
    s = re.sub(r"\[[^\]]*\]", " ", s)
    for pat, rep in corpus.ABBREV:
        s = re.sub(pat, rep, s)
    s = re.sub(r"\s*(--+|\u2014|\u2013)\s*", ", ", s)
    out = []
    for raw in s.split():
        core = raw.lstrip(OPENERS)
        m = re.match(r"^(.*?)([^A-Za-z0-9\u00C0-\u024F%$\u00A3\u20AC#]*)$", core)
        core, trailing = m.group(1), m.group(2)
        mark = mark_of(trailing)
        if not core:
            if out and mark != NONE and out[-1][1] == NONE:
                out[-1] = (out[-1][0], mark, out[-1][2], out[-1][3])
            continue
        parts = [p for p in re.split(r"[-/]", core) if p] if re.search(r"[A-Za-z]", core) else [core]
        words = []
        for part in parts:
            folded = ascii_fold(part)
            if WORD_RE.match(folded):
                words.append((folded.lower(), case_class(folded), folded))
            else:
                for w in corpus.normalize_text(part).split():
                    words.append((w, LOWER, w))
        if not words:
            if out and mark != NONE and out[-1][1] == NONE:
                out[-1] = (out[-1][0], mark, out[-1][2], out[-1][3])
            continue
        for i, (w, c, surf) in enumerate(words):
            out.append((w, mark if i == len(words) - 1 else NONE, c, surf))
    if not out:
        return None
    w, mk, c, surf = out[-1]
    if mk == NONE or mk == COMMA:
        out[-1] = (w, STOP, c, surf)
    # Sentence case: a passage starts with a capital (package short descriptions are written in lower case)
    w, mk, c, surf = out[0]
    if c == LOWER:
        out[0] = (w, mk, TITLE, surf[0].upper() + surf[1:])
    return out


def canonical(tokens):
    """The passage as the runtime should display it: cased words with their marks, one space apart."""
    return " ".join(surf + MARK_TEXT[mk] for _, mk, _, surf in tokens)


def looks_like_verse(fortune):
    lines = [l.strip() for l in fortune.split("\n") if l.strip()]
    if len(lines) < 3:
        return False
    cap_starts = sum(1 for i, l in enumerate(lines[1:], 1) if l[:1].isupper() and lines[i - 1][-1:].isalpha())
    return cap_starts >= len(lines) // 2


def fortune_passages():
    out = []
    for name in sorted(os.listdir(corpus.FORTUNE_DIR)):
        path = os.path.join(corpus.FORTUNE_DIR, name)
        if "." in name or not os.path.isfile(path) or name in ("art", "ascii-art"):
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            data = f.read()
        for fortune in re.split(r"\n%\n", data):
            if looks_like_verse(fortune) or "\t" in fortune:
                continue  # verse (a capital at each line) teaches wrong marks
            # dialogues ("Q: …", "Arthur: …"): the speaker's label is not part of the speech
            fortune = re.sub(r"^\s*[A-Z][\w .]{0,20}:\s+", "", fortune, flags=re.M)
            lines = [l for l in fortune.split("\n") if not re.match(r"\s*--", l)]
            text = " ".join(l.strip() for l in lines).strip()
            if text and not re.search(r"https?:|www\.|[<>{}|\\_=]", text):
                out.append(text)
    return out


def wordnet_passages(rng):
    examples, _ = corpus.wordnet_texts()
    sentences = []
    for e in examples:
        e = e.strip()
        if len(e.split()) < 3 or not e[:1].isalpha():
            continue
        e = e[0].upper() + e[1:]
        if e[-1] not in ".?!":
            e += "."
        sentences.append(e)
    rng.shuffle(sentences)
    out, i = [], 0
    while i < len(sentences):
        n = rng.randint(1, 5)
        out.append(" ".join(sentences[i:i + n]))
        i += n
    return out


def package_passages():
    out = []
    for para in corpus.package_texts():
        para = para.strip()
        if len(para.split()) >= 4 and not re.search(r"https?:|www\.|[<>{}|\\_=]", para):
            out.append(para)
    return out


def doc_passages(doc_dir="/usr/share/doc"):
    """Prose paragraphs of the documentation installed under /usr/share/doc (FAQs, READMEs, .txt files):
    many of the questions the other sources lack. Code, lists and tables are left out. (`doc_dir`: another
    tree laid out the same way; make-dev.py reads unpacked packages with it.)"""
    import gzip
    out = []
    for root, dirs, files in os.walk(doc_dir):
        # The manuals read by pod_passages / html_doc_passages (training text only, see main).
        dirs[:] = [d for d in dirs if os.path.join(root, d) not in MANUAL_DIRS]
        for fn in sorted(files):
            low = fn.lower()
            if not ("faq" in low or low.startswith("readme") or low.endswith((".txt", ".txt.gz"))):
                continue
            path = os.path.join(root, fn)
            try:
                opener = gzip.open if fn.endswith(".gz") else open
                with opener(path, "rt", encoding="utf-8", errors="replace") as f:
                    data = f.read(400_000)
            except OSError:
                continue
            for para in re.split(r"\n\s*\n", data):
                lines = para.split("\n")
                if any(l.startswith((" ", "\t", "*", "-", "+", "#", ">", "|", "$")) for l in lines):
                    continue  # code, lists, tables, quotes, headings
                text = prose(" ".join(l.strip() for l in lines), strict=False)
                if text:
                    out.append(text)
    return out


QUOTE_MARKS = re.compile("[\"\u201c\u201d]|(?<![A-Za-z])['\u2018\u2019]|['\u2018\u2019](?![A-Za-z])")


def prose(text, min_words=6, strict=True, dialogue=False):
    """The text when it reads as a prose sentence or paragraph (capital first, end mark last, nearly all
    plain words, no addresses, paths or code symbols; `strict` also refuses $ ^ * and "(2)", which
    programming manuals are full of); else None. With `dialogue`, quotation marks are not counted (speech:
    '"Indeed?" he said.' reads as prose), and the text is kept with them."""
    text = " ".join(text.split())
    bare = " ".join(QUOTE_MARKS.sub("", text).split()) if dialogue else text
    words = bare.split()
    if len(words) < min_words or bare[-1] not in ".?!" or not bare[0].isupper():
        return None
    if re.search(r"https?:|www\.|[<>{}|\\_=@/~\[\]]", text):
        return None
    if strict and re.search(r"[$^*]|\(\d\)", text):
        return None
    if sum(1 for w in words if re.match(r"^[A-Za-z'][a-z']*[.,?!;:]?$", w)) < 0.85 * len(words):
        return None
    return text


POD_DIR = "/usr/share/perl/5.36/pod"  # Debian perl-doc


def pod_passages():
    """Prose of Perl's manuals (Debian perl-doc): the FAQs' questions (their =head2 headings, each a
    one-sentence passage) and the paragraphs around them. Verbatim (indented) code is left out, and the
    markup of inline code, files and links is unwrapped."""
    out = []
    if not os.path.isdir(POD_DIR):
        return out
    inline = re.compile(r"[A-Z]<+\s*([^<>]*?)\s*>+")
    for fn in sorted(os.listdir(POD_DIR)):
        if not fn.endswith(".pod"):
            continue
        with open(os.path.join(POD_DIR, fn), encoding="utf-8", errors="replace") as f:
            data = f.read()
        for para in re.split(r"\n\s*\n", data):
            if para.startswith((" ", "\t")):
                continue  # verbatim code
            heading = re.match(r"=head\d\s+(.*)", para, re.S)
            if para.startswith("=") and not heading:
                continue  # =over, =item, =cut ...
            text = heading.group(1) if heading else para
            if "C<" in text or "F<" in text:
                continue  # names of functions, variables or files read out do not make speech
            for _ in range(3):
                text = inline.sub(lambda m: m.group(1).split("|")[0], text)
            text = prose(text, min_words=4 if heading else 6)
            if text:
                out.append(text)
    return out


HTML_DOC_DIR = "/usr/share/doc/python3.11/html"  # Debian python3-doc
MANUAL_DIRS = {HTML_DOC_DIR, "/usr/share/doc/python3-doc", "/usr/share/doc/perl-doc"} | extra_sources.DOC_DIRS
# Training text only: the held-out test split stays the one the targets were set on (before these were added).
TRAIN_ONLY_SOURCES = {"perl manuals", "python manuals"} | set(extra_sources.SOURCE_NAMES)
# A passage of these sources that shares a run of this many words with a held-out passage is not trained on
# (quotations recur: a fortune quotes the Devil's Dictionary, a package description a manual).
SHARED_RUN = 8


def html_doc_passages():
    """Paragraphs and question headings of Python's documentation (Debian python3-doc, HTML): its FAQ
    and tutorials ask many questions. Paragraphs with inline code are left out."""
    import html as html_lib

    out = []
    if not os.path.isdir(HTML_DOC_DIR):
        return out
    block = re.compile(r"<(p|h[1-4])\b[^>]*>(.*?)</\1>", re.S | re.I)
    for root, _, files in os.walk(HTML_DOC_DIR):
        for fn in sorted(files):
            if not fn.endswith(".html"):
                continue
            with open(os.path.join(root, fn), encoding="utf-8", errors="replace") as f:
                data = f.read()
            for tag, body in block.findall(data):
                if re.search(r"<(code|tt|pre|span class=\"pre)", body):
                    continue
                text = html_lib.unescape(re.sub(r"<[^>]+>", "", body)).replace("\u00b6", "")
                text = re.sub(r"^\s*[QA]\.\s+", "", text)  # the FAQ's "Q." and "A." labels
                text = prose(text, min_words=4 if tag.lower() != "p" else 6)
                if text:
                    out.append(text)
    return out


def held_sentences():
    """Normalised held-out sentences: the speech corpus's eval and dev lists (built when missing), the asterisk
    test split's transcripts and every eval-*/dev manifest transcript. Without them (a fresh clone has no
    training/work) this ran with 0 held-out sentences, and passages holding the held-out voices' sentences
    went to training."""
    held = set()
    for name in ("eval", "dev"):
        held |= set(corpus.read_list(name))
    asterisk_test = [text for _, text, split in corpus.asterisk_prompts() if split == "test" and text]
    if not asterisk_test:
        sys.exit("no asterisk test prompts with transcripts: apt-get install asterisk-core-sounds-en "
                 "asterisk-core-sounds-en-wav (their test split is held out)")
    held |= {" ".join(t.split()) for t in asterisk_test}
    if os.path.isdir(MANIFESTS):
        for fn in os.listdir(MANIFESTS):
            if fn.startswith("eval-") or fn.startswith("dev"):
                for line in open(os.path.join(MANIFESTS, fn), encoding="utf-8"):
                    cols = line.rstrip("\n").split("\t")
                    if len(cols) >= 2 and cols[0] != "path":
                        held.add(" ".join(cols[1].split()))
    return held


def word_runs(words):
    """Every SHARED_RUN consecutive words of a passage (all of it when shorter)."""
    if len(words) <= SHARED_RUN:
        return {" ".join(words)}
    return {" ".join(words[i:i + SHARED_RUN]) for i in range(len(words) - SHARED_RUN + 1)}


def main():
    rng = random.Random(18)
    os.makedirs(OUT, exist_ok=True)
    os.makedirs(HELDOUT_DIR, exist_ok=True)
    held = held_sentences()
    print(f"held-out sentences: {len(held)}", flush=True)
    sources = {
        "fortunes": fortune_passages(),
        "wordnet": wordnet_passages(rng),
        "packages": package_passages(),
        "docs": doc_passages(),
        "perl manuals": pod_passages(),
        "python manuals": html_doc_passages(),
    }
    sources.update(extra_sources.sources(prose, corpus.load_vocab()))
    for k, v in sources.items():
        print(f"{k}: {len(v)} passages", flush=True)

    seen = set()
    splits = {"train": [], "test": []}
    held_refs = {}
    n_tokens = {"train": 0, "test": 0}
    for source, passages in sources.items():
        for passage in passages:
            if passage in seen:
                continue
            seen.add(passage)
            tokens = tokenize(passage)
            if not tokens or len(tokens) < 3:
                continue
            # sentences of the passage, as the speech corpus normalises them
            normalized = {corpus.normalize_text(x) for x in corpus.split_sentences(passage)}
            hit = normalized & held
            digest = int(hashlib.sha1(passage.encode()).hexdigest()[:8], 16)
            if hit:
                split = "test"
            elif source in TRAIN_ONLY_SOURCES:
                split = "train"
            else:
                split = "test" if digest % 100 < TEST_PERCENT else "train"
            # (extra_sources' text is not where the speech corpus's sentences come from: a sentence of it that
            # reads as a held one is a chance hit, such as "G." of "D. G. Jones", and gives no reference)
            for sentence in corpus.split_sentences(passage) if source not in extra_sources.SOURCE_NAMES else ():
                n = corpus.normalize_text(sentence)
                if n in held:
                    t = tokenize(sentence)
                    if t and " ".join(w for w, *_ in t) == n:
                        held_refs[n] = canonical(t)
            splits[split].append({"source": source, "words": [t[0] for t in tokens],
                                  "marks": [t[1] for t in tokens], "cases": [t[2] for t in tokens],
                                  "surfaces": [t[3] for t in tokens]})
            n_tokens[split] += len(tokens)
    # The shipped held-out split is the benchmark's fixed set: kept as it is (the documentation installed on
    # a machine changes from one to the next), unless --new-heldout. No training passage may read as one of
    # its passages or the new test split's (package descriptions recur with other punctuation).
    shipped = os.path.join(HELDOUT_DIR, "text-test.txt")
    keep_shipped = os.path.exists(shipped) and "--new-heldout" not in sys.argv
    held_words = {" ".join(r["words"]) for r in splits["test"]}
    if keep_shipped:
        with open(shipped, encoding="utf-8") as f:
            held_words |= {" ".join(t[0] for t in tokenize(l.strip())) for l in f if l.strip()}
    before = len(splits["train"])
    splits["train"] = [r for r in splits["train"] if " ".join(r["words"]) not in held_words]
    print(f"train passages dropped as held out: {before - len(splits['train'])}", flush=True)
    held_runs = {run for p in held_words for run in word_runs(p.split())}
    before = len(splits["train"])
    splits["train"] = [r for r in splits["train"] if r["source"] not in extra_sources.SOURCE_NAMES
                       or held_runs.isdisjoint(word_runs(r["words"]))]
    print(f"train passages dropped as sharing {SHARED_RUN} words in a row with a held-out passage: "
          f"{before - len(splits['train'])}", flush=True)
    n_tokens["train"] = sum(len(r["words"]) for r in splits["train"])
    for split, rows in splits.items():
        rng.shuffle(rows)
        tmp = os.path.join(OUT, split + ".jsonl.tmp")
        with open(tmp, "w") as f:
            for r in rows:
                f.write(json.dumps(r) + "\n")
        os.replace(tmp, os.path.join(OUT, split + ".jsonl"))
        print(f"{split}: {len(rows)} passages, {n_tokens[split]} words", flush=True)

    # The held-out text test split, shipped so that `npm run bench:punct` runs on a fresh clone: one passage a
    # line, as the model should display it.
    if not keep_shipped:
        with open(shipped, "w") as f:
            for r in sorted(splits["test"], key=lambda r: " ".join(r["words"])):
                f.write(" ".join(s + MARK_TEXT[m] for s, m in zip(r["surfaces"], r["marks"])) + "\n")
    # The held-out voices' sentences as written (for scoring the recogniser's transcripts of them)
    with open(os.path.join(HELDOUT_DIR, "eval-sentences.tsv"), "w") as f:
        f.write("transcript\twritten\n")
        for n in sorted(held_refs):
            f.write(f"{n}\t{held_refs[n]}\n")
    print(f"held-out references: {len(held_refs)} of {len(held)} held sentences found written", flush=True)


def selftest():
    t = tokenize('"Hello, Mr. Smith!" said the NASA man -- it costs $5. Is it well-known? McDonald\'s')
    got = canonical(t)
    want = "Hello, mister Smith. said the NASA man, it costs five dollars. Is it well known? McDonald's."
    assert got == want, got
    assert [w for w, *_ in t][:4] == ["hello", "mister", "smith", "said"], t
    assert case_class("McDonald's") == MIXED and case_class("NASA") == UPPER and case_class("I") == TITLE
    assert word_runs("a b c".split()) == {"a b c"} and len(word_runs([str(i) for i in range(10)])) == 3
    extra_sources.selftest(prose)
    print("selftest ok")


if __name__ == "__main__":
    if "--selftest" in sys.argv:
        selftest()
    else:
        main()
