/**
 * Letter-to-sound rules: a spelling's phones, for words the pronouncing dictionary lacks (boosted names,
 * jargon, corrections) when the acoustic model is a phone model. Plain TS (no fs), so the engine, the
 * bridge and the tests load it alike; training/lts/train-letter-to-sound.ts learns the rules from CMUdict.
 *
 * Each letter emits a *unit* — nothing, one phone or two (x → K S) — chosen by the letters around it:
 * the model lists context windows from narrow to wide (`left:right` letters beside the letter, word
 * edges padded with '#'), and a rule per window seen in training whose unit differs from what the
 * narrower windows already say. A letter takes the rule of the widest window that has one.
 *
 * File format (`letter-to-sound.txt`): lines starting with '#' are comments; the first other line is
 * `letter-to-sound 1 L:R L:R …` (the windows, narrow to wide); then one rule a line, `KEY UNIT`, where
 * KEY is the window's index (one digit) and the window's letters (`2#he`: window 2, the 'h' of a word
 * starting "he"), and UNIT is `_` (no phone) or phones joined by '+' (`K+S`).
 */

/** The acoustic model's phones: ARPAbet without stress (the order of training/train/phones.py's PHONES). */
export const ARPABET_PHONES: readonly string[] = [
  'AA', 'AE', 'AH', 'AO', 'AW', 'AY', 'B', 'CH', 'D', 'DH', 'EH', 'ER', 'EY', 'F', 'G', 'HH', 'IH', 'IY', 'JH',
  'K', 'L', 'M', 'N', 'NG', 'OW', 'OY', 'P', 'R', 'S', 'SH', 'T', 'TH', 'UH', 'UW', 'V', 'W', 'Y', 'Z', 'ZH',
]; // prettier-ignore
const PHONES = new Set(ARPABET_PHONES);

/** Pads a word on both sides, so the windows at its edges see where it starts and ends. */
export const WORD_EDGE = '#';
/** A unit of no phone, in the file. */
export const NO_PHONE = '_';
/** Longer words are cut here: their phones cost a few lookups per letter, so the work per word is bounded
 *  whatever a caller passes (no English word is this long; a longer "word" is not one to pronounce). */
export const MAX_LETTERS = 40;
/** The window index is one digit of the key. */
const MAX_WINDOWS = 10;
const HEADER = 'letter-to-sound 1';

/** Letters beside the one being pronounced that a rule looks at. */
export interface ContextWindow {
  readonly left: number;
  readonly right: number;
}

/** A word's letters as the rules know them: lower-case a–z and apostrophes, others dropped, at most
 *  MAX_LETTERS (the scan stops at the last one kept, so a long string is not lower-cased whole). */
export function spellingOf(word: string): string {
  let letters = '';
  for (let i = 0; i < word.length && letters.length < MAX_LETTERS; i++) {
    const c = word[i];
    if ((c >= 'a' && c <= 'z') || c === "'") letters += c;
    else if (c >= 'A' && c <= 'Z') letters += c.toLowerCase();
  }
  return letters;
}

/** The key of letter `at`'s rule in window `index` of `padded` (the word between `reach` edge marks). */
export function ruleKey(padded: string, at: number, index: number, window: ContextWindow): string {
  return String(index) + padded.slice(at - window.left, at + 1 + window.right);
}

export class LetterToSound {
  /** The context windows, narrow to wide. */
  readonly windows: readonly ContextWindow[];
  /** Edge marks on each side of a word: the widest reach of any window. */
  readonly reach: number;
  /** Rule key → its unit's phones. One Map of short strings, the arrays shared by every rule of a unit
   *  (under a hundred distinct units): tens of thousands of rules in a few MB. */
  private readonly rules: Map<string, readonly string[]>;

  /** Takes `windows` and `rules` as checked by `fromRules` or `parse`. */
  private constructor(
    windows: readonly ContextWindow[],
    rules: Iterable<readonly [string, readonly string[]]>,
  ) {
    this.windows = windows.map(({ left, right }) => ({ left, right }));
    this.reach = Math.max(...windows.map((w) => Math.max(w.left, w.right)));
    const units = new Map<string, readonly string[]>();
    this.rules = new Map();
    for (const [key, phones] of rules) {
      const name = unitName(phones);
      let unit = units.get(name);
      if (!unit) units.set(name, (unit = Object.freeze([...phones])));
      this.rules.set(key, unit);
    }
  }

  /**
   * A model of the rules given (the trainer's). Throws a RangeError on a window, key or phone the model
   * cannot use, so a bad model fails when built, not per word.
   */
  static fromRules(
    windows: readonly ContextWindow[],
    rules: Iterable<readonly [key: string, phones: readonly string[]]>,
  ): LetterToSound {
    const fail = (problem: string) => new RangeError(`letter-to-sound: ${problem}`);
    const problem = windowsProblem(windows);
    if (problem) throw fail(problem);
    const checked: (readonly [string, readonly string[]])[] = [];
    const seen = new Set<string>();
    for (const [key, phones] of rules) {
      const problem = keyProblem(key, windows) ?? phonesProblem(phones);
      if (problem) throw fail(problem);
      if (seen.has(key)) throw fail(`a second rule for "${clip(key)}"`);
      seen.add(key);
      checked.push([key, phones]);
    }
    return new LetterToSound(windows, checked);
  }

  /** Reads a model file (format above). A malformed line throws a SyntaxError naming its line number. */
  static parse(text: string): LetterToSound {
    const lines = text.split('\n');
    let windows: ContextWindow[] | null = null;
    const rules: [string, string[]][] = [];
    const seen = new Set<string>();
    for (let n = 0; n < lines.length; n++) {
      const line = lines[n].trim();
      if (line === '' || line.startsWith('#')) continue;
      const fail = (problem: string) => new SyntaxError(`letter-to-sound line ${n + 1}: ${problem}`);
      if (windows === null) {
        if (!line.startsWith(HEADER + ' ')) throw fail(`expected "${HEADER} L:R …", got "${clip(line)}"`);
        windows = line
          .slice(HEADER.length + 1)
          .trim()
          .split(/\s+/)
          .map((field) => {
            const match = /^(\d):(\d)$/.exec(field);
            if (!match) throw fail(`a context window is "left:right" (0–9 each), got "${clip(field)}"`);
            return { left: Number(match[1]), right: Number(match[2]) };
          });
        const problem = windowsProblem(windows);
        if (problem) throw fail(problem);
        continue;
      }
      const fields = line.split(/\s+/);
      if (fields.length !== 2) throw fail(`expected "KEY UNIT", got "${clip(line)}"`);
      const [key, unit] = fields;
      const phones = unit === NO_PHONE ? [] : unit.split('+');
      const problem = keyProblem(key, windows) ?? phonesProblem(phones);
      if (problem) throw fail(problem);
      if (seen.has(key)) throw fail(`a second rule for "${clip(key)}"`);
      seen.add(key);
      rules.push([key, phones]);
    }
    if (windows === null) throw new SyntaxError(`letter-to-sound: no "${HEADER}" line`);
    return new LetterToSound(windows, rules);
  }

  /**
   * The phones of `word` (lower-cased; letters a–z and apostrophes count, anything else is ignored; cut
   * to MAX_LETTERS): one unit per letter, from the widest window with a rule. Empty for no letters.
   */
  pronounce(word: string): string[] {
    const letters = spellingOf(word);
    const edge = WORD_EDGE.repeat(this.reach);
    const padded = edge + letters + edge;
    const phones: string[] = [];
    for (let at = this.reach; at < this.reach + letters.length; at++) {
      // The narrowest window holds a rule for every letter seen in training; one never seen says nothing.
      for (let index = this.windows.length - 1; index >= 0; index--) {
        const unit = this.rules.get(ruleKey(padded, at, index, this.windows[index]));
        if (unit) {
          for (const phone of unit) phones.push(phone);
          break;
        }
      }
    }
    return phones;
  }

  /** Every rule as [key, phones], window by window in the order given, for writing the model out. */
  *entries(): IterableIterator<[key: string, phones: readonly string[]]> {
    yield* this.rules;
  }

  /** How many rules the model holds. */
  get size(): number {
    return this.rules.size;
  }
}

/** The file's spelling of a unit: `_` for none, else the phones joined by '+'. */
export function unitName(phones: readonly string[]): string {
  return phones.length === 0 ? NO_PHONE : phones.join('+');
}

/** The header line for `windows`. */
export function headerLine(windows: readonly ContextWindow[]): string {
  return `${HEADER} ${windows.map((w) => `${w.left}:${w.right}`).join(' ')}`;
}

function windowsProblem(windows: readonly ContextWindow[]): string | null {
  if (windows.length === 0 || windows.length > MAX_WINDOWS)
    return `1 to ${MAX_WINDOWS} context windows, got ${windows.length}`;
  for (const { left, right } of windows) {
    for (const side of [left, right]) {
      if (!Number.isInteger(side) || side < 0 || side > 9)
        return `a window's sides are 0–9 letters, got ${left}:${right}`;
    }
  }
  return null;
}

/** Why `key` cannot be a rule of these windows, or null. */
function keyProblem(key: string, windows: readonly ContextWindow[]): string | null {
  const window = windows[Number(key[0])];
  if (!window || !/^\d/.test(key))
    return `"${clip(key)}" does not start with a window index (0–${windows.length - 1})`;
  const letters = key.slice(1);
  if (letters.length !== window.left + 1 + window.right || !/^[a-z'#]+$/.test(letters))
    return `"${clip(key)}" is not ${window.left}:${window.right} letters (a–z, ', # at word edges) around one`;
  if (letters[window.left] === WORD_EDGE) return `"${clip(key)}" pronounces a word edge`;
  return null;
}

/** Why `phones` cannot be a unit, or null: at most two, each one of the 39. */
function phonesProblem(phones: readonly string[]): string | null {
  if (phones.length > 2) return `a unit is at most two phones, got ${phones.length}`;
  const unknown = phones.find((phone) => !PHONES.has(phone));
  return unknown === undefined ? null : `"${clip(unknown)}" is not one of the 39 phones`;
}

/** A bad field as an error quotes it: short, so a binary file does not fill the terminal. */
function clip(text: string): string {
  return text.length > 40 ? text.slice(0, 40) + '…' : text;
}
