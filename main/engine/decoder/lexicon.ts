/**
 * A word list the beam decoder can spell through: with a lexicon, a hypothesis may only continue a word
 * with a character that keeps it a prefix of some listed word, and may only end a word that is listed
 * (closed vocabulary: the decoder says only words). The shipped list (`lexicon.txt` beside the model,
 * built by training/lm/build-lexicon.ts) holds the LM vocabulary plus large English word lists; the
 * user's boosted words join it at run time.
 *
 * Stored as one sorted, newline-joined string with an offset table (about 2.5 MB for 230k words, where a
 * character trie of the same words takes tens of MB); a prefix is looked up by binary search.
 */
/** Strictly ascending in code-unit order (so no repeats), no empty word, no '\n'. */
function isSortedUniqueWords(words: readonly string[]): boolean {
  return words.every((w, i) => w !== '' && !w.includes('\n') && (i === 0 || words[i - 1] < w));
}

export class Lexicon {
  /** Sorted words, each followed by '\n'. */
  private readonly text: string;
  /** Start of each word in `text`. */
  private readonly starts: Uint32Array;

  private constructor(sortedUnique: string[]) {
    this.text = sortedUnique.map((w) => w + '\n').join('');
    this.starts = new Uint32Array(sortedUnique.length);
    let at = 0;
    sortedUnique.forEach((w, i) => {
      this.starts[i] = at;
      at += w.length + 1;
    });
  }

  /** A lexicon of `words` (duplicates and empty strings dropped; words must not contain '\n'). */
  static fromWords(words: Iterable<string>): Lexicon {
    // Already sorted and without repeats (a dictionary's index): used as it is.
    if (Array.isArray(words) && isSortedUniqueWords(words)) return new Lexicon(words);
    const unique = new Set<string>();
    for (const w of words) if (w !== '' && !w.includes('\n')) unique.add(w);
    // Code-unit order, the order `compareAt` searches in.
    return new Lexicon([...unique].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  /** A lexicon file: one word per line; blank lines and lines starting with '#' are skipped. */
  static parse(text: string): Lexicon {
    const words = text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    // build-lexicon.ts writes the list sorted and without repeats: then it is used as it is (about
    // 100 ms less at the engine's start, measured here, than deduplicating and sorting 233k words).
    return Lexicon.fromWords(words);
  }

  get size(): number {
    return this.starts.length;
  }

  /** Compares `key` with word `i`: negative if key sorts before it. With `prefix`, a word that begins
   *  with `key` compares equal. */
  private compareAt(key: string, i: number, prefix: boolean): number {
    const start = this.starts[i];
    for (let k = 0; k < key.length; k++) {
      const c = this.text.charCodeAt(start + k);
      if (c === 10) return 1; // the word ended first: key sorts after it
      const d = key.charCodeAt(k) - c;
      if (d !== 0) return d;
    }
    return prefix || this.text.charCodeAt(start + key.length) === 10 ? 0 : -1;
  }

  /** Index of a word equal to `key` (with `prefix`: beginning with it), or -1. */
  private search(key: string, prefix: boolean): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const d = this.compareAt(key, mid, prefix);
      if (d === 0) return mid;
      if (d < 0) hi = mid - 1;
      else lo = mid + 1;
    }
    return -1;
  }

  has(word: string): boolean {
    return this.search(word, false) >= 0;
  }

  /** The word's position in the sorted list (what `words()` yields), or -1 when it is not listed. */
  indexOf(word: string): number {
    return this.search(word, false);
  }

  /** Whether some word begins with `prefix` (the empty prefix begins every word of a non-empty list). */
  hasPrefix(prefix: string): boolean {
    return this.search(prefix, true) >= 0;
  }

  /** Word `i` of the sorted list. */
  at(i: number): string {
    const start = this.starts[i];
    return this.text.slice(start, this.text.indexOf('\n', start));
  }

  *words(): IterableIterator<string> {
    for (let i = 0; i < this.starts.length; i++) {
      const start = this.starts[i];
      yield this.text.slice(start, this.text.indexOf('\n', start));
    }
  }
}
