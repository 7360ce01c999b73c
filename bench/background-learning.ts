/**
 * A learning round running again and again in a helper engine process at low priority, as the app runs
 * one when 20 corrections have gathered (main/host/correction-learning.ts): for bench:latency's
 * `--while-learning`, which measures dictation while a round runs beside it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { LearnItem } from '../main/host/engine-protocol';
import type { EngineSupervisor } from '../main/host/engine-supervisor';
import { DEFAULT_REPLAY } from '../main/host/correction-learning';

export interface BackgroundLearning {
  /** Stops the helper; resolves with the rounds it finished and their durations. */
  stop(): Promise<{ rounds: number; seconds: number[]; failures: string[] }>;
}

/** Starts rounds on `fresh` (new corrections) with `learned` to replay, one after another, until stopped. */
export async function startBackgroundLearning(
  engine: EngineSupervisor,
  fresh: LearnItem[],
  learned: LearnItem[],
): Promise<BackgroundLearning> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-learning-'));
  const { worker, model, modelsDir } = engine.spawnHelper();
  const seconds: number[] = [];
  const failures: string[] = [];
  let round = 0;
  let stopped = false;
  const next = () =>
    worker.send({
      type: 'learn-round',
      request: {
        roundId: `bench-${++round}`,
        model,
        modelsDir,
        // Each round starts from the model's own weights: the same work every time.
        weightsIn: null,
        weightsOut: path.join(dir, 'weights.bin'),
        fresh,
        learned,
        replay: DEFAULT_REPLAY,
      },
    });
  worker.onMessage((message) => {
    if (message.type === 'learn-done') seconds.push(message.result.seconds);
    else if (message.type === 'learn-failed') failures.push(message.error.message);
    else return;
    if (!stopped) next();
  });
  const exited = new Promise<void>((resolve) => worker.onExit(() => resolve()));
  next();
  return {
    async stop() {
      stopped = true;
      worker.kill();
      await exited;
      await rm(dir, { recursive: true, force: true });
      return { rounds: seconds.length, seconds, failures };
    },
  };
}
