/**
 * Starts the engine worker as a plain Node child process (the browser bridge and tests; Electron uses a
 * utilityProcess instead). TypeScript sources run through tsx's loader, bundled ones as they are.
 */
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { FromWorker } from './engine-protocol';
import {
  engineEnvironment,
  ENGINE_V8_FLAGS,
  type EngineWorkerHandle,
  type SpawnEngineWorker,
} from './engine-supervisor';

export const ENGINE_WORKER_SOURCE = fileURLToPath(new URL('./engine-worker.ts', import.meta.url));

export function spawnNodeWorker(workerPath = ENGINE_WORKER_SOURCE): SpawnEngineWorker {
  return () => {
    const require = createRequire(import.meta.url);
    const execArgv = [
      ...ENGINE_V8_FLAGS,
      ...(workerPath.endsWith('.ts') ? ['--import', pathToFileURL(require.resolve('tsx')).href] : []),
    ];
    // "advanced" (structured clone) so live dictation audio crosses as Float32Array, as with utilityProcess.
    const child = fork(workerPath, [], {
      execArgv,
      env: engineEnvironment(),
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    const handle: EngineWorkerHandle = {
      pid: child.pid,
      send: (message) => {
        if (child.connected) child.send(message);
      },
      onMessage: (listener) => child.on('message', (message) => listener(message as FromWorker)),
      onExit: (listener) => child.once('exit', (code, signal) => listener(code ?? (signal ? 128 : null))),
      kill: () => {
        child.kill();
      },
    };
    return handle;
  };
}
