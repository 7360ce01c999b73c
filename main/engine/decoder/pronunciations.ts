/**
 * A pronouncing dictionary for a phone model: the beam decoder spells hypotheses as phone sequences
 * through it and emits the words they pronounce (closed vocabulary, as the character model's word list).
 *
 * File format (`pronunciations.txt` beside a phone model; CMUdict's, as pocketsphinx-en-us ships it):
 * `word PH1 PH2 …` per line, alternates as `word(2) …`; stress digits on vowels are dropped, so `AH0`
 * and `AH1` are one phone. Lines starting with ';;;' or '#' are comments. Training reads the same file
 * (training/train/phones.py), so the labels and the decoder agree.
 *
 * Each phone of the model's alphabet becomes one character of a *key* (a word's pronunciation as a
 * string), so the decoder's prefix machinery — the sorted `Lexicon` of keys, prefix strings, per-prefix
 * look-ahead — works on pronunciations unchanged. A key maps to the words that sound that way
 * (homophones); the decoder picks among them with the language model.
 */
import { Lexicon } from './lexicon';

/** Key characters start here: printable, and far from '\n' (the Lexicon's separator). */
const KEY_BASE = 0x100;

export class Pronunciations {
  /** Per class of the model's alphabet: its key character ('' for blank and the word boundary). */
  readonly symbols: readonly string[];
  /** Every pronunciation key, sorted, for spelling prefixes; key i's words are group i below. */
  readonly keys: Lexicon;
  /** The words of every key, grouped in key order, each followed by '\n' (one string: a Map of 115k
   *  keys to arrays took 21 MB of heap, this takes a few). */
  private readonly wordText: string;
  /** Where key i's group starts in `wordText` (and, at i + 1, ends). */
  private readonly groupStarts: Uint32Array;
  /** Every word, sorted; word i's pronunciations are the keys `wordKeys[wordKeyStarts[i] …
   *  wordKeyStarts[i + 1])`, as key indices in the file's order (training labels a word with its first). */
  private readonly spelt: Lexicon;
  private readonly wordKeyStarts: Uint32Array;
  private readonly wordKeys: Uint32Array;

  /** Phone name → key character. */
  private readonly symbolOf: ReadonlyMap<string, string>;

  private constructor(alphabet: readonly string[], symbols: string[], pairs: [key: string, word: string][]) {
    this.symbols = symbols;
    this.symbolOf = new Map(
      alphabet.map((name, i) => [name, symbols[i]] as const).filter(([, s]) => s !== ''),
    );
    const keyOfLine = new Uint32Array(pairs.length);
    const sorted = pairs.map(([key, word], line) => ({ key, word, line }));
    // Code-unit order of the keys (the Lexicon's), a word's order within a key as the file gives it.
    sorted.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const keys: string[] = [];
    const starts: number[] = [];
    // Joined once at the end: appending to one string would keep a rope of 134k pieces.
    const words: string[] = [];
    let length = 0;
    let groupWords: string[] = [];
    for (const { key, word, line } of sorted) {
      if (keys.length === 0 || keys[keys.length - 1] !== key) {
        keys.push(key);
        starts.push(length);
        groupWords = [];
      }
      keyOfLine[line] = keys.length - 1;
      if (groupWords.includes(word)) continue;
      groupWords.push(word);
      words.push(word);
      length += word.length + 1;
    }
    starts.push(length);
    const text = words.map((w) => w + '\n').join('');
    this.keys = Lexicon.fromWords(keys);
    this.wordText = text;
    this.groupStarts = Uint32Array.from(starts);

    // The word index: lines in word order, the file's order within a word.
    sorted.sort((a, b) => (a.word < b.word ? -1 : a.word > b.word ? 1 : a.line - b.line));
    const spelt: string[] = [];
    const wordKeyStarts: number[] = [];
    const wordKeys: number[] = [];
    for (const { word, line } of sorted) {
      if (spelt.length === 0 || spelt[spelt.length - 1] !== word) {
        spelt.push(word);
        wordKeyStarts.push(wordKeys.length);
      }
      const key = keyOfLine[line];
      if (wordKeys.indexOf(key, wordKeyStarts[wordKeyStarts.length - 1]) < 0) wordKeys.push(key);
    }
    wordKeyStarts.push(wordKeys.length);
    this.spelt = Lexicon.fromWords(spelt);
    this.wordKeyStarts = Uint32Array.from(wordKeyStarts);
    this.wordKeys = Uint32Array.from(wordKeys);
  }

  /**
   * Parses a dictionary for a model whose output classes are `alphabet` (phone names, the blank and
   * ' '). A line with a phone the model lacks is an error naming the line: a dictionary for another
   * phone set must not half-load.
   */
  static parse(text: string, alphabet: readonly string[]): Pronunciations {
    const symbols = alphabet.map((name, i) =>
      name === ' ' || name === '' || name.startsWith('<') ? '' : String.fromCharCode(KEY_BASE + i),
    );
    const classOf = new Map<string, number>();
    alphabet.forEach((name, i) => {
      if (symbols[i] !== '') classOf.set(name, i);
    });
    const pairs: [string, string][] = [];
    const lines = text.split('\n');
    for (let n = 0; n < lines.length; n++) {
      const line = lines[n].trim();
      if (line === '' || line.startsWith(';;;') || line.startsWith('#')) continue;
      const parts = line.split(/\s+/);
      let word = parts[0];
      const variant = word.indexOf('(');
      if (variant > 0 && word.endsWith(')')) word = word.slice(0, variant);
      if (parts.length < 2) throw new SyntaxError(`pronunciations line ${n + 1}: no phones for "${word}"`);
      let key = '';
      for (const phone of parts.slice(1)) {
        const cls = classOf.get(phone.replace(/[012]$/, ''));
        if (cls === undefined) {
          throw new SyntaxError(`pronunciations line ${n + 1}: "${phone}" is not one of the model's phones`);
        }
        key += symbols[cls];
      }
      pairs.push([key, word]);
    }
    return new Pronunciations(alphabet, symbols, pairs);
  }

  private group(i: number): string[] {
    return this.wordText.slice(this.groupStarts[i], this.groupStarts[i + 1] - 1).split('\n');
  }

  /** The words pronounced `key` (empty when none), in the dictionary's order. */
  wordsOf(key: string): readonly string[] {
    const i = this.keys.indexOf(key);
    return i < 0 ? [] : this.group(i);
  }

  /** The keys `word` is pronounced with, the dictionary's first first (empty when it is not listed). */
  keysOf(word: string): string[] {
    const i = this.spelt.indexOf(word);
    if (i < 0) return [];
    const keys: string[] = [];
    for (let k = this.wordKeyStarts[i]; k < this.wordKeyStarts[i + 1]; k++)
      keys.push(this.keys.at(this.wordKeys[k]));
    return keys;
  }

  /** Phone names as a key ('' when a phone is not one of the model's). */
  keyOfPhones(phones: readonly string[]): string {
    let key = '';
    for (const phone of phones) {
      const symbol = this.symbolOf.get(phone.replace(/[012]$/, ''));
      if (symbol === undefined) return '';
      key += symbol;
    }
    return key;
  }

  /** Every key with its words, in key order (a word with alternates appears once per key). */
  *entries(): IterableIterator<[key: string, words: readonly string[]]> {
    let i = 0;
    for (const key of this.keys.words()) yield [key, this.group(i++)];
  }

  /** The model's output class of each character of `key`. */
  classesOf(key: string): number[] {
    return [...key].map((c) => c.charCodeAt(0) - KEY_BASE);
  }

  /** A phone key as readable phone names ('HH AH L OW'), for messages and tests. */
  describe(key: string, alphabet: readonly string[]): string {
    return [...key].map((c) => alphabet[c.charCodeAt(0) - KEY_BASE] ?? '?').join(' ');
  }
}
