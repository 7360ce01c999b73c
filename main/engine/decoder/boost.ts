/**
 * Vocabulary boosting ("contextual biasing") for the beam decoder: the user's words and phrases (names,
 * jargon) are compiled into a character trie over the model's alphabet. While a prefix spells one of
 * them from a word start, each matched character earns `weight` nats; the pending bonus is kept when the
 * word or phrase is completed at a word boundary (or at the end) and dropped when the spelling leaves the
 * trie, so a prefix that merely starts like a boosted word gains nothing in the end. Words not in the
 * list are scored exactly as without boosting. Boosted words also get an LM floor (see the decoder), so
 * a word the language model has never seen becomes reachable.
 */

import type { PhoneSpeller } from './phone-speller';

export interface VocabularyBoost {
  /** Words or phrases, one per entry; normalised to the model's alphabet (lower case, a–z and '). */
  phrases: readonly string[];
  /** Bonus per matched character, in nats (default `DEFAULT_BOOST_WEIGHT`). */
  weight?: number;
}

/** Tuned on the dev set's rare words, clean and with 10 dB noise (`npm run bench:boost`). */
export const DEFAULT_BOOST_WEIGHT = 0.5;
/** At most this many phrases are used (the rest are ignored) so a pasted list cannot stall decoding. */
export const MAX_BOOST_PHRASES = 5000;
const MAX_PHRASE_CHARS = 100;

export interface BoostNode {
  /** By alphabet index; the space index continues a multi-word phrase. */
  readonly children: Map<number, BoostNode>;
  /** A whole word or phrase ends here. */
  end: boolean;
}

/** The letters words are written in: a phone model's alphabet is phone names, so its words use these. */
export const LETTERS: readonly string[] = [..."abcdefghijklmnopqrstuvwxyz'"];

/**
 * The words of `text`: lower case, curly quotes to straight, every character outside the alphabet becomes
 * a word break ("e-mail" → "e mail"), apostrophes at word edges dropped.
 */
export function normalizedWords(text: string, alphabet: readonly string[]): string[] {
  const allowed = new Set(alphabet.filter((s) => s.length === 1 && s !== ' '));
  const chars = [...text.toLowerCase().replace(/[\u2018\u2019`]/g, "'")].map((c) =>
    allowed.has(c) ? c : ' ',
  );
  return chars
    .join('')
    .split(' ')
    .map((w) => w.replace(/^'+|'+$/g, ''))
    .filter(Boolean);
}

/** `normalizedWords` as one phrase, at most MAX_PHRASE_CHARS long. */
export function normalizePhrase(text: string, alphabet: readonly string[]): string {
  return normalizedWords(text, alphabet).join(' ').slice(0, MAX_PHRASE_CHARS).trim();
}

/** A phrase spelt as pronunciations: at most this many variants (alternate pronunciations multiply). */
const MAX_SPELLINGS_PER_PHRASE = 8;

export class BoostTrie {
  readonly root: BoostNode = { children: new Map(), end: false };
  /** The normalised phrases, without duplicates. */
  readonly phrases: readonly string[];
  /** Every word of every phrase (these get the LM floor). */
  readonly words: ReadonlySet<string>;
  /** What the trie spells each word as: the words themselves, or for a phone model their pronunciation
   *  keys (a closed vocabulary admits these). */
  readonly spellings: ReadonlySet<string>;
  /** For a phone model: the boosted words pronounced by each key (a key the dictionary may lack). */
  readonly wordsOfKey: ReadonlyMap<string, readonly string[]> | null;
  readonly weight: number;
  private readonly index: Map<string, number>;

  /**
   * `alphabet`: the model's output classes. A phone model passes its `speller` (phone-speller.ts), and
   * each phrase is spelt as its words' pronunciations (`symbols`: the key character of each class); a
   * phrase with a word it cannot pronounce is left out.
   */
  constructor(boost: VocabularyBoost, alphabet: readonly string[], speller?: PhoneSpeller) {
    const weight = boost.weight ?? DEFAULT_BOOST_WEIGHT;
    if (!Number.isFinite(weight) || weight < 0) {
      throw new RangeError(`vocabulary weight must be a finite number ≥ 0, got ${boost.weight}`);
    }
    this.weight = weight;
    const symbols = speller
      ? speller.pronunciations.symbols.map((s, i) => (alphabet[i] === ' ' ? ' ' : s))
      : alphabet;
    this.index = new Map(symbols.filter((s) => s !== '').map((s) => [s, symbols.indexOf(s)]));
    const phrases = new Set<string>();
    for (const raw of boost.phrases.slice(0, MAX_BOOST_PHRASES)) {
      const phrase = normalizePhrase(raw, speller ? LETTERS : alphabet);
      if (phrase) phrases.add(phrase);
    }
    const kept: string[] = [];
    const words = new Set<string>();
    const wordsOfKey = new Map<string, string[]>();
    const spelt: string[] = [];
    for (const phrase of phrases) {
      const phraseWords = phrase.split(' ');
      if (!speller) {
        spelt.push(phrase);
      } else {
        const keysOfWord = phraseWords.map((word) => speller.keysOf(word));
        if (keysOfWord.some((keys) => keys.length === 0)) continue;
        let variants = [''];
        for (const keys of keysOfWord) {
          variants = variants
            .flatMap((v) => keys.map((k) => (v === '' ? k : `${v} ${k}`)))
            .slice(0, MAX_SPELLINGS_PER_PHRASE);
        }
        spelt.push(...variants);
        keysOfWord.forEach((keys, i) => {
          for (const key of keys) {
            const listed = wordsOfKey.get(key) ?? [];
            if (!listed.includes(phraseWords[i])) wordsOfKey.set(key, [...listed, phraseWords[i]]);
          }
        });
      }
      kept.push(phrase);
      for (const w of phraseWords) words.add(w);
    }
    for (const phrase of spelt) {
      let node = this.root;
      for (const ch of phrase) {
        const c = this.index.get(ch)!;
        let next = node.children.get(c);
        if (!next) {
          next = { children: new Map(), end: false };
          node.children.set(c, next);
        }
        node = next;
      }
      node.end = true;
    }
    this.phrases = kept;
    this.words = words;
    this.spellings = new Set(spelt.flatMap((phrase) => phrase.split(' ')));
    this.wordsOfKey = speller ? wordsOfKey : null;
  }

  get size(): number {
    return this.phrases.length;
  }

  /** The node reached by spelling `text` from the root, or null. */
  walk(text: string): BoostNode | null {
    let node: BoostNode | undefined = this.root;
    for (const ch of text) {
      const c = this.index.get(ch);
      node = c === undefined ? undefined : node.children.get(c);
      if (!node) return null;
    }
    return node;
  }
}

/** Boost state of one decoder prefix. */
export interface BoostState {
  /** Where the prefix is in the trie (null: not spelling a boosted word). */
  node: BoostNode | null;
  /** Bonus of completed words and phrases. */
  committed: number;
  /** Bonus of the word or phrase being spelt (lost if it is not completed). */
  pending: number;
}

export const initialBoostState = (trie: BoostTrie): BoostState => ({
  node: trie.root,
  committed: 0,
  pending: 0,
});

/**
 * The state after appending alphabet index `c` to a prefix whose current (partial) word is `partial`.
 * At a space a completed phrase commits its bonus and matching restarts at the root unless a multi-word
 * phrase continues; a mismatch inside a word re-matches the word from the root (another phrase may start
 * with it) or stops matching until the next word.
 */
export function advanceBoost(
  trie: BoostTrie,
  state: BoostState,
  c: number,
  space: number,
  partial: string,
  symbol: string,
): BoostState {
  const node = state.node;
  let { committed, pending } = state;
  if (c === space) {
    if (node?.end) {
      committed += pending;
      pending = 0;
    }
    const next = node?.children.get(space);
    if (next) return { node: next, committed, pending };
    return { node: trie.root, committed, pending: 0 };
  }
  const next = node?.children.get(c);
  if (next) return { node: next, committed, pending: pending + trie.weight };
  const restart = trie.walk(partial + symbol);
  if (restart) return { node: restart, committed, pending: trie.weight * (partial.length + 1) };
  return { node: null, committed, pending: 0 };
}

/** The bonus a prefix keeps if the utterance ends after it. */
export const finalBoost = (state: BoostState): number =>
  state.committed + (state.node?.end ? state.pending : 0);
