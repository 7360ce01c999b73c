#!/usr/bin/env python3
"""Sentence lists for the speech corpus (Python 3 stdlib only).

Sources (Debian packages): wordnet-base (glosses + example sentences), fortunes,
`apt-cache dumpavail` package descriptions; wamerican is the vocabulary filter.

    python3 training/corpus/text.py            # writes training/work/text/{train,dev,eval}.txt
    python3 training/corpus/text.py --selftest # checks the number/symbol normalisation

Every label is normalised by normalize_text(): numbers and symbols become spoken
words, lower case, only a-z, space and apostrophe remain.

Held-out rules enforced here:
  * eval (250) and dev (300) are chosen with a fixed seed from the *static* sources
    (wordnet examples + fortunes) so the choice does not depend on the apt lists;
  * no eval/dev sentence (and no transcript of an asterisk test prompt) appears in train.txt;
  * the asterisk split (asterisk_prompts()) is: sorted wav paths relative to the sounds
    folder, index % 5 == 0 -> test.
"""
import gzip
import os
import random
import re
import subprocess
import sys
import unicodedata

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORK = os.path.join(REPO, "training", "work")
TEXT_DIR = os.path.join(WORK, "text")
SEED = 20240531
N_EVAL = 250
N_DEV = 300
MIN_WORDS, MAX_WORDS = 3, 25

WORDNET_DIR = "/usr/share/wordnet"
FORTUNE_DIR = "/usr/share/games/fortunes"
DICT_FILE = "/usr/share/dict/american-english"
ASTERISK_SOUNDS = "/usr/share/asterisk/sounds/en"
ASTERISK_TXT = "/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz"

# --------------------------------------------------------------------------- numbers
ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
        "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
        "seventeen", "eighteen", "nineteen"]
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
SCALES = [(10 ** 12, "trillion"), (10 ** 9, "billion"), (10 ** 6, "million"), (1000, "thousand")]
ORD_IRREG = {"one": "first", "two": "second", "three": "third", "five": "fifth",
             "eight": "eighth", "nine": "ninth", "twelve": "twelfth"}


def _below_1000(n):
    words = []
    if n >= 100:
        words += [ONES[n // 100], "hundred"]
        n %= 100
    if n >= 20:
        words.append(TENS[n // 10])
        if n % 10:
            words.append(ONES[n % 10])
    elif n > 0 or not words:
        words.append(ONES[n])
    return words


def int_words(n):
    """Cardinal: 1234 -> 'one thousand two hundred thirty four'."""
    if n < 0:
        return "minus " + int_words(-n)
    if n >= 10 ** 15:
        return digits_words(str(n))
    if n < 1000:
        return " ".join(_below_1000(n))
    words = []
    for value, name in SCALES:
        if n >= value:
            words += _below_1000(n // value) + [name]
            n %= value
    if n:
        words += _below_1000(n)
    return " ".join(words)


def digits_words(s):
    return " ".join(ONES[int(c)] for c in s if c.isdigit())


def year_words(n):
    """1990 -> nineteen ninety, 1905 -> nineteen oh five, 1900 -> nineteen hundred,
    2005 -> two thousand five, 2019 -> twenty nineteen."""
    if 2000 <= n <= 2009:
        return int_words(n)
    hi, lo = divmod(n, 100)
    if lo == 0:
        return int_words(hi) + " hundred"
    if lo < 10:
        return int_words(hi) + " oh " + ONES[lo]
    return int_words(hi) + " " + int_words(lo)


def ordinal_words(n):
    w = int_words(n).split()
    last = w[-1]
    if last in ORD_IRREG:
        w[-1] = ORD_IRREG[last]
    elif last.endswith("y"):
        w[-1] = last[:-1] + "ieth"
    else:
        w[-1] = last + "th"
    return " ".join(w)


def number_words(tok):
    """A run of digits (maybe with commas) read as a number."""
    raw = tok.replace(",", "")
    if not raw:
        return ""
    if len(raw) > 1 and raw[0] == "0":
        return digits_words(raw)          # 007, 0800: digit by digit
    n = int(raw)
    if "," not in tok and len(raw) == 4 and 1100 <= n <= 2099:
        return year_words(n)
    if len(raw) > 12:
        return digits_words(raw)
    return int_words(n)


FRACTIONS = {(1, 2): "one half", (1, 3): "one third", (2, 3): "two thirds",
             (1, 4): "one quarter", (3, 4): "three quarters"}

ABBREV = [
    (r"\be\.\s?g\.", " for example "), (r"\bi\.\s?e\.", " that is "), (r"\betc\.", " et cetera "),
    (r"\bvs\.?(?=\s)", " versus "), (r"\bMrs\.", " missus "), (r"\bMr\.", " mister "),
    (r"\bMs\.", " miz "), (r"\bDr\.", " doctor "), (r"\bSt\.(?=\s+[A-Z])", " saint "),
    (r"\bJr\.", " junior "), (r"\bSr\.", " senior "), (r"\bProf\.", " professor "),
    (r"\bNo\.(?=\s*\d)", " number "), (r"\bA\.M\.", " a m "), (r"\bP\.M\.", " p m "),
    (r"\ba\.m\.", " a m "), (r"\bp\.m\.", " p m "), (r"\bU\.S\.", " u s "),
    (r"\bexclaimation\b", "exclamation"),
]
SYMBOLS = {"#": " pound ", "*": " star ", "%": " percent ", "&": " and ", "+": " plus ",
           "=": " equals ", "@": " at ", "°": " degrees ", "§": " section ", "€": " euros ",
           "£": " pounds ", "×": " times "}


def _money(m):
    sym, whole, cents = m.group(1), m.group(2), m.group(3)
    unit = {"$": ("dollar", "dollars"), "£": ("pound", "pounds"), "€": ("euro", "euros")}[sym]
    n = int(whole.replace(",", ""))
    out = int_words(n) + " " + (unit[0] if n == 1 else unit[1])
    if cents and int(cents):
        c = int(cents.ljust(2, "0")[:2])
        out += " and " + int_words(c) + (" cent" if c == 1 else " cents")
    return " " + out + " "


def _decimal(m):
    parts = m.group(0).split(".")
    out = [number_words(parts[0]) if parts[0] else "point"]
    for i, p in enumerate(parts[1:]):
        if i == 0 and parts[0]:
            out += ["point", digits_words(p)]
        elif i == 0:
            out += [digits_words(p)]
        else:  # version numbers 2.6.32 -> two point six point thirty two
            out += ["point", number_words(p)]
    return " " + " ".join(out) + " "


def _ordinal(m):
    return " " + ordinal_words(int(m.group(1))) + " "


def _time(m):
    h, mi = int(m.group(1)), int(m.group(2))
    if mi == 0:
        return " " + int_words(h) + " o'clock "
    if mi < 10:
        return " " + int_words(h) + " oh " + ONES[mi] + " "
    return " " + int_words(h) + " " + int_words(mi) + " "


def _fraction(m):
    a, b = int(m.group(1)), int(m.group(2))
    if (a, b) in FRACTIONS:
        return " " + FRACTIONS[(a, b)] + " "
    return " " + int_words(a) + " over " + int_words(b) + " "


def normalize_text(s):
    """Spoken-form label: lower case a-z, space and apostrophe only.

    'Press 1 then #' -> 'press one then pound';  '3.5%' -> 'three point five percent'.
    Returns '' when nothing speakable is left.
    """
    s = unicodedata.normalize("NFKC", s)
    s = s.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    s = re.sub(r"\[[^\]]*\]", " ", s)          # [sound of monkeys] annotations
    for pat, rep in ABBREV:
        s = re.sub(pat, rep, s)
    s = re.sub(r"([$£€])\s?(\d[\d,]*)(?:\.(\d{1,2}))?\b", _money, s)
    s = re.sub(r"(?<![\d.])(\d{1,2}):(\d{2})(?![\d:])", _time, s)
    s = re.sub(r"\b(\d+)\s?(?:st|nd|rd|th)\b", _ordinal, s, flags=re.I)
    s = re.sub(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?![\d/])", _fraction, s)
    s = re.sub(r"(?<!\w)-(?=\d)", " minus ", s)
    s = re.sub(r"(?<=\d)\s?x\s?(?=\d)", " by ", s)
    s = re.sub(r"\d[\d,]*(?:\.\d+)+|\.\d+", _decimal, s)
    s = re.sub(r"(?<=\d),(?=\d{3})", "", s)
    for sym, word in SYMBOLS.items():
        s = s.replace(sym, word)
    s = re.sub(r"\d+", lambda m: " " + number_words(m.group(0)) + " ", s)
    # accents -> ascii
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = s.lower()
    s = re.sub(r"[^a-z' ]+", " ", s)
    # keep apostrophes only inside words (don't, dog's); drop quote marks
    s = re.sub(r"(?<![a-z])'|'(?![a-z])", " ", s)
    return " ".join(s.split())


# --------------------------------------------------------------------------- sources
def wordnet_texts():
    """(examples, glosses) from the wordnet data.* files."""
    examples, glosses = [], []
    for pos in ("noun", "verb", "adj", "adv"):
        path = os.path.join(WORDNET_DIR, "data." + pos)
        if not os.path.exists(path):
            continue
        with open(path, encoding="latin-1") as f:
            for line in f:
                if line.startswith("  ") or " | " not in line:
                    continue
                gloss = line.split(" | ", 1)[1].strip()
                for part in re.split(r";\s*", gloss):
                    part = part.strip()
                    if part.startswith('"'):
                        q = part[1:]
                        end = q.find('"')
                        examples.append(q[:end] if end >= 0 else q)
                    elif part:
                        glosses.append(part)
    return examples, glosses


def fortune_texts():
    out = []
    if not os.path.isdir(FORTUNE_DIR):
        return out
    for name in sorted(os.listdir(FORTUNE_DIR)):
        path = os.path.join(FORTUNE_DIR, name)
        if "." in name or not os.path.isfile(path) or name in ("art", "ascii-art"):
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            data = f.read()
        for fortune in re.split(r"\n%\n", data):
            lines = [l for l in fortune.split("\n") if not re.match(r"\s*--", l)]
            text = " ".join(l.strip() for l in lines)
            out.extend(split_sentences(text))
    return out


def package_texts():
    try:
        dump = subprocess.run(["apt-cache", "dumpavail"], capture_output=True, text=True,
                              errors="replace", check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return []
    out, seen, desc = [], set(), None
    for line in dump.split("\n") + [""]:
        if line.startswith("Description:") or line.startswith("Description-en:"):
            desc = [line.split(":", 1)[1].strip()]
        elif desc is not None and line.startswith(" "):
            l = line.strip()
            if l == ".":
                desc.append("\n")
            elif not re.match(r"^[*o+-] ", l):   # skip bullet lists
                desc.append(l)
        else:
            if desc:
                # short description (one line) + long description when the lists carry one
                short, body = desc[0], " ".join(desc[1:])
                if short not in seen:
                    seen.add(short)
                    out.append(short)
                if body and body not in seen:
                    seen.add(body)
                    for para in body.split("\n"):
                        out.extend(split_sentences(para))
            desc = None
    return out


def split_sentences(text):
    text = " ".join(text.split())
    for pat, rep in ABBREV:          # protect abbreviations containing dots
        text = re.sub(pat, rep, text)
    return [p for p in re.split(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])", text) if p]


def load_vocab():
    # Without the word list every sentence would be "cleaned" away and the lists built from the few left
    # (36 train, 0 dev, 10 eval sentences on a machine without it): refuse instead.
    if not os.path.exists(DICT_FILE):
        sys.exit(f"{DICT_FILE} not found: the sentence filter needs Debian's word list (apt-get install wamerican)")
    vocab = set()
    with open(DICT_FILE, encoding="utf-8", errors="replace") as f:
        for w in f:
            w = w.strip().lower()
            if w.isascii():
                vocab.add(w)
    for w in ONES + TENS + ["hundred", "thousand", "million", "billion", "trillion", "point",
                            "oh", "minus", "percent", "pound", "star", "plus", "equals",
                            "o'clock", "first", "second", "third", "fifth", "eighth", "ninth",
                            "twelfth"] + [w for _, w in SCALES]:
        if w:
            vocab.add(w)
    return vocab


def in_vocab(sentence, vocab):
    for w in sentence.split():
        if w in vocab or (w.endswith("th") and w[:-2] in vocab) or \
           (w.endswith("ieth") and w[:-4] + "y" in vocab):
            continue
        if len(w) == 1:  # single letters are fine (a, i, x)
            continue
        return False
    return True


def clean(raw_sentences, vocab):
    out = []
    for s in raw_sentences:
        if "http" in s or "://" in s or "www." in s:
            continue
        n = normalize_text(s)
        k = len(n.split())
        if MIN_WORDS <= k <= MAX_WORDS and in_vocab(n, vocab):
            out.append(n)
    return out


# --------------------------------------------------------------------------- asterisk
def asterisk_sounds_dir():
    return os.path.realpath(ASTERISK_SOUNDS)


def asterisk_transcripts():
    out = {}
    if not os.path.exists(ASTERISK_TXT):
        return out
    with gzip.open(ASTERISK_TXT, "rt", encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith(";") or ":" not in line:
                continue
            name, text = line.split(":", 1)
            # stage directions: "(10 seconds of silence)", "<beep ascending>", "(note: ...)"
            text = re.sub(r"<[^>]*>|\([^)]*\)", " ", text)
            out[name.strip()] = text.strip()
    return out


def asterisk_prompts():
    """[(relpath, normalised transcript or '', split)] for every wav, sorted by relpath.
    split = 'test' for index % 5 == 0 (held out), else 'train'."""
    root = asterisk_sounds_dir()
    rels = []
    for d, _, files in os.walk(root, followlinks=True):
        for fn in files:
            if fn.endswith(".wav"):
                rels.append(os.path.relpath(os.path.join(d, fn), root))
    rels.sort()
    tr = asterisk_transcripts()
    out = []
    for i, rel in enumerate(rels):
        key = rel[:-4]
        text = normalize_text(tr.get(key, ""))
        out.append((rel, text, "test" if i % 5 == 0 else "train"))
    return out


# --------------------------------------------------------------------------- main
def build(out_dir=TEXT_DIR, seed=SEED, log=print):
    vocab = load_vocab()
    ex, gl = wordnet_texts()
    fo = fortune_texts()
    pk = package_texts()
    log(f"raw: wordnet examples {len(ex)}, glosses {len(gl)}, fortunes {len(fo)}, packages {len(pk)}")

    def dedup(xs):
        seen, out = set(), []
        for x in xs:
            if x not in seen:
                seen.add(x)
                out.append(x)
        return out

    static = dedup(clean(ex, vocab) + clean(fo, vocab))
    others = dedup(clean(gl, vocab) + clean(pk, vocab))
    log(f"clean: static (wordnet examples + fortunes) {len(static)}, glosses + packages {len(others)}")

    rng = random.Random(seed)
    pool = sorted(s for s in static if 5 <= len(s.split()) <= 20)
    rng.shuffle(pool)
    eval_s = pool[:N_EVAL]
    dev_s = pool[N_EVAL:N_EVAL + N_DEV]
    held = set(eval_s) | set(dev_s)
    held |= {t for _, t, sp in asterisk_prompts() if sp == "test" and t}
    train = sorted(set(static) | set(others))
    train = [s for s in train if s not in held]
    random.Random(seed + 1).shuffle(train)

    os.makedirs(out_dir, exist_ok=True)
    for name, lines in (("train", train), ("dev", dev_s), ("eval", eval_s)):
        tmp = os.path.join(out_dir, name + ".txt.tmp")
        with open(tmp, "w") as f:
            f.write("\n".join(lines) + "\n")
        os.replace(tmp, os.path.join(out_dir, name + ".txt"))
    log(f"wrote {out_dir}: train {len(train)}, dev {len(dev_s)}, eval {len(eval_s)}")
    return train, dev_s, eval_s


def read_list(name, log=print):
    """A sentence list (train, dev or eval). The lists are built first when any is missing, as on a fresh
    clone (~20 s; the same lists from the same packages)."""
    if not all(os.path.exists(os.path.join(TEXT_DIR, n + ".txt")) for n in ("train", "dev", "eval")):
        build(log=log)
    with open(os.path.join(TEXT_DIR, name + ".txt")) as f:
        return [l.strip() for l in f if l.strip()]


SELFTEST = [
    ("3.5", "three point five"),
    ("In 1990 we paid $5.50", "in nineteen ninety we paid five dollars and fifty cents"),
    ("Press 1 then #", "press one then pound"),
    ("press * to toggle pause", "press star to toggle pause"),
    ("50% off", "fifty percent off"),
    ("Tom & Jerry", "tom and jerry"),
    ("the 21st and 2nd and 3rd and 100th", "the twenty first and second and third and one hundredth"),
    ("the 12th of 40", "the twelfth of forty"),
    ("1,250,000 people", "one million two hundred fifty thousand people"),
    ("1905 and 1900 and 2005 and 2019", "nineteen oh five and nineteen hundred and two thousand five and twenty nineteen"),
    ("a 28.8 kilobit modem", "a twenty eight point eight kilobit modem"),
    ("3D audio", "three d audio"),
    ("at 10:30 or 7:05", "at ten thirty or seven oh five"),
    ("1/2 of 3/4", "one half of three quarters"),
    ("Don't say 'hello', Mr. Smith!", "don't say hello mister smith"),
    ("-5 degrees", "minus five degrees"),
    ("call 0800", "call zero eight zero zero"),
    ("version 2.6.32", "version two point six point thirty two"),
    ("Café naïve", "cafe naive"),
    ("at [@]", "at"),
    ("a 3x3 grid", "a three by three grid"),
    ("A.M.", "a m"),
    ("12345", "twelve thousand three hundred forty five"),
]


def selftest():
    bad = 0
    for src, want in SELFTEST:
        got = normalize_text(src)
        ok = got == want
        bad += not ok
        print(("ok   " if ok else "FAIL ") + repr(src) + " -> " + repr(got) + ("" if ok else "  want " + repr(want)))
    print(f"{len(SELFTEST) - bad}/{len(SELFTEST)} passed")
    return bad == 0


if __name__ == "__main__":
    if "--selftest" in sys.argv:
        sys.exit(0 if selftest() else 1)
    build()
