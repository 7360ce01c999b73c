/**
 * The studio as Electron main starts it (the app made ready, the engine in a "utility process" that is a
 * real engine worker started with Node), driven through its IPC handlers as the window drives them: what
 * the Electron host can do with a user's files, not only what the shared service can.
 */
import { fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { InvokeReply } from '../common/ipc-contract';
import { createRandomModel } from '../engine/model/random-model';
import { ENGINE_WORKER_SOURCE } from '../host/node-worker';
import { FakeBrowserWindow, type fakeElectron } from './testing/fake-electron';

const state = vi.hoisted(() => ({ userData: '', forkedPaths: [] as string[] }));
const FIXTURES = fileURLToPath(new URL('../engine/__fixtures__/', import.meta.url));

/** Electron's utilityProcess.fork, played by a Node child running the engine worker's source. */
function forkUtility(modulePath: string) {
  state.forkedPaths.push(modulePath);
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const child = fork(ENGINE_WORKER_SOURCE, [], {
    execArgv: ['--import', tsx],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  const utility = new EventEmitter();
  child.on('message', (message) => utility.emit('message', message));
  child.once('exit', (code) => utility.emit('exit', code));
  return Object.assign(utility, {
    pid: child.pid,
    postMessage: (message: unknown) => child.connected && child.send(message as object),
    kill: () => child.kill(),
  });
}

vi.mock('electron', async () => {
  const electron = (await import('./testing/fake-electron')).fakeElectron();
  electron.app.whenReady.mockImplementation(() => Promise.resolve());
  electron.app.getPath.mockImplementation((name: string) => path.join(state.userData, name));
  Object.assign(electron.session.defaultSession, {
    setPermissionRequestHandler: vi.fn(),
    setPermissionCheckHandler: vi.fn(),
    setDevicePermissionHandler: vi.fn(),
  });
  electron.utilityProcess.fork.mockImplementation(forkUtility);
  return electron;
});

let dir: string;
/** The mocked module: what main.ts registered with it, and the app to close. */
let electron: ReturnType<typeof fakeElectron>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'electron-main-'));
  state.userData = dir;
  await createRandomModel(path.join(dir, 'model'), { seed: 3 });
  process.env.SPEECH_STUDIO_MODEL = path.join(dir, 'model');
  process.env.SPEECH_STUDIO_NO_NATIVE_MIC = '1';
  electron = (await import('electron')) as unknown as typeof electron;
  await import('./main');
  await vi.waitFor(
    () => {
      const failed = electron.dialog.showErrorBox.mock.calls;
      if (failed.length) throw new Error(`main failed: ${JSON.stringify(failed)}`);
      expect(FakeBrowserWindow.instances).toHaveLength(1);
    },
    { timeout: 30_000 },
  );
});

afterAll(async () => {
  electron.app.emit('window-all-closed');
  delete process.env.SPEECH_STUDIO_MODEL;
  delete process.env.SPEECH_STUDIO_NO_NATIVE_MIC;
  await rm(dir, { recursive: true, force: true });
});

/** Invokes a channel as the studio window does, and returns its reply. */
async function invoke<T>(channel: string, ...args: unknown[]): Promise<InvokeReply<T>> {
  const registered = electron.ipcMain.handle.mock.calls.find(([name]: unknown[]) => name === channel);
  if (!registered) throw new Error(`${channel} is not handled`);
  const sender = FakeBrowserWindow.instances[0].webContents;
  const handler = registered[1] as (event: unknown, ...a: unknown[]) => Promise<InvokeReply<T>>;
  return handler({ sender, senderFrame: sender.mainFrame }, ...args);
}

async function result<T>(channel: string, ...args: unknown[]): Promise<T> {
  const reply = await invoke<T>(channel, ...args);
  if (!reply.ok) throw new Error(`${channel}: ${reply.error.code}: ${reply.error.message}`);
  return reply.result;
}

describe('Electron main, started', () => {
  it('runs the engine in the bundled worker, as a utility process', () => {
    expect(state.forkedPaths).toEqual([expect.stringMatching(/engine-worker\.mjs$/)]);
  });

  it('takes every documented format for "add correction" and for a file played as the microphone', async () => {
    const names = ['speech-22k.mp3', 'speech-44k-stereo.flac', 'speech-48k.ogg'];
    const files = await result<{ id: string; name: string }[]>(
      'studio:add-paths',
      names.map((name) => path.join(FIXTURES, name)),
    );
    expect(files.map((f) => f.name)).toEqual(names);
    for (const file of files) {
      await result('studio:profile-add-correction', file.id, 'the quick brown fox');
      const started = await result<{ source: string; deviceName: string }>('studio:dictation-start', {
        source: 'file',
        fileId: file.id,
      });
      expect(started).toMatchObject({ source: 'file', deviceName: `file: ${file.name}` });
      await result('studio:dictation-cancel');
    }
    const profile = await result<{ corrections: { durationSec: number }[] }>('studio:get-voice-profile');
    expect(profile.corrections).toHaveLength(names.length);
    for (const correction of profile.corrections) expect(correction.durationSec).toBeGreaterThan(1);
  });

  it('names the file in a clear error when it cannot be decoded', async () => {
    const [broken] = await result<{ id: string }[]>('studio:add-paths', [path.join(FIXTURES, 'broken.flac')]);
    const reply = await invoke('studio:dictation-start', { source: 'file', fileId: broken.id });
    expect(reply).toMatchObject({ ok: false, error: { code: 'CORRUPT_AUDIO' } });
    expect(!reply.ok && reply.error.message).toContain('broken.flac');
  });
});
