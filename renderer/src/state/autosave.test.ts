import { describe, expect, it, vi } from 'vitest';
import type { Project, ProjectItem, ProjectOp } from '../../../main/common/ipc-contract';
import {
  MAX_BATCH_OPS,
  PREVIOUS_UNSAVED_KEY,
  ProjectUpdates,
  replayable,
  takePreviousSnapshot,
  takeUnsent,
  UNSENT_KEY,
  type Unsent,
} from './autosave';

function memoryStorage() {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (key: string) => map.get(key) ?? null,
    setItem: (key: string, value: string) => void map.set(key, value),
    removeItem: (key: string) => void map.delete(key),
  };
}

/** Requests the test answers by hand. */
function manualSends() {
  const pending: { ops: ProjectOp[]; resolve: () => void; reject: (e: unknown) => void }[] = [];
  const send = vi.fn(
    (ops: ProjectOp[]) => new Promise<void>((resolve, reject) => pending.push({ ops, resolve, reject })),
  );
  return { send, pending };
}

const edit = (index: number, text: string, fileId = 'f1'): ProjectOp => ({
  type: 'edit-word',
  fileId,
  word: { index, start: index, end: index + 0.5 },
  text,
});
const kept = (storage: ReturnType<typeof memoryStorage>) =>
  JSON.parse(storage.map.get(UNSENT_KEY) ?? 'null') as Unsent | null;
const flushPromises = () => new Promise((resolve) => setTimeout(resolve, 0));
const refused = (code: string) => Object.assign(new Error(`${code}: no`), { code });

function queue(storage = memoryStorage()) {
  const { send, pending } = manualSends();
  const onPending = vi.fn();
  const onError = vi.fn();
  const onSent = vi.fn();
  const updates = new ProjectUpdates({ send, storage, onPending, onSent, onError });
  return { updates, send, pending, storage, onPending, onError, onSent };
}

describe('ProjectUpdates', () => {
  it('sends an operation at once, with no delay to wait out, and keeps it in storage until confirmed', async () => {
    const { updates, send, pending, storage, onPending } = queue();
    updates.push([edit(0, 'a')]);
    expect(send).toHaveBeenCalledTimes(1); // synchronously: no timer between the edit and the request
    expect(send).toHaveBeenLastCalledWith([edit(0, 'a')]);
    expect(kept(storage)?.ops).toEqual([edit(0, 'a')]);
    expect(onPending).toHaveBeenLastCalledWith(1);
    pending[0].resolve();
    await flushPromises();
    expect(storage.map.has(UNSENT_KEY)).toBe(false);
    expect(onPending).toHaveBeenLastCalledWith(0);
  });

  it('sends one request at a time; what is done meanwhile follows in order, a later set replacing an earlier', async () => {
    const { updates, send, pending, storage, onSent } = queue();
    updates.push([edit(0, 'a')]);
    updates.push([edit(1, 'b')]);
    updates.push([{ type: 'remove-file', fileId: 'f2' }]);
    updates.push([edit(1, 'c')]); // the same word again: only the newest goes
    updates.push([edit(0, 'd')]); // the word in flight: sent again after it, in order
    expect(send).toHaveBeenCalledTimes(1);
    expect(kept(storage)?.ops).toEqual([
      edit(0, 'a'),
      { type: 'remove-file', fileId: 'f2' },
      edit(1, 'c'),
      edit(0, 'd'),
    ]);
    pending[0].resolve();
    await flushPromises();
    expect(send).toHaveBeenCalledTimes(2);
    expect(pending[1].ops).toEqual([{ type: 'remove-file', fileId: 'f2' }, edit(1, 'c'), edit(0, 'd')]);
    expect(kept(storage)?.ops).toEqual(pending[1].ops); // confirmed ones are no longer kept
    pending[1].resolve();
    await flushPromises();
    expect(send).toHaveBeenCalledTimes(2);
    expect(storage.map.has(UNSENT_KEY)).toBe(false);
    expect(onSent.mock.calls.map(([ops]) => ops.length)).toEqual([1, 3]);
  });

  it('keeps operations whose request failed, and sends them again on the next operation or flush', async () => {
    const { updates, send, pending, storage, onError } = queue();
    updates.push([edit(0, 'a')]);
    pending[0].reject(refused('UNAUTHORIZED'));
    await flushPromises();
    expect(onError).toHaveBeenCalledTimes(1);
    expect(send).toHaveBeenCalledTimes(1); // not retried in a loop
    expect(kept(storage)?.ops).toEqual([edit(0, 'a')]);
    updates.flush(); // the server is back
    expect(send).toHaveBeenCalledTimes(2);
    pending[1].resolve();
    await flushPromises();
    expect(storage.map.has(UNSENT_KEY)).toBe(false);
    updates.flush(); // nothing left
    updates.push([]);
    expect(send).toHaveBeenCalledTimes(2);
  });

  it('drops only the operation the host refuses, after trying the refused request one by one', async () => {
    const { updates, send, pending, storage, onError } = queue();
    updates.push([edit(0, 'first')]);
    updates.push([edit(1, 'ok'), edit(2, 'bad'), edit(3, 'also ok')]);
    pending[0].resolve();
    await flushPromises();
    expect(pending[1].ops).toHaveLength(3);
    pending[1].reject(refused('INVALID_PAYLOAD'));
    await flushPromises();
    expect(pending[2].ops).toEqual([edit(1, 'ok')]);
    pending[2].resolve();
    await flushPromises();
    expect(pending[3].ops).toEqual([edit(2, 'bad')]);
    pending[3].reject(refused('UNKNOWN_FILE'));
    await flushPromises();
    expect(pending[4].ops).toEqual([edit(3, 'also ok')]);
    pending[4].resolve();
    await flushPromises();
    expect(send).toHaveBeenCalledTimes(5);
    expect(onError).toHaveBeenCalledTimes(2); // each refusal is told
    expect(storage.map.has(UNSENT_KEY)).toBe(false);
  });

  it('splits a long backlog into requests of bounded size', async () => {
    const { updates, pending } = queue();
    updates.push([edit(0, 'x')]);
    updates.push(Array.from({ length: MAX_BATCH_OPS + 50 }, (_, i) => edit(i + 1, 'y')));
    pending[0].resolve();
    await flushPromises();
    expect(pending[1].ops).toHaveLength(MAX_BATCH_OPS);
    pending[1].resolve();
    await flushPromises();
    expect(pending[2].ops).toHaveLength(50);
    // A dictation document larger than a request's share goes alone.
    const document = { text: 'w'.repeat(600_000), additions: [] };
    updates.push([edit(0, 'z'), { type: 'dictation', document }, edit(1, 'z')]);
    pending[2].resolve();
    await flushPromises();
    expect(pending[3].ops.map((op) => op.type)).toEqual(['edit-word']);
    pending[3].resolve();
    await flushPromises();
    expect(pending[4].ops.map((op) => op.type)).toEqual(['dictation']);
  });

  it('keeps the names of files it adds, to name them if they are lost, and only while unconfirmed', async () => {
    const { updates, pending, storage } = queue();
    updates.push([{ type: 'add-files', files: [{ fileId: 'n1' }] }], { n1: 'new.wav' });
    expect(kept(storage)?.names).toEqual({ n1: 'new.wav' });
    pending[0].resolve();
    await flushPromises();
    updates.push([edit(0, 'a')]);
    expect(kept(storage)?.names).toEqual({});
  });
});

const item = (id: string): ProjectItem => ({
  file: { id, name: `${id}.wav`, size: 1, mediaUrl: `/media/${id}?token=new` },
  transcript: null,
  edits: {},
  error: null,
});

describe('takeUnsent and replayable', () => {
  it('replays what is about files the host has, and names the added files it lost', () => {
    const loaded: Project = { version: 1, items: [item('a'), item('b')], selectedId: 'a' };
    const unsent: Unsent = {
      version: 1,
      ops: [
        edit(0, 'kept', 'a'),
        { type: 'add-files', files: [{ fileId: 'b', reference: 'ref' }, { fileId: 'lost' }] },
        edit(0, 'gone with its file', 'lost'),
        { type: 'select', fileId: 'lost' },
        { type: 'remove-file', fileId: 'b' },
        { type: 'dictation', document: { text: 'Hi.', additions: [] } },
      ],
      names: { lost: 'lost.wav' },
    };
    expect(replayable(loaded, unsent)).toEqual({
      ops: [
        edit(0, 'kept', 'a'),
        { type: 'add-files', files: [{ fileId: 'b', reference: 'ref' }] },
        { type: 'remove-file', fileId: 'b' },
        { type: 'dictation', document: { text: 'Hi.', additions: [] } },
      ],
      dropped: ['lost.wav'],
    });
  });

  it('ignores what is not a list of operations (another version, a corrupt entry)', () => {
    const storage = memoryStorage();
    expect(takeUnsent(storage)).toBeNull();
    for (const bad of [
      'not json',
      '{"version":1,"items":[],"selectedId":null}', // the previous version's whole-project snapshot
      '{"version":1,"ops":[{"type":"drop-tables"}],"names":{}}',
      '{"version":1,"ops":[null],"names":{}}',
    ]) {
      storage.setItem(UNSENT_KEY, bad);
      expect(takeUnsent(storage)).toBeNull();
    }
    const good: Unsent = { version: 1, ops: [edit(0, 'x')], names: {} };
    storage.setItem(UNSENT_KEY, JSON.stringify(good));
    expect(takeUnsent(storage)).toEqual(good);
  });
});

describe('takePreviousSnapshot', () => {
  it('turns what the previous version kept (the whole project) into operations, once', () => {
    const storage = memoryStorage();
    const word = (text: string, start: number) => ({ word: text, start, end: start + 0.4, confidence: 1 });
    const transcript = {
      text: 'a b',
      words: [word('a', 0), word('b', 0.5)],
      durationSec: 1,
      backend: 'wasm',
      model: 'm',
      rtf: 0.1,
    };
    const document = { text: 'Hi.', additions: [{ added: 'Hi.', removed: '' }] };
    storage.setItem(
      PREVIOUS_UNSAVED_KEY,
      JSON.stringify({
        version: 1,
        resultsSeen: 3,
        selectedId: 'a',
        items: [
          {
            ...item('a'),
            transcript,
            edits: { '1': 'bee', '9': 'no such word' },
            cueTimes: { '0': { start: 0, end: 0.9 } },
            reference: 'a b',
            set: 'corpus',
            path: 'x/a.wav',
          },
        ],
        dictation: document,
      }),
    );
    expect(takePreviousSnapshot(storage)).toEqual({
      version: 1,
      ops: [
        { type: 'add-files', files: [{ fileId: 'a', reference: 'a b', set: 'corpus', path: 'x/a.wav' }] },
        { type: 'edit-word', fileId: 'a', word: { index: 1, start: 0.5, end: 0.9 }, text: 'bee' },
        {
          type: 'cue-time',
          fileId: 'a',
          word: { index: 0, start: 0, end: 0.4 },
          time: { start: 0, end: 0.9 },
        },
        { type: 'select', fileId: 'a' },
        { type: 'dictation', document },
      ],
      names: { a: 'a.wav' },
    } satisfies Unsent);
    expect(storage.map.has(PREVIOUS_UNSAVED_KEY)).toBe(false);
    expect(takePreviousSnapshot(storage)).toBeNull();
    storage.setItem(PREVIOUS_UNSAVED_KEY, '{"version":2}');
    expect(takePreviousSnapshot(storage)).toBeNull();
  });
});
