import { describe, expect, it, vi } from 'vitest';
import type { Project, ProjectItem } from '../../../main/common/ipc-contract';
import { Autosaver, restoreUnsaved, takeUnsaved, UNSAVED_KEY } from './autosave';

function memoryStorage() {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (key: string) => map.get(key) ?? null,
    setItem: (key: string, value: string) => void map.set(key, value),
    removeItem: (key: string) => void map.delete(key),
  };
}

/** A save the test finishes by hand. */
function manualSaves() {
  const pending: { project: Project; resolve: () => void; reject: (e: unknown) => void }[] = [];
  const save = vi.fn(
    (project: Project) => new Promise<void>((resolve, reject) => pending.push({ project, resolve, reject })),
  );
  return { save, pending };
}

const snapshot = (edit: string) =>
  JSON.stringify({ version: 1, items: [], selectedId: null, resultsSeen: 0, edit } as unknown as Project);
const flushPromises = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('Autosaver', () => {
  it('sends a change at once, with no delay to wait out, and keeps it in storage until confirmed', async () => {
    const storage = memoryStorage();
    const { save, pending } = manualSaves();
    const saver = new Autosaver({ save, storage, onSaved: vi.fn(), onError: vi.fn() });
    saver.change(snapshot('a'));
    expect(save).toHaveBeenCalledTimes(1); // synchronously: no timer between the edit and the request
    expect(storage.map.get(UNSAVED_KEY)).toBe(snapshot('a'));
    pending[0].resolve();
    await flushPromises();
    expect(storage.map.has(UNSAVED_KEY)).toBe(false);
  });

  it('sends one save at a time; the newest change made meanwhile follows when it returns', async () => {
    const storage = memoryStorage();
    const { save, pending } = manualSaves();
    const onSaved = vi.fn();
    const saver = new Autosaver({ save, storage, onSaved, onError: vi.fn() });
    saver.change(snapshot('a'));
    saver.change(snapshot('b'));
    saver.change(snapshot('c'));
    expect(save).toHaveBeenCalledTimes(1);
    expect(storage.map.get(UNSAVED_KEY)).toBe(snapshot('c'));
    pending[0].resolve();
    await flushPromises();
    // 'a' is confirmed but 'c' is not: the kept copy stays.
    expect(storage.map.get(UNSAVED_KEY)).toBe(snapshot('c'));
    expect(save).toHaveBeenCalledTimes(2);
    expect(pending[1].project).toEqual(JSON.parse(snapshot('c')));
    pending[1].resolve();
    await flushPromises();
    expect(save).toHaveBeenCalledTimes(2);
    expect(storage.map.has(UNSAVED_KEY)).toBe(false);
    expect(onSaved.mock.calls.map(([json]) => json)).toEqual([snapshot('a'), snapshot('c')]);
  });

  it('keeps a change whose save failed, and sends it again on the next change or flush', async () => {
    const storage = memoryStorage();
    const { save, pending } = manualSaves();
    const onError = vi.fn();
    const saver = new Autosaver({ save, storage, onSaved: vi.fn(), onError });
    saver.change(snapshot('a'));
    pending[0].reject(Object.assign(new Error('refused'), { code: 'UNAUTHORIZED' }));
    await flushPromises();
    expect(onError).toHaveBeenCalledTimes(1);
    expect(save).toHaveBeenCalledTimes(1); // not retried in a loop
    expect(storage.map.get(UNSAVED_KEY)).toBe(snapshot('a'));
    saver.flush(); // the server is back
    expect(save).toHaveBeenCalledTimes(2);
    pending[1].resolve();
    await flushPromises();
    expect(storage.map.has(UNSAVED_KEY)).toBe(false);
    saver.flush();
    saver.change(snapshot('a')); // nothing new
    expect(save).toHaveBeenCalledTimes(2);
  });
});

const item = (id: string, edits: Record<string, string>, transcript: ProjectItem['transcript'] = null) =>
  ({
    file: { id, name: `${id}.wav`, size: 1, mediaUrl: `/media/${id}?token=old` },
    transcript,
    edits,
    error: null,
  }) satisfies ProjectItem;
const words = { text: 'a b', words: [], durationSec: 1, backend: 'x', model: 'm', rtf: 0.1 };

describe('restoreUnsaved', () => {
  it('lays the kept edits over the loaded project, on the host’s file handles', () => {
    const loaded: Project = {
      version: 1,
      items: [
        { ...item('a', {}, words), file: { ...item('a', {}).file, mediaUrl: '/media/a?token=new' } },
        item('b', {}, words),
        item('removed', {}, words),
      ],
      selectedId: 'a',
      resultsSeen: 4,
    };
    const kept: Project = {
      version: 1,
      items: [item('b', { 1: 'fixed' }, words), item('a', { 0: 'edited' }, words), item('new-upload', {})],
      selectedId: 'b',
      resultsSeen: 3,
    };
    const { project, dropped } = restoreUnsaved(loaded, kept);
    expect(project.items.map((i) => [i.file.id, i.edits])).toEqual([
      ['b', { 1: 'fixed' }],
      ['a', { 0: 'edited' }],
    ]);
    expect(project.items[1].file.mediaUrl).toBe('/media/a?token=new');
    expect(project.selectedId).toBe('b');
    expect(project.resultsSeen).toBe(4);
    expect(dropped).toEqual(['new-upload.wav']);
  });

  it('keeps a transcript the host finished while the page was away', () => {
    const loaded: Project = { version: 1, items: [item('a', {}, words)], selectedId: null };
    const kept: Project = { version: 1, items: [item('a', {})], selectedId: null };
    expect(restoreUnsaved(loaded, kept).project.items[0].transcript).toEqual(words);
  });

  it('restores the kept dictation document over the saved one, and cue times with their edits', () => {
    const saved = { text: 'Old.', additions: [] };
    const typed = { text: 'Old. New words', additions: [{ added: ' New words', removed: '' }] };
    const cueTimes = { '0': { start: 0.1, end: 1.2 } };
    const loaded: Project = { version: 1, items: [item('a', {}, words)], selectedId: null, dictation: saved };
    const kept: Project = {
      version: 1,
      items: [{ ...item('a', {}, words), cueTimes }],
      selectedId: null,
      dictation: typed,
    };
    const { project } = restoreUnsaved(loaded, kept);
    expect(project.dictation).toEqual(typed);
    expect(project.items[0].cueTimes).toEqual(cueTimes);
    // Nothing kept for the dictation: the saved document stays.
    expect(restoreUnsaved(loaded, { ...kept, dictation: undefined }).project.dictation).toEqual(saved);
  });
});

describe('takeUnsaved', () => {
  it('returns only a well-formed kept project', () => {
    const storage = memoryStorage();
    expect(takeUnsaved(storage)).toBeNull();
    for (const bad of ['not json', '{"version":2,"items":[]}', '{"version":1,"items":[{"file":{}}]}']) {
      storage.setItem(UNSAVED_KEY, bad);
      expect(takeUnsaved(storage)).toBeNull();
    }
    storage.setItem(UNSAVED_KEY, JSON.stringify({ version: 1, items: [item('a', {})], selectedId: null }));
    expect(takeUnsaved(storage)?.items[0].file.id).toBe('a');
  });
});
