"""Phone targets for the acoustic model: transcripts spelt as ARPAbet phones from a pronouncing dictionary.

The runtime decodes such a model through the same dictionary (`pronunciations.txt` beside the model,
`main/engine/decoder/pronunciations.ts`), so training and decoding read one file. The dictionary is the
one pocketsphinx-en-us ships (CMUdict format: `word PH O N ES`, alternates as `word(2) …`, stress digits
on vowels); stress is dropped: 39 phones.

Output symbols: index 0 the CTC blank (""), 1 the word boundary (" "), then the 39 phones in this order,
so a phone model has 41 outputs where the character model has 29.
"""
import os

PHONES = [
    "AA", "AE", "AH", "AO", "AW", "AY", "B", "CH", "D", "DH", "EH", "ER", "EY", "F", "G", "HH", "IH", "IY",
    "JH", "K", "L", "M", "N", "NG", "OW", "OY", "P", "R", "S", "SH", "T", "TH", "UH", "UW", "V", "W", "Y",
    "Z", "ZH",
]
ALPHABET = ["", " "] + PHONES
PHONE_ID = {p: i for i, p in enumerate(ALPHABET) if i > 0}
DEFAULT_DICTIONARY = "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict"

# For a warm start from the character model: each phone's output row starts as the row of the letter
# that most often spells it, so the first steps refine a mapping instead of learning one from nothing.
PHONE_LETTER = {
    "AA": "o", "AE": "a", "AH": "u", "AO": "o", "AW": "o", "AY": "i", "B": "b", "CH": "c", "D": "d",
    "DH": "t", "EH": "e", "ER": "r", "EY": "a", "F": "f", "G": "g", "HH": "h", "IH": "i", "IY": "e",
    "JH": "j", "K": "k", "L": "l", "M": "m", "N": "n", "NG": "n", "OW": "o", "OY": "o", "P": "p",
    "R": "r", "S": "s", "SH": "s", "T": "t", "TH": "t", "UH": "u", "UW": "u", "V": "v", "W": "w",
    "Y": "y", "Z": "z", "ZH": "s",
}


def strip_stress(phone):
    return phone.rstrip("012")


def read_dictionary(path=DEFAULT_DICTIONARY):
    """word -> list of pronunciations (tuples of stressless phones), in the file's order."""
    if not os.path.exists(path):
        raise SystemExit(f"{path} not found: install pocketsphinx-en-us (apt-get install pocketsphinx-en-us)")
    prons = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) < 2:
                continue
            word = parts[0]
            if word.endswith(")") and "(" in word:
                word = word[: word.index("(")]
            phones = tuple(strip_stress(p) for p in parts[1:] if not p.startswith("#"))
            if any(p not in PHONE_ID for p in phones):
                raise SystemExit(f"{path}: unknown phone in {line.strip()!r}")
            variants = prons.setdefault(word, [])
            if phones not in variants:
                variants.append(phones)
    return prons



class PhoneTargets:
    """Transcript -> phone label ids (first pronunciation of each word, word boundaries between)."""

    def __init__(self, path=DEFAULT_DICTIONARY):
        self.path = path
        self.prons = read_dictionary(path)

    def encode(self, text):
        """Label ids, or None when a word is not in the dictionary."""
        ids = []
        for k, word in enumerate(text.split()):
            variants = self.prons.get(word)
            if not variants:
                return None
            if k:
                ids.append(PHONE_ID[" "])
            ids.extend(PHONE_ID[p] for p in variants[0])
        return ids

    def reference(self, text):
        """The transcript as the phone string the model should emit (for phone error rates)."""
        ids = self.encode(text)
        return None if ids is None else decode_ids(ids)


def decode_ids(ids):
    """Label ids -> 'HH AH L OW | W ER L D' (phones space-separated, '|' between words)."""
    out = []
    for i in ids:
        out.append("|" if ALPHABET[i] == " " else ALPHABET[i])
    return " ".join(out)
