/**
 * A scripted engine worker for tests of the supervisor, the service and the bridge: it answers `load`
 * with `ready` (or a failure) and `transcribe` with one progress message and a fixed transcript, decodes
 * files with the engine's real decoder, and can be made to crash. No process, no model.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { toErrorInfo } from '../../common/errors';
import type { Transcript } from '../../common/transcript';
import { loadAudioFile } from '../../engine/audio/load';
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
      /**
       * Speaker adaptation: the outcome (default: adapted, saved as a stub model folder the service can
       * list and select), a failure, a crash, or held until `releaseAdapt()` (to test cancel).
       */
      adapt?: { kept?: 'adapted' | 'base'; fail?: string; crash?: boolean; manual?: boolean };
      /** Model paths whose load fails (a broken adapted model). */
      loadFailsFor?: (model: string) => boolean;
    },
  ) {}

  /** Live audio received in the current session. */
  liveSamples = 0;
  private liveSession: string | null = null;

  readonly pending: (() => void)[] = [];
  /** The adaptation held by `adapt.manual`. */
  private heldAdapt: { adaptId: string; finish: () => void } | null = null;

  /** Lets a held adaptation finish. */
  releaseAdapt(): void {
    const held = this.heldAdapt;
    this.heldAdapt = null;
    held?.finish();
  }

  send(message: ToWorker): void {
    if (this.exited) return;
    this.received.push(message);
    queueMicrotask(() => this.handle(message));
  }

  private handle(message: ToWorker): void {
    if (message.type === 'load') {
      if (this.behaviour.loadError || this.behaviour.loadFailsFor?.(message.model)) {
        this.emit({
          type: 'load-failed',
          error: { code: 'MODEL_MISSING', message: this.behaviour.loadError ?? `${message.model}: broken` },
        });
      } else {
        // An adapted model (<profile>/models/<name>) answers with its name, as the real engine does.
        const adapted = path.basename(path.dirname(message.model)) === 'models';
        this.emit({
          type: 'ready',
          modelName: adapted ? path.basename(message.model) : 'fake-model',
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
        const timing = {
          speechEndSec: 0.5,
          hangoverSec: 0,
          computeMs: 10,
          speculative: false,
          recognizerEnd: false,
        };
        this.emit({
          type: 'live-event',
          sessionId,
          event: {
            type: 'final',
            segment: 1,
            text: 'hello',
            displayText: 'hello.',
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
    } else if (message.type === 'adapt-start') {
      this.adaptStart(message);
    } else if (message.type === 'adapt-cancel') {
      if (this.heldAdapt?.adaptId === message.adaptId) {
        this.heldAdapt = null;
        this.emit({
          type: 'adapt-failed',
          adaptId: message.adaptId,
          error: { code: 'CANCELLED', message: 'speaker adaptation cancelled' },
        });
      }
    } else if (message.type === 'decode') {
      // Decoding is the engine's real decoder, as in the worker: only the model is scripted here.
      const { requestId } = message;
      loadAudioFile(message.path, message.sampleRate).then(
        (samples) => !this.exited && this.emit({ type: 'decoded', requestId, samples }),
        (error: unknown) =>
          !this.exited &&
          this.emit({ type: 'decode-failed', requestId, error: toErrorInfo(error, 'ENGINE_ERROR') }),
      );
    } else if (message.type === 'cancel') {
      this.emit({ type: 'failed', jobId: message.jobId, error: { code: 'CANCELLED', message: 'cancelled' } });
    }
  }

  private adaptStart(message: Extract<ToWorker, { type: 'adapt-start' }>): void {
    const { adaptId, items, profileDir, name, options } = message;
    const behaviour = this.behaviour.adapt ?? {};
    const total = 2 * (options.epochs ?? 1);
    this.emit({
      type: 'adapt-progress',
      adaptId,
      progress: {
        phase: 'features',
        step: items.length,
        total: items.length,
        loss: null,
        etaSec: 0,
        epoch: 0,
      },
    });
    this.emit({
      type: 'adapt-progress',
      adaptId,
      progress: { phase: 'train', step: 1, total, loss: 1.5, etaSec: 1, epoch: 1 },
    });
    const finish = () => {
      if (this.exited) return;
      if (behaviour.crash) return this.crash(70);
      if (behaviour.fail) {
        this.emit({
          type: 'adapt-failed',
          adaptId,
          error: { code: 'ENGINE_ERROR', message: behaviour.fail },
        });
        return;
      }
      const kept = options.keepAnyway ? 'adapted' : (behaviour.kept ?? 'adapted');
      let modelDir: string | null = null;
      if (kept === 'adapted') {
        modelDir = path.join(profileDir, 'models', name);
        mkdirSync(modelDir, { recursive: true });
        writeFileSync(path.join(modelDir, 'manifest.json'), JSON.stringify({ name }));
        writeFileSync(
          path.join(modelDir, 'adaptation.json'),
          JSON.stringify({ before: { wer: 0.5 }, after: { wer: 0.25 }, createdAt: '2024-01-01T00:00:00Z' }),
        );
      }
      this.emit({
        type: 'adapt-done',
        adaptId,
        result: {
          kept,
          beforeWer: 0.5,
          afterWer: kept === 'adapted' ? 0.25 : 0.5,
          modelDir,
          modelName: modelDir ? name : null,
          utterances: items.length,
          seconds: 0.1,
        },
      });
    };
    if (behaviour.manual) this.heldAdapt = { adaptId, finish };
    else finish();
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
