/** Messages between the fuzz harness and its worker process, and the check every transcript must pass. */
import type { Transcript } from '../../../common/transcript';

/** Set to "1" to make the worker crash/hang/leak on `.selftest-*` inputs (the harness's own test only). */
export const SELF_TEST_ENV = 'SPEECH_STUDIO_FUZZ_SELFTEST';

export type ToFuzzWorker =
  | { type: 'load'; model: string; decoder?: string; backend?: string }
  | { type: 'case'; id: number; file: string };

export type WorkerOutcome = 'transcript' | 'bad-transcript' | 'typed-error' | 'untyped-error';

export type FromFuzzWorker =
  | { type: 'ready'; backend: string; model: string; rssMb: number }
  | {
      type: 'result';
      id: number;
      outcome: WorkerOutcome;
      code?: string;
      detail: string;
      words?: number;
      durationSec?: number;
      ms: number;
      rssMb: number;
      maxRssMb: number;
    };

/** Why a transcript is not one the app could show (NaN times, words outside the audio…), or null. */
export function transcriptProblem(t: Transcript): string | null {
  if (!(Number.isFinite(t.durationSec) && t.durationSec > 0)) return `durationSec ${t.durationSec}`;
  if (typeof t.text !== 'string') return 'text is not a string';
  let previousEnd = 0;
  for (const [i, w] of t.words.entries()) {
    if (typeof w.word !== 'string' || w.word.length === 0) return `word ${i} is empty`;
    if (!(Number.isFinite(w.start) && Number.isFinite(w.end)))
      return `word ${i} has times ${w.start}–${w.end}`;
    // A word never ends after the audio does (the last model step may overhang it; the engine clamps).
    if (w.start < 0 || w.end < w.start || w.end > t.durationSec)
      return `word ${i} at ${w.start}–${w.end} s outside 0–${t.durationSec} s`;
    if (w.start < previousEnd - 1e-6) return `word ${i} starts before word ${i - 1} ends`;
    if (!(w.confidence >= 0 && w.confidence <= 1)) return `word ${i} has confidence ${w.confidence}`;
    previousEnd = w.end;
  }
  return null;
}
