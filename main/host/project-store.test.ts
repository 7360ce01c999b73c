import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FileRef } from '../common/ipc-contract';
import { wordAt } from '../common/project-ops';
import type { Transcript } from '../common/transcript';
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
    await new ProjectStore(file, before).apply([
      { type: 'add-files', files: [{ fileId: ref.id }] },
      { type: 'select', fileId: ref.id },
    ]);
    const after = new FileRegistry((id) => `/media/${id}?new`);
    const project = await new ProjectStore(file, after).load();
    expect(project.items[0].file).toEqual({ ...ref, mediaUrl: `/media/${ref.id}?new` });
    expect(project.selectedId).toBe(ref.id);
    expect(after.get(ref.id)?.path).toBe(audio);
  });

  it('opens a project file the previous version wrote (a whole snapshot with seq), and updates it', async () => {
    const file = path.join(dir, 'project.json');
    const audio = path.join(dir, 'old.wav');
    await writeFile(audio, 'RIFF');
    // Written by the version whose page saved the whole project back (resultsSeen/seq reconciliation),
    // with an error code from before the codes were a closed list.
    // What an item keeps beside its file, the same in the old file and in the project it opens as.
    const kept = {
      transcript: TRANSCRIPT,
      edits: { '1': 'earth' },
      cueTimes: { '0': { start: 0.1, end: 1.5 } },
      error: null,
      reference: 'hello world',
      set: 'corpus',
    };
    const old = {
      version: 1,
      seq: 7,
      selectedIndex: 1,
      items: [
        {
          id: 'old-a',
          path: audio,
          name: 'old.wav',
          size: 4,
          ...kept,
          relPath: 'sub/old.wav',
        },
        {
          path: path.join(dir, 'gone.wav'),
          name: 'gone.wav',
          size: 9,
          transcript: null,
          edits: {},
          error: { code: 'ECONNREFUSED', message: 'gone.wav: connect ECONNREFUSED' },
        },
      ],
      queue: { paused: true, pending: [{ path: path.join(dir, 'gone.wav'), name: 'gone.wav', size: 9 }] },
      dictation: { text: 'Dictated.', additions: [{ added: 'Dictated.', removed: '' }] },
    };
    await writeFile(file, JSON.stringify(old));
    const registry = new FileRegistry((id) => `/media/${id}`);
    const store = new ProjectStore(file, registry);
    const project = await store.load();
    expect(project).toEqual({
      version: 1,
      selectedId: project.items[1].file.id,
      items: [
        {
          file: { id: 'old-a', name: 'old.wav', size: 4, mediaUrl: '/media/old-a' },
          ...kept,
          path: 'sub/old.wav',
        },
        {
          file: expect.objectContaining({ name: 'gone.wav', size: 9 }),
          transcript: null,
          edits: {},
          error: { code: 'INTERNAL', message: 'gone.wav: connect ECONNREFUSED' },
          reference: null,
          set: null,
          path: null,
        },
      ],
      dictation: old.dictation,
    });
    expect(await store.queue()).toMatchObject({ paused: true, files: [{ name: 'gone.wav' }] });
    // The next outcome is numbered after the old file's last one.
    expect(
      await store.recordOutcome({ path: audio, name: 'old.wav', size: 4 }, { transcript: TRANSCRIPT }),
    ).toBe(8);
    await store.apply([{ type: 'edit-word', fileId: 'old-a', word: wordAt(TRANSCRIPT, 0), text: 'hullo' }]);
    const reread = await new ProjectStore(file, new FileRegistry((id) => `/media/${id}`)).load();
    expect(reread.items[0].edits).toEqual({ '0': 'hullo', '1': 'earth' });
    expect(reread.items[0].reference).toBe('hello world');
  });

  it('keeps the dictation document and cue times over a restart', async () => {
    const { file, store, ref } = await withFile('b.wav');
    const dictation = { text: 'Hello there.', additions: [{ added: 'Hello there.', removed: '' }] };
    await store.recordOutcome(stored(ref), { transcript: TRANSCRIPT });
    await store.apply([
      { type: 'cue-time', fileId: ref.id, word: wordAt(TRANSCRIPT, 0), time: { start: 0.25, end: 1.75 } },
      { type: 'dictation', document: dictation },
    ]);
    const project = await new ProjectStore(file, new FileRegistry((id) => `/media/${id}`)).load();
    expect(project.dictation).toEqual(dictation);
    expect(project.items[0].cueTimes).toEqual({ '0': { start: 0.25, end: 1.75 } });
  });
});

// ---- Applying the page's operations ----------------------------------------------------------------

const word = (text: string, start: number, end: number) => ({ word: text, start, end, confidence: 0.9 });
const TRANSCRIPT: Transcript = {
  text: 'hello world again',
  words: [word('hello', 0.1, 0.5), word('world', 0.6, 1.0), word('again', 1.2, 1.6)],
  durationSec: 2,
  backend: 'wasm',
  model: 'm',
  rtf: 0.1,
};

/** A new transcript of the same file (a re-run: other words, and its own timing). */
const rerunOf = (...words: [string, number, number][]): Transcript => ({
  ...TRANSCRIPT,
  words: words.map(([text, start, end]) => word(text, start, end)),
  rtf: 0.2,
});

const stored = (ref: FileRef) => ({
  path: path.join(dir, ref.name),
  name: ref.name,
  size: ref.size,
  id: ref.id,
});

async function withFile(name: string) {
  const file = path.join(dir, 'project.json');
  await writeFile(path.join(dir, name), 'RIFF');
  const registry = new FileRegistry((id) => `/media/${id}`);
  const ref = await registry.register(path.join(dir, name));
  const store = new ProjectStore(file, registry);
  await store.apply([{ type: 'add-files', files: [{ fileId: ref.id }] }]);
  return { file, store, registry, ref };
}

const onDisk = async (file: string) => JSON.parse(await readFile(file, 'utf8'));

describe('ProjectStore.apply', () => {
  it('adds files (once) with their references, selects, and removes them; every change is on disk', async () => {
    const { file, store, registry, ref } = await withFile('a.wav');
    await writeFile(path.join(dir, 'b.wav'), 'RIFF');
    const b = await registry.register(path.join(dir, 'b.wav'));
    await store.apply([
      { type: 'add-files', files: [{ fileId: b.id, reference: 'two', set: 'corpus', path: 'x/b.wav' }] },
      { type: 'add-files', files: [{ fileId: ref.id }] }, // already there: keeps its place
      { type: 'select', fileId: b.id },
    ]);
    let saved = await onDisk(file);
    expect(saved.items.map((i: { name: string }) => i.name)).toEqual(['a.wav', 'b.wav']);
    expect(saved.items[1]).toMatchObject({ reference: 'two', set: 'corpus', relPath: 'x/b.wav' });
    expect(saved.selectedIndex).toBe(1);
    // A reference set later (a manifest matched to files already there); other fields stay.
    await store.apply([{ type: 'add-files', files: [{ fileId: b.id, reference: 'two too' }] }]);
    expect((await onDisk(file)).items[1]).toMatchObject({ reference: 'two too', set: 'corpus' });
    // Removing the selected file selects the first one, as the page does; removing it again is no change.
    await store.apply([{ type: 'remove-file', fileId: b.id }]);
    await store.apply([{ type: 'remove-file', fileId: b.id }]);
    saved = await onDisk(file);
    expect(saved.items.map((i: { name: string }) => i.name)).toEqual(['a.wav']);
    expect(saved.selectedIndex).toBe(0);
    await store.apply([{ type: 'select', fileId: null }]);
    expect((await onDisk(file)).selectedIndex).toBe(null);
  });

  it('sets and clears a word edit and a cue time; sending one again changes nothing', async () => {
    const { file, store, ref } = await withFile('e.wav');
    await store.recordOutcome(stored(ref), { transcript: TRANSCRIPT });
    const edit = { type: 'edit-word', fileId: ref.id, word: wordAt(TRANSCRIPT, 1), text: 'word' } as const;
    const cue = {
      type: 'cue-time',
      fileId: ref.id,
      word: wordAt(TRANSCRIPT, 0),
      time: { start: 0, end: 1.9 },
    } as const;
    await store.apply([edit, cue]);
    await store.apply([edit, cue]); // a replay
    expect((await store.load()).items[0]).toMatchObject({
      edits: { '1': 'word' },
      cueTimes: { '0': { start: 0, end: 1.9 } },
    });
    // The word's own text and a null time take them away again.
    await store.apply([
      { ...edit, text: 'world' },
      { ...cue, time: null },
    ]);
    expect((await onDisk(file)).items[0]).toMatchObject({ edits: {}, cueTimes: {} });
  });

  it('keeps the dictation document it is sent', async () => {
    const { file, store } = await withFile('d.wav');
    const document = { text: 'One. Two', additions: [{ added: 'One.', removed: '' }] };
    await store.apply([{ type: 'dictation', document }]);
    expect((await onDisk(file)).dictation).toEqual(document);
  });

  it('refuses a file never opened, or an edit of one not in the project, and changes nothing', async () => {
    const { file, store, registry, ref } = await withFile('r.wav');
    await writeFile(path.join(dir, 'out.wav'), 'RIFF');
    const outside = await registry.register(path.join(dir, 'out.wav'));
    const before = await readFile(file, 'utf8');
    const edit = (fileId: string) =>
      ({ type: 'edit-word', fileId, word: { index: 0, start: 0, end: 1 }, text: 'x' }) as const;
    await expect(
      store.apply([
        { type: 'select', fileId: ref.id },
        { type: 'add-files', files: [{ fileId: 'forged' }] },
      ]),
    ).rejects.toMatchObject({
      code: 'UNKNOWN_FILE',
      message: /operation 2 \(add-files\): file forged was never opened/,
    });
    await expect(store.apply([{ type: 'select', fileId: ref.id }, edit(outside.id)])).rejects.toThrow(
      /operation 2 \(edit-word\): file .* is not in the project/,
    );
    await expect(store.apply([{ type: 'select', fileId: outside.id }])).rejects.toThrow(/not in the project/);
    // Removed earlier in the same call: no longer in the project for what follows.
    await expect(store.apply([{ type: 'remove-file', fileId: ref.id }, edit(ref.id)])).rejects.toThrow(
      /operation 2/,
    );
    expect(await readFile(file, 'utf8')).toBe(before);
    expect((await store.load()).items).toHaveLength(1);
    // Added earlier in the same call: an edit of it is fine.
    await store.apply([{ type: 'add-files', files: [{ fileId: outside.id }] }, edit(outside.id)]);
    expect((await store.load()).items.map((i) => i.file.name)).toEqual(['r.wav', 'out.wav']);
  });

  it('an edit made on a transcript that a re-run replaced goes to the new word at its time', async () => {
    const { store, ref } = await withFile('rerun.wav');
    await store.recordOutcome(stored(ref), { transcript: TRANSCRIPT });
    // The page edits "world" (0.6–1.0 s) and sets the cue at "again"; a re-run finishes before they arrive.
    const rerun = rerunOf(['hello', 0.1, 0.3], ['a', 0.35, 0.5], ['wild', 0.62, 1.05], ['again', 1.2, 1.6]);
    await store.recordOutcome(stored(ref), { transcript: rerun });
    await store.apply([
      { type: 'edit-word', fileId: ref.id, word: wordAt(TRANSCRIPT, 1), text: 'word' },
      { type: 'cue-time', fileId: ref.id, word: wordAt(TRANSCRIPT, 2), time: { start: 1.2, end: 1.9 } },
    ]);
    expect((await store.load()).items[0]).toMatchObject({
      transcript: { rtf: 0.2 },
      edits: { '2': 'word' },
      cueTimes: { '3': { start: 1.2, end: 1.9 } },
    });
  });

  it('an edit made while the file is re-transcribed is not lost when the new transcript lands', async () => {
    const { store, ref } = await withFile('running.wav');
    await store.recordOutcome(stored(ref), { transcript: TRANSCRIPT });
    // The re-run is running; the user corrects "again" and times the first cue on the old words.
    await store.apply([
      { type: 'edit-word', fileId: ref.id, word: wordAt(TRANSCRIPT, 2), text: 'against' },
      { type: 'cue-time', fileId: ref.id, word: wordAt(TRANSCRIPT, 0), time: { start: 0, end: 1 } },
    ]);
    const rerun = rerunOf(
      ['yellow', 0.05, 0.45],
      ['whirled', 0.55, 1.1],
      ['a', 1.15, 1.25],
      ['gain', 1.3, 1.6],
    );
    await store.recordOutcome(stored(ref), { transcript: rerun });
    // Each goes to the new word overlapping its old one most: "again" (1.2–1.6) → "gain" (1.3–1.6).
    expect((await store.load()).items[0]).toMatchObject({
      edits: { '3': 'against' },
      cueTimes: { '0': { start: 0, end: 1 } },
    });
  });

  it('a file removed while its job runs stays out when the job ends, and comes back with it if added again', async () => {
    const { store, ref } = await withFile('gone.wav');
    await store.apply([{ type: 'remove-file', fileId: ref.id }]);
    await store.recordOutcome(stored(ref), { transcript: TRANSCRIPT });
    expect((await store.load()).items).toEqual([]);
    await store.apply([{ type: 'add-files', files: [{ fileId: ref.id }] }]);
    expect((await store.load()).items[0]).toMatchObject({ file: { id: ref.id }, transcript: TRANSCRIPT });
  });

  it('brings a dictation recording’s transcript along when the page adds the recording', async () => {
    const { store, registry } = await withFile('other.wav');
    await writeFile(path.join(dir, 'rec.wav'), 'RIFF');
    const recording = await registry.register(path.join(dir, 'rec.wav'));
    store.offerTranscript(recording.id, TRANSCRIPT);
    await store.apply([{ type: 'add-files', files: [{ fileId: recording.id }] }]);
    expect((await store.load()).items[1]).toMatchObject({
      file: { name: 'rec.wav' },
      transcript: TRANSCRIPT,
    });
  });
});
