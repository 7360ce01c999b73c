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
  DictationResult,
  DictationStarted,
  DictationStartRequest,
  ErrorInfo,
  FileRef,
  HostMode,
  JobTicket,
  MicStatus,
  Project,
  StudioEvent,
  StudioInfo,
} from '../common/ipc-contract';
import type { Transcript } from '../common/transcript';
import { encodeWav } from '../engine/audio/wav-writer';
import { EngineJobError, type EngineSupervisor } from './engine-supervisor';
import { FileRegistry } from './file-registry';
import type { MicCapture } from './native-mic';
import { ProjectStore } from './project-store';

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
}

interface QueuedJob {
  ticket: JobTicket;
  path: string;
  label: string;
  resolve: (transcript: Transcript) => void;
  reject: (error: unknown) => void;
}

interface Dictation {
  source: 'native' | 'stream';
  sampleRate: number;
  chunks: Float32Array[];
  samples: number;
  overflowed: boolean;
}

/** Dictation recordings are capped so a forgotten session cannot exhaust memory. */
export const MAX_DICTATION_SEC = 300;

export class StudioService {
  readonly files: FileRegistry;
  private readonly project: ProjectStore;
  private readonly queue: QueuedJob[] = [];
  private running: QueuedJob | null = null;
  private dictation: Dictation | null = null;
  private levelAt = 0;

  constructor(private readonly options: StudioServiceOptions) {
    this.files = new FileRegistry(options.mediaUrl);
    this.project = new ProjectStore(options.projectFile, this.files);
  }

  getInfo(): StudioInfo {
    return {
      mode: this.options.mode,
      version: this.options.version,
      engine: this.options.engine.status,
      mic: this.micStatus(),
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

  transcribe(fileId: string): JobTicket {
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
      this.options.emit({ type: 'job-failed', ...job.ticket, error });
      job.reject(new EngineJobError(error));
    } else if (this.running?.ticket.jobId === jobId) {
      this.options.engine.cancel(jobId);
    }
  }

  loadProject(): Promise<Project> {
    return this.project.load();
  }

  saveProject(project: Project): Promise<void> {
    return this.project.save(project);
  }

  /** Queues a job; dictation jobs go to the front so the user is not kept waiting behind a long file. */
  private enqueue(ticket: JobTicket, urgent: boolean): Promise<Transcript> {
    const entry = this.files.get(ticket.fileId);
    if (!entry) throw new StudioError('UNKNOWN_FILE', `no file with id ${ticket.fileId} was opened`);
    return new Promise<Transcript>((resolve, reject) => {
      const job: QueuedJob = { ticket, path: entry.path, label: entry.ref.name, resolve, reject };
      if (urgent) this.queue.unshift(job);
      else this.queue.push(job);
      this.options.emit({ type: 'job-queued', ...ticket });
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    const job = this.queue.shift();
    if (!job) return;
    this.running = job;
    const startedAt = performance.now();
    const emit = this.options.emit;
    try {
      const transcript = await this.options.engine.run(
        job.ticket.jobId,
        job.path,
        job.label,
        (fraction, processedSec) => {
          const elapsedSec = (performance.now() - startedAt) / 1000;
          // Extrapolate from the rate so far once there is enough of it to mean something.
          const etaSec = fraction >= 0.05 && fraction < 1 ? (elapsedSec * (1 - fraction)) / fraction : null;
          emit({ type: 'job-progress', ...job.ticket, fraction, processedSec, elapsedSec, etaSec });
        },
      );
      emit({ type: 'job-done', ...job.ticket, transcript });
      job.resolve(transcript);
    } catch (error) {
      const info = toErrorInfo(error);
      // Engine messages name the file by path; the user knows it by its name (uploads live in a data folder).
      emit({
        type: 'job-failed',
        ...job.ticket,
        error: { ...info, message: info.message.replaceAll(job.path, job.label) },
      });
      job.reject(error);
    } finally {
      this.running = null;
      void this.pump();
    }
  }

  // ---- Dictation ------------------------------------------------------------------------------------

  startDictation(request: DictationStartRequest): DictationStarted {
    if (this.dictation)
      throw new StudioError('DICTATION_BUSY', 'Dictation is already running; stop it first.');
    if (request.source === 'stream') {
      if (!request.sampleRate)
        throw new StudioError('INVALID_REQUEST', 'stream dictation needs the sample rate');
      this.dictation = {
        source: 'stream',
        sampleRate: request.sampleRate,
        chunks: [],
        samples: 0,
        overflowed: false,
      };
      return { source: 'stream', deviceName: 'browser microphone', sampleRate: request.sampleRate };
    }
    const mic = this.options.mic;
    if (!mic)
      throw new StudioError(
        'MIC_UNAVAILABLE',
        `Native microphone capture is not available (${this.options.micUnavailable ?? 'not offered'}).`,
      );
    const started = mic.start(request.deviceIndex ?? -1, {
      onFrame: (samples) => this.pushDictationAudio(samples),
      onError: (error) => {
        this.dictation = null;
        this.options.emit({ type: 'dictation-error', error: toErrorInfo(error) });
      },
    });
    this.dictation = {
      source: 'native',
      sampleRate: started.sampleRate,
      chunks: [],
      samples: 0,
      overflowed: false,
    };
    return { source: 'native', ...started };
  }

  /** Audio for the running dictation (stream frames from the renderer, or native frames). */
  pushDictationAudio(samples: Float32Array): void {
    const d = this.dictation;
    if (!d || d.overflowed) return;
    if (d.samples + samples.length > MAX_DICTATION_SEC * d.sampleRate) {
      d.overflowed = true;
      this.options.emit({
        type: 'dictation-error',
        error: {
          code: 'DICTATION_TOO_LONG',
          message: `Dictation is limited to ${MAX_DICTATION_SEC / 60} minutes; stop to transcribe what was recorded.`,
        },
      });
      return;
    }
    d.chunks.push(Float32Array.from(samples));
    d.samples += samples.length;
    if (d.source === 'native') {
      const now = performance.now();
      if (now - this.levelAt >= 50) {
        this.levelAt = now;
        this.options.emit({ type: 'mic-level', level: rmsLevel(samples) });
      }
    }
  }

  async stopDictation(): Promise<DictationResult> {
    const d = this.dictation;
    if (!d) throw new StudioError('DICTATION_IDLE', 'Dictation is not running.');
    this.dictation = null;
    if (d.source === 'native') this.options.mic?.stop();
    if (d.samples === 0)
      throw new StudioError(
        'DICTATION_EMPTY',
        'No audio was recorded: is the microphone connected and allowed?',
      );
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
    const transcript = await this.enqueue({ jobId: randomUUID(), fileId: ref.id }, true);
    return { transcript, file: ref };
  }

  cancelDictation(): void {
    if (this.dictation?.source === 'native') this.options.mic?.stop();
    this.dictation = null;
  }

  dispose(): void {
    this.cancelDictation();
    for (const job of this.queue.splice(0)) job.reject(new StudioError('SHUTDOWN', 'shutting down'));
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
