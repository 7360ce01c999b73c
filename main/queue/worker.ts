/**
 * An engine worker on the transcription queue: takes one job at a time (the engine keeps one core busy;
 * parallelism comes from more worker processes, here or on other machines), transcribes it with the same
 * `AsrEngine` as the CLI, reports progress, and returns the transcript.
 *
 * Nothing is lost when a worker dies: BullMQ holds a job under a lock that the worker renews while it
 * runs; a worker killed mid-job stops renewing, and another worker's stalled-job check puts the job back
 * in the queue. The lock also makes completion exactly-once: a late result from a worker that lost its
 * lock is refused by Redis.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { displayName } from '../common/display-names';
import { AsrEngine, resolveModelDir, type DecoderChoice } from '../engine/engine';
import { isEngineError, type EngineErrorCode } from '../engine/errors';
import type { BackendPreference } from '../engine/model/backend';
import { modelFingerprint, QUEUE_NAME, type TranscriptionJobData, type TranscriptionJobResult } from './jobs';
import type { RedisTarget } from './redis-connection';

export interface TranscriptionWorkerOptions {
  redis: RedisTarget;
  /** Shown in logs and stored on each job it runs (default host:pid). */
  name?: string;
  backend?: BackendPreference;
  /**
   * How long a job stays locked to this worker without a renewal (ms, default 30 000). A worker killed
   * mid-job holds its job this long before another worker can take it over.
   */
  lockDurationMs?: number;
  /** How often this worker looks for jobs whose worker died (ms, default half the lock duration). */
  stalledIntervalMs?: number;
  /** One line per event (job started, done, failed). */
  log?: (line: string) => void;
}

export interface TranscriptionWorker {
  readonly name: string;
  /** Stops taking jobs; waits for the running one unless `force`. */
  close(force?: boolean): Promise<void>;
}

/**
 * Engine errors that depend only on the audio's content: another attempt or another worker would meet
 * them again, so the job fails at once. Others (a file a worker cannot see on its shared storage, a model
 * missing on one machine) are retried with backoff, possibly elsewhere.
 */
const FINAL_ERRORS: readonly EngineErrorCode[] = ['UNSUPPORTED_FORMAT', 'CORRUPT_AUDIO', 'EMPTY_AUDIO'];

/** Engines loaded by this worker, by model folder and decoder; the oldest is disposed beyond `limit`. */
class EngineCache {
  private readonly entries = new Map<string, Promise<{ engine: AsrEngine; fingerprint: string }>>();
  constructor(
    private readonly backend: BackendPreference | undefined,
    private readonly limit = 2,
  ) {}

  get(model: string, decoder: DecoderChoice) {
    const dir = resolveModelDir(model);
    const key = `${dir}\0${decoder}`;
    let entry = this.entries.get(key);
    if (!entry) {
      entry = (async () => {
        const [engine, fingerprint] = await Promise.all([
          AsrEngine.load({ model, decoder, backend: this.backend }),
          modelFingerprint(dir).catch(() => 'unreadable'),
        ]);
        return { engine, fingerprint };
      })();
      // A model that failed to load is tried again by the next job, not remembered as failed.
      entry.catch(() => this.entries.delete(key));
      this.entries.set(key, entry);
      while (this.entries.size > this.limit) {
        const [oldestKey, oldest] = this.entries.entries().next().value!;
        this.entries.delete(oldestKey);
        void oldest.then(({ engine }) => engine.dispose()).catch(() => {});
      }
    } else {
      // Most recently used last.
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  async dispose() {
    const all = [...this.entries.values()];
    this.entries.clear();
    for (const entry of all) await entry.then(({ engine }) => engine.dispose()).catch(() => {});
  }
}

/** Sends progress at most every 2 % and 250 ms: each update is a Redis write and a queue event. */
function progressThrottle(job: Job) {
  let lastFraction = -1;
  let lastAt = 0;
  return ({ fraction }: { fraction: number }) => {
    const now = performance.now();
    if (fraction < 1 && (fraction - lastFraction < 0.02 || now - lastAt < 250)) return;
    lastFraction = fraction;
    lastAt = now;
    void job.updateProgress(Math.round(fraction * 1000) / 1000).catch(() => {});
  };
}

export async function startTranscriptionWorker(
  options: TranscriptionWorkerOptions,
): Promise<TranscriptionWorker> {
  const name = options.name ?? `${os.hostname()}:${process.pid}`;
  const log = options.log ?? (() => {});
  const engines = new EngineCache(options.backend);
  const audioStore = new Redis({ ...options.redis.options, maxRetriesPerRequest: null });
  audioStore.on('error', () => {});
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'speech-studio-worker-'));
  const lockDuration = options.lockDurationMs ?? 30_000;

  const transcribeJob = async (
    job: Job<TranscriptionJobData, TranscriptionJobResult>,
  ): Promise<TranscriptionJobResult> => {
    const { data } = job;
    // The submitter's file name is user data: it reaches terminals and logs escaped, as locally.
    const file = displayName(data.file);
    log(`start ${job.id} ${file} (attempt ${job.attemptsMade + 1})`);
    const { engine, fingerprint } = await engines.get(data.model, data.decoder);
    if (data.modelFingerprint && data.modelFingerprint !== fingerprint) {
      throw new Error(
        `${file}: model ${displayName(data.model)} on worker ${name} is not the submitter's (different files); ` +
          'install the same model on every worker',
      );
    }
    if (!engine.setVocabulary(data.vocabulary) && data.vocabulary) {
      throw new UnrecoverableError(
        `${file}: --boost needs the beam decoder; model ${engine.modelName} decodes greedily`,
      );
    }

    let audioPath: string;
    let temporary: string | undefined;
    if (data.audio.kind === 'path') {
      audioPath = data.audio.path;
    } else {
      const bytes = await audioStore.getBuffer(data.audio.key);
      if (bytes === null) {
        throw new UnrecoverableError(
          `${file}: its audio is no longer in the queue (expired or removed); submit the file again`,
        );
      }
      // The extension helps the decoder's format sniffing exactly as the original name did.
      temporary = path.join(scratch, `${job.id}${data.audio.extension}`);
      await writeFile(temporary, bytes);
      audioPath = temporary;
    }

    const started = performance.now();
    try {
      const transcript = await engine.transcribeFile(audioPath, { onProgress: progressThrottle(job) });
      return {
        transcript,
        transcribeSec: (performance.now() - started) / 1000,
        worker: name,
        decoder: engine.decoderName,
        backendLabel: engine.backend.label,
      };
    } catch (error) {
      // Messages name the submitter's file, not this worker's temporary copy (both escaped, as the
      // engine's messages name files).
      const message = temporary
        ? (error as Error).message.split(displayName(temporary)).join(file)
        : (error as Error).message;
      if (isEngineError(error) && FINAL_ERRORS.includes(error.code)) throw new UnrecoverableError(message);
      throw new Error(message, { cause: error });
    } finally {
      if (temporary) await rm(temporary, { force: true });
    }
  };

  const worker = new Worker<TranscriptionJobData, TranscriptionJobResult>(QUEUE_NAME, transcribeJob, {
    connection: { ...options.redis.options, maxRetriesPerRequest: null },
    name,
    concurrency: 1,
    lockDuration,
    stalledInterval: options.stalledIntervalMs ?? Math.max(1000, lockDuration / 2),
    // A job whose worker dies twice (a file that kills the engine, say) fails instead of killing more.
    maxStalledCount: 2,
    autorun: false,
  });
  worker.on('completed', (job, result) =>
    log(
      `done ${job.id} ${displayName(job.data.file)} (${result.transcript.durationSec.toFixed(1)} s of audio in ` +
        `${result.transcribeSec.toFixed(2)} s)`,
    ),
  );
  worker.on('failed', (job, error) => {
    if (job)
      log(`failed ${job.id} ${displayName(job.data.file)} (attempt ${job.attemptsMade}): ${error.message}`);
  });
  worker.on('error', (error) => log(`error: ${error.message}`));
  void worker.run();
  await worker.waitUntilReady();

  return {
    name,
    async close(force = false) {
      await worker.close(force);
      await engines.dispose();
      audioStore.disconnect();
      await rm(scratch, { recursive: true, force: true });
    },
  };
}
