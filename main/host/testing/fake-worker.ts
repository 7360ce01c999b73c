/**
 * A scripted engine worker for tests of the supervisor, the service and the bridge: it answers `load`
 * with `ready` (or a failure) and `transcribe` with one progress message and a fixed transcript, and can
 * be made to crash. No process, no model.
 */
import type { Transcript } from '../../common/transcript';
import type { FromWorker, ToWorker } from '../engine-protocol';
import type { EngineWorkerHandle, SpawnEngineWorker } from '../engine-supervisor';

export function fakeTranscript(file: string): Transcript {
  return {
    text: 'hello world',
    words: [
      { word: 'hello', start: 0.1, end: 0.4, confidence: 0.9 },
      { word: 'world', start: 0.5, end: 0.9, confidence: 0.3 },
    ],
    durationSec: 1,
    backend: 'fake',
    model: `fake model for ${file}`,
    rtf: 0.1,
  };
}

export interface FakeWorkerControl {
  spawn: SpawnEngineWorker;
  /** Every worker started so far. */
  workers: FakeWorker[];
  /** Files transcribed, in order. */
  transcribed: string[];
}

export class FakeWorker implements EngineWorkerHandle {
  private messageListeners: ((m: FromWorker) => void)[] = [];
  private exitListeners: ((code: number | null) => void)[] = [];
  exited = false;
  readonly received: ToWorker[] = [];

  constructor(
    private readonly behaviour: {
      loadError?: string;
      /** Files whose transcription makes the worker exit (a crash). */
      crashOn?: (file: string) => boolean;
      /** Files that fail with an engine error. */
      failOn?: (file: string) => boolean;
      /** Hold jobs until released (to test queueing). */
      manual?: boolean;
      onTranscribe?: (file: string) => void;
      /** Live dictation: crash after this many samples of live audio. */
      crashLiveAfterSamples?: number;
    },
  ) {}

  /** Live audio received in the current session. */
  liveSamples = 0;
  private liveSession: string | null = null;

  readonly pending: (() => void)[] = [];

  send(message: ToWorker): void {
    if (this.exited) return;
    this.received.push(message);
    queueMicrotask(() => this.handle(message));
  }

  private handle(message: ToWorker): void {
    if (message.type === 'load') {
      if (this.behaviour.loadError) {
        this.emit({
          type: 'load-failed',
          error: { code: 'MODEL_MISSING', message: this.behaviour.loadError },
        });
      } else {
        this.emit({
          type: 'ready',
          modelName: 'fake-model',
          backend: { name: 'wasm', kind: 'wasm', label: 'WebAssembly (fake)' },
        });
      }
    } else if (message.type === 'transcribe') {
      const { jobId, path } = message;
      this.behaviour.onTranscribe?.(path);
      const finish = () => {
        if (this.exited) return;
        if (this.behaviour.crashOn?.(path)) return this.crash(70);
        this.emit({ type: 'progress', jobId, fraction: 0.5, processedSec: 0.5 });
        if (this.behaviour.failOn?.(path)) {
          this.emit({
            type: 'failed',
            jobId,
            error: { code: 'CORRUPT_AUDIO', message: `${path}: corrupt audio data (test)` },
          });
        } else {
          this.emit({ type: 'done', jobId, transcript: fakeTranscript(path) });
        }
      };
      if (this.behaviour.manual) this.pending.push(finish);
      else finish();
    } else if (message.type === 'live-start') {
      this.liveSession = message.sessionId;
      this.liveSamples = 0;
    } else if (message.type === 'live-audio' && message.sessionId === this.liveSession) {
      this.liveSamples += message.samples.length;
      const limit = this.behaviour.crashLiveAfterSamples;
      if (limit !== undefined && this.liveSamples >= limit) return this.crash(70);
      const sessionId = message.sessionId;
      this.emit({
        type: 'live-event',
        sessionId,
        event: { type: 'partial', segment: 1, text: 'hello', words: ['hello'], stableWords: 0 },
      });
    } else if (message.type === 'live-stop') {
      const sessionId = message.sessionId;
      if (this.liveSession === sessionId && this.liveSamples > 0) {
        // One final for the session: "hello" over its first half second.
        const words = [{ word: 'hello', start: 0.1, end: 0.5, confidence: 0.8 }];
        const timing = { speechEndSec: 0.5, hangoverSec: 0, computeMs: 10, speculative: false };
        this.emit({
          type: 'live-event',
          sessionId,
          event: {
            type: 'final',
            segment: 1,
            text: 'hello',
            words,
            startSec: 0,
            endSec: 0.6,
            reason: 'stop',
            timing,
          },
        });
      }
      this.liveSession = null;
      this.emit({ type: 'live-stopped', sessionId });
    } else if (message.type === 'cancel') {
      this.emit({ type: 'failed', jobId: message.jobId, error: { code: 'CANCELLED', message: 'cancelled' } });
    }
  }

  private emit(message: FromWorker): void {
    for (const listener of this.messageListeners) listener(message);
  }

  onMessage(listener: (message: FromWorker) => void): void {
    this.messageListeners.push(listener);
  }

  onExit(listener: (code: number | null) => void): void {
    this.exitListeners.push(listener);
  }

  crash(code: number | null = 134): void {
    if (this.exited) return;
    this.exited = true;
    for (const listener of this.exitListeners) listener(code);
  }

  kill(): void {
    this.crash(null);
  }
}

export function fakeWorkers(behaviour: ConstructorParameters<typeof FakeWorker>[0] = {}): FakeWorkerControl {
  const control: FakeWorkerControl = {
    workers: [],
    transcribed: [],
    spawn: () => {
      const worker = new FakeWorker({ ...behaviour, onTranscribe: (file) => control.transcribed.push(file) });
      control.workers.push(worker);
      return worker;
    },
  };
  return control;
}
