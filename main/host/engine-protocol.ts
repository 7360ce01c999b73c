/**
 * Messages between a host (Electron main or the browser bridge) and the engine worker process. The
 * engine runs in its own process so that a crash or a long transcription never blocks or takes down
 * the window; this protocol is all that crosses between them.
 */
import type { AdaptProgress, BackendSummary, ErrorInfo } from '../common/ipc-contract';
import type { Transcript } from '../common/transcript';
import type { LiveEvent } from '../engine/stream/live-recognizer';

/** Live events the worker forwards (level comes from the host's own meter, closer to the microphone). */
export type ForwardedLiveEvent = Exclude<LiveEvent, { type: 'level' }>;

export type ToWorker =
  | { type: 'load'; model: string; modelsDir: string | null }
  | { type: 'transcribe'; jobId: string; path: string }
  | { type: 'cancel'; jobId: string }
  /** Live dictation: one session at a time; audio is mono float at `sampleRate`. */
  | { type: 'live-start'; sessionId: string; sampleRate: number }
  | { type: 'live-audio'; sessionId: string; samples: Float32Array }
  | { type: 'live-stop'; sessionId: string }
  /** Memory figures, for soak tests and diagnostics. */
  | { type: 'stats'; requestId: string }
  /**
   * Decodes a whole audio file (any format the engine reads) to mono at `sampleRate`: the host's file
   * source for dictation and the voice profile's recordings. Not queued behind file jobs.
   */
  | { type: 'decode'; requestId: string; path: string; sampleRate: number }
  /** Words and phrases for the decoder to favour from now on (empty: none). */
  | { type: 'set-vocabulary'; phrases: string[] }
  /**
   * Speaker adaptation of the loaded model (one at a time): the recordings are read by the worker (WAV,
   * resampled to the model's rate), and the adapted model is saved as `<profileDir>/models/<name>/`.
   */
  | {
      type: 'adapt-start';
      adaptId: string;
      items: { path: string; text: string }[];
      profileDir: string;
      name: string;
      options: AdaptJobOptions;
    }
  | { type: 'adapt-cancel'; adaptId: string }
  /**
   * Learned weights (learning from corrections) for the loaded model, applied now (after a running
   * dictation) and kept for the model's next load; null: back to the model's own weights.
   */
  | { type: 'use-weights'; path: string | null }
  /** Sent to a helper engine process started for it, at low priority: one learning round (learning-round.ts). */
  | { type: 'learn-round'; request: LearnRoundRequest }
  | { type: 'learn-cancel'; roundId: string };

/** Corrected utterances as the learner reads them: a 16 kHz WAV the host wrote and the corrected text. */
export interface LearnItem {
  id: string;
  path: string;
  text: string;
}

export interface LearnRoundRequest {
  roundId: string;
  /** The model in use and the models folder, as in `load`. */
  model: string;
  modelsDir: string | null;
  /** Weights learned in earlier rounds to start from (ignored when they belong to another model). */
  weightsIn: string | null;
  /** Where the new weights are written when they are kept. */
  weightsOut: string;
  /**
   * Corrections not learned from yet; earlier ones to replay; and those kept back from training in
   * earlier rounds (oldest first), which the round is checked on with some of its new ones.
   */
  fresh: LearnItem[];
  learned: LearnItem[];
  check: LearnItem[];
  replay: number;
  adapt?: LearnAdaptSettings;
}

/** Adaptation settings over the learner's defaults, for tests (1 epoch; keep weights that are not better). */
export interface LearnAdaptSettings {
  epochs?: number;
  learningRate?: number;
  forceAdapted?: boolean;
}

export interface LearnRoundResult {
  kept: 'adapted' | 'base';
  heldBackWerBefore: number;
  heldBackWerAfter: number;
  newUtterances: number;
  replayed: number;
  seconds: number;
  /** The weights file written (weightsOut) when the new weights were kept; null otherwise. */
  weightsFile: string | null;
  /** The corrections kept back for the next round's check (the others of the request were trained on). */
  checkIds: string[];
}

export interface AdaptJobOptions {
  epochs?: number;
  layers?: 'all' | 'top' | 'dense';
  /** Save the adapted weights even if the held-back check says they are not better. */
  keepAnyway?: boolean;
  /** Replace an adapted model of the same name. */
  overwrite?: boolean;
}

export type AdaptJobProgress = AdaptProgress;

export interface AdaptJobResult {
  kept: 'adapted' | 'base';
  beforeWer: number;
  afterWer: number;
  /** The saved model's folder and name; null when the base was kept (nothing saved). */
  modelDir: string | null;
  modelName: string | null;
  utterances: number;
  seconds: number;
}

export type FromWorker =
  | { type: 'ready'; modelName: string; backend: BackendSummary }
  | { type: 'load-failed'; error: ErrorInfo }
  | { type: 'progress'; jobId: string; fraction: number; processedSec: number }
  | { type: 'done'; jobId: string; transcript: Transcript }
  | { type: 'failed'; jobId: string; error: ErrorInfo }
  | { type: 'live-event'; sessionId: string; event: ForwardedLiveEvent }
  /** All audio is processed and the last final has been sent. */
  | { type: 'live-stopped'; sessionId: string }
  | { type: 'live-failed'; sessionId: string; error: ErrorInfo }
  | { type: 'stats'; requestId: string; stats: EngineStats }
  | { type: 'decoded'; requestId: string; samples: Float32Array }
  | { type: 'decode-failed'; requestId: string; error: ErrorInfo }
  | { type: 'adapt-progress'; adaptId: string; progress: AdaptJobProgress }
  | { type: 'adapt-done'; adaptId: string; result: AdaptJobResult }
  | { type: 'adapt-failed'; adaptId: string; error: ErrorInfo }
  | { type: 'learn-progress'; roundId: string; progress: AdaptJobProgress }
  | { type: 'learn-done'; roundId: string; result: LearnRoundResult }
  | { type: 'learn-failed'; roundId: string; error: ErrorInfo };

export interface EngineStats {
  rssBytes: number;
  heapUsedBytes: number;
  /** Live TensorFlow.js tensors: flat over time, or something leaks. */
  tensors: number;
  /** CPU time the engine process has used, in seconds (user + system). */
  cpuSec: number;
}

/** Environment variable that lets tests ask the worker to crash on a file with this name (never set in use). */
export const CRASH_TEST_ENV = 'SPEECH_STUDIO_TEST_CRASH_ON';
