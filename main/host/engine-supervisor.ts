/**
 * Owns the engine worker process: starts it, loads the model, runs one job at a time, and restarts it
 * when it crashes. A crash fails only the job that was running (with a message that says so); finished
 * transcripts live in the renderer and the saved project, so nothing else is lost. The process is
 * started through an injected `spawn` so Electron (utilityProcess) and the bridge (child_process) share
 * this logic, and tests can drive it with a fake.
 */
import { HostError } from '../common/errors';
import type { EngineStatus, ErrorInfo } from '../common/ipc-contract';
import { processRssMb } from '../engine/process-memory';
import type { Transcript } from '../common/transcript';
import type {
  AdaptJobOptions,
  AdaptJobProgress,
  AdaptJobResult,
  EngineStats,
  ForwardedLiveEvent,
  FromWorker,
  ToWorker,
} from './engine-protocol';

/** A running worker process, whatever started it. */
export interface EngineWorkerHandle {
  send(message: ToWorker): void;
  onMessage(listener: (message: FromWorker) => void): void;
  /** Called once when the process exits, for whatever reason. */
  onExit(listener: (code: number | null) => void): void;
  kill(): void;
  /** The process id, for the memory watchdog (undefined: not known, no watchdog). */
  readonly pid?: number;
}

/**
 * The engine process's memory ceiling: far above what it needs (300–470 MB dictating for an hour, under
 * 600 MB on every fuzz input) and far below what takes a machine down. SPEECH_STUDIO_ENGINE_MEMORY_MB
 * overrides it.
 */
export const ENGINE_MEMORY_LIMIT_MB = Number(process.env.SPEECH_STUDIO_ENGINE_MEMORY_MB) || 2048;

/**
 * V8 flags of the engine process, whichever way it is started (Node child or Electron utility process):
 * - the heap limit stops a runaway in JavaScript; the supervisor's RSS watchdog covers the rest
 *   (WebAssembly memory and buffers live outside the heap);
 * - a 1 MB young generation (V8's default is 16 MB a semi-space, reserved twice): the engine's
 *   JavaScript garbage is small and short-lived (frames, hypotheses; audio and tensors live outside the
 *   heap), so the smaller nursery costs no measurable time and keeps the heap about 35 MB smaller
 *   (heapTotal 78 → 43 MB after decoding, measured in a bundled engine on the build machine);
 * - no allocation-site pretenuring: with so small a nursery, a decode's hypotheses and maps (they live
 *   for the decode, hundreds of ms) often survive a scavenge, V8 then decides to allocate at those
 *   sites straight into the old generation (`--trace-pretenuring`: "undecided => tenure"), and that
 *   garbage piles up between major collections: the heap went from 75 to 110–138 MB for a minute at a
 *   time in the dictation soak, RSS up to 257 MB. Without it the same hour's soak read 190–209 MB
 *   (heap 48 MB median, 68 MB at most; README, Soak);
 * - `gc()` for the engine worker's collection after each dictation final (engine-worker.ts).
 */
export const ENGINE_V8_FLAGS: readonly string[] = [
  `--max-old-space-size=${ENGINE_MEMORY_LIMIT_MB}`,
  '--max-semi-space-size=1',
  '--no-allocation-site-pretenuring',
  '--expose-gc',
];

/**
 * Environment of the engine process, whichever way it is started: the parent's, plus a fixed mmap
 * threshold for glibc's malloc. glibc raises that threshold to the size of the last large block freed
 * (up to 32 MB), after which buffers of the model's size (a learned-weights file, 15 MB) come from the
 * heap and their memory stays with the process when freed. Fixed at 128 KB, every large buffer is
 * mapped and unmapped on its own: the engine's RSS after loading 30 MB lower, and flat over repeated
 * swaps of learned weights instead of growing by 85 MB (measured in-process on the build machine).
 * Other C libraries ignore the variable.
 */
export function engineEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, MALLOC_MMAP_THRESHOLD_: '131072' };
}

export type SpawnEngineWorker = () => EngineWorkerHandle;

export interface EngineSupervisorOptions {
  spawn: SpawnEngineWorker;
  /** Model name (a folder in modelsDir) or a path to a model folder. */
  model: string;
  /** Where model names are resolved; null uses the engine's own default (the repository's models/). */
  modelsDir: string | null;
  /** Crashes allowed within `crashWindowMs` before giving up (state `failed`). */
  maxCrashes?: number;
  crashWindowMs?: number;
  /** Delay before a restart, so a crash loop cannot spin the CPU. */
  restartDelayMs?: number;
  /**
   * A worker whose resident memory passes this is stopped: the running job fails with
   * ENGINE_OUT_OF_MEMORY, the worker restarts and the queue goes on (not counted as a crash).
   */
  memoryLimitMb?: number;
  memoryPollMs?: number;
  /** Reads a worker's RSS in MB (default: from /proc by pid; null: unknown). */
  readRssMb?: (worker: EngineWorkerHandle) => number | null;
  onStatus?: (status: EngineStatus) => void;
}

/** A failure the engine process reported (or the supervisor's own: busy, stopped, crashed). */
export class EngineJobError extends HostError {
  constructor(info: ErrorInfo) {
    super(info.code, info.message);
  }
}

interface RunningJob {
  jobId: string;
  label: string;
  onProgress: (fraction: number, processedSec: number) => void;
  resolve: (transcript: Transcript) => void;
  reject: (error: EngineJobError) => void;
}

interface LiveSession {
  sessionId: string;
  onEvent: (event: ForwardedLiveEvent) => void;
  /** The session ended abnormally (engine error or crash); no more events will come. */
  onError: (error: EngineJobError) => void;
  stopped: { resolve: () => void; reject: (error: EngineJobError) => void } | null;
}

interface AdaptJob {
  adaptId: string;
  onProgress: (progress: AdaptJobProgress) => void;
  resolve: (result: AdaptJobResult) => void;
  reject: (error: EngineJobError) => void;
}

interface Decode {
  resolve: (samples: Float32Array) => void;
  reject: (error: EngineJobError) => void;
}

let liveCounter = 0;

export class EngineSupervisor {
  private readonly options: Required<Omit<EngineSupervisorOptions, 'onStatus'>> &
    Pick<EngineSupervisorOptions, 'onStatus'>;
  /** Stops the worker's memory watchdog (null: none running). */
  private stopMemoryWatch: (() => void) | null = null;
  /** Set when the watchdog stopped the worker, so its exit is reported as that and not as a crash. */
  private memoryKill: { rssMb: number } | null = null;
  private worker: EngineWorkerHandle | null = null;
  private job: RunningJob | null = null;
  private live: LiveSession | null = null;
  private vocabulary: string[] = [];
  private learnedWeights: string | null = null;
  private adaptJob: AdaptJob | null = null;
  /** The model given at construction; `useModel(null)` returns to it. */
  readonly baseModel: string;
  private statsWaiters = new Map<string, (stats: EngineStats) => void>();
  /** Decodes asked of the worker that runs now; a crash or a stop fails them. */
  private decodes = new Map<string, Decode>();
  private crashTimes: number[] = [];
  private restartTimer: ReturnType<typeof setTimeout> | null = null;
  private readyWaiters: { resolve: () => void; reject: (error: EngineJobError) => void }[] = [];
  private disposed = false;
  private current: EngineStatus = {
    state: 'starting',
    modelName: null,
    backend: null,
    message: null,
    restarts: 0,
  };

  constructor(options: EngineSupervisorOptions) {
    this.options = {
      maxCrashes: 3,
      crashWindowMs: 60_000,
      restartDelayMs: 500,
      memoryLimitMb: ENGINE_MEMORY_LIMIT_MB,
      memoryPollMs: 250,
      readRssMb: (worker) => (worker.pid ? processRssMb(worker.pid) : null),
      ...options,
    };
    this.baseModel = options.model;
  }

  /** The model the worker loads now: the base, or a path to an adapted model. */
  get model(): string {
    return this.options.model;
  }

  /** Whether a speaker adaptation is running (or waiting) in the engine process. */
  get adapting(): boolean {
    return this.adaptJob !== null;
  }

  /**
   * Speaker adaptation of the loaded model in the engine process (one at a time). Files are WAV
   * recordings the host wrote; the adapted model is saved as `<profileDir>/models/<name>/` when kept.
   */
  async adapt(
    items: { path: string; text: string }[],
    profileDir: string,
    name: string,
    options: AdaptJobOptions,
    onProgress: AdaptJob['onProgress'],
  ): Promise<AdaptJobResult> {
    if (this.adaptJob)
      throw new EngineJobError({ code: 'ADAPT_BUSY', message: 'An adaptation is already running.' });
    const adaptId = `adapt-${++liveCounter}`;
    const promise = new Promise<AdaptJobResult>((resolve, reject) => {
      this.adaptJob = { adaptId, onProgress, resolve, reject };
    });
    const job = this.adaptJob as AdaptJob | null;
    try {
      await this.whenReady();
    } catch (error) {
      if (this.adaptJob === job) this.adaptJob = null;
      throw error;
    }
    if (this.adaptJob !== job) return promise;
    const worker = this.worker;
    if (!worker || this.disposed) {
      this.adaptJob = null;
      throw new EngineJobError({ code: 'ENGINE_STOPPED', message: 'The speech engine was shut down.' });
    }
    worker.send({ type: 'adapt-start', adaptId, items, profileDir, name, options });
    return promise;
  }

  /** Cancels the running adaptation (it fails with CANCELLED). */
  cancelAdapt(): void {
    if (this.adaptJob) this.worker?.send({ type: 'adapt-cancel', adaptId: this.adaptJob.adaptId });
  }

  /**
   * Reloads the engine with another model (a path to an adapted model, or null for the base): the worker
   * is restarted and this resolves once the new model is ready. Refused while anything runs.
   */
  async useModel(model: string | null): Promise<void> {
    if (this.job || this.live || this.adaptJob)
      throw new EngineJobError({
        code: 'ENGINE_BUSY',
        message:
          'The engine is busy (a transcription, dictation or adaptation is running); try again after it.',
      });
    if (this.disposed)
      throw new EngineJobError({ code: 'ENGINE_STOPPED', message: 'The speech engine was shut down.' });
    this.options.model = model ?? this.baseModel;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    this.stopWorker();
    this.crashTimes = [];
    this.failDecodes(
      new EngineJobError({
        code: 'ENGINE_BUSY',
        message: 'The speech engine was restarted with another model while decoding the file; try again.',
      }),
    );
    this.setStatus({ state: 'starting', modelName: null, backend: null, message: null });
    const ready = this.whenReady();
    this.start();
    await ready;
  }

  get status(): EngineStatus {
    return this.current;
  }

  start(): void {
    if (this.disposed || this.worker) return;
    const worker = this.options.spawn();
    this.worker = worker;
    worker.onMessage((message) => {
      if (this.worker === worker) this.onMessage(message);
    });
    worker.onExit((code) => {
      if (this.worker === worker) this.onExit(code);
    });
    this.watchMemory(worker);
    worker.send({ type: 'load', model: this.options.model, modelsDir: this.options.modelsDir });
    // A restarted worker gets the user's vocabulary again (it applies it once the model is loaded).
    if (this.vocabulary.length > 0) worker.send({ type: 'set-vocabulary', phrases: this.vocabulary });
    if (this.learnedWeights) worker.send({ type: 'use-weights', path: this.learnedWeights });
  }

  /**
   * Weights learned from corrections, applied to the model now (after a running dictation) and after
   * every restart; they are skipped for a model they were not learned for. null: the model's own.
   */
  setLearnedWeights(file: string | null): void {
    this.learnedWeights = file;
    this.worker?.send({ type: 'use-weights', path: file });
  }

  /**
   * Another engine process for background work (a learning round), started the way this worker is,
   * with the model this one loads. The caller owns it: nothing here restarts it, and its memory is
   * watched only where the caller asks (memoryWatchdog).
   */
  spawnHelper(): { worker: EngineWorkerHandle; model: string; modelsDir: string | null } {
    return { worker: this.options.spawn(), model: this.options.model, modelsDir: this.options.modelsDir };
  }

  /** Words and phrases the decoder favours, now and after every restart (empty: none). */
  setVocabulary(phrases: readonly string[]): void {
    this.vocabulary = [...phrases];
    this.worker?.send({ type: 'set-vocabulary', phrases: this.vocabulary });
  }

  /** Transcribes one file; rejects with EngineJobError (engine error, crash, or engine unavailable). */
  async run(
    jobId: string,
    path: string,
    label: string,
    onProgress: RunningJob['onProgress'],
  ): Promise<Transcript> {
    if (this.job) throw new Error('EngineSupervisor.run: a job is already running (the host must queue)');
    await this.whenReady();
    const worker = this.worker;
    if (!worker || this.disposed)
      throw new EngineJobError({ code: 'ENGINE_STOPPED', message: 'The speech engine was shut down.' });
    return new Promise<Transcript>((resolve, reject) => {
      this.job = { jobId, label, onProgress, resolve, reject };
      worker.send({ type: 'transcribe', jobId, path });
    });
  }

  /**
   * Starts live dictation in the engine process (one session at a time, alongside file jobs). Events
   * arrive through `onEvent`; an engine failure or crash ends the session through `onError`.
   */
  async startLive(
    sampleRate: number,
    onEvent: LiveSession['onEvent'],
    onError: LiveSession['onError'],
  ): Promise<void> {
    if (this.live) throw new Error('EngineSupervisor.startLive: a live session is already running');
    const session: LiveSession = { sessionId: `live-${++liveCounter}`, onEvent, onError, stopped: null };
    this.live = session;
    try {
      await this.whenReady();
    } catch (error) {
      if (this.live === session) this.live = null;
      throw error;
    }
    if (this.live !== session) return;
    this.worker?.send({ type: 'live-start', sessionId: session.sessionId, sampleRate });
  }

  /** Audio for the live session (dropped when none is running). */
  liveAudio(samples: Float32Array): void {
    if (this.live && !this.live.stopped)
      this.worker?.send({ type: 'live-audio', sessionId: this.live.sessionId, samples });
  }

  /** Ends the live session once the engine has processed all its audio and sent the last final. */
  stopLive(): Promise<void> {
    const session = this.live;
    if (!session) return Promise.resolve();
    if (!this.worker) {
      this.live = null;
      return Promise.resolve();
    }
    const worker = this.worker;
    return new Promise<void>((resolve, reject) => {
      session.stopped = { resolve, reject };
      worker.send({ type: 'live-stop', sessionId: session.sessionId });
    });
  }

  /** Forgets the live session without waiting for the engine (cancel). */
  abandonLive(): void {
    const session = this.live;
    if (!session) return;
    this.live = null;
    this.worker?.send({ type: 'live-stop', sessionId: session.sessionId });
  }

  /** Memory and CPU figures of the engine process (null if it is not running or does not answer). */
  stats(timeoutMs = 5000): Promise<EngineStats | null> {
    const worker = this.worker;
    if (!worker) return Promise.resolve(null);
    const requestId = `stats-${++liveCounter}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.statsWaiters.delete(requestId);
        resolve(null);
      }, timeoutMs);
      this.statsWaiters.set(requestId, (stats) => {
        clearTimeout(timer);
        resolve(stats);
      });
      worker.send({ type: 'stats', requestId });
    });
  }

  /**
   * Decodes a whole audio file (every format the engine reads) to mono samples at `sampleRate` in the
   * engine process, so no host loads codec libraries. Runs beside file jobs and dictation, not behind
   * them; rejects with EngineJobError when the file cannot be decoded or the engine stops meanwhile.
   */
  async decodeAudio(file: string, sampleRate: number): Promise<Float32Array> {
    // A worker that is up decodes at once (the model need not have loaded); otherwise wait for one.
    if (!this.worker) await this.whenReady();
    const worker = this.worker;
    if (!worker || this.disposed)
      throw new EngineJobError({ code: 'ENGINE_STOPPED', message: 'The speech engine was shut down.' });
    const requestId = `decode-${++liveCounter}`;
    return new Promise<Float32Array>((resolve, reject) => {
      this.decodes.set(requestId, { resolve, reject });
      worker.send({ type: 'decode', requestId, path: file, sampleRate });
    });
  }

  /** Fails every decode in flight (the worker that was doing them is gone). */
  private failDecodes(error: EngineJobError): void {
    const decodes = [...this.decodes.values()];
    this.decodes.clear();
    for (const decode of decodes) decode.reject(error);
  }

  cancel(jobId: string): void {
    if (this.job?.jobId === jobId) this.worker?.send({ type: 'cancel', jobId });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.stopWorker();
    const error = new EngineJobError({ code: 'ENGINE_STOPPED', message: 'The speech engine was shut down.' });
    this.job?.reject(error);
    this.job = null;
    this.adaptJob?.reject(error);
    this.adaptJob = null;
    if (this.live) this.endLive(this.live, error);
    this.live = null;
    this.failDecodes(error);
    for (const waiter of this.readyWaiters.splice(0)) waiter.reject(error);
  }

  /** Stops the worker on purpose: forgotten first, so its exit is not taken for a crash. */
  private stopWorker(): void {
    const worker = this.worker;
    this.worker = null;
    this.stopWatchingMemory();
    worker?.kill();
  }

  /** Polls the worker's RSS; past the limit it is killed and onExit reports why (one job lost, not the app). */
  private watchMemory(worker: EngineWorkerHandle): void {
    this.stopWatchingMemory();
    this.memoryKill = null;
    this.stopMemoryWatch = this.memoryWatchdog(worker, (rssMb) => {
      if (this.worker !== worker) return;
      this.memoryKill = { rssMb };
      this.stopMemoryWatch = null;
      worker.kill();
    });
  }

  private stopWatchingMemory(): void {
    this.stopMemoryWatch?.();
    this.stopMemoryWatch = null;
  }

  /**
   * Reads `worker`'s RSS every `memoryPollMs` and calls `onOver` once when it passes this engine's memory
   * ceiling (then stops reading). The worker's own watchdog and helpers' (spawnHelper) share it. Returns
   * a function that stops it.
   */
  memoryWatchdog(worker: EngineWorkerHandle, onOver: (rssMb: number, limitMb: number) => void): () => void {
    const timer = setInterval(() => {
      const rssMb = this.options.readRssMb(worker);
      if (rssMb === null || rssMb <= this.options.memoryLimitMb) return;
      clearInterval(timer);
      onOver(rssMb, this.options.memoryLimitMb);
    }, this.options.memoryPollMs);
    timer.unref?.();
    return () => clearInterval(timer);
  }

  private whenReady(): Promise<void> {
    if (this.current.state === 'ready') return Promise.resolve();
    if (this.current.state === 'failed' || this.disposed) {
      return Promise.reject(
        new EngineJobError({
          code: 'ENGINE_UNAVAILABLE',
          message: this.current.message ?? 'The speech engine is not available.',
        }),
      );
    }
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  private setStatus(patch: Partial<EngineStatus>): void {
    this.current = { ...this.current, ...patch };
    this.options.onStatus?.(this.current);
    if (this.current.state === 'ready') for (const waiter of this.readyWaiters.splice(0)) waiter.resolve();
    if (this.current.state === 'failed') {
      const error = new EngineJobError({
        code: 'ENGINE_UNAVAILABLE',
        message: this.current.message ?? 'engine failed',
      });
      for (const waiter of this.readyWaiters.splice(0)) waiter.reject(error);
    }
  }

  private onMessage(message: FromWorker): void {
    switch (message.type) {
      case 'ready':
        this.setStatus({
          state: 'ready',
          modelName: message.modelName,
          backend: message.backend,
          message: null,
        });
        break;
      case 'load-failed':
        // A missing or broken model will not fix itself by restarting: stop and say why.
        this.setStatus({ state: 'failed', message: message.error.message });
        this.stopWorker();
        this.failDecodes(new EngineJobError({ code: 'ENGINE_UNAVAILABLE', message: message.error.message }));
        break;
      case 'progress':
        if (this.job?.jobId === message.jobId) this.job.onProgress(message.fraction, message.processedSec);
        break;
      case 'stats':
        this.statsWaiters.get(message.requestId)?.(message.stats);
        this.statsWaiters.delete(message.requestId);
        break;
      case 'decoded':
      case 'decode-failed': {
        const decode = this.decodes.get(message.requestId);
        this.decodes.delete(message.requestId);
        if (message.type === 'decoded') decode?.resolve(message.samples);
        else decode?.reject(new EngineJobError(message.error));
        break;
      }
      case 'adapt-progress':
        if (this.adaptJob?.adaptId === message.adaptId) this.adaptJob.onProgress(message.progress);
        break;
      case 'adapt-done':
      case 'adapt-failed': {
        const job = this.adaptJob;
        if (job?.adaptId !== message.adaptId) return;
        this.adaptJob = null;
        if (message.type === 'adapt-done') job.resolve(message.result);
        else job.reject(new EngineJobError(message.error));
        break;
      }
      case 'live-event':
        if (this.live?.sessionId === message.sessionId) this.live.onEvent(message.event);
        break;
      case 'live-stopped':
      case 'live-failed': {
        const session = this.live;
        if (session?.sessionId !== message.sessionId) return;
        this.live = null;
        if (message.type === 'live-stopped') session.stopped?.resolve();
        else this.endLive(session, new EngineJobError(message.error));
        break;
      }
      case 'done':
      case 'failed': {
        const job = this.job;
        if (job?.jobId !== message.jobId) return;
        this.job = null;
        if (message.type === 'done') job.resolve(message.transcript);
        else job.reject(new EngineJobError(message.error));
        break;
      }
    }
  }

  /**
   * The watchdog stopped the worker: whatever ran fails with a message that says so, and the worker
   * restarts at once. Not counted as a crash: the input was the problem, and the next job is another.
   */
  private onMemoryKill(rssMb: number): void {
    const limit = this.options.memoryLimitMb;
    const error = (what: string) =>
      new EngineJobError({
        code: 'ENGINE_OUT_OF_MEMORY',
        message: `${what} needed more than ${limit} MB of memory (${Math.round(rssMb)} MB) and was stopped; the speech engine has been restarted and the other files go on.`,
      });
    const job = this.job;
    this.job = null;
    job?.reject(error(`Transcribing ${job.label}`));
    const adaptJob = this.adaptJob;
    this.adaptJob = null;
    adaptJob?.reject(error('Speaker adaptation'));
    const session = this.live;
    this.live = null;
    if (session) this.endLive(session, error('Dictation'));
    this.failDecodes(error('Decoding the file'));
    this.setStatus({ state: 'starting', message: null, restarts: this.current.restarts + 1 });
    this.start();
  }

  private endLive(session: LiveSession, error: EngineJobError): void {
    session.onError(error);
    session.stopped?.reject(error);
  }

  private onExit(code: number | null): void {
    this.worker = null;
    this.stopWatchingMemory();
    if (this.disposed) return;
    const memoryKill = this.memoryKill;
    this.memoryKill = null;
    if (memoryKill) {
      this.onMemoryKill(memoryKill.rssMb);
      return;
    }
    const session = this.live;
    this.live = null;
    if (session) {
      this.endLive(
        session,
        new EngineJobError({
          code: 'ENGINE_CRASHED',
          message: `The speech engine stopped unexpectedly during dictation (exit code ${code ?? 'unknown'}). The recording so far is kept; the engine is restarting.`,
        }),
      );
    }
    const adaptJob = this.adaptJob;
    this.adaptJob = null;
    adaptJob?.reject(
      new EngineJobError({
        code: 'ENGINE_CRASHED',
        message: `The speech engine stopped unexpectedly during speaker adaptation (exit code ${code ?? 'unknown'}). The recordings are kept; try again.`,
      }),
    );
    this.failDecodes(
      new EngineJobError({
        code: 'ENGINE_CRASHED',
        message: `The speech engine stopped unexpectedly while decoding the file (exit code ${code ?? 'unknown'}); try again.`,
      }),
    );
    const job = this.job;
    this.job = null;
    const during = job ? ` while transcribing ${job.label}` : '';
    job?.reject(
      new EngineJobError({
        code: 'ENGINE_CRASHED',
        message: `The speech engine stopped unexpectedly${during} (exit code ${code ?? 'unknown'}). It has been restarted; try this file again.`,
      }),
    );
    const now = Date.now();
    this.crashTimes = [...this.crashTimes.filter((t) => now - t < this.options.crashWindowMs), now];
    if (this.crashTimes.length > this.options.maxCrashes) {
      this.setStatus({
        state: 'failed',
        message: `The speech engine crashed ${this.crashTimes.length} times in a row and was not restarted again. Restart the app to retry.`,
      });
      return;
    }
    this.setStatus({
      state: 'crashed',
      message: `The speech engine stopped unexpectedly${during}; restarting…`,
      restarts: this.current.restarts + 1,
    });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.start();
    }, this.options.restartDelayMs);
  }
}
