import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_V8_FLAGS } from './engine-supervisor';
import { spawnNodeWorker } from './node-worker';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'node-worker-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the engine as a Node child process', () => {
  it('runs with the engine V8 flags and talks over the IPC channel', async () => {
    // A stand-in worker that reports the flags it was started with.
    const worker = path.join(dir, 'report-flags.mjs');
    await writeFile(
      worker,
      'process.send({ type: "flags", execArgv: process.execArgv }); process.exit(0);\n',
    );
    const handle = spawnNodeWorker(worker)();
    const message = await new Promise<unknown>((resolve) => handle.onMessage(resolve));
    expect(message).toEqual({ type: 'flags', execArgv: [...ENGINE_V8_FLAGS] });
  });
});
