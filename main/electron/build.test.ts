/**
 * The Electron bundle (what `npm start` and the packaged app run) builds, keeps the sandboxed preload
 * self-contained, keeps tfjs out of main, and its engine worker runs as a plain Node process.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRandomModel } from '../engine/model/random-model';
import { EngineSupervisor } from '../host/engine-supervisor';
import { spawnNodeWorker } from '../host/node-worker';
import { buildElectron } from './build';

const root = fileURLToPath(new URL('../../', import.meta.url));
// Inside the repository, so the bundles' external packages resolve from node_modules as they do in the app.
const outDir = path.join(root, 'dist', `electron-test-${process.pid}`);
let modelDir: string;

beforeAll(async () => {
  await buildElectron(outDir);
  modelDir = await mkdtemp(path.join(os.tmpdir(), 'bundle-model-'));
  await createRandomModel(modelDir, { seed: 7 });
}, 60_000);

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
  await rm(modelDir, { recursive: true, force: true });
});

describe('Electron bundle', () => {
  it('gives the preload no dependency but electron', async () => {
    const preload = await readFile(path.join(outDir, 'preload.cjs'), 'utf8');
    const required = [...preload.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(new Set(required)).toEqual(new Set(['electron']));
    expect(preload).toContain('exposeInMainWorld("studio"');
  });

  it('keeps the engine (tfjs) out of the main process', async () => {
    const main = await readFile(path.join(outDir, 'main.mjs'), 'utf8');
    expect(main).not.toMatch(/@tensorflow|meyda|audio-decode/);
    expect(main).toContain('utilityProcess');
  });

  it('runs the bundled engine worker', async () => {
    const engine = new EngineSupervisor({
      spawn: spawnNodeWorker(path.join(outDir, 'engine-worker.mjs')),
      model: modelDir,
      modelsDir: null,
    });
    engine.start();
    try {
      const speech = path.join(root, 'e2e', 'fixtures', 'speech.wav');
      const transcript = await engine.run('job', speech, 'speech.wav', () => {});
      expect(transcript.words.length).toBeGreaterThan(0);
      expect(engine.status.backend?.kind).toBe('wasm');
    } finally {
      engine.dispose();
    }
  });
});
