/**
 * Trains the letter-to-sound rules that main/engine/decoder/letter-to-sound.ts applies, from a
 * pronouncing dictionary (CMUdict), in the manner of Black, Lenzo & Pagel (1998):
 *
 * 1. Alignment. Each letter emits a unit: nothing, one phone or a two-phone unit (x → K S). Hard EM:
 *    unit probabilities per letter start from letter/phone co-occurrence (weighted toward the diagonal,
 *    as spellings and pronunciations run roughly in step), each word's most likely alignment is found by
 *    dynamic programming (Viterbi), and the probabilities are re-counted from those alignments. Units
 *    used too rarely are then forbidden, so that the two-phone units are the few English has rather than
 *    any pair an odd word suggests; words that cannot be aligned with the remaining units (abbreviations,
 *    foreign spellings) are left out.
 * 2. Prediction. For every letter of every aligned word, the unit is counted in each context window of a
 *    chain from narrow (the letter alone) to wide (three letters each side). A window's rule is kept only
 *    where its majority unit differs from what the narrower windows' rules already predict and it was
 *    seen often enough: the model stores the exceptions, not every context.
 */
import {
  ARPABET_PHONES,
  LetterToSound,
  NO_PHONE,
  ruleKey,
  WORD_EDGE,
  headerLine,
  unitName,
  type ContextWindow,
} from '../../main/engine/decoder/letter-to-sound';

/** A dictionary word and its (first) pronunciation, stress dropped. */
export interface DictionaryEntry {
  word: string;
  phones: string[];
}

/** A word as aligned: per letter, the phones it emits (none, one or two). */
export interface AlignedWord {
  word: string;
  units: string[][];
}

export interface Alignment {
  aligned: AlignedWord[];
  /** Words no alignment with the kept units explains. */
  discarded: string[];
  /** The two-phone units kept, per letter (`x K+S`). */
  pairUnits: string[];
}

export interface AlignmentOptions {
  /** Hard-EM rounds. */
  iterations?: number;
  /** A unit is kept for a letter only when the alignments used it this often. */
  minUnitCount?: number;
}

export interface PredictorOptions {
  /** The context windows, narrow to wide, each containing the one before. */
  windows?: readonly ContextWindow[];
  /** A context seen fewer times than this keeps no rule of its own. */
  minCount?: number;
}

/** Narrow to wide: the right context first (a final e lengthens the vowel before it), then alternate. */
export const DEFAULT_WINDOWS: readonly ContextWindow[] = [
  { left: 0, right: 0 },
  { left: 0, right: 1 },
  { left: 1, right: 1 },
  { left: 1, right: 2 },
  { left: 2, right: 2 },
  { left: 2, right: 3 },
  { left: 3, right: 3 },
];
export const DEFAULT_MIN_COUNT = 1;

const PHONES = ARPABET_PHONES;
const PHONE_INDEX = new Map(PHONES.map((phone, i) => [phone, i]));
const LETTERS = "abcdefghijklmnopqrstuvwxyz'";
const SPELLABLE = /^[a-z']+$/;

/**
 * The words of a CMUdict text with their first pronunciation, stress digits dropped. Alternates
 * (`word(2)`), comments (`;;;` lines, anything from a '#') and words with other characters than a–z and
 * apostrophes (`a.m.`, `ad-hoc`, digits) are skipped. A phone outside the 39 is an error naming the line.
 */
export function parseCmudict(text: string): DictionaryEntry[] {
  const entries: DictionaryEntry[] = [];
  const seen = new Set<string>();
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const comment = lines[n].indexOf('#');
    const fields = (comment < 0 ? lines[n] : lines[n].slice(0, comment)).trim().split(/\s+/);
    if (fields[0] === '' || fields[0].startsWith(';;;')) continue;
    const word = fields[0].toLowerCase();
    if (!SPELLABLE.test(word) || seen.has(word)) continue;
    if (fields.length < 2) throw new SyntaxError(`dictionary line ${n + 1}: no phones for "${word}"`);
    const phones = fields.slice(1).map((phone) => phone.replace(/[012]$/, ''));
    const unknown = phones.find((phone) => !PHONE_INDEX.has(phone));
    if (unknown !== undefined)
      throw new SyntaxError(`dictionary line ${n + 1}: "${unknown}" is not one of the 39 phones`);
    seen.add(word);
    entries.push({ word, phones });
  }
  return entries;
}

// Units by index: 0 none, 1 + p one phone, 1 + PHONES.length + p·PHONES.length + q two.
const SINGLE = 1;
const PAIR = 1 + PHONES.length;
const UNIT_COUNT = PAIR + PHONES.length * PHONES.length;
const FORBIDDEN = Infinity;

/**
 * Aligns each word's letters to its phones (hard EM, module comment). Deterministic: the same entries
 * give the same alignment.
 */
export function alignLetters(entries: readonly DictionaryEntry[], options: AlignmentOptions = {}): Alignment {
  const { iterations = 5, minUnitCount = 3 } = options;
  for (const { word, phones } of entries) {
    const unknown = phones.find((phone) => !PHONE_INDEX.has(phone));
    if (!SPELLABLE.test(word) || unknown !== undefined)
      throw new RangeError(
        `"${word}": ${unknown === undefined ? 'letters a–z and apostrophes only' : `"${unknown}" is not one of the 39 phones`}`,
      );
  }
  const words = entries.map(({ word, phones }) => ({
    letters: Uint8Array.from(word, (c) => LETTERS.indexOf(c)),
    phones: Uint8Array.from(phones, (p) => PHONE_INDEX.get(p)!),
  }));
  let costs = initialCosts(words);
  const aligner = new Aligner();
  for (let round = 0; round < iterations; round++) {
    const paths = words.map((w) => aligner.align(w.letters, w.phones, costs));
    const counts = new Float64Array(LETTERS.length * UNIT_COUNT);
    paths.forEach((path, i) =>
      path?.forEach((unit, at) => counts[words[i].letters[at] * UNIT_COUNT + unit]++),
    );
    costs = costsFromCounts(counts, minUnitCount);
  }
  // The last round's counts forbid the rare units; align once more under them, so no kept word uses one.
  const paths = words.map((w) => aligner.align(w.letters, w.phones, costs));
  const aligned: AlignedWord[] = [];
  const discarded: string[] = [];
  const pairs = new Set<string>();
  paths.forEach((path, i) => {
    const word = entries[i].word;
    if (!path) return discarded.push(word);
    const units = [...path].map(unitPhones);
    units.forEach((unit, at) => unit.length === 2 && pairs.add(`${word[at]} ${unitName(unit)}`));
    aligned.push({ word, units });
  });
  return { aligned, discarded, pairUnits: [...pairs].sort() };
}

function unitPhones(unit: number): string[] {
  if (unit === 0) return [];
  if (unit < PAIR) return [PHONES[unit - SINGLE]];
  const pair = unit - PAIR;
  return [PHONES[Math.floor(pair / PHONES.length)], PHONES[pair % PHONES.length]];
}

/**
 * First costs (−log probability of a unit given a letter): a letter's phones are those of the words it
 * is in, nearer its own relative position counting more; emitting nothing is common (silent e, doubled
 * consonants), and a pair costs as its two phones together plus a penalty, so that the first alignments
 * use one where the phones outnumber the letters.
 */
function initialCosts(words: readonly { letters: Uint8Array; phones: Uint8Array }[]): Float64Array {
  const counts = new Float64Array(LETTERS.length * PHONES.length);
  for (const { letters, phones } of words) {
    for (let i = 0; i < letters.length; i++) {
      const weights = Array.from(phones, (_, j) => {
        const offset = (i + 0.5) / letters.length - (j + 0.5) / phones.length;
        return Math.exp(-30 * offset * offset);
      });
      const total = weights.reduce((a, b) => a + b, 0);
      phones.forEach((p, j) => (counts[letters[i] * PHONES.length + p] += weights[j] / total));
    }
  }
  const costs = new Float64Array(LETTERS.length * UNIT_COUNT);
  const NOTHING = 0.3;
  const PAIR_PENALTY = 3;
  for (let l = 0; l < LETTERS.length; l++) {
    const row = counts.subarray(l * PHONES.length, (l + 1) * PHONES.length);
    const total = row.reduce((a, b) => a + b, 0) + 1e-9;
    const single = Array.from(
      row,
      (c) => -Math.log((1 - NOTHING) * ((c + 1e-3) / (total + 1e-3 * PHONES.length))),
    );
    const base = l * UNIT_COUNT;
    costs[base] = -Math.log(NOTHING);
    for (let p = 0; p < PHONES.length; p++) {
      costs[base + SINGLE + p] = single[p];
      for (let q = 0; q < PHONES.length; q++)
        costs[base + PAIR + p * PHONES.length + q] = single[p] + single[q] + PAIR_PENALTY;
    }
  }
  return costs;
}

/** Costs from counted alignments; a unit counted fewer than `minUnitCount` times for a letter is forbidden. */
function costsFromCounts(counts: Float64Array, minUnitCount: number): Float64Array {
  const costs = new Float64Array(counts.length).fill(FORBIDDEN);
  for (let l = 0; l < LETTERS.length; l++) {
    const row = counts.subarray(l * UNIT_COUNT, (l + 1) * UNIT_COUNT);
    const total = row.reduce((a, b) => a + b, 0);
    row.forEach((c, unit) => {
      if (c >= minUnitCount) costs[l * UNIT_COUNT + unit] = -Math.log(c / total);
    });
  }
  return costs;
}

/** Viterbi alignment of one word, with scratch arrays reused from word to word. */
class Aligner {
  private best = new Float64Array(0);
  private choice = new Uint16Array(0);

  /** The unit of each letter in the cheapest alignment, or null when none exists. */
  align(letters: Uint8Array, phones: Uint8Array, costs: Float64Array): Uint16Array | null {
    const n = letters.length;
    const m = phones.length;
    if (m > 2 * n) return null;
    const width = m + 1;
    if (this.best.length < (n + 1) * width) {
      this.best = new Float64Array((n + 1) * width * 2);
      this.choice = new Uint16Array((n + 1) * width * 2);
    }
    const { best, choice } = this;
    best.fill(FORBIDDEN, 0, (n + 1) * width);
    best[0] = 0;
    // best[i·width + j]: cheapest cost of the first i letters emitting the first j phones.
    for (let i = 1; i <= n; i++) {
      const base = letters[i - 1] * UNIT_COUNT;
      for (let j = 0; j <= m; j++) {
        let cost = best[(i - 1) * width + j] + costs[base];
        let unit = 0;
        if (j >= 1) {
          const one = best[(i - 1) * width + j - 1] + costs[base + SINGLE + phones[j - 1]];
          if (one < cost) [cost, unit] = [one, SINGLE + phones[j - 1]];
        }
        if (j >= 2) {
          const pair = PAIR + phones[j - 2] * PHONES.length + phones[j - 1];
          const two = best[(i - 1) * width + j - 2] + costs[base + pair];
          if (two < cost) [cost, unit] = [two, pair];
        }
        best[i * width + j] = cost;
        choice[i * width + j] = unit;
      }
    }
    if (best[n * width + m] === FORBIDDEN) return null;
    const path = new Uint16Array(n);
    for (let i = n, j = m; i > 0; i--) {
      const unit = choice[i * width + j];
      path[i - 1] = unit;
      j -= unit === 0 ? 0 : unit < PAIR ? 1 : 2;
    }
    return path;
  }
}

/**
 * The rules (module comment, step 2) from aligned words. Windows are processed narrow to wide; a
 * context's rule is kept when it was seen `minCount` times and its majority unit differs from what the
 * rules kept so far predict for it (ties go to that prediction, so the model stays small).
 */
export function trainPredictor(
  aligned: readonly AlignedWord[],
  options: PredictorOptions = {},
): LetterToSound {
  const { windows = DEFAULT_WINDOWS, minCount = DEFAULT_MIN_COUNT } = options;
  const problem = nestingProblem(windows);
  if (problem) throw new RangeError(problem);
  const reach = Math.max(...windows.map((w) => Math.max(w.left, w.right)));
  const edge = WORD_EDGE.repeat(reach);
  const padded = aligned.map((w) => edge + w.word + edge);
  const unitNames = aligned.map((w) => w.units.map(unitName));
  const rules = new Map<string, string>();
  windows.forEach((window, index) => {
    // context key → unit → count, in first-seen order (deterministic).
    const counts = new Map<string, Map<string, number>>();
    padded.forEach((word, w) => {
      unitNames[w].forEach((unit, i) => {
        const key = ruleKey(word, i + reach, index, window);
        let units = counts.get(key);
        if (!units) counts.set(key, (units = new Map()));
        units.set(unit, (units.get(unit) ?? 0) + 1);
      });
    });
    for (const [key, units] of counts) {
      let total = 0;
      for (const n of units.values()) total += n;
      if (total < minCount) continue;
      const predicted = predictFrom(rules, windows, index, key, reach);
      let majority = predicted;
      let most = predicted === undefined ? 0 : (units.get(predicted) ?? 0);
      for (const [unit, n] of units) if (n > most) [majority, most] = [unit, n];
      if (majority !== undefined && majority !== predicted) rules.set(key, majority);
    }
  });
  return LetterToSound.fromRules(
    windows,
    [...rules].map(([key, unit]) => [key, unit === NO_PHONE ? [] : unit.split('+')] as const),
  );
}

/**
 * Why the pruning cannot use `windows`, or null: it compares each window's majority with the rules of
 * the narrower ones, which only means something where the window sees everything they see.
 */
export function nestingProblem(windows: readonly ContextWindow[]): string | null {
  for (let i = 1; i < windows.length; i++) {
    const [narrower, wider] = [windows[i - 1], windows[i]];
    if (wider.left < narrower.left || wider.right < narrower.right)
      return `window ${wider.left}:${wider.right} does not contain the one before it, ${narrower.left}:${narrower.right}`;
  }
  return null;
}

/** The unit the rules of windows narrower than `index` give the letter of `key` (undefined: none yet). */
function predictFrom(
  rules: ReadonlyMap<string, string>,
  windows: readonly ContextWindow[],
  index: number,
  key: string,
  reach: number,
): string | undefined {
  const { left, right } = windows[index];
  // Rebuild a padded word just wide enough that ruleKey reads the narrower windows out of this key.
  const padded = WORD_EDGE.repeat(reach - left) + key.slice(1) + WORD_EDGE.repeat(reach - right);
  for (let narrower = index - 1; narrower >= 0; narrower--) {
    const unit = rules.get(ruleKey(padded, reach, narrower, windows[narrower]));
    if (unit !== undefined) return unit;
  }
  return undefined;
}

/** Aligns and trains in one go: the rules for `entries`. */
export function trainLetterToSound(
  entries: readonly DictionaryEntry[],
  options: AlignmentOptions & PredictorOptions = {},
): { model: LetterToSound; alignment: Alignment } {
  const alignment = alignLetters(entries, options);
  return { model: trainPredictor(alignment.aligned, options), alignment };
}

/** The model file's text (letter-to-sound.ts's format), `comment` lines first as '#' comments. */
export function serialiseLetterToSound(model: LetterToSound, comment: readonly string[] = []): string {
  const lines = comment.map((line) => `# ${line}`);
  lines.push(headerLine(model.windows));
  for (const [key, phones] of model.entries()) lines.push(`${key} ${unitName(phones)}`);
  return lines.join('\n') + '\n';
}

export interface Evaluation {
  words: number;
  /** Words whose predicted phones are exactly the dictionary's. */
  wordsCorrect: number;
  referencePhones: number;
  /** Edit distance (substitutions, deletions, insertions) summed over the words. */
  phoneErrors: number;
}

/** How well `model` pronounces `entries` against their dictionary phones. */
export function evaluateLetterToSound(model: LetterToSound, entries: readonly DictionaryEntry[]): Evaluation {
  const result: Evaluation = { words: 0, wordsCorrect: 0, referencePhones: 0, phoneErrors: 0 };
  for (const { word, phones } of entries) {
    const predicted = model.pronounce(word);
    const errors = editDistance(phones, predicted);
    result.words++;
    result.referencePhones += phones.length;
    result.phoneErrors += errors;
    if (errors === 0) result.wordsCorrect++;
  }
  return result;
}

function editDistance(a: readonly string[], b: readonly string[]): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length];
}
