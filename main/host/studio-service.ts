/**
 * Everything the contract's channels do, independent of transport: the file table, the transcription
 * queue (one job at a time, with progress and ETA), the project store and dictation. Electron main
 * (main/electron) and the browser bridge (main/bridge) each wrap one instance in their own transport, so
 * both behave the same and this logic is tested without either.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type {
  AdaptRequest,
  BatchAdded,
  BatchFile,
  DictationEndReason,
  DictationResult,
  DictationSource,
  DictationStarted,
  DictationStartRequest,
  ErrorInfo,
  FileRef,
  HostMode,
  JobTicket,
  MicStatus,
  Project,
  QueueState,
  RunTarget,
  StudioEvent,
  StudioInfo,
  VoiceProfile,
} from '../common/ipc-contract';
import type { Transcript, Word } from '../common/transcript';
import { playRealtime, type RealtimePlayback } from '../engine/audio/realtime-source';
import { loadWavFile } from '../engine/audio/wav-load';
import { encodeWav } from '../engine/audio/wav-writer';
import { loadManifest, scanFolder, type EvalSetInput } from '../engine/reference-files';
import { EngineJobError, type EngineSupervisor } from './engine-supervisor';
import { FileRegistry } from './file-registry';
import type { MicCapture } from './native-mic';
import { adaptedModelDir, PROFILE_SAMPLE_RATE, VoiceProfileStore } from './profile';
import { ProjectStore, type JobOutcome, type StoredFile } from './project-store';
import { RunTargetError, RunTargetSwitch } from './run-target';
import { finiteAudio } from './validate';

/** A failure the user should see as is (bad request, unknown file, dictation misuse). */
export class StudioError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'StudioError';
  }
}

export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof EngineJobError) return error.info;
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') {
    return { code: error.code, message: error.message };
  }
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

export interface StudioServiceOptions {
  mode: HostMode;
  version: string;
  engine: EngineSupervisor;
  /** The JSON file the project is saved to. */
  projectFile: string;
  /** Where dictation recordings are written. */
  recordingsDir: string;
  mediaUrl: (fileId: string) => string;
  /** Delivers an event to the renderer(s). */
  emit: (event: StudioEvent) => void;
  /** Native microphone capture, when the host has it (Electron); null means stream-only. */
  mic?: MicCapture | null;
  /** Why native capture is unavailable, for the status bar. */
  micUnavailable?: string | null;
  /**
   * Decodes a file for the file source of dictation. Default: WAV only, with no codec libraries (what
   * Electron's main process may load); the browser bridge passes the engine's full decoder.
   */
  loadAudio?: (file: string, sampleRate: number) => Promise<Float32Array>;
  /** The voice profile folder (enrollment, corrections, adapted models); default `<project dir>/profile`. */
  profileDir?: string;
}

interface QueuedJob {
  ticket: JobTicket;
  path: string;
  label: string;
  /** Saved with the project's queue (a file the user queued; not a dictation recording). */
  persist: boolean;
  size: number;
  fraction: number;
  etaSec: number | null;
  /** Its outcome is being recorded: no longer part of the saved queue. */
  finished?: boolean;
  resolve: (transcript: Transcript) => void;
  reject: (error: unknown) => void;
}

interface Dictation {
  /** What the start returned (what windows opened later are told). */
  started: DictationStarted;
  source: DictationSource;
  sampleRate: number;
  chunks: Float32Array[];
  samples: number;
  overflowed: boolean;
  /** Finished utterances from the live engine, in order. */
  finals: Word[][];
  /** Compute the engine spent on finals, for the transcript's real-time factor. */
  computeSec: number;
  /** The live engine failed mid-session: the recording is transcribed as a file when it stops. */
  liveFailed: boolean;
  /** The file source's playback, when a file stands in for the microphone. */
  playback: RealtimePlayback | null;
  /** Cancelled: late engine events are ignored. */
  ended: boolean;
}

/** The sample rate a file source plays at (the model's, so nothing is resampled twice). */
const FILE_SOURCE_RATE = 16000;

/** Vocabulary entries the decoder takes (the beam decoder's own cap, MAX_BOOST_PHRASES, is the same). */
export const MAX_VOCABULARY_PHRASES = 5000;

/** Dictation recordings are capped so a forgotten session cannot exhaust memory. */
export const MAX_DICTATION_SEC = 300;

export class StudioService {
  readonly files: FileRegistry;
  private readonly project: ProjectStore;
  private readonly queue: QueuedJob[] = [];
  private running: QueuedJob | null = null;
  /** Paused: no new job starts (the running one finishes). Saved with the queue. */
  private paused = false;
  private restoring: Promise<void> | null = null;
  private disposed = false;
  private dictation: Dictation | null = null;
  private levelAt = 0;
  readonly profile: VoiceProfileStore;
  /** This computer, or the workers of a transcription queue ("Run on"). */
  private readonly runTarget = new RunTargetSwitch();
  /** Cancels the running file's wait when it runs on a queue. */
  private runningAbort: AbortController | null = null;

  constructor(private readonly options: StudioServiceOptions) {
    this.files = new FileRegistry(options.mediaUrl);
    this.project = new ProjectStore(options.projectFile, this.files);
    this.profile = new VoiceProfileStore(
      options.profileDir ?? path.join(path.dirname(options.projectFile), 'profile'),
    );
  }

  getInfo(): StudioInfo {
    return {
      mode: this.options.mode,
      version: this.options.version,
      engine: this.options.engine.status,
      mic: this.micStatus(),
      queueUrl: this.runTarget.url,
      dictation: this.dictationSession,
    };
  }

  private micStatus(): MicStatus {
    const mic = this.options.mic;
    if (!mic)
      return {
        source: 'stream',
        devices: [],
        nativeUnavailable: this.options.micUnavailable ?? 'not offered',
      };
    try {
      return { source: 'native', devices: mic.listDevices(), nativeUnavailable: null };
    } catch (error) {
      return { source: 'stream', devices: [], nativeUnavailable: toErrorInfo(error).message };
    }
  }

  async addPaths(paths: readonly string[]): Promise<FileRef[]> {
    const refs: FileRef[] = [];
    for (const file of paths) refs.push(await this.files.register(file));
    return refs;
  }

  /**
   * A folder the user chose (Electron's dialog): searched recursively for audio, each file paired with the
   * `.txt` beside it as its reference (the rules of `npm run eval`, main/engine/reference-files.ts).
   */
  async addFolder(dir: string): Promise<BatchAdded> {
    const [set] = await scanFolder(dir);
    return this.addSet(set);
  }

  /** A reference manifest the user chose: the audio files it lists (that exist) with their references. */
  async addManifest(file: string): Promise<BatchAdded> {
    return this.addSet(await loadManifest(file));
  }

  private async addSet(set: EvalSetInput): Promise<BatchAdded> {
    const files: BatchFile[] = [];
    const warnings = [...set.warnings];
    for (const item of set.items) {
      try {
        const file = await this.files.register(item.audio);
        files.push({ file, path: item.file, reference: item.reference });
      } catch {
        // loadManifest has already listed the missing files in its warnings.
        if (set.kind !== 'manifest') warnings.push(`${item.file}: not readable`);
      }
    }
    return { set: set.name, files, unmatched: [], warnings };
  }

  transcribe(fileId: string): JobTicket {
    // A file already waiting or running keeps its job (a second window or a reload asking again).
    const existing = [this.running, ...this.queue].find(
      (job) => job?.persist && !job.finished && job.ticket.fileId === fileId,
    );
    if (existing) return existing.ticket;
    const ticket = { jobId: randomUUID(), fileId };
    this.enqueue(ticket, false).catch(() => {
      // Reported through job-failed; nothing waits on this promise.
    });
    return ticket;
  }

  cancel(jobId: string): void {
    const index = this.queue.findIndex((job) => job.ticket.jobId === jobId);
    if (index >= 0) {
      const [job] = this.queue.splice(index, 1);
      const error: ErrorInfo = { code: 'CANCELLED', message: `${job.label}: transcription cancelled` };
      // Told at once; the outcome is recorded in the background (without a number the renderer knows of,
      // so it stays laid over the renderer's saves: harmless, the file shows as cancelled either way).
      this.options.emit({ type: 'job-failed', ...job.ticket, error });
      job.reject(new EngineJobError(error));
      void this.finish(job, { error });
    } else if (this.running?.ticket.jobId === jobId) {
      this.options.engine.cancel(jobId);
      this.runningAbort?.abort();
    }
  }

  /**
   * Restores the saved queue once, at startup: files that were waiting (or running) when the app stopped
   * are queued again; finished files are in the project and are not redone. Safe to call repeatedly.
   */
  restore(): Promise<void> {
    this.restoring ??= this.project.queue().then(({ paused, files }) => {
      this.paused = paused;
      for (const file of files) if (!this.disposed) this.transcribe(file.id);
    });
    return this.restoring;
  }

  /**
   * The files the saved project refers to (absolute paths): what a cleanup of the data folder must keep;
   * null when the project file is unreadable (then nothing may be cleaned up).
   */
  projectPaths(): Promise<string[] | null> {
    return this.project.paths();
  }

  async loadProject(): Promise<Project> {
    await this.restore();
    return this.project.load();
  }

  getQueue(): QueueState {
    const jobs = [this.running, ...this.queue]
      .filter((job): job is QueuedJob => !!job && !job.finished)
      .map((job) => ({
        ...job.ticket,
        state: job === this.running ? ('running' as const) : ('queued' as const),
        fraction: job.fraction,
        etaSec: job.etaSec,
      }));
    return { paused: this.paused, jobs };
  }

  /** Pauses the queue after the running job, or resumes it. */
  async pauseQueue(paused: boolean): Promise<void> {
    this.paused = paused;
    this.options.emit({ type: 'queue-paused', paused });
    await this.saveQueue();
    if (!paused) {
      this.submitQueued();
      void this.pump();
    }
  }

  private storedFile(job: QueuedJob): StoredFile {
    return { path: job.path, name: job.label, size: job.size };
  }

  private saveQueue(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    const pending = [this.running, ...this.queue]
      .filter((job): job is QueuedJob => !!job?.persist && !job.finished)
      .map((job) => this.storedFile(job));
    return this.project.setQueue({ paused: this.paused, pending }).catch(() => {
      // Best effort: a failing disk also fails the renderer's saves, which the user is told about.
    });
  }

  /** Records a queued file's outcome in the project (before the renderer hears of it) and saves the queue. */
  private async finish(job: QueuedJob, outcome: JobOutcome): Promise<number | undefined> {
    if (!job.persist || this.disposed) return undefined;
    const seq = await this.project.recordOutcome(this.storedFile(job), outcome).catch(() => undefined);
    void this.saveQueue();
    return seq;
  }

  saveProject(project: Project): Promise<void> {
    return this.project.save(project);
  }

  /** Queues a job; dictation jobs go to the front so the user is not kept waiting behind a long file. */
  private enqueue(ticket: JobTicket, urgent: boolean): Promise<Transcript> {
    const entry = this.files.get(ticket.fileId);
    if (!entry) throw new StudioError('UNKNOWN_FILE', `no file with id ${ticket.fileId} was opened`);
    return new Promise<Transcript>((resolve, reject) => {
      const job: QueuedJob = {
        ticket,
        path: entry.path,
        label: entry.ref.name,
        persist: !urgent,
        size: entry.ref.size,
        fraction: 0,
        etaSec: null,
        resolve,
        reject,
      };
      if (urgent) this.queue.unshift(job);
      else this.queue.push(job);
      if (job.persist && !this.paused) this.runTarget.queue?.submitAll([job.path]);
      this.options.emit({ type: 'job-queued', ...ticket });
      if (job.persist) void this.saveQueue();
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.running || this.disposed) return;
    // Paused: queued files wait, but a dictation recording (not persisted) is never held back.
    const job = this.paused
      ? this.queue[0]?.persist === false
        ? this.queue.shift()
        : undefined
      : this.queue.shift();
    if (!job) return;
    this.running = job;
    const startedAt = performance.now();
    const emit = this.options.emit;
    const onProgress = (fraction: number, processedSec: number) => {
      const elapsedSec = (performance.now() - startedAt) / 1000;
      // Extrapolate from the rate so far once there is enough of it to mean something.
      const etaSec = fraction >= 0.05 && fraction < 1 ? (elapsedSec * (1 - fraction)) / fraction : null;
      job.fraction = fraction;
      job.etaSec = etaSec;
      emit({ type: 'job-progress', ...job.ticket, fraction, processedSec, elapsedSec, etaSec });
    };
    // A dictation's recording (not persisted) stays on this computer; files go where "Run on" says.
    const queue = job.persist ? this.runTarget.queue : null;
    try {
      const transcript = queue
        ? await queue.transcribeFile(job.path, {
            signal: (this.runningAbort = new AbortController()).signal,
            onProgress: ({ fraction, processedSec }) => onProgress(fraction, processedSec),
          })
        : await this.options.engine.run(job.ticket.jobId, job.path, job.label, onProgress);
      job.finished = true;
      const seq = await this.finish(job, { transcript });
      emit({ type: 'job-done', ...job.ticket, transcript, seq });
      job.resolve(transcript);
    } catch (error) {
      const info = toErrorInfo(error);
      // Engine messages name the file by path; the user knows it by its name (uploads live in a data folder).
      const shown = { ...info, message: info.message.replaceAll(job.path, job.label) };
      job.finished = true;
      // Shutting down fails the running job: it stays in the saved queue, to be redone at the next start.
      const seq = await this.finish(job, { error: shown });
      emit({ type: 'job-failed', ...job.ticket, error: shown, seq });
      job.reject(error);
    } finally {
      this.running = null;
      this.runningAbort = null;
      void this.pump();
    }
  }

  // ---- Run on a queue -------------------------------------------------------------------------------

  /**
   * Files queued from now on run on the workers of the queue at `queueUrl` (null: on this computer). The
   * workers have the shipped models only, so while an adapted model is in use the batch stays here.
   */
  async setRunTarget(queueUrl: string | null): Promise<RunTarget> {
    const engine = this.options.engine;
    if (queueUrl !== null && engine.model !== engine.baseModel) {
      throw new StudioError(
        'QUEUE_NEEDS_BASE_MODEL',
        'Queue workers have the shipped models only: select the base model to run on a queue.',
      );
    }
    try {
      const target = await this.runTarget.set(queueUrl, {
        model: engine.baseModel,
        vocabulary: await this.profile.vocabulary().catch(() => []),
      });
      if (!this.paused) this.submitQueued();
      return target;
    } catch (error) {
      if (error instanceof RunTargetError) throw new StudioError(error.code, error.message);
      throw error;
    }
  }

  /** On a queue, every file waiting here goes to the workers at once, so that they run in parallel. */
  private submitQueued(): void {
    this.runTarget.queue?.submitAll(this.queue.filter((job) => job.persist).map((job) => job.path));
  }

  // ---- Dictation ------------------------------------------------------------------------------------
  //
  // Audio from the chosen source is recorded (so the session can be replayed and nothing is lost) and
  // streamed to the engine process, which answers with partial and final results as the user speaks.

  async startDictation(request: DictationStartRequest): Promise<DictationStarted> {
    if (this.dictation)
      throw new StudioError('DICTATION_BUSY', 'Dictation is already running; stop it first.');
    let started: DictationStarted;
    let playback: RealtimePlayback | null = null;
    if (request.source === 'stream') {
      if (!request.sampleRate)
        throw new StudioError('INVALID_REQUEST', 'stream dictation needs the sample rate');
      started = { source: 'stream', deviceName: 'browser microphone', sampleRate: request.sampleRate };
    } else if (request.source === 'file') {
      const entry = request.fileId ? this.files.get(request.fileId) : undefined;
      if (!entry) throw new StudioError('UNKNOWN_FILE', 'file dictation needs an opened file');
      started = { source: 'file', deviceName: `file: ${entry.ref.name}`, sampleRate: FILE_SOURCE_RATE };
      // Loaded before the session starts so a bad file fails the start with a clear error, which names the
      // file as the user knows it (as transcription errors do), not by its path in the data folder.
      const audio = await (this.options.loadAudio ?? loadWavFile)(entry.path, FILE_SOURCE_RATE).catch(
        (error: unknown) => {
          const info = toErrorInfo(error);
          throw new StudioError(info.code, info.message.replaceAll(entry.path, entry.ref.name));
        },
      );
      // Played once: when the file ends the session ends by itself (see below), as a recording would.
      playback = playRealtime(audio, FILE_SOURCE_RATE, (frame) => this.pushDictationAudio(frame));
    } else {
      const mic = this.options.mic;
      if (!mic)
        throw new StudioError(
          'MIC_UNAVAILABLE',
          `Native microphone capture is not available (${this.options.micUnavailable ?? 'not offered'}).`,
        );
      const opened = mic.start(request.deviceIndex ?? -1, {
        onFrame: (samples) => this.pushDictationAudio(samples),
        onError: (error) => this.captureLost(toErrorInfo(error)),
      });
      started = { source: 'native', ...opened };
    }
    const session: Dictation = {
      started,
      source: started.source,
      sampleRate: started.sampleRate,
      chunks: [],
      samples: 0,
      overflowed: false,
      finals: [],
      computeSec: 0,
      liveFailed: false,
      playback,
      ended: false,
    };
    this.dictation = session;
    try {
      await this.options.engine.startLive(
        started.sampleRate,
        (event) => {
          if (session.ended) return;
          if (event.type === 'partial') {
            const { segment, words, stableWords } = event;
            this.options.emit({ type: 'dictation-partial', segment, words, stableWords });
          } else if (event.type === 'final') {
            const { segment, text, displayText, words, startSec, endSec } = event;
            session.finals.push(words);
            session.computeSec += event.timing.computeMs / 1000;
            const shown = displayText === undefined ? {} : { displayText };
            this.options.emit({ type: 'dictation-final', segment, text, ...shown, words, startSec, endSec });
          }
        },
        (error) => {
          if (session.ended) return;
          // Keep recording: the recording is transcribed as a file when the user stops.
          session.liveFailed = true;
          this.options.emit({ type: 'dictation-error', error: toErrorInfo(error) });
        },
      );
    } catch (error) {
      this.cancelDictation();
      throw error;
    }
    this.options.emit({ type: 'dictation-started', started });
    // A file that has played to its end finishes the session: its last utterance is finalised and the
    // result goes to every window (a Stop meanwhile has already ended it: then nothing happens here).
    void playback?.done.then(() => {
      if (this.dictation === session) this.stopDictation('source-ended').catch(() => {});
    });
    return started;
  }

  /** Audio for the running dictation (stream frames from the renderer, native or file frames). */
  pushDictationAudio(samples: Float32Array): void {
    const d = this.dictation;
    if (!d || d.overflowed) return;
    if (d.samples + samples.length > MAX_DICTATION_SEC * d.sampleRate) {
      d.overflowed = true;
      this.options.emit({
        type: 'dictation-error',
        error: {
          code: 'DICTATION_TOO_LONG',
          message: `Dictation is limited to ${MAX_DICTATION_SEC / 60} minutes; stop to keep what was recorded.`,
        },
      });
      return;
    }
    // Frames from the renderer were made finite by the transport's validator; a file's or a device's
    // frames are made so here (Float32Array.from first: a frame must be a copy the caller cannot change).
    const copy = finiteAudio(Float32Array.from(samples));
    d.chunks.push(copy);
    d.samples += copy.length;
    if (!d.liveFailed) this.options.engine.liveAudio(copy);
    if (d.source !== 'stream') {
      const now = performance.now();
      if (now - this.levelAt >= 50) {
        this.levelAt = now;
        this.options.emit({ type: 'mic-level', level: rmsLevel(samples) });
      }
    }
  }

  /**
   * The capture device failed (unplugged): capture stops, the user is told, and the session stays open so
   * that Stop keeps what was recorded (as a file with its transcript) — nothing is lost.
   */
  private captureLost(error: ErrorInfo): void {
    if (!this.dictation) return;
    this.options.emit({
      type: 'dictation-error',
      error: {
        ...error,
        message: `${error.message} What was recorded so far is kept: press Stop to finish.`,
      },
    });
  }

  /**
   * Ends the session and returns its recording and transcript; every window hears of it (`dictation-ended`
   * with the `reason`), so a window that did not stop it stops offering Stop.
   */
  async stopDictation(reason: DictationEndReason = 'stopped'): Promise<DictationResult> {
    const d = this.dictation;
    if (!d) throw new StudioError('DICTATION_IDLE', 'Dictation is not running.');
    this.dictation = null;
    this.stopCapture(d);
    try {
      const result = await this.dictationResult(d);
      this.options.emit({ type: 'dictation-ended', reason, result, error: null });
      return result;
    } catch (error) {
      this.options.emit({ type: 'dictation-ended', reason, result: null, error: toErrorInfo(error) });
      throw error;
    } finally {
      d.ended = true;
    }
  }

  /** The recording of an ended session, saved and registered, with its transcript. */
  private async dictationResult(d: Dictation): Promise<DictationResult> {
    if (d.samples === 0) {
      this.options.engine.abandonLive();
      throw new StudioError(
        'DICTATION_EMPTY',
        'No audio was recorded: is the microphone connected and allowed?',
      );
    }
    // Wait for the engine to finish the last utterance (its final arrives before this resolves).
    if (!d.liveFailed) await this.options.engine.stopLive().catch(() => (d.liveFailed = true));
    const audio = new Float32Array(d.samples);
    let offset = 0;
    for (const chunk of d.chunks) {
      audio.set(chunk, offset);
      offset += chunk.length;
    }
    await mkdir(this.options.recordingsDir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const file = path.join(this.options.recordingsDir, `dictation-${stamp}.wav`);
    await writeFile(
      file,
      encodeWav([audio], { sampleRate: d.sampleRate, bitsPerSample: 16, encoding: 'int' }),
    );
    const ref = await this.files.register(file);
    if (d.liveFailed) {
      // The live results are incomplete: transcribe the whole recording, ahead of queued files.
      const transcript = await this.enqueue({ jobId: randomUUID(), fileId: ref.id }, true);
      return { transcript, file: ref };
    }
    const words = d.finals.flat();
    const durationSec = d.samples / d.sampleRate;
    const status = this.options.engine.status;
    const transcript: Transcript = {
      text: words.map((w) => w.word).join(' '),
      words,
      durationSec,
      backend: status.backend?.name ?? 'unknown',
      model: status.modelName ?? 'unknown',
      rtf: d.computeSec / durationSec,
    };
    return { transcript, file: ref };
  }

  cancelDictation(): void {
    const d = this.dictation;
    if (!d) return;
    this.stopCapture(d);
    this.dictation = null;
    d.ended = true;
    this.options.engine.abandonLive();
    this.options.emit({ type: 'dictation-ended', reason: 'cancelled', result: null, error: null });
  }

  /** The session running now, as its start reported it; null when there is none. */
  get dictationSession(): DictationStarted | null {
    return this.dictation?.started ?? null;
  }

  private stopCapture(d: Dictation): void {
    if (d.source === 'native') this.options.mic?.stop();
    d.playback?.stop();
  }

  // ---- Voice profile: enrollment, corrections, speaker adaptation, model selection ------------------
  //
  // Recordings come from files the host registered (a dictation's recording, an opened file): they are
  // decoded here and stored in the profile folder as 16 kHz WAV; the engine worker adapts the model in use
  // to them and saves the result under `<profile>/models/<name>/`, which can then be selected.

  /** Starts the engine with the adapted model the profile selected last (the base if it is gone or broken). */
  async startEngine(): Promise<void> {
    const engine = this.options.engine;
    engine.setVocabulary(await this.profile.vocabulary().catch(() => []));
    const selected = await this.profile.selected().catch(() => null);
    const models = selected ? await this.profile.models().catch(() => []) : [];
    if (!selected || !models.some((m) => m.name === selected) || this.disposed) {
      engine.start();
      return;
    }
    try {
      await engine.useModel(adaptedModelDir(this.profile.dir, selected));
    } catch {
      if (this.disposed) return;
      await this.profile.setSelected(null).catch(() => {});
      await engine.useModel(null).catch(() => {});
    }
  }

  /**
   * Replaces the boosted vocabulary: trimmed, blank lines and duplicates dropped, at most
   * MAX_VOCABULARY_PHRASES; saved in the profile and sent to the engine at once.
   */
  async setVocabulary(phrases: readonly string[]): Promise<VoiceProfile> {
    const cleaned = [
      ...new Set(phrases.map((p) => p.trim().replace(/\s+/g, ' ')).filter((p) => p.length > 0)),
    ];
    if (cleaned.length > MAX_VOCABULARY_PHRASES)
      throw new StudioError(
        'VOCABULARY_TOO_LONG',
        `The vocabulary has ${cleaned.length} entries; at most ${MAX_VOCABULARY_PHRASES} are used.`,
      );
    await this.profile.setVocabulary(cleaned);
    this.options.engine.setVocabulary(cleaned);
    this.runTarget.queue?.setVocabulary(cleaned);
    return this.getVoiceProfile();
  }

  async getVoiceProfile(): Promise<VoiceProfile> {
    const [prompts, corrections, models, vocabulary] = await Promise.all([
      this.profile.enrollment(),
      this.profile.corrections(),
      this.profile.models(),
      this.profile.vocabulary(),
    ]);
    const engine = this.options.engine;
    const inUse = engine.model === engine.baseModel ? null : path.basename(engine.model);
    return {
      prompts,
      corrections,
      baseModel: path.basename(engine.baseModel),
      models,
      selected: inUse && models.some((m) => m.name === inUse) ? inUse : null,
      adapting: engine.adapting,
      vocabulary,
    };
  }

  private async profileAudio(fileId: string): Promise<Float32Array> {
    const entry = this.files.get(fileId);
    if (!entry) throw new StudioError('UNKNOWN_FILE', `no file with id ${fileId} was opened`);
    try {
      return await (this.options.loadAudio ?? loadWavFile)(entry.path, PROFILE_SAMPLE_RATE);
    } catch (error) {
      const info = toErrorInfo(error);
      throw new StudioError(info.code, info.message.replaceAll(entry.path, entry.ref.name));
    }
  }

  /** Keeps an opened file (normally the recording a dictation session returned) for prompt `index`. */
  async saveEnrollment(index: number, fileId: string): Promise<VoiceProfile> {
    await this.profile.saveRecording(index, await this.profileAudio(fileId));
    return this.getVoiceProfile();
  }

  /** Adds an opened file with its corrected transcript as further adaptation data. */
  async addCorrection(fileId: string, text: string): Promise<VoiceProfile> {
    await this.profile.addCorrection(await this.profileAudio(fileId), text);
    return this.getVoiceProfile();
  }

  /**
   * Adapts the model in use to the profile's recordings in the engine process. Returns once started;
   * progress, the outcome (before/after WER, kept, the saved model) and failures come as events.
   */
  async startAdaptation(request: AdaptRequest): Promise<void> {
    const engine = this.options.engine;
    if (engine.adapting) throw new StudioError('ADAPT_BUSY', 'An adaptation is already running.');
    // Throws for names that could leave the profile folder.
    adaptedModelDir(this.profile.dir, request.name);
    if ((await this.profile.models()).some((m) => m.name === request.name))
      throw new StudioError('MODEL_EXISTS', `An adapted model named "${request.name}" already exists.`);
    const items = await this.profile.adaptationItems();
    if (items.length < 2)
      throw new StudioError(
        'NOT_ENOUGH_DATA',
        `Record at least 2 prompts first (${items.length} recorded); more recordings adapt better.`,
      );
    const emit = this.options.emit;
    const run = engine.adapt(
      items,
      this.profile.dir,
      request.name,
      { epochs: request.epochs, layers: request.layers, keepAnyway: request.keepAnyway },
      (p) => emit({ type: 'adapt-progress', ...p }),
    );
    run.then(
      (r) =>
        emit({
          type: 'adapt-done',
          summary: {
            beforeWer: r.beforeWer,
            afterWer: r.afterWer,
            kept: r.kept,
            modelName: r.modelName,
            utterances: r.utterances,
            seconds: r.seconds,
          },
        }),
      (error: unknown) => emit({ type: 'adapt-failed', error: toErrorInfo(error) }),
    );
  }

  cancelAdaptation(): void {
    this.options.engine.cancelAdapt();
  }

  /** Reloads the engine with an adapted model (null: the base model) and remembers the choice. */
  async selectModel(name: string | null): Promise<VoiceProfile> {
    if (this.dictation || this.running)
      throw new StudioError(
        'ENGINE_BUSY',
        'Stop dictation and wait for transcriptions before switching models.',
      );
    if (name !== null && !(await this.profile.models()).some((m) => m.name === name))
      throw new StudioError('UNKNOWN_MODEL', `There is no adapted model named "${name}".`);
    const engine = this.options.engine;
    try {
      await engine.useModel(name === null ? null : adaptedModelDir(this.profile.dir, name));
    } catch (error) {
      // A model that does not load leaves the engine failed: go back to the base, and say why.
      if (name !== null && engine.status.state === 'failed') {
        await engine.useModel(null).catch(() => {});
        await this.profile.setSelected(null);
      }
      throw error;
    }
    await this.profile.setSelected(name);
    return this.getVoiceProfile();
  }

  /** Removes an adapted model (the base model is loaded again first if it was in use). */
  async deleteModel(name: string): Promise<VoiceProfile> {
    const current = await this.getVoiceProfile();
    if (current.selected === name) await this.selectModel(null);
    if (!(await this.profile.deleteModel(name)))
      throw new StudioError('UNKNOWN_MODEL', `There is no adapted model named "${name}".`);
    return this.getVoiceProfile();
  }

  /**
   * Resolves when the project and queue writes made so far are on disk: after dispose(), a write that
   * had already started still finishes (for example before removing the data folder).
   */
  whenSaved(): Promise<void> {
    return this.project.settled();
  }

  dispose(): void {
    // From here on nothing is recorded: the saved queue keeps what was still to do for the next start.
    this.disposed = true;
    this.cancelDictation();
    for (const job of this.queue.splice(0)) job.reject(new StudioError('SHUTDOWN', 'shutting down'));
    this.runningAbort?.abort();
    void this.runTarget.dispose();
    this.options.engine.dispose();
  }
}

/** RMS of a frame mapped from -60..0 dBFS to 0..1, the scale a level meter shows. */
export function rmsLevel(samples: Float32Array): number {
  let sum = 0;
  for (const x of samples) sum += x * x;
  const db = 10 * Math.log10(sum / Math.max(1, samples.length) + 1e-12);
  return Math.max(0, Math.min(1, (db + 60) / 60));
}
