/**
 * The submitting side of the transcription queue: `npm run transcribe -- --queue URL` and
 * `npm run eval -- --queue URL` hand their files to workers through this instead of loading an engine.
 *
 * Every file is submitted at once (so all workers get busy), and `transcribeFile` then waits for one
 * file's result, which lets the CLIs keep their local loop, their input order, their per-file errors and
 * their progress lines unchanged.
 */
import { stat, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Job, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { displayName } from '../common/display-names';
import type { Transcript } from '../common/transcript';
import type { VocabularyBoost } from '../engine/decoder/boost';
import type { DecoderChoice, TranscribeOptions } from '../engine/engine';
import { resolveModelDir } from '../engine/model-location';
import { CancelledError, FileNotFoundError } from '../engine/errors';
import {
  INLINE_AUDIO_LIMIT_BYTES,
  INLINE_AUDIO_TTL_SEC,
  inlineAudioKey,
  jobIdFor,
  modelFingerprint,
  QUEUE_NAME,
  RESULT_TTL_SEC,
  sha256OfFile,
  type TranscriptionJobData,
  type TranscriptionJobResult,
} from './jobs';
import { checkRedisReachable, type RedisTarget } from './redis-connection';

export interface QueueClientOptions {
  redis: RedisTarget;
  model: string;
  decoder: DecoderChoice;
  vocabulary?: VocabularyBoost;
  /**
   * Send every file by path, never its bytes: for workers that see the submitter's files at the same
   * paths (shared storage). Otherwise files up to `inlineLimitBytes` travel through Redis.
   */
  sharedPaths?: boolean;
  inlineLimitBytes?: number;
  /** Tries per job before its error is final (default 3), with exponential backoff from `backoffMs`. */
  attempts?: number;
  backoffMs?: number;
  /** One line when a job is retried, or waits with no worker connected. */
  log?: (line: string) => void;
}

/** A file the queue could not transcribe; the message names the file and the reason, as locally. */
export class QueuedFileError extends Error {
  override name = 'QueuedFileError';
  readonly code = 'QUEUE_JOB_FAILED';
}

/** What the CLIs need of a transcriber: the local `AsrEngine` or the queue. */
export interface FileTranscriber {
  readonly modelName: string;
  readonly decoderName: string;
  readonly backend: { readonly name: string; readonly label: string };
  transcribeFile(file: string, options?: TranscribeOptions): Promise<Transcript>;
  dispose(): void | Promise<void>;
}

/** What a file's submission settled to: the worker's result, or a message that names the file. */
type Outcome = { result: TranscriptionJobResult } | { error: string };

interface Submission {
  jobId: string;
  /** The name the worker's messages use for this job's file (an earlier submitter's, for a reused job). */
  jobFile: string;
  audioKey?: string;
}

/** Checks a file as the engine does before it opens one, so a missing file reads the same as locally. */
async function checkReadableFile(file: string) {
  const info = await stat(file).catch((cause: unknown) => {
    throw new FileNotFoundError(file, { cause });
  });
  if (info.isDirectory()) throw new FileNotFoundError(file, { problem: 'is a folder, not an audio file' });
  if (!info.isFile()) throw new FileNotFoundError(file, { problem: 'is not a regular file' });
  return info.size;
}

export class QueueTranscriber implements FileTranscriber {
  /** Filled from the first result, so reports name what the workers actually ran. */
  modelName: string;
  decoderName: string;
  backend = { name: 'queue', label: 'queue' };

  private readonly submissions = new Map<string, Promise<Submission>>();
  private lastSubmission: Promise<unknown> = Promise.resolve();
  private readonly outcomes = new Map<string, { promise: Promise<Outcome>; settle: (o: Outcome) => void }>();
  private readonly progressListeners = new Map<string, Set<(fraction: number) => void>>();

  private constructor(
    private readonly options: QueueClientOptions,
    private readonly queue: Queue<TranscriptionJobData, TranscriptionJobResult>,
    private readonly events: QueueEvents,
    private readonly audioStore: Redis,
    private readonly fingerprint: string | undefined,
  ) {
    this.modelName = options.model;
    this.decoderName = options.decoder;
  }

  /** Connects (a one-line error when Redis cannot be reached) and listens for results. */
  static async open(options: QueueClientOptions): Promise<QueueTranscriber> {
    await checkRedisReachable(options.redis);
    // The model's fingerprint goes into job ids, so a retrained model never reuses an old result. A
    // submitter without a copy of the model (workers only) falls back to its name.
    const fingerprint = await modelFingerprint(resolveModelDir(options.model)).catch(() => undefined);
    // Loaded when first needed: the Electron main process bundles this module but rarely uses a queue.
    const [{ Queue, QueueEvents }, { Redis }] = await Promise.all([import('bullmq'), import('ioredis')]);
    const connection = { ...options.redis.options, maxRetriesPerRequest: null };
    const queue = new Queue<TranscriptionJobData, TranscriptionJobResult>(QUEUE_NAME, { connection });
    const events = new QueueEvents(QUEUE_NAME, { connection });
    const audioStore = new Redis(connection);
    audioStore.on('error', () => {});
    const client = new QueueTranscriber({ ...options }, queue, events, audioStore, fingerprint);
    client.listen();
    // Events from here on reach us; a job that finishes while we submit is caught by them or by its state.
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    return client;
  }

  /** Workers connected to the queue now (any machine). */
  async workerCount(): Promise<number> {
    return (await this.queue.getWorkers()).length;
  }

  /** Submits files in the background, in order; `transcribeFile` waits for any of them. */
  submitAll(files: readonly string[]): void {
    for (const file of files) void this.submission(file).catch(() => {});
  }

  /** The words and phrases to favour in files submitted from now on (undefined: none). */
  setVocabulary(phrases: readonly string[] | undefined): void {
    this.options.vocabulary = phrases && phrases.length > 0 ? { phrases } : undefined;
  }

  /**
   * Waits for the file's result (submitting it if `submitAll` did not); a worker reports its progress.
   * `signal` stops the wait (the job itself runs on; submitting the file again reuses its result).
   */
  async transcribeFile(file: string, options: TranscribeOptions = {}): Promise<Transcript> {
    const key = this.submissionKey(file);
    const submission = await this.submission(file);
    const listener = (fraction: number) => options.onProgress?.({ fraction, processedSec: 0, words: [] });
    const listeners = this.progressListeners.get(submission.jobId) ?? new Set();
    listeners.add(listener);
    this.progressListeners.set(submission.jobId, listeners);
    let outcome: Outcome | 'cancelled';
    const cancelled = new Promise<'cancelled'>((resolve) => {
      if (options.signal?.aborted) resolve('cancelled');
      options.signal?.addEventListener('abort', () => resolve('cancelled'), { once: true });
    });
    try {
      outcome = await Promise.race([this.waitFor(submission.jobId), cancelled]);
    } finally {
      listeners.delete(listener);
    }
    if (outcome === 'cancelled') throw new CancelledError(file);
    if ('error' in outcome) {
      // Asked again (a retry), the file is submitted again, which gives its failed job another try.
      this.submissions.delete(key);
      this.outcomes.delete(submission.jobId);
      // Messages name files escaped (displayName), as the engine does.
      throw new QueuedFileError(outcome.error.split(displayName(submission.jobFile)).join(displayName(file)));
    }
    this.modelName = outcome.result.transcript.model;
    this.decoderName = outcome.result.decoder;
    this.backend = { name: outcome.result.transcript.backend, label: outcome.result.backendLabel };
    return outcome.result.transcript;
  }

  async dispose(): Promise<void> {
    await this.events.close();
    await this.queue.close();
    this.audioStore.disconnect();
  }

  /** A file is submitted once per vocabulary: another vocabulary is another job. */
  private submissionKey(file: string): string {
    return `${file}\0${JSON.stringify(this.options.vocabulary ?? null)}`;
  }

  private submission(file: string): Promise<Submission> {
    const key = this.submissionKey(file);
    let pending = this.submissions.get(key);
    if (!pending) {
      // Chained: files go in the order given, so the first workers start on the first files.
      const vocabulary = this.options.vocabulary;
      pending = this.lastSubmission.then(() => this.submit(file, vocabulary));
      this.lastSubmission = pending.catch(() => {});
      this.submissions.set(key, pending);
    }
    return pending;
  }

  private async submit(file: string, vocabulary: VocabularyBoost | undefined): Promise<Submission> {
    const size = await checkReadableFile(file);
    const contentSha256 = await sha256OfFile(file).catch((cause: unknown) => {
      throw new FileNotFoundError(file, { cause });
    });
    const inline =
      !this.options.sharedPaths && size <= (this.options.inlineLimitBytes ?? INLINE_AUDIO_LIMIT_BYTES);
    const settings = {
      file,
      contentSha256,
      model: this.options.model,
      ...(this.fingerprint ? { modelFingerprint: this.fingerprint } : {}),
      decoder: this.options.decoder,
      ...(vocabulary ? { vocabulary } : {}),
    };
    const jobId = jobIdFor({ ...settings, audio: { kind: 'path', path: '' } });
    this.expect(jobId);
    const { state, job: existing } = await this.snapshot(jobId);
    if (existing && state === 'completed') {
      this.settle(jobId, { result: existing.returnvalue });
      return { jobId, jobFile: existing.data.file };
    }
    const audioKey = inline ? inlineAudioKey(jobId) : undefined;
    if (audioKey && (state === 'unknown' || state === 'failed')) {
      await this.audioStore.set(audioKey, await readFile(file), 'EX', INLINE_AUDIO_TTL_SEC);
    }
    if (existing && state === 'failed') {
      // Submitting again is asking for another try (a worker's storage or model may have been fixed).
      await existing.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      return { jobId, jobFile: existing.data.file, audioKey };
    }
    if (existing) return { jobId, jobFile: existing.data.file, audioKey };
    const audio = audioKey
      ? { kind: 'redis' as const, key: audioKey, extension: path.extname(file), bytes: size }
      : { kind: 'path' as const, path: path.resolve(file) };
    const job = await this.queue.add(
      'transcribe',
      { ...settings, audio },
      {
        jobId,
        attempts: this.options.attempts ?? 3,
        backoff: { type: 'exponential', delay: this.options.backoffMs ?? 2000 },
        removeOnComplete: { age: RESULT_TTL_SEC },
        removeOnFail: { age: RESULT_TTL_SEC },
      },
    );
    // Another submitter may have added the same job a moment earlier; its file name is in its messages.
    return { jobId, jobFile: job.data.file, audioKey };
  }

  private expect(jobId: string) {
    if (this.outcomes.has(jobId)) return;
    let settle!: (o: Outcome) => void;
    const promise = new Promise<Outcome>((resolve) => (settle = resolve));
    this.outcomes.set(jobId, { promise, settle });
  }

  private settle(jobId: string, outcome: Outcome) {
    this.outcomes.get(jobId)?.settle(outcome);
  }

  /** Reads a job's state directly: a safety net for an event lost while Redis reconnected. */
  private async settleFromState(jobId: string) {
    const { state, job } = await this.snapshot(jobId);
    if (!job) return;
    if (state === 'completed') this.settle(jobId, { result: job.returnvalue });
    else if (state === 'failed') this.settle(jobId, { error: this.failureMessage(job) });
  }

  /**
   * A job's state, then the job read after it: read the other way round, a job that finished in between
   * was reported completed with the result it did not have yet (null).
   */
  private async snapshot(
    jobId: string,
  ): Promise<{ state: string; job?: Job<TranscriptionJobData, TranscriptionJobResult> }> {
    const state = await this.queue.getJobState(jobId);
    if (state === 'unknown') return { state };
    const job = await this.queue.getJob(jobId);
    // Removed in between (its results expired): as if it had never been.
    if (!job || (state === 'completed' && job.returnvalue == null)) return { state: 'unknown' };
    return { state, job };
  }

  private async waitFor(jobId: string): Promise<Outcome> {
    // Another file with the same job may have consumed and forgotten a failure: read it again.
    this.expect(jobId);
    const { promise } = this.outcomes.get(jobId)!;
    await this.settleFromState(jobId);
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const poll = new Promise<'poll'>((resolve) => (timer = setTimeout(() => resolve('poll'), 5000)));
      const outcome = await Promise.race([promise, poll]);
      clearTimeout(timer);
      if (outcome !== 'poll') {
        await this.releaseAudio(jobId);
        return outcome;
      }
      await this.settleFromState(jobId);
    }
  }

  /** Inline audio is needed only until its job has finished for good. */
  private async releaseAudio(jobId: string) {
    await this.audioStore.del(inlineAudioKey(jobId)).catch(() => {});
  }

  private failureMessage(job: Job<TranscriptionJobData>): string {
    const reason = job.failedReason ?? 'unknown error';
    const file = displayName(job.data.file);
    if (/stalled more than allowable limit/.test(reason))
      return `${file}: the workers that took it stopped before finishing it (job stalled too often)`;
    // Said only of a job that used up its tries, not of one whose error was final at once.
    const allowed = job.opts.attempts ?? 1;
    const tries = allowed > 1 && job.attemptsMade >= allowed ? ` (after ${job.attemptsMade} attempts)` : '';
    return reason.includes(file) ? reason + tries : `${file}: ${reason}${tries}`;
  }

  private listen() {
    this.events.on('completed', ({ jobId }) => {
      if (this.outcomes.has(jobId)) void this.settleFromState(jobId).catch(() => {});
    });
    this.events.on('failed', ({ jobId, failedReason }) => {
      if (!this.outcomes.has(jobId)) return;
      // Only a job out of tries is in the failed state; a retried one waits for its backoff.
      void this.settleFromState(jobId)
        .then(async () => {
          const state = await this.queue.getJobState(jobId);
          if (state !== 'failed') this.options.log?.(`retrying after a failed attempt: ${failedReason}`);
        })
        .catch(() => {});
    });
    this.events.on('progress', ({ jobId, data }) => {
      if (typeof data !== 'number') return;
      for (const listener of this.progressListeners.get(jobId) ?? []) listener(data);
    });
    this.events.on('error', () => {});
  }
}

/**
 * Opens the queue for a CLI run and submits `files`: prints what it connected to on stderr (and a
 * warning when no worker is listening, since the jobs will wait), then returns the transcriber.
 */
export async function openQueueForCli(
  options: QueueClientOptions & { files: readonly string[]; quiet: boolean },
): Promise<QueueTranscriber> {
  const log = (line: string) => process.stderr.write(line + '\n');
  const transcriber = await QueueTranscriber.open({ ...(options.quiet ? {} : { log }), ...options });
  transcriber.submitAll(options.files);
  if (!options.quiet) {
    const workers = await transcriber.workerCount();
    const decoder = options.decoder === 'manifest' ? "the model's own" : options.decoder;
    process.stderr.write(
      `queue: ${options.redis.display} · model: ${options.model} · decoder: ${decoder} · ` +
        `${workers} worker(s) connected\n`,
    );
    if (workers === 0)
      process.stderr.write('no worker is connected yet: the jobs wait until one starts (npm run worker)\n');
  }
  return transcriber;
}
