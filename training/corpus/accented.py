#!/usr/bin/env python3
"""Accented English from festival's non-English voices (Python 3 stdlib + festival, festlex-cmu, sox).

Read naively, a Czech/Italian/Finnish/Catalan/Russian voice applies its own spelling rules to English
text.  So each English sentence is respelt: every word's phones come from festival's English CMU
lexicon (festlex-cmu) and are written in the voice language's orthography, so that the voice says
something close to the English phones with its own (new, real-person) vocal tract.  The label stays
the original English sentence; the respelling is only what the voice reads.

    python3 training/corpus/accented.py --selftest          # respelling checks (no audio)
    python3 training/corpus/accented.py --respell "the quick brown fox"
    python3 training/corpus/accented.py --check 15          # intelligibility per voice (pocketsphinx)

generate.py --recipe accented uses respell() and synthesize() to build split train-accented.
"""
import argparse
import concurrent.futures as cf
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True   # no __pycache__ inside the source tree

CMU_DIR = "/usr/share/festival/dicts/cmu"
CMU_LEXICON = os.path.join(CMU_DIR, "cmudict-0.4.out")
CMU_ADDENDA = os.path.join(CMU_DIR, "cmulex.scm")   # contractions ("don't", "it's"…) live only here

VOWELS = {"aa", "ae", "ah", "ao", "aw", "ax", "ay", "eh", "er", "ey", "ih", "iy", "ow", "oy", "uh", "uw"}
CONSONANTS = {"b", "ch", "d", "dh", "f", "g", "hh", "jh", "k", "l", "m", "n", "ng", "p", "r", "s", "sh",
              "t", "th", "v", "w", "y", "z", "zh"}
PHONES = VOWELS | CONSONANTS

# Voices per language and the byte encoding each one's tokenizer/letter-to-sound rules expect
# (from the voices' scheme files: the Czech lexicon is ISO-8859-2, the Italian voices proclaim
# ISO-8859-1, suopuhe's Finnish LTS rules are Latin-1, upc_ca_ona_hts proclaims ISO-8859-15, and the
# Russian voice explodes words with utf8explode).
LANGUAGE_ENCODING = {"czech": "iso-8859-2", "italian": "iso-8859-1", "finnish": "iso-8859-1",
                     "catalan": "iso-8859-15", "russian": "utf-8"}
VOICE_LANGUAGE = {
    "czech_dita": "czech", "czech_krb": "czech", "czech_machac": "czech", "czech_ph": "czech",
    "lp_diphone": "italian", "pc_diphone": "italian",
    "suo_fi_lj_diphone": "finnish", "hy_fi_mv_diphone": "finnish",
    "upc_ca_ona_hts": "catalan",
    "msu_ru_nsh_clunits": "russian",
}
# The voices of the recipe, in slot order (generate.py shuffles each round).  Left out after the
# intelligibility check (`--check 15`, README "Accented recipe"): czech_krb, lp_diphone and
# upc_ca_ona_hts, the least intelligible on both recognisers (CER ≥ 67% with pocketsphinx and ≥ 60% with
# the shipped model); labels garbled that much would teach the model to map noise to English words.
DROPPED_VOICES = {"czech_krb", "lp_diphone", "upc_ca_ona_hts"}
ACCENTED_VOICES = [v for v in VOICE_LANGUAGE if v not in DROPPED_VOICES]


# =========================================================================== lexicon
_LEX_ENTRY = re.compile(r'^\("((?:[^"\\]|\\.)*)" \S+ \((.*)\)\)\s*$')
_SYLLABLE = re.compile(r"\(\(([a-z ]+)\) (\d)\)")


def _parse_syllables(body):
    """'((d ow n t) 1)' → [("d", None), ("ow", 1), ("n", None), ("t", None)]: the syllable's stress
    sits on its vowel, consonants carry None."""
    phones = []
    for syl, stress in _SYLLABLE.findall(body):
        for ph in syl.split():
            phones.append((ph, int(stress) if ph in VOWELS else None))
    return phones


_lexicon = None


def lexicon():
    """word → [(phone, stress)]; the first entry of a homograph wins (as festival's lookup without a
    part of speech does).  Loaded once per process."""
    global _lexicon
    if _lexicon is None:
        lex = {}
        with open(CMU_LEXICON, encoding="latin-1") as f:
            for line in f:
                m = _LEX_ENTRY.match(line)
                if m and m.group(1) not in lex:
                    lex[m.group(1)] = _parse_syllables(m.group(2))
        with open(CMU_ADDENDA, encoding="latin-1") as f:
            for line in f:
                m = re.search(r"\(lex\.add\.entry '\(\"([^\"]+)\" \S+ \((.*)\)\)\)", line)
                if m:
                    lex.setdefault(m.group(1).lower(), _parse_syllables(m.group(2)))
        _lexicon = lex
    return _lexicon


def word_phones(word):
    """Phones of one normalised word, or None.  Possessives/contractions in "'s" that the lexicon lacks
    are built from the stem with the English plural rule (s after voiceless, ax z after sibilants)."""
    lex = lexicon()
    if word in lex:
        return lex[word]
    if word.endswith("'s") and word[:-2] in lex and lex[word[:-2]]:
        stem = lex[word[:-2]]
        last = stem[-1][0]
        if last in ("s", "z", "sh", "zh", "ch", "jh"):
            return stem + [("ax", 0), ("z", None)]
        return stem + [("s" if last in ("p", "t", "k", "f", "th") else "z", None)]
    return None


def sentence_phones(sentence):
    """[[(phone, stress)] per word], or None when a word is missing (the sentence is then not used)."""
    words = []
    for w in sentence.split():
        ph = word_phones(w)
        if not ph:
            return None
        words.append(ph)
    return words


# =========================================================================== respelling
def _primary_vowel(phones):
    """Index of the first primary-stressed vowel, or None (monosyllables need no mark)."""
    vowels = [i for i, (p, _) in enumerate(phones) if p in VOWELS]
    if len(vowels) < 2:
        return None
    for i in vowels:
        if phones[i][1] == 1:
            return i
    return None


def _neighbours(phones, i):
    prev = phones[i - 1][0] if i > 0 else None
    nxt = phones[i + 1][0] if i + 1 < len(phones) else None
    return prev, nxt


# ---- Czech: phonemic spelling; long vowels for English tense vowels; "di/ti/ni" would be palatal
# (ď ť ň), so i after d/t/n is written y/ý (same sound, hard consonant).
CZECH = {"aa": "á", "ae": "e", "ah": "a", "ao": "ó", "aw": "au", "ax": "e", "ay": "aj", "eh": "e",
         "er": "er", "ey": "ej", "ih": "i", "iy": "í", "ow": "ou", "oy": "oj", "uh": "u", "uw": "ú",
         "b": "b", "ch": "č", "d": "d", "dh": "d", "f": "f", "g": "g", "hh": "h", "jh": "dž", "k": "k",
         "l": "l", "m": "m", "n": "n", "ng": "ng", "p": "p", "r": "r", "s": "s", "sh": "š", "t": "t",
         "th": "t", "v": "v", "w": "u", "y": "j", "z": "z", "zh": "ž"}


def respell_czech(phones):
    out = []
    for i, (p, stress) in enumerate(phones):
        prev, nxt = _neighbours(phones, i)
        g = CZECH[p]
        if p in ("ih", "iy") and prev in ("d", "t", "n", "dh", "th"):
            g = "y" if p == "ih" else "ý"
        elif p == "ng" and nxt in ("k", "g"):
            g = "n"
        elif p == "ax" and nxt is None:       # final schwa ("sofa") is nearer Czech a than e
            g = "a"
        elif p in ("iy", "uw", "aa") and stress == 0:   # unstressed tense vowels are short in English
            g = {"iy": "i", "uw": "u", "aa": "a"}[p]
            if p == "iy" and prev in ("d", "t", "n", "dh", "th"):
                g = "y"
        out.append(g)
    return "".join(out)


# ---- Italian: c/g are hard before a/o/u and soft before e/i, so k → ch and g → gh before front
# vowels, ch → ci/c and jh → gi/g, sh → sci/sc; h is silent (dropped); no z/th/dh sounds
# (z is /ts/ in Italian: use s).  The stressed vowel carries a grave accent, which the Italian LTS
# reads as the stress (it would otherwise guess penultimate).
ITALIAN_VOWELS = {"aa": "a", "ae": "e", "ah": "a", "ao": "o", "aw": "au", "ax": "e", "ay": "ai", "eh": "e",
                  "er": "er", "ey": "ei", "ih": "i", "iy": "i", "ow": "ou", "oy": "oi", "uh": "u", "uw": "u"}
ITALIAN_CONSONANTS = {"b": "b", "d": "d", "dh": "d", "f": "f", "hh": "", "l": "l", "m": "m", "n": "n",
                      "ng": "ng", "p": "p", "r": "r", "s": "s", "t": "t", "th": "t", "v": "v", "w": "u",
                      "y": "i", "z": "s", "zh": "sc"}
ITALIAN_SOFT = {"k": ("c", "ch"), "g": ("g", "gh"), "ch": ("ci", "c"), "jh": ("gi", "g"), "sh": ("sci", "sc"),
                "zh": ("sci", "sc")}   # (before a/o/u/consonant/end, before e/i)
ITALIAN_ACCENT = {"a": "à", "e": "è", "i": "ì", "o": "ò", "u": "ù"}


def respell_italian(phones):
    stressed = _primary_vowel(phones)
    out = []
    for i, (p, _) in enumerate(phones):
        _, nxt = _neighbours(phones, i)
        if p in VOWELS:
            g = ITALIAN_VOWELS[p]
            if i == stressed:
                g = ITALIAN_ACCENT[g[0]] + g[1:]
        elif p in ITALIAN_SOFT:
            front = nxt is not None and (nxt == "y" or (nxt in VOWELS and ITALIAN_VOWELS[nxt][0] in "ei"))
            g = ITALIAN_SOFT[p][1 if front else 0]
        elif p == "ng" and nxt in ("k", "g"):
            g = "n"
        else:
            g = ITALIAN_CONSONANTS[p]
        out.append(g)
    return "".join(out)


# ---- Finnish: phonemic; vowel length is written by doubling (stressed tense vowels), ä for /æ/,
# ö for the r-coloured /ɜ/; no voiced sibilants or th (z → s, dh → d), "sh" is suopuhe's /ʃ/,
# w → v (Finnish has no /w/; the LTS maps w to v anyway), y → j.
FINNISH_STRESSED = {"aa": "aa", "ae": "ää", "ah": "a", "ao": "oo", "aw": "au", "ax": "e", "ay": "ai",
                    "eh": "e", "er": "öör", "ey": "ei", "ih": "i", "iy": "ii", "ow": "ou", "oy": "oi",
                    "uh": "u", "uw": "uu"}
FINNISH_UNSTRESSED = dict(FINNISH_STRESSED, aa="a", ae="ä", ao="o", er="er", iy="i", uw="u")
FINNISH_CONSONANTS = {"b": "b", "ch": "ts", "d": "d", "dh": "d", "f": "f", "g": "g", "hh": "h", "jh": "dj",
                      "k": "k", "l": "l", "m": "m", "n": "n", "ng": "ng", "p": "p", "r": "r", "s": "s",
                      "sh": "sh", "t": "t", "th": "t", "v": "v", "w": "v", "y": "j", "z": "s", "zh": "sh"}


def respell_finnish(phones):
    out = []
    for i, (p, stress) in enumerate(phones):
        _, nxt = _neighbours(phones, i)
        if p in VOWELS:
            g = (FINNISH_STRESSED if stress else FINNISH_UNSTRESSED)[p]
        elif p == "ng" and nxt in ("k", "g"):
            g = "n"
        else:
            g = FINNISH_CONSONANTS[p]
        out.append(g)
    return "".join(out)


# ---- Catalan (central): unstressed a/e are read as schwa, so English ax → a; the stressed vowel gets
# the written accent (à è é í ò ó ú), which fixes Catalan stress; k → qu and g → gu before e/i;
# ch → tx, jh → tg/tj, sh → x, zh → j; s between vowels is doubled (single s there is /z/); h silent.
CATALAN_VOWELS = {"aa": "a", "ae": "e", "ah": "a", "ao": "o", "aw": "au", "ax": "a", "ay": "ai", "eh": "e",
                  "er": "er", "ey": "ei", "ih": "i", "iy": "i", "ow": "ou", "oy": "oi", "uh": "u", "uw": "u"}
CATALAN_ACCENT = {"aa": "à", "ae": "è", "ah": "à", "ao": "ò", "aw": "à", "ax": "à", "ay": "à", "eh": "è",
                  "er": "è", "ey": "é", "ih": "í", "iy": "í", "ow": "ó", "oy": "ò", "uh": "ú", "uw": "ú"}
CATALAN_CONSONANTS = {"b": "b", "ch": "tx", "d": "d", "dh": "d", "f": "f", "hh": "", "l": "l", "m": "m",
                      "n": "n", "ng": "ng", "p": "p", "r": "r", "sh": "x", "t": "t", "th": "t", "v": "v",
                      "w": "u", "y": "i", "z": "z", "zh": "j"}


def respell_catalan(phones):
    stressed = _primary_vowel(phones)
    out = []
    for i, (p, _) in enumerate(phones):
        prev, nxt = _neighbours(phones, i)
        if p in VOWELS:
            g = CATALAN_VOWELS[p]
            if i == stressed:
                g = CATALAN_ACCENT[p] + g[1:]
        else:
            front = nxt is not None and (nxt == "y" or (nxt in VOWELS and CATALAN_VOWELS[nxt][0] in "ei"))
            if p == "k":
                g = "qu" if front else "c"
            elif p == "g":
                g = "gu" if front else "g"
            elif p == "jh":
                g = "tg" if front else ("tj" if nxt in VOWELS else "tx")
            elif p == "s":
                g = "ss" if prev in VOWELS and nxt in VOWELS else "s"
            elif p == "ng" and nxt in ("k", "g"):
                g = "n"
            elif p == "n" and nxt == "y":     # "ny" would be the palatal nasal
                g = "n"
            else:
                g = CATALAN_CONSONANTS[p]
        out.append(g)
    return "".join(out)


# ---- Russian (Cyrillic, UTF-8): э keeps the consonant before it hard (е would palatalise it);
# й + vowel becomes я/ю/е; "+" before a vowel is the voice's stress mark.
RUSSIAN_VOWELS = {"aa": "а", "ae": "э", "ah": "а", "ao": "о", "aw": "ау", "ax": "а", "ay": "ай", "eh": "э",
                  "er": "эр", "ey": "эй", "ih": "и", "iy": "и", "ow": "оу", "oy": "ой", "uh": "у", "uw": "у"}
RUSSIAN_IOTATED = {"а": "я", "у": "ю", "э": "е", "о": "ё"}
RUSSIAN_CONSONANTS = {"b": "б", "ch": "ч", "d": "д", "dh": "д", "f": "ф", "g": "г", "hh": "х", "jh": "дж",
                      "k": "к", "l": "л", "m": "м", "n": "н", "ng": "нг", "p": "п", "r": "р", "s": "с",
                      "sh": "ш", "t": "т", "th": "т", "v": "в", "w": "у", "y": "й", "z": "з", "zh": "ж"}


def respell_russian(phones):
    stressed = _primary_vowel(phones)
    out = []
    i = 0
    while i < len(phones):
        p = phones[i][0]
        _, nxt = _neighbours(phones, i)
        mark = ""
        if p == "y" and nxt in VOWELS and RUSSIAN_VOWELS[nxt][0] in RUSSIAN_IOTATED:
            v = RUSSIAN_VOWELS[nxt]
            mark = "+" if i + 1 == stressed else ""
            out.append(mark + RUSSIAN_IOTATED[v[0]] + v[1:])
            i += 2
            continue
        if p in VOWELS:
            g = ("+" if i == stressed else "") + RUSSIAN_VOWELS[p]
        elif p == "ng" and nxt in ("k", "g"):
            g = "н"
        else:
            g = RUSSIAN_CONSONANTS[p]
        out.append(g)
        i += 1
    return "".join(out)


RESPELLERS = {"czech": respell_czech, "italian": respell_italian, "finnish": respell_finnish,
              "catalan": respell_catalan, "russian": respell_russian}
# The phone → letters tables each language's respeller reads (for the coverage self-test).
TABLES = {"czech": [CZECH], "italian": [ITALIAN_VOWELS, dict(ITALIAN_CONSONANTS, **ITALIAN_SOFT)],
          "finnish": [FINNISH_STRESSED, FINNISH_UNSTRESSED, FINNISH_CONSONANTS],
          "catalan": [CATALAN_VOWELS, CATALAN_ACCENT, dict(CATALAN_CONSONANTS, k="c", g="g", jh="tj", s="s")],
          "russian": [RUSSIAN_VOWELS, RUSSIAN_CONSONANTS]}


def respell(sentence, language):
    """The sentence in `language`'s orthography (words joined by spaces), or None if a word is not in
    the lexicon."""
    words = sentence_phones(sentence)
    if words is None:
        return None
    return " ".join(RESPELLERS[language](w) for w in words)


# =========================================================================== synthesis
def synthesize(voice, respelt, path, tmpdir, stretch=1.0):
    """festival `voice` reads the respelt text (encoded as the voice expects) into the WAV `path`
    (the voice's own sample rate; generate.py resamples)."""
    assert voice in VOICE_LANGUAGE, voice
    text_file = os.path.join(tmpdir, "respelt.txt")
    with open(text_file, "wb") as f:
        f.write((respelt + "\n").encode(LANGUAGE_ENCODING[VOICE_LANGUAGE[voice]]))
    r = subprocess.run(["text2wave", "-eval", f"(voice_{voice})",
                        "-eval", f"(Parameter.set 'Duration_Stretch {stretch})", text_file, "-o", path],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0 or not os.path.exists(path) or os.path.getsize(path) <= 44:
        raise RuntimeError(f"text2wave {voice} failed ({r.returncode}): {r.stderr.decode(errors='replace')[-400:]}")


def to_clean_16k(raw, path):
    """A synthesised WAV as the recognisers hear a clean recording: 16 kHz mono 16-bit, peak −3 dBFS."""
    subprocess.run(["sox", "-R", "-D", raw, "-r", "16000", "-b", "16", "-c", "1", path,
                    "rate", "-v", "16000", "norm", "-3"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True)


# =========================================================================== self-test
def selftest():
    lex = lexicon()
    assert len(lex) > 100000, len(lex)
    used = {p for phones in lex.values() for p, _ in phones}
    assert used <= PHONES, used - PHONES
    for language, tables in TABLES.items():
        for table in tables:
            kind = VOWELS if set(table) & VOWELS and not set(table) & CONSONANTS else (
                CONSONANTS if not set(table) & VOWELS else PHONES)
            missing = kind - set(table)
            assert not missing, (language, missing)
        # every phone, in every context that changes the spelling, gives some letters
        for p in sorted(PHONES):
            for ctx in ([(p, 1)], [("s", None), (p, 0), ("iy", 1)], [(p, 1), ("aa", 0)], [("iy", 0), (p, None)]):
                ctx = [(q, s if q in VOWELS else None) for q, s in ctx]
                out = RESPELLERS[language](ctx)
                out.encode(LANGUAGE_ENCODING[language])   # representable in the voice's encoding
                assert out or p == "hh", (language, p, out)
    assert word_phones("don't") == [("d", None), ("ow", 1), ("n", None), ("t", None)]
    assert word_phones("fullback's")[-1] == ("s", None)
    assert word_phones("church's")[-2:] == [("ax", 0), ("z", None)]
    assert word_phones("xqzzyq") is None and respell("the xqzzyq", "czech") is None
    checks = {
        ("czech", "ship"): "šip", ("czech", "teeth"): "týt", ("czech", "think"): "tynk",
        ("czech", "judge"): "džadž", ("czech", "measure"): "mežer",
        ("italian", "key"): "chi", ("italian", "cat"): "chet", ("italian", "church"): "cerci",
        ("italian", "shoe"): "sciu", ("italian", "she"): "sci", ("italian", "gift"): "ghift",
        ("italian", "paper"): "pèiper",
        ("finnish", "see"): "sii", ("finnish", "cat"): "käät", ("finnish", "bird"): "böörd",
        ("finnish", "water"): "vooter",
        ("catalan", "key"): "qui", ("catalan", "cheese"): "txiz", ("catalan", "paper"): "péiper",
        ("catalan", "sister"): "síster", ("catalan", "city"): "síti", ("catalan", "yes"): "ies",
        ("russian", "yes"): "ес", ("russian", "you"): "ю", ("russian", "paper"): "п+эйпэр",
        ("russian", "shoe"): "шу",
    }
    bad = []
    for (language, word), want in checks.items():
        got = respell(word, language)
        if got != want:
            bad.append(f"{language} {word}: {got!r} != {want!r}")
    assert not bad, "\n".join(bad)
    for v in ("cmu_us_slt_arctic_hts", "kal_diphone", "awb"):
        assert v not in ACCENTED_VOICES
    print(f"accented selftest ok: {len(lex)} lexicon words, {len(PHONES)} phones × {len(TABLES)} languages")


# =========================================================================== intelligibility check
def _edit_distance(a, b):
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i]
        for j, y in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))
        prev = cur
    return prev[-1]


def pocketsphinx_hypotheses(wav_stems, work_dir):
    """pocketsphinx_batch (stock en-us acoustic model, LM and dictionary) on STEM.wav for each stem:
    {basename of the stem: lower-case hypothesis}; list.ctl and out.hyp are written to work_dir."""
    with open(os.path.join(work_dir, "list.ctl"), "w") as f:
        f.write("\n".join(wav_stems) + "\n")
    model = "/usr/share/pocketsphinx/model/en-us"
    subprocess.run(["pocketsphinx_batch", "-adcin", "yes", "-cepdir", "/", "-cepext", ".wav",
                    "-ctl", os.path.join(work_dir, "list.ctl"), "-hyp", os.path.join(work_dir, "out.hyp"),
                    "-hmm", os.path.join(model, "en-us"), "-lm", os.path.join(model, "en-us.lm.bin"),
                    "-dict", os.path.join(model, "cmudict-en-us.dict"), "-logfn", "/dev/null"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    hyps = {}
    with open(os.path.join(work_dir, "out.hyp")) as f:
        for line in f:
            m = re.match(r"^(.*?)\s*\((\S+?)(?:\s+-?\d+)?\)\s*$", line)
            if m:
                hyps[os.path.basename(m.group(2))] = m.group(1).lower()
    return hyps


def check(n, out_dir, voices, jobs=2):
    """n train sentences (5–15 words, fixed seed) read clean by every voice (respelt) and by the
    English kal_diphone (original text); pocketsphinx_batch (stock en-us model + LM) recognises them;
    pooled WER/CER per voice."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import text as textmod
    train = textmod.read_list("train")
    order = list(range(len(train)))
    random.Random("accented-check").shuffle(order)
    sentences = []
    for k in order:
        s = train[k]
        if 5 <= len(s.split()) <= 15 and sentence_phones(s) is not None:
            sentences.append(s)
            if len(sentences) == n:
                break
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)
    with open(os.path.join(out_dir, "sentences.txt"), "w") as f:
        f.write("\n".join(sentences) + "\n")

    def one(voice, i):
        d = os.path.join(out_dir, voice)
        tmp = tempfile.mkdtemp(dir=out_dir)
        try:
            raw = os.path.join(tmp, "raw.wav")
            if voice == "kal_diphone":
                tf = os.path.join(tmp, "t.txt")
                with open(tf, "w") as f:
                    f.write(sentences[i] + "\n")
                subprocess.run(["text2wave", "-eval", "(voice_kal_diphone)", tf, "-o", raw],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
                said = sentences[i]
            else:
                said = respell(sentences[i], VOICE_LANGUAGE[voice])
                synthesize(voice, said, raw, tmp)
            to_clean_16k(raw, os.path.join(d, f"{i:03d}.wav"))
            return voice, i, said, None
        except Exception as e:  # noqa: BLE001  (a failing voice is a finding, not a crash)
            return voice, i, None, str(e)[-300:]
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    all_voices = ["kal_diphone"] + list(voices)
    for v in all_voices:
        os.makedirs(os.path.join(out_dir, v))
    said, errors = {}, {}
    with cf.ThreadPoolExecutor(max_workers=jobs) as ex:
        for v, i, s, err in ex.map(lambda a: one(*a), [(v, i) for v in all_voices for i in range(n)]):
            if err:
                errors.setdefault(v, []).append(err)
            else:
                said[(v, i)] = s
    with open(os.path.join(out_dir, "respelt.tsv"), "w") as f:
        for (v, i), s in sorted(said.items()):
            f.write(f"{v}\t{i}\t{s}\n")

    def recognise(v):
        d = os.path.join(out_dir, v)
        ids = [os.path.join(d, f"{i:03d}") for i in range(n) if (v, i) in said]
        return v, {int(name): hyp for name, hyp in pocketsphinx_hypotheses(ids, d).items()}

    with cf.ThreadPoolExecutor(max_workers=jobs) as ex:
        results = dict(ex.map(recognise, all_voices))
    rows = []
    with open(os.path.join(out_dir, "hyps.tsv"), "w") as f:
        for v in all_voices:
            we = wn = ce = cn = 0
            for i in range(n):
                ref = sentences[i]
                hyp = results[v].get(i, "")   # a failed synthesis counts as an empty hypothesis
                we += _edit_distance(ref.split(), hyp.split())
                wn += len(ref.split())
                ce += _edit_distance(ref, hyp)
                cn += len(ref)
                f.write(f"{v}\t{i}\t{ref}\t{hyp}\n")
            rows.append((v, VOICE_LANGUAGE.get(v, "english"), 100 * we / wn, 100 * ce / cn,
                         len(errors.get(v, []))))
    base_cer = rows[0][3]
    lines = ["voice\tlanguage\tWER%\tCER%\tCER/kal\tfailed"]
    for v, lang, wer, cer, failed in rows:
        lines.append(f"{v}\t{lang}\t{wer:.1f}\t{cer:.1f}\t{cer / max(base_cer, 1e-9):.2f}\t{failed}")
    table = "\n".join(lines)
    with open(os.path.join(out_dir, "results.tsv"), "w") as f:
        f.write(table + "\n")
    print(table)
    for v, errs in errors.items():
        print(f"{v}: {len(errs)} failures, e.g. {errs[0]}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--selftest", action="store_true")
    ap.add_argument("--respell", metavar="SENTENCE", help="print the sentence respelt for every language")
    ap.add_argument("--check", type=int, metavar="N", help="intelligibility check with N sentences per voice")
    ap.add_argument("--voices", default=",".join(VOICE_LANGUAGE), help="voices for --check (comma separated)")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                                  "work", "accented-check"))
    args = ap.parse_args()
    if args.selftest:
        selftest()
    if args.respell:
        for language in RESPELLERS:
            print(f"{language}\t{respell(args.respell, language)}")
    if args.check:
        check(args.check, args.out, [v for v in args.voices.split(",") if v])


if __name__ == "__main__":
    main()
