/**
 * Word and character error rates with substitution/deletion/insertion counts and the alignment itself.
 * The text normalisation used for scoring is explicit (`ScoringNormalization`, shown with
 * `describeNormalization`) and shared by the CLI, the benchmarks and the app, so all report the same numbers.
 */

/**
 * How text is normalised before scoring. Every field is explicit so a report can say exactly what was
 * compared (`describeNormalization`), and the CLI, the benchmarks and the app share one implementation.
 */
export interface ScoringNormalization {
  /** Fold upper case to lower case ("The" = "the"). */
  caseFold: boolean;
  /**
   * "remove": everything but letters, digits, apostrophes inside words and spaces becomes a space
   * (so "well-known" scores as "well known"); curly quotes count as apostrophes. "keep": punctuation
   * stays attached to its word ("end." ≠ "end").
   */
  punctuation: 'remove' | 'keep';
  /**
   * "keep": digits are scored as written (a reference "3" never matches a hypothesis "three").
   * "words": numbers are spelled out first: cardinals ("1,204" → "one thousand two hundred four"),
   * ordinals ("21st" → "twenty first"), decimals ("2.5" → "two point five").
   */
  numbers: 'keep' | 'words';
}

/** The normalisation every tool uses unless told otherwise (references are expected in spoken form). */
export const DEFAULT_NORMALIZATION: Readonly<ScoringNormalization> = Object.freeze({
  caseFold: true,
  punctuation: 'remove',
  numbers: 'keep',
});

/** A one-line, human-readable statement of a normalisation, printed with every score. */
export function describeNormalization(n: ScoringNormalization = DEFAULT_NORMALIZATION): string {
  return [
    n.caseFold ? 'case folded to lower case' : 'case kept',
    n.punctuation === 'remove'
      ? 'punctuation removed (apostrophes inside words kept, hyphens split words)'
      : 'punctuation kept attached to words',
    n.numbers === 'words' ? 'numbers spelled out as words' : 'numbers scored as written',
    'whitespace collapsed',
  ].join('; ');
}

const ONES = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const SCALES = ['', 'thousand', 'million', 'billion', 'trillion'];
const ORDINAL_WORDS: Record<string, string> = {
  one: 'first',
  two: 'second',
  three: 'third',
  five: 'fifth',
  eight: 'eighth',
  nine: 'ninth',
  twelve: 'twelfth',
};

function belowThousand(n: number): string[] {
  const out: string[] = [];
  if (n >= 100) {
    out.push(ONES[Math.floor(n / 100)], 'hundred');
    n %= 100;
  }
  if (n >= 20) {
    out.push(TENS[Math.floor(n / 10)]);
    if (n % 10) out.push(ONES[n % 10]);
  } else if (n > 0) {
    out.push(ONES[n]);
  }
  return out;
}

/** Spells out a string of decimal digits as a cardinal ("1204" → "one thousand two hundred four"). */
export function integerToWords(digits: string): string {
  const clean = digits.replace(/^0+(?=\d)/, '');
  // Beyond the named scales, or with leading zeros kept (codes like "007"), read digit by digit.
  if (clean.length > 15 || (digits.length > 1 && digits.startsWith('0'))) {
    return Array.from(digits, (d) => ONES[Number(d)]).join(' ');
  }
  if (/^0+$/.test(clean)) return 'zero';
  const groups: number[] = [];
  for (let end = clean.length; end > 0; end -= 3) groups.push(Number(clean.slice(Math.max(0, end - 3), end)));
  const out: string[] = [];
  for (let g = groups.length - 1; g >= 0; g--) {
    if (groups[g] === 0) continue;
    out.push(...belowThousand(groups[g]));
    if (SCALES[g]) out.push(SCALES[g]);
  }
  return out.join(' ');
}

function ordinal(cardinal: string): string {
  const parts = cardinal.split(' ');
  const last = parts[parts.length - 1];
  parts[parts.length - 1] =
    ORDINAL_WORDS[last] ?? (last.endsWith('y') ? last.slice(0, -1) + 'ieth' : last + 'th');
  return parts.join(' ');
}

/** Rewrites the numbers in a text as words (see `ScoringNormalization.numbers`). */
export function spellOutNumbers(text: string): string {
  return text.replace(
    /(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?:(st|nd|rd|th)(?![a-z]))?/gi,
    (_m, whole: string, fraction: string | undefined, suffix: string | undefined) => {
      const cardinal = integerToWords(whole.replace(/,/g, ''));
      if (suffix && !fraction) return ` ${ordinal(cardinal)} `;
      const point = fraction ? ` point ${Array.from(fraction, (d) => ONES[Number(d)]).join(' ')}` : '';
      return ` ${cardinal}${point} `;
    },
  );
}

/**
 * Normalises a text for scoring with explicit options. With the defaults: lower case, curly quotes to
 * straight, everything but a–z, digits, apostrophes inside words and spaces becomes a space, whitespace
 * collapsed; numbers are not rewritten (references are expected in spoken form; the corpus tools write
 * them so).
 */
export function normalizeText(text: string, options: ScoringNormalization = DEFAULT_NORMALIZATION): string {
  let t = text.replace(/[\u2018\u2019`]/g, "'");
  if (options.numbers === 'words') t = spellOutNumbers(t);
  if (options.caseFold) t = t.toLowerCase();
  if (options.punctuation === 'remove') {
    t = t.replace(/[^A-Za-z0-9' ]+/g, ' ').replace(/(^|\s)'+|'+(?=\s|$)/g, ' ');
  }
  return t.replace(/\s+/g, ' ').trim();
}

/**
 * The default scoring normalisation (`DEFAULT_NORMALIZATION`, see `normalizeText`). Takes exactly one
 * argument so it can be passed to `Array.prototype.map` as it is.
 */
export function normalizeForScoring(text: string): string {
  return normalizeText(text, DEFAULT_NORMALIZATION);
}

export type EditOp = 'match' | 'sub' | 'del' | 'ins';

export interface AlignedPair {
  op: EditOp;
  ref: string | null;
  hyp: string | null;
}

export interface ErrorCounts {
  substitutions: number;
  deletions: number;
  insertions: number;
  /** Number of reference tokens. */
  reference: number;
}

export interface Alignment extends ErrorCounts {
  pairs: AlignedPair[];
}

/** Minimum-edit-distance alignment (Levenshtein with backtrace), preferring matches then substitutions. */
export function align(ref: readonly string[], hyp: readonly string[]): Alignment {
  const n = ref.length;
  const m = hyp.length;
  const cost = new Uint32Array((n + 1) * (m + 1));
  const at = (i: number, j: number) => i * (m + 1) + j;
  for (let i = 0; i <= n; i++) cost[at(i, 0)] = i;
  for (let j = 0; j <= m; j++) cost[at(0, j)] = j;
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      const diagonal = cost[at(i - 1, j - 1)] + (ref[i - 1] === hyp[j - 1] ? 0 : 1);
      cost[at(i, j)] = Math.min(diagonal, cost[at(i - 1, j)] + 1, cost[at(i, j - 1)] + 1);
    }
  }
  const pairs: AlignedPair[] = [];
  const counts = { substitutions: 0, deletions: 0, insertions: 0 };
  let i = n;
  let j = m;
  while (i > 0 || j > 0) {
    if (i > 0 && j > 0 && cost[at(i, j)] === cost[at(i - 1, j - 1)] + (ref[i - 1] === hyp[j - 1] ? 0 : 1)) {
      const same = ref[i - 1] === hyp[j - 1];
      pairs.push({ op: same ? 'match' : 'sub', ref: ref[i - 1], hyp: hyp[j - 1] });
      if (!same) counts.substitutions++;
      i--;
      j--;
    } else if (i > 0 && cost[at(i, j)] === cost[at(i - 1, j)] + 1) {
      pairs.push({ op: 'del', ref: ref[i - 1], hyp: null });
      counts.deletions++;
      i--;
    } else {
      pairs.push({ op: 'ins', ref: null, hyp: hyp[j - 1] });
      counts.insertions++;
      j--;
    }
  }
  pairs.reverse();
  return { pairs, ...counts, reference: n };
}

export const words = (text: string, normalization?: ScoringNormalization) =>
  normalizeText(text, normalization).split(' ').filter(Boolean);
/** Characters of the normalised text, spaces included (the usual CER definition for character models). */
export const characters = (text: string, normalization?: ScoringNormalization) =>
  Array.from(normalizeText(text, normalization));

export function errorRate(counts: ErrorCounts): number {
  const errors = counts.substitutions + counts.deletions + counts.insertions;
  return counts.reference === 0 ? (errors === 0 ? 0 : 1) : errors / counts.reference;
}

export interface Score {
  wer: ErrorCounts;
  cer: ErrorCounts;
}

export function scoreTranscript(
  reference: string,
  hypothesis: string,
  normalization: ScoringNormalization = DEFAULT_NORMALIZATION,
): Score & { alignment: Alignment } {
  const alignment = align(words(reference, normalization), words(hypothesis, normalization));
  const counts = ({ substitutions, deletions, insertions, reference: n }: Alignment): ErrorCounts => ({
    substitutions,
    deletions,
    insertions,
    reference: n,
  });
  return {
    wer: counts(alignment),
    cer: counts(align(characters(reference, normalization), characters(hypothesis, normalization))),
    alignment,
  };
}

export function sumCounts(all: readonly ErrorCounts[]): ErrorCounts {
  return all.reduce(
    (a, c) => ({
      substitutions: a.substitutions + c.substitutions,
      deletions: a.deletions + c.deletions,
      insertions: a.insertions + c.insertions,
      reference: a.reference + c.reference,
    }),
    { substitutions: 0, deletions: 0, insertions: 0, reference: 0 },
  );
}
