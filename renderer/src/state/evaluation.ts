/**
 * The app's evaluation figures, computed with the same shared code as `npm run eval`
 * (main/common/evaluation.ts and scoring.ts), so a file's WER in the studio is the CLI's to the digit: the
 * engine's transcript (before the user's corrections) against the reference, default normalisation.
 * Also the batch's overall progress and ETA, and where each alignment error lies in the audio.
 */
import type { BatchAdded } from '../../../main/common/ipc-contract';
import {
  aggregateBySet,
  scoreFile,
  scoreOf,
  sortResults,
  type FileResult,
  type FileScore,
  type SortKey,
} from '../../../main/common/evaluation';
import { DEFAULT_NORMALIZATION, words as scoringWords, type EditOp } from '../../../main/common/scoring';
import type { Word } from '../../../main/common/transcript';
import type { Item } from './studio-state';

export const NORMALIZATION = DEFAULT_NORMALIZATION;

/** The set a file without one belongs to (opened one by one), as the CLI names loose files. */
export const LOOSE_SET = 'files';

const scoreCache = new WeakMap<object, Map<string, FileScore>>();

/** The file's score, or undefined when it has no reference or no transcript yet (memoised per transcript). */
export function itemScore(item: Item): FileScore | undefined {
  if (item.reference == null || !item.transcript) return undefined;
  let byReference = scoreCache.get(item.transcript);
  if (!byReference) scoreCache.set(item.transcript, (byReference = new Map()));
  let score = byReference.get(item.reference);
  if (!score) {
    score = scoreFile(item.reference, item.transcript.text, NORMALIZATION);
    byReference.set(item.reference, score);
  }
  return score;
}

/** The file's transcription failed. A file the user cancelled did not fail: it counts as still to do. */
export function isFailed(item: Item): boolean {
  return item.status === 'error' && item.error?.code !== 'CANCELLED';
}

/** An item as a result of `npm run eval` (the shapes aggregation, sorting and the CSV take). */
export function itemResult(item: Item): FileResult {
  const base: FileResult = {
    set: item.set ?? LOOSE_SET,
    file: item.path ?? item.file.name,
    reference: item.reference ?? null,
  };
  if (isFailed(item) && !item.transcript) return { ...base, error: item.error?.message ?? 'failed' };
  const t = item.transcript;
  if (!t) return base;
  return {
    ...base,
    hypothesis: t.text,
    words: t.words,
    durationSec: t.durationSec,
    processingSec: t.rtf * t.durationSec,
    rtf: t.rtf,
    ...itemScore(item),
  };
}

/** The finished items (transcribed or failed) as results; files still to do (or cancelled) are not counted. */
export function finishedResults(items: readonly Item[]): FileResult[] {
  return items.filter((i) => i.transcript || isFailed(i)).map(itemResult);
}

export function evaluationSummary(items: readonly Item[]) {
  return aggregateBySet(finishedResults(items));
}

/** Items in the chosen order: WER or CER worst first (unscored, then failed last), name, or as added. */
export function sortItems(items: readonly Item[], key: SortKey): Item[] {
  if (key === 'input') return [...items];
  const results = items.map((item) => ({ ...itemResult(item), item }));
  // sortResults breaks ties by file path; files still to do sort with the unscored ones.
  return sortResults(results, key).map((r) => (r as (typeof results)[number]).item);
}

export { scoreOf };

// ---- Batch progress -------------------------------------------------------------------------------------

export interface BatchProgress {
  /** Files finished (transcribed or failed) out of the files in the batch (everything not idle). */
  finished: number;
  failed: number;
  total: number;
  /** 0..1 over the batch's bytes, the running file counted by its fraction. */
  fraction: number;
  /** Seconds left, from the throughput measured on the files finished so far; null until there is one. */
  etaSec: number | null;
}

/**
 * Overall progress and ETA. The audio length of a file is only known once it is transcribed, so the ETA
 * extrapolates from bytes: seconds of processing per byte over the files finished so far (`rate`),
 * applied to the bytes still to do; the running file's own ETA is used when the host has one.
 */
export function batchProgress(items: readonly Item[], rate: { bytes: number; sec: number }): BatchProgress {
  const batch = items.filter((i) => i.status !== 'idle');
  const finished = batch.filter((i) => i.status === 'done' || i.status === 'error');
  const failed = batch.filter(isFailed).length;
  const totalBytes = batch.reduce((n, i) => n + Math.max(1, i.file.size), 0);
  let doneBytes = 0;
  let leftSec = 0;
  let known = rate.bytes > 0;
  const secPerByte = rate.bytes > 0 ? rate.sec / rate.bytes : 0;
  for (const i of batch) {
    const bytes = Math.max(1, i.file.size);
    if (i.status === 'done' || i.status === 'error') doneBytes += bytes;
    else if (i.status === 'running') {
      doneBytes += bytes * i.fraction;
      if (i.etaSec !== null) leftSec += i.etaSec;
      else if (known) leftSec += bytes * (1 - i.fraction) * secPerByte;
      else known = false;
    } else leftSec += bytes * secPerByte;
  }
  const pending = batch.length - finished.length;
  return {
    finished: finished.length,
    failed,
    total: batch.length,
    fraction: totalBytes > 0 ? doneBytes / totalBytes : 0,
    etaSec: pending === 0 ? 0 : known ? leftSec : null,
  };
}

// ---- References from a manifest (browser mode: matched to the project's files) ------------------------------

/**
 * Gives the project's files the references of a manifest whose audio could not be opened by path: a file
 * matches an entry by its path inside its folder, else by its name when that name is listed only once.
 * Returns the file ids with the reference each gets, and the entries that matched no file.
 */
export function matchManifest(
  items: readonly Item[],
  unmatched: BatchAdded['unmatched'],
): { matches: Map<string, string>; missing: string[] } {
  const base = (p: string) => p.replace(/^.*[/\\]/, '');
  const nameCount = new Map<string, number>();
  for (const e of unmatched) nameCount.set(base(e.path), (nameCount.get(base(e.path)) ?? 0) + 1);
  const matches = new Map<string, string>();
  const missing: string[] = [];
  for (const entry of unmatched) {
    const clean = entry.path.replace(/\\/g, '/').replace(/^\.\//, '');
    const item =
      items.find((i) => i.path === clean) ??
      (nameCount.get(base(clean)) === 1 ? items.find((i) => i.file.name === base(clean)) : undefined);
    if (item) matches.set(item.file.id, entry.reference);
    else missing.push(entry.path);
  }
  return { matches, missing };
}

// ---- Alignment against the audio ----------------------------------------------------------------------------

export interface AlignmentMark {
  op: EditOp;
  ref: string | null;
  hyp: string | null;
  /** The transcript word this token belongs to (-1 for a deletion: no recognised word there). */
  wordIndex: number;
  /** Where it is in the audio: the word's start, or for a deletion the gap where the word was expected. */
  time: number;
}

/**
 * Places the word alignment on the audio: each hypothesis token comes from one transcript word (a word
 * that normalises to several tokens gives several), and a deleted reference word sits at the end of the
 * recognised word before it (or at the start when nothing came before).
 */
export function alignmentMarks(score: FileScore, words: readonly Word[]): AlignmentMark[] {
  const tokenWord: number[] = [];
  words.forEach((w, i) => {
    for (let n = scoringWords(w.word, NORMALIZATION).length; n > 0; n--) tokenWord.push(i);
  });
  const marks: AlignmentMark[] = [];
  let token = 0;
  let lastEnd = 0;
  for (const pair of score.alignment) {
    if (pair.hyp === null) {
      marks.push({ ...pair, wordIndex: -1, time: lastEnd });
      continue;
    }
    const wordIndex = tokenWord[token++] ?? -1;
    const word = words[wordIndex];
    marks.push({ ...pair, wordIndex, time: word?.start ?? lastEnd });
    if (word) lastEnd = word.end;
  }
  return marks;
}

/** Per transcript word: the worst alignment error on it (for marking the waveform's word regions). */
export function wordErrors(marks: readonly AlignmentMark[], count: number): (EditOp | null)[] {
  const out: (EditOp | null)[] = new Array(count).fill(null);
  for (const m of marks) {
    if (m.wordIndex < 0 || m.op === 'match') continue;
    if (out[m.wordIndex] !== 'sub') out[m.wordIndex] = m.op;
  }
  return out;
}
