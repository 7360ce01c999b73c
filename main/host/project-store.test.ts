import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileRegistry } from './file-registry';
import { ProjectStore } from './project-store';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'project-store-'));
});
// Retries: a service disposed at the end of a test may still be finishing an atomic save in the folder.
afterEach(() => rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }));

describe('ProjectStore', () => {
  it('removes the temporary files of killed saves, and leaves a running process its own', async () => {
    const file = path.join(dir, 'project.json');
    // The pid of a process that has certainly ended: one we ran to completion.
    const ended = spawnSync(process.execPath, ['-e', '0']).pid;
    await writeFile(`${file}.${ended}.tmp`, '{"version":1,"items":[');
    await writeFile(`${file}.${process.pid}.tmp`, 'in progress');
    await writeFile(path.join(dir, 'other.json.1.tmp'), 'not ours');
    const project = await new ProjectStore(file, new FileRegistry((id) => `/media/${id}`)).load();
    expect(project.items).toEqual([]);
    expect((await readdir(dir)).sort()).toEqual(
      [`project.json.${process.pid}.tmp`, 'other.json.1.tmp'].sort(),
    );
  });

  it('gives saved files their ids again at the next start (a page kept across a restart still names them)', async () => {
    const file = path.join(dir, 'project.json');
    const audio = path.join(dir, 'a.wav');
    await writeFile(audio, 'RIFF');
    const before = new FileRegistry((id) => `/media/${id}`);
    const ref = await before.register(audio);
    await new ProjectStore(file, before).save({
      version: 1,
      items: [{ file: ref, transcript: null, edits: {}, error: null }],
      selectedId: ref.id,
    });
    const after = new FileRegistry((id) => `/media/${id}?new`);
    const project = await new ProjectStore(file, after).load();
    expect(project.items[0].file).toEqual({ ...ref, mediaUrl: `/media/${ref.id}?new` });
    expect(project.selectedId).toBe(ref.id);
    expect(after.get(ref.id)?.path).toBe(audio);
  });

  it('opens a project saved with an error code from before the codes were a closed list', async () => {
    const file = path.join(dir, 'project.json');
    const audio = path.join(dir, 'a.wav');
    await writeFile(audio, 'RIFF');
    const registry = new FileRegistry((id) => `/media/${id}`);
    const ref = await registry.register(audio);
    const error = { code: 'QUEUE_JOB_FAILED' as const, message: 'a.wav: connect ECONNREFUSED' };
    await new ProjectStore(file, registry).save({
      version: 1,
      items: [{ file: ref, transcript: null, edits: { '0': 'x' }, error }],
      selectedId: ref.id,
    });
    // The previous version wrote whatever code the error carried, a system error's too.
    const saved = await readFile(file, 'utf8');
    expect(saved).toContain('"QUEUE_JOB_FAILED"');
    await writeFile(file, saved.replace('"QUEUE_JOB_FAILED"', '"ECONNREFUSED"'));
    const project = await new ProjectStore(file, new FileRegistry((id) => `/media/${id}`)).load();
    expect(project.items).toHaveLength(1);
    expect(project.items[0].error).toEqual({ code: 'INTERNAL', message: error.message });
    expect(project.items[0].edits).toEqual({ '0': 'x' });
  });

  it('keeps the dictation document and cue times over a restart; a new transcript drops its cue times', async () => {
    const file = path.join(dir, 'project.json');
    const audio = path.join(dir, 'b.wav');
    await writeFile(audio, 'RIFF');
    const registry = new FileRegistry((id) => `/media/${id}`);
    const ref = await registry.register(audio);
    const transcript = { text: 'a b', words: [], durationSec: 2, backend: 'wasm', model: 'm', rtf: 0.1 };
    const dictation = { text: 'Hello there.', additions: [{ added: 'Hello there.', removed: '' }] };
    const cueTimes = { '0': { start: 0.25, end: 1.75 } };
    await new ProjectStore(file, registry).save({
      version: 1,
      items: [{ file: ref, transcript, edits: {}, error: null, cueTimes }],
      selectedId: ref.id,
      dictation,
    });
    const restarted = new ProjectStore(file, new FileRegistry((id) => `/media/${id}`));
    const project = await restarted.load();
    expect(project.dictation).toEqual(dictation);
    expect(project.items[0].cueTimes).toEqual(cueTimes);

    // The cue times were set against the old words: a fresh transcript of the file starts without them.
    await restarted.recordOutcome(
      { path: audio, name: 'b.wav', size: 4 },
      {
        transcript: { ...transcript, text: 'c d', rtf: 0.2 },
      },
    );
    expect((await restarted.load()).items[0].cueTimes).toEqual({});
  });
});
