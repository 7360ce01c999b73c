/**
 * The transcription queue: one file at a time on this computer's engine, or on the workers of a
 * transcription queue ("Run on"), with progress and ETA; paused, resumed, cancelled; saved with the
 * project so that files still to do are queued again at the next start, and each outcome recorded there
 * before the renderer hears of it.
 */
import { randomUUID } from 'node:crypto';
import type { JobTicket, QueueState, RunTarget, StudioEvent } from '../common/ipc-contract';
import type { Transcript } from '../common/transcript';
import { EngineJobError, type EngineSupervisor } from './engine-supervisor';
import { aboutFile, HostError, type ErrorInfo } from './errors';
import type { FileRegistry } from './file-registry';
import type { JobOutcome, ProjectStore, StoredFile } from './project-store';
import type { RunTargetSwitch } from './run-target';

export interface TranscriptionQueueDeps {
  engine: EngineSupervisor;
  files: FileRegistry;
  project: ProjectStore;
  runTarget: RunTargetSwitch;
  emit: (event: StudioEvent) => void;
  /** The boosted vocabulary, for a queue the batch moves to. */
  vocabulary: () => Promise<string[]>;
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

export class TranscriptionQueue {
  private readonly queue: QueuedJob[] = [];
  private running: QueuedJob | null = null;
  /** Paused: no new job starts (the running one finishes). Saved with the queue. */
  private paused = false;
  private restoring: Promise<void> | null = null;
  private disposed = false;
  /** Cancels the running file's wait when it runs on a queue. */
  private runningAbort: AbortController | null = null;

  constructor(private readonly deps: TranscriptionQueueDeps) {}

  /** A job is running (the engine is in use). */
  get busy(): boolean {
    return this.running !== null;
  }

  /** Transcribes a file ahead of queued ones, on this computer (a dictation's recording). */
  transcribeNow(fileId: string): Promise<Transcript> {
    return this.enqueue({ jobId: randomUUID(), fileId }, true);
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
      this.deps.emit({ type: 'job-failed', ...job.ticket, error });
      job.reject(new EngineJobError(error));
      void this.finish(job, { error });
    } else if (this.running?.ticket.jobId === jobId) {
      this.deps.engine.cancel(jobId);
      this.runningAbort?.abort();
    }
  }

  /**
   * Restores the saved queue once, at startup: files that were waiting (or running) when the app stopped
   * are queued again; finished files are in the project and are not redone. Safe to call repeatedly.
   */
  restore(): Promise<void> {
    this.restoring ??= this.deps.project.queue().then(({ paused, files }) => {
      this.paused = paused;
      for (const file of files) if (!this.disposed) this.transcribe(file.id);
    });
    return this.restoring;
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
    this.deps.emit({ type: 'queue-paused', paused });
    await this.saveQueue();
    if (!paused) {
      this.submitQueued();
      void this.pump();
    }
  }

  private storedFile(job: QueuedJob): StoredFile {
    return { path: job.path, name: job.label, size: job.size, id: job.ticket.fileId };
  }

  private saveQueue(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    const pending = [this.running, ...this.queue]
      .filter((job): job is QueuedJob => !!job?.persist && !job.finished)
      .map((job) => this.storedFile(job));
    return this.deps.project.setQueue({ paused: this.paused, pending }).catch(() => {
      // Best effort: a failing disk also fails the renderer's saves, which the user is told about.
    });
  }

  /** Records a queued file's outcome in the project (before the renderer hears of it) and saves the queue. */
  private async finish(job: QueuedJob, outcome: JobOutcome): Promise<number | undefined> {
    if (!job.persist || this.disposed) return undefined;
    const seq = await this.deps.project.recordOutcome(this.storedFile(job), outcome).catch(() => undefined);
    void this.saveQueue();
    return seq;
  }

  /** Queues a job; dictation jobs go to the front so the user is not kept waiting behind a long file. */
  private enqueue(ticket: JobTicket, urgent: boolean): Promise<Transcript> {
    const entry = this.deps.files.get(ticket.fileId);
    if (!entry) throw new HostError('UNKNOWN_FILE', `no file with id ${ticket.fileId} was opened`);
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
      if (job.persist && !this.paused) this.deps.runTarget.queue?.submitAll([job.path]);
      this.deps.emit({ type: 'job-queued', ...ticket });
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
    const emit = this.deps.emit;
    const onProgress = (fraction: number, processedSec: number) => {
      const elapsedSec = (performance.now() - startedAt) / 1000;
      // Extrapolate from the rate so far once there is enough of it to mean something.
      const etaSec = fraction >= 0.05 && fraction < 1 ? (elapsedSec * (1 - fraction)) / fraction : null;
      job.fraction = fraction;
      job.etaSec = etaSec;
      emit({ type: 'job-progress', ...job.ticket, fraction, processedSec, elapsedSec, etaSec });
    };
    // A dictation's recording (not persisted) stays on this computer; files go where "Run on" says.
    const queue = job.persist ? this.deps.runTarget.queue : null;
    try {
      const transcript = queue
        ? await queue.transcribeFile(job.path, {
            signal: (this.runningAbort = new AbortController()).signal,
            onProgress: ({ fraction, processedSec }) => onProgress(fraction, processedSec),
          })
        : await this.deps.engine.run(job.ticket.jobId, job.path, job.label, onProgress);
      job.finished = true;
      const seq = await this.finish(job, { transcript });
      emit({ type: 'job-done', ...job.ticket, transcript, seq });
      job.resolve(transcript);
    } catch (error) {
      const shown = aboutFile(error, { path: job.path, name: job.label });
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
    const engine = this.deps.engine;
    if (queueUrl !== null && engine.model !== engine.baseModel) {
      throw new HostError(
        'QUEUE_NEEDS_BASE_MODEL',
        'Queue workers have the shipped models only: select the base model to run on a queue.',
      );
    }
    // A RunTargetError (a bad URL, an unreachable queue) is a HostError: shown to the user as is.
    const target = await this.deps.runTarget.set(queueUrl, {
      model: engine.baseModel,
      vocabulary: await this.deps.vocabulary().catch(() => []),
    });
    if (!this.paused) this.submitQueued();
    return target;
  }

  /** On a queue, every file waiting here goes to the workers at once, so that they run in parallel. */
  submitQueued(): void {
    this.deps.runTarget.queue?.submitAll(this.queue.filter((job) => job.persist).map((job) => job.path));
  }

  dispose(): void {
    // From here on nothing is recorded: the saved queue keeps what was still to do for the next start.
    this.disposed = true;
    for (const job of this.queue.splice(0)) job.reject(new HostError('SHUTDOWN', 'shutting down'));
    this.runningAbort?.abort();
  }
}
