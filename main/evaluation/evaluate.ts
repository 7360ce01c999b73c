/**
 * Runs evaluation sets through the engine: transcribes each file, scores it against its reference with an
 * explicit normalisation, and keeps going when a file fails. Shared by `npm run eval` and
 * `npm run bench:batch` (and usable from the app's engine process); aggregation and output formats live in
 * main/common/evaluation.ts.
 */
import { scoreFile, type FileResult } from '../common/evaluation';
import { DEFAULT_NORMALIZATION, type ScoringNormalization } from '../common/scoring';
import { roundedWord, roundTo } from '../common/transcript';
import type { AsrEngine } from '../engine/engine';
import type { EvalItem, EvalSetInput } from './reference-files';

export interface EvaluateOptions {
  normalization?: ScoringNormalization;
  signal?: AbortSignal;
  /** Called after each file (done counts files finished, failures included). */
  onFile?: (result: FileResult, done: number, total: number) => void;
}

/** The local engine, or anything that transcribes files as it does (the queue's client). */
export type Transcriber = Pick<AsrEngine, 'transcribeFile'>;

/** Transcribes and scores one file; a failure becomes a result with `error` instead of a throw. */
export async function evaluateItem(
  engine: Transcriber,
  set: string,
  item: EvalItem,
  options: Pick<EvaluateOptions, 'normalization' | 'signal'> = {},
): Promise<FileResult> {
  const base = { set, file: item.file, reference: item.reference };
  try {
    const transcript = await engine.transcribeFile(item.audio, { signal: options.signal });
    // The engine's own timing: for a queued file, the worker's time, not the time spent waiting for it.
    const processingSec = transcript.rtf * transcript.durationSec;
    return {
      ...base,
      hypothesis: transcript.text,
      words: transcript.words.map(roundedWord),
      durationSec: roundTo(transcript.durationSec, 3),
      processingSec: roundTo(processingSec, 3),
      rtf: roundTo(processingSec / transcript.durationSec, 4),
      ...(transcript.warnings?.length ? { warnings: transcript.warnings } : {}),
      ...(item.reference === null
        ? {}
        : scoreFile(item.reference, transcript.text, options.normalization ?? DEFAULT_NORMALIZATION)),
    };
  } catch (error) {
    if (options.signal?.aborted) throw error;
    return { ...base, error: (error as Error).message };
  }
}

/** Evaluates every item of every set in order; returns one result per item. */
export async function evaluateSets(
  engine: Transcriber,
  sets: readonly EvalSetInput[],
  options: EvaluateOptions = {},
): Promise<FileResult[]> {
  const total = sets.reduce((n, s) => n + s.items.length, 0);
  const results: FileResult[] = [];
  for (const set of sets) {
    for (const item of set.items) {
      const result = await evaluateItem(engine, set.name, item, options);
      results.push(result);
      options.onFile?.(result, results.length, total);
    }
  }
  return results;
}
