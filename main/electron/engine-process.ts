/** Starts the engine worker in an Electron utility process (a crash there cannot take the window down). */
import { utilityProcess } from 'electron';
import type { FromWorker } from '../host/engine-protocol';
import {
  engineEnvironment,
  ENGINE_V8_FLAGS,
  type EngineWorkerHandle,
  type SpawnEngineWorker,
} from '../host/engine-supervisor';

export function spawnUtilityWorker(workerPath: string): SpawnEngineWorker {
  return () => {
    const child = utilityProcess.fork(workerPath, [], {
      serviceName: 'Speech Studio engine',
      execArgv: [...ENGINE_V8_FLAGS],
      env: engineEnvironment(),
      stdio: 'inherit',
    });
    let alive = true;
    child.once('exit', () => (alive = false));
    const handle: EngineWorkerHandle = {
      // For the supervisor's memory watchdog (a utility process has a pid only once it has spawned).
      get pid() {
        return child.pid;
      },
      send: (message) => {
        if (alive) child.postMessage(message);
      },
      onMessage: (listener) => child.on('message', (message) => listener(message as FromWorker)),
      onExit: (listener) => child.once('exit', (code) => listener(code)),
      kill: () => {
        if (alive) child.kill();
      },
    };
    return handle;
  };
}
