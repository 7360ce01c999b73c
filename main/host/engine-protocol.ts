/**
 * Messages between a host (Electron main or the browser bridge) and the engine worker process. The
 * engine runs in its own process so that a crash or a long transcription never blocks or takes down
 * the window; this protocol is all that crosses between them.
 */
import type { BackendSummary, ErrorInfo } from '../common/ipc-contract';
import type { Transcript } from '../common/transcript';

export type ToWorker =
  | { type: 'load'; model: string; modelsDir: string | null }
  | { type: 'transcribe'; jobId: string; path: string }
  | { type: 'cancel'; jobId: string };

export type FromWorker =
  | { type: 'ready'; modelName: string; backend: BackendSummary }
  | { type: 'load-failed'; error: ErrorInfo }
  | { type: 'progress'; jobId: string; fraction: number; processedSec: number }
  | { type: 'done'; jobId: string; transcript: Transcript }
  | { type: 'failed'; jobId: string; error: ErrorInfo };

/** Environment variable that lets tests ask the worker to crash on a file with this name (never set in use). */
export const CRASH_TEST_ENV = 'SPEECH_STUDIO_TEST_CRASH_ON';
