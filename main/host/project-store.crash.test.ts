/**
 * No lost work: a process that autosaves through the real ProjectStore is killed with SIGKILL (as when
 * the whole app is killed) at many different moments, most of them in the middle of a write. After
 * every kill the next start must load a complete project holding at least the last save that had been
 * acknowledged — never an empty, truncated or older file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileRegistry } from './file-registry';
import { EMPTY_PROJECT, ProjectStore } from './project-store';

const WRITER = path.join(import.meta.dirname, 'testing', 'project-writer.ts');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
let dir: string;
let audio: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'project-crash-'));
  audio = path.join(dir, 'talk.wav');
  await writeFile(audio, 'RIFF');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Starts the writer and resolves with the last acknowledged save once `acks` saves are acknowledged. */
function startWriter(projectFile: string) {
  const child: ChildProcess = spawn(process.execPath, ['--import', TSX, WRITER, projectFile, audio], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let acknowledged = 0;
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) acknowledged = Number(/^saved (\d+)$/.exec(line)?.[1] ?? acknowledged);
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_c, s) => resolve(s)));
  return { child, exited, acknowledged: () => acknowledged };
}

async function loadFresh(projectFile: string) {
  return new ProjectStore(projectFile, new FileRegistry((id) => `/media/${id}`)).load();
}

describe('project store under kill -9', () => {
  it('keeps every acknowledged save, and never leaves a corrupt or empty project', async () => {
    const projectFile = path.join(dir, 'data', 'project.json');
    const rounds = 8;
    let midWriteKills = 0;
    let previous = 0;
    for (let round = 0; round < rounds; round++) {
      const writer = startWriter(projectFile);
      // Wait until a few saves went through, then kill at a moment that varies from round to round.
      const target = 3 + round;
      while (writer.acknowledged() < target) {
        await new Promise((resolve) => setTimeout(resolve, 2));
        if (writer.child.exitCode !== null) throw new Error('the writer died on its own');
      }
      await new Promise((resolve) => setTimeout(resolve, (round * 7) % 23));
      writer.child.kill('SIGKILL');
      expect(await writer.exited).toBe('SIGKILL');
      const acked = writer.acknowledged();

      // This writer's temporary file left behind means the kill interrupted one of its writes.
      if (existsSync(`${projectFile}.${writer.child.pid}.tmp`)) midWriteKills++;

      // The next start: the file is whole JSON, and holds the last acknowledged save or the one after
      // it (a write can finish between the acknowledgement and the kill), never anything older.
      const raw = await readFile(projectFile, 'utf8');
      expect(() => JSON.parse(raw)).not.toThrow();
      const project = await loadFresh(projectFile);
      expect(project).not.toEqual(EMPTY_PROJECT);
      expect(project.items).toHaveLength(1);
      expect(project.items[0].transcript?.words).toHaveLength(20_000);
      const saved = Number(/^edit-(\d+)$/.exec(project.items[0].edits['0'])?.[1]);
      expect(saved).toBeGreaterThanOrEqual(acked);
      expect(saved).toBeLessThanOrEqual(acked + 1);
      expect(project.items[0].edits['1']).toBe(`also-${saved}`);
      previous = saved;
    }
    console.log(`project store: ${rounds} kills, ${midWriteKills} during a write, 0 lost edits`);
    expect(previous).toBeGreaterThan(0);
    // The test is only worth something if it really interrupted writes.
    expect(midWriteKills).toBeGreaterThan(0);
  }, 120_000);

  it('ignores a half-written temporary file from a killed process', async () => {
    const projectFile = path.join(dir, 'stale', 'project.json');
    const registry = new FileRegistry((id) => `/media/${id}`);
    const store = new ProjectStore(projectFile, registry);
    const file = await registry.register(audio);
    await store.apply([
      { type: 'add-files', files: [{ fileId: file.id }] },
      { type: 'edit-word', fileId: file.id, word: { index: 3, start: 0, end: 0 }, text: 'kept' },
    ]);
    // What a kill between writing the temporary file and renaming it leaves behind.
    await writeFile(`${projectFile}.99999.tmp`, '{"version":1,"items":[{"path":');
    const project = await loadFresh(projectFile);
    expect(project.items[0].edits).toEqual({ '3': 'kept' });
    expect(existsSync(projectFile)).toBe(true);
  });
});
