/**
 * Playwright fixtures. `bridge` (one per worker) creates a small random test model and starts the real
 * browser-mode server (`main/bridge/web.ts`, as `npm run web` does) with a throwaway data folder;
 * `studio` opens the app in a fresh page and waits for the model to be ready.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { test as base } from '@playwright/test';
import { createRandomModel } from '../../main/engine/model/random-model';
import { CRASH_TEST_ENV } from '../../main/host/engine-protocol';
import { StudioPage } from './studio-page';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FIXTURES = path.join(ROOT, 'e2e', 'fixtures');
/** This seed's random model finds several words (with times) in the speech fixture. */
export const TEST_MODEL_SEED = 7;
/** Transcribing a file of this name makes the bridge's engine worker crash (see engine-worker.ts). */
export const CRASHING_FILE_NAME = 'engine-crash.wav';

export interface BridgeProcess {
  url: string;
  dataDir: string;
  modelDir: string;
}

/** Starts `main/bridge/web.ts --json` and resolves with the URL it prints. */
export async function startWebServer(modelDir: string, dataDir: string, env: NodeJS.ProcessEnv = {}) {
  const require = createRequire(import.meta.url);
  const tsx = pathToFileURL(require.resolve('tsx')).href;
  const child = spawn(
    process.execPath,
    ['--import', tsx, 'main/bridge/web.ts', '--json', '--model', modelDir, '--data', dataDir],
    // The engine worker exits abruptly on a file with this name: how the crash-recovery test crashes it.
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, [CRASH_TEST_ENV]: CRASHING_FILE_NAME, ...env },
    },
  );
  const lines = createInterface({ input: child.stdout! });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`the web server exited (code ${code}) before printing its URL`);
  });
  const first = once(lines, 'line').then(([line]) => JSON.parse(line as string) as { url: string });
  const { url } = await Promise.race([first, exited]);
  return { url, child };
}

export interface StudioOptions {
  /**
   * The model the bridge loads: a path, or `null` for a small random test model (meaningless words, real
   * times). The screenshots use the trained model (models/default) when it exists.
   */
  studioModel: string | null;
}

export const test = base.extend<{ studio: StudioPage }, { bridge: BridgeProcess } & StudioOptions>({
  studioModel: [null, { scope: 'worker', option: true }],
  bridge: [
    async ({ studioModel }, use) => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'speech-studio-e2e-'));
      const modelDir = studioModel ?? path.join(dir, 'e2e-random-model');
      const dataDir = path.join(dir, 'data');
      if (!studioModel) await createRandomModel(modelDir, { seed: TEST_MODEL_SEED });
      const { url, child } = await startWebServer(modelDir, dataDir);
      await use({ url, dataDir, modelDir });
      child.kill('SIGTERM');
      await once(child, 'exit');
      await rm(dir, { recursive: true, force: true });
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  studio: async ({ page, bridge }, use) => {
    const studio = await StudioPage.attach(page);
    await studio.open(bridge.url);
    await use(studio);
  },
});

export { expect } from '@playwright/test';

/** Copies a fixture under a name unique to the test, so tests sharing one project cannot see each other's files. */
export async function fixtureCopy(
  fixture: string,
  outputPath: (name: string) => string,
  name: string,
): Promise<string> {
  const target = outputPath(name);
  await copyFile(path.join(FIXTURES, fixture), target);
  return target;
}
