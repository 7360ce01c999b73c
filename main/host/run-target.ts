/**
 * The studio's "Run on" choice for its batch: this computer (the engine process) or the workers of a
 * transcription queue in Redis (`npm run worker`). The host connects only when the user names a queue;
 * files are then sent there (their audio through Redis up to 16 MB, else by path for workers that share
 * this computer's storage) and each finished file comes back as the engine's transcript.
 */
import type { RunTarget } from '../common/ipc-contract';
import { HostError } from '../common/errors';
import type { QueueTranscriber } from '../queue/client';

export class RunTargetError extends HostError {
  constructor(code: 'BAD_QUEUE_URL' | 'QUEUE_UNREACHABLE', message: string) {
    super(code, message);
  }
}

export class RunTargetSwitch {
  private remote: { display: string; client: QueueTranscriber } | null = null;

  /** The queue's client while the batch runs on a queue; null on this computer. */
  get queue(): QueueTranscriber | null {
    return this.remote?.client ?? null;
  }

  /** The queue's URL as shown (password hidden); null on this computer. */
  get url(): string | null {
    return this.remote?.display ?? null;
  }

  async current(): Promise<RunTarget> {
    if (!this.remote) return { queueUrl: null, workers: null };
    const workers = await this.remote.client.workerCount().catch(() => null);
    return { queueUrl: this.remote.display, workers };
  }

  /**
   * Switches to the queue at `queueUrl` (checked and connected first: a bad URL or a Redis that does not
   * answer leaves the choice as it was) or, for null, back to this computer.
   */
  async set(queueUrl: string | null, settings: { model: string; vocabulary: readonly string[] }) {
    let next: typeof this.remote = null;
    if (queueUrl !== null) {
      // Loaded only when a queue is named: the studio on its own never needs BullMQ.
      const [{ QueueTranscriber }, { parseRedisUrl, RedisUrlError }] = await Promise.all([
        import('../queue/client'),
        import('../queue/redis-connection'),
      ]);
      let redis;
      try {
        redis = parseRedisUrl(queueUrl.trim());
      } catch (error) {
        throw new RunTargetError('BAD_QUEUE_URL', (error as Error).message);
      }
      try {
        const client = await QueueTranscriber.open({
          redis,
          model: settings.model,
          decoder: 'manifest',
          ...(settings.vocabulary.length > 0 ? { vocabulary: { phrases: settings.vocabulary } } : {}),
        });
        next = { display: redis.display, client };
      } catch (error) {
        if (error instanceof RedisUrlError) throw new RunTargetError('QUEUE_UNREACHABLE', error.message);
        throw error;
      }
    }
    const previous = this.remote;
    this.remote = next;
    // Jobs already submitted keep running on the workers; resubmitting them later reuses their results.
    await previous?.client.dispose().catch(() => {});
    return this.current();
  }

  async dispose() {
    const previous = this.remote;
    this.remote = null;
    await previous?.client.dispose().catch(() => {});
  }
}
