import { execFile } from 'node:child_process';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.join(import.meta.dirname, '..', '..');

/** Runs the launcher with the electron package pointed at `dist` (ELECTRON_OVERRIDE_DIST_PATH). */
async function launch(dist: string, args: string[] = []) {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', 'main/cli/start-electron.ts', ...args],
      {
        cwd: root,
        env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: dist },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function fakeElectron(script: string): Promise<string> {
  const dist = await mkdtemp(path.join(os.tmpdir(), 'fake-electron-'));
  await writeFile(path.join(dist, 'electron'), `#!/bin/sh\n${script}\n`);
  await chmod(path.join(dist, 'electron'), 0o755);
  return dist;
}

describe.skipIf(process.platform === 'win32')('npm start launcher', () => {
  it('says Electron could not start and points to npm run web when there is no binary', async () => {
    const dist = await mkdtemp(path.join(os.tmpdir(), 'no-electron-'));
    const { code, stderr } = await launch(dist, ['app.mjs']);
    expect(code).toBe(1);
    expect(stderr).toBe(
      `Speech Studio: Electron could not be started (no binary at ${path.join(dist, 'electron')}).\nThe same studio runs in a browser: npm run web\n`,
    );
  }, 60_000);

  it('passes on what Electron printed when it fails at start, then the same hint', async () => {
    const dist = await fakeElectron("echo 'Missing X server or $DISPLAY' >&2; exit 3");
    const { code, stderr } = await launch(dist);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^Missing X server or \$DISPLAY\nSpeech Studio: Electron stopped with exit code 3 \(Missing X server or \$DISPLAY\)\.\nThe same studio runs in a browser: npm run web\n$/,
    );
  }, 60_000);

  it('runs Electron with the arguments given and exits as it does', async () => {
    const dist = await fakeElectron('echo "started with $*"');
    const { code, stdout, stderr } = await launch(dist, ['dist/electron/main.mjs']);
    expect({ code, stdout, stderr }).toEqual({
      code: 0,
      stdout: 'started with dist/electron/main.mjs\n',
      stderr: '',
    });
  }, 60_000);
});
