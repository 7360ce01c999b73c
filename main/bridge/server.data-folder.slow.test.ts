/**
 * The bridge's data folder across runs: one server per folder (a second one is refused, a dead one's
 * lock is taken over), and uploads the saved project does not use are removed at the next start.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FileRef, ProjectOp } from '../common/ipc-contract';
import { DataFolderLockedError, LOCK_FILE } from '../host/data-lock';
import { fakeWorkers } from '../host/testing/fake-worker';
import { startBridge, type Bridge } from './server';

const TOKEN = 'data-folder-token';
let dir: string;
let staticDir: string;
let dataDir: string;
const open: Bridge[] = [];
const children: ChildProcess[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bridge-data-'));
  staticDir = path.join(dir, 'static');
  dataDir = path.join(dir, 'data');
  await mkdir(staticDir, { recursive: true });
  await writeFile(path.join(staticDir, 'index.html'), '<!doctype html><title>Speech Studio</title>');
});

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const bridge of open.splice(0)) await bridge.close();
  await rm(dir, { recursive: true, force: true });
});

async function start(): Promise<Bridge> {
  const bridge = await startBridge({
    staticDir,
    dataDir,
    model: 'unused',
    token: TOKEN,
    spawnWorker: fakeWorkers().spawn,
  });
  open.push(bridge);
  return bridge;
}

async function stop(bridge: Bridge): Promise<void> {
  open.splice(open.indexOf(bridge), 1);
  await bridge.close();
}

/** The pid of a process that has exited (so it is certainly not running). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('bridge: one server per data folder', () => {
  it('refuses a second server on the same folder, saying which process holds it', async () => {
    await start();
    const second = startBridge({ staticDir, dataDir, model: 'unused', spawnWorker: fakeWorkers().spawn });
    await expect(second).rejects.toThrow(DataFolderLockedError);
    await expect(second).rejects.toThrow(`in use by another Speech Studio (process ${process.pid})`);
  });

  it('as a command: the second `npm run web` says so in one line and exits 1', async () => {
    await start();
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const child = spawn(
      process.execPath,
      ['--import', tsx, 'main/bridge/web.ts', '--data', dataDir, '--static', staticDir, '--model', 'unused'],
      { cwd: path.resolve(import.meta.dirname, '../..'), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(child);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^speech-studio: .* is in use by another Speech Studio \(process \d+\)/),
    ]);
  }, 60_000);

  it('lets the folder go when the server closes', async () => {
    await stop(await start());
    await expect(readdir(dataDir)).resolves.not.toContain(LOCK_FILE);
    await start();
  });

  it('takes over the lock of a process that no longer runs, and an unreadable one', async () => {
    await mkdir(dataDir, { recursive: true });
    for (const stale of [`${deadPid()}\n`, '', 'not a pid']) {
      await writeFile(path.join(dataDir, LOCK_FILE), stale);
      const bridge = await start();
      expect(await readFile(path.join(dataDir, LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
      await stop(bridge);
    }
  });
});

describe('bridge: uploads the project does not use', () => {
  async function upload(bridge: Bridge, name: string): Promise<FileRef> {
    const reply = await fetch(`http://127.0.0.1:${bridge.port}/api/upload?name=${name}`, {
      method: 'POST',
      headers: { 'x-studio-token': TOKEN },
      body: Buffer.alloc(1000, 1),
    });
    expect(reply.status).toBe(200);
    return ((await reply.json()) as { result: FileRef }).result;
  }

  async function save(bridge: Bridge, files: FileRef[]): Promise<void> {
    const ops: ProjectOp[] = [{ type: 'add-files', files: files.map((file) => ({ fileId: file.id })) }];
    const reply = await fetch(`http://127.0.0.1:${bridge.port}/api/invoke/studio:update-project`, {
      method: 'POST',
      headers: { 'x-studio-token': TOKEN, 'content-type': 'application/json' },
      body: JSON.stringify([ops]),
    });
    expect(reply.status).toBe(200);
  }

  const uploads = () => readdir(path.join(dataDir, 'uploads'));

  it('are removed at the next start; the project’s own are kept', async () => {
    const first = await start();
    const kept = await upload(first, 'kept.wav');
    await upload(first, 'never-added.wav');
    await upload(first, 'also-never-added.wav');
    await save(first, [kept]);
    expect(await uploads()).toHaveLength(3);
    await stop(first);

    const second = await start();
    expect(await uploads()).toHaveLength(1);
    const project = await second.service.loadProject();
    expect(project.items.map((i) => i.file.name)).toEqual(['kept.wav']);
    const media = await fetch(`http://127.0.0.1:${second.port}${project.items[0].file.mediaUrl}`);
    expect(media.status).toBe(200);
    expect((await media.arrayBuffer()).byteLength).toBe(1000);
  });

  it('are all kept when the project file cannot be read (it is no guide to what is unused)', async () => {
    const first = await start();
    const kept = await upload(first, 'kept.wav');
    await upload(first, 'other.wav');
    await save(first, [kept]);
    await stop(first);
    await writeFile(path.join(dataDir, 'project.json'), '{"version": 1, "items": [tr');
    await start();
    expect(await uploads()).toHaveLength(2);
  });
});
