/**
 * Word and character error rates with substitution/deletion/insertion counts and the alignment itself.
 * The text normalisation used for scoring is explicit (see `normalizeForScoring`) and shared by the CLI,
 * the benchmarks and the app, so every place reports the same numbers.
 */

/**
 * Scoring normalisation: lower case, curly quotes to straight, everything but a–z, digits, apostrophes
 * and spaces becomes a space, whitespace collapsed. Numbers are not rewritten here; references are
 * expected in spoken form (the corpus tools write them that way).
 */
export function normalizeForScoring(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\u2018\u2019`]/g, "'")
    .replace(/[^a-z0-9' ]+/g, ' ')
    .replace(/(^|\s)'+|'+(?=\s|$)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
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

export const words = (text: string) => normalizeForScoring(text).split(' ').filter(Boolean);
/** Characters of the normalised text, spaces included (the usual CER definition for character models). */
export const characters = (text: string) => Array.from(normalizeForScoring(text));

export function errorRate(counts: ErrorCounts): number {
  const errors = counts.substitutions + counts.deletions + counts.insertions;
  return counts.reference === 0 ? (errors === 0 ? 0 : 1) : errors / counts.reference;
}

export interface Score {
  wer: ErrorCounts;
  cer: ErrorCounts;
}

export function scoreTranscript(reference: string, hypothesis: string): Score & { alignment: Alignment } {
  const alignment = align(words(reference), words(hypothesis));
  const counts = ({ substitutions, deletions, insertions, reference: n }: Alignment): ErrorCounts => ({
    substitutions,
    deletions,
    insertions,
    reference: n,
  });
  return {
    wer: counts(alignment),
    cer: counts(align(characters(reference), characters(hypothesis))),
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
