/** A supervised real engine worker (a Node child running engine-worker.ts) on `model`, for process tests. */
import { EngineSupervisor } from '../engine-supervisor';
import { spawnNodeWorker } from '../node-worker';

export function startRealEngine(model: string): EngineSupervisor {
  const engine = new EngineSupervisor({
    spawn: spawnNodeWorker(),
    model,
    modelsDir: null,
    restartDelayMs: 10,
  });
  engine.start();
  return engine;
}
