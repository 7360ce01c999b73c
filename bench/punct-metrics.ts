/**
 * Scores of punctuation and capitals against written text: per-mark precision/recall/F1 and word case
 * accuracy. The references are written as the model should display them: cased words, each maybe
 * followed by one mark ("Hello, world."), one space apart (models/punct/heldout/).
 */
import { align } from '../main/common/scoring';

export const SCORED_MARKS = [',', '.', '?'] as const;
export type ScoredMark = (typeof SCORED_MARKS)[number];

/** One word of a written reference or of the model's output. */
export interface WrittenWord {
  /** The recogniser's spelling: lower case, no mark. */
  word: string;
  /** As written, without the mark. */
  written: string;
  /** '' when none. */
  mark: string;
}

/** Splits written text ("Hello, world.") into words with their marks. */
export function parseWritten(text: string): WrittenWord[] {
  return text
    .split(/\s+/)
    .filter(Boolean)
    .map((token) => {
      const mark = /[,.?]$/.exec(token)?.[0] ?? '';
      const written = mark ? token.slice(0, -1) : token;
      return { word: written.toLowerCase(), written, mark };
    });
}

export class PunctuationScore {
  private readonly counts = new Map<ScoredMark, { tp: number; fp: number; fn: number }>(
    SCORED_MARKS.map((m) => [m, { tp: 0, fp: 0, fn: 0 }]),
  );
  words = 0;
  caseCorrect = 0;
  /** Words whose case a lower-case-everything baseline gets right (for comparison). */
  lowerCorrect = 0;

  /** Adds one pair of aligned words (the same word in reference and output). */
  add(reference: WrittenWord, output: Pick<WrittenWord, 'written' | 'mark'>): void {
    for (const [mark, c] of this.counts) {
      if (output.mark === mark && reference.mark === mark) c.tp++;
      else if (output.mark === mark) c.fp++;
      else if (reference.mark === mark) c.fn++;
    }
    this.words++;
    if (output.written === reference.written) this.caseCorrect++;
    if (reference.written === reference.word) this.lowerCorrect++;
  }

  /**
   * Adds a reference and an output of possibly different words (a recogniser's transcript): only the
   * words that align as equal are scored. Returns how many were.
   */
  addAligned(reference: readonly WrittenWord[], output: readonly WrittenWord[]): number {
    const pairs = align(
      reference.map((w) => w.word),
      output.map((w) => w.word),
    ).pairs;
    let r = 0;
    let o = 0;
    let scored = 0;
    for (const pair of pairs) {
      if (pair.op === 'match') {
        this.add(reference[r], output[o]);
        scored++;
      }
      if (pair.ref !== null) r++;
      if (pair.hyp !== null) o++;
    }
    return scored;
  }

  mark(mark: ScoredMark): { precision: number; recall: number; f1: number; support: number } {
    const { tp, fp, fn } = this.counts.get(mark)!;
    const precision = tp + fp ? tp / (tp + fp) : 0;
    const recall = tp + fn ? tp / (tp + fn) : 0;
    return {
      precision,
      recall,
      f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
      support: tp + fn,
    };
  }

  get caseAccuracy(): number {
    return this.words ? this.caseCorrect / this.words : 0;
  }

  get lowerCaseBaseline(): number {
    return this.words ? this.lowerCorrect / this.words : 0;
  }
}
