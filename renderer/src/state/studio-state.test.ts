import { describe, expect, it } from 'vitest';
import { wordAt } from '../../../main/common/project-ops';
import { applyUtterance, EMPTY_DICTATION } from '../../../main/common/spoken-commands';
import type { Transcript } from '../../../main/common/transcript';
import { initialState, noticeLifetimeMs, reducer, type Notice } from './studio-state';

function notice(kind: Notice['kind'], message: string): Notice {
  return reducer(initialState, { type: 'notice', kind, message }).notices[0];
}

describe('notices', () => {
  it('lets an informational notice (an export, say) dismiss itself after a few seconds', () => {
    const lifetime = noticeLifetimeMs(notice('info', 'Exported a.srt'));
    expect(lifetime).toBeGreaterThanOrEqual(3000);
    expect(lifetime).toBeLessThanOrEqual(10_000);
  });

  it('keeps an error until the user dismisses it', () => {
    const error = notice('error', 'a.wav: corrupt audio data');
    expect(noticeLifetimeMs(error)).toBeNull();
    const state = { ...initialState, notices: [error] };
    expect(reducer(state, { type: 'dismiss', id: error.id }).notices).toEqual([]);
  });
});

describe('what the project keeps beside the transcripts', () => {
  const file = { id: 'f1', name: 'a.wav', size: 1, mediaUrl: '/media/f1' };
  const word = (text: string, start: number, end: number) => ({ word: text, start, end, confidence: 0.9 });
  const transcript: Transcript = {
    text: 'a b c d',
    words: [word('a', 0, 0.4), word('b', 0.5, 0.9), word('c', 1, 1.4), word('d', 1.5, 1.9)],
    durationSec: 2,
    backend: 'wasm',
    model: 'm',
    rtf: 0.1,
  };
  const done = (t: Transcript, jobId = 'j') =>
    ({ type: 'host-event', event: { type: 'job-done', jobId, fileId: 'f1', transcript: t } }) as const;

  it('restores the dictation document from the saved project, but not over one dictated meanwhile', () => {
    const saved = applyUtterance(EMPTY_DICTATION, 'hello there full stop');
    const project = { version: 1 as const, items: [], selectedId: null, dictation: saved };
    const loaded = reducer(initialState, { type: 'project-loaded', project });
    expect(loaded.dictationDocument).toEqual(saved);

    const early = reducer(initialState, {
      type: 'project-op',
      op: { type: 'dictation', document: applyUtterance(EMPTY_DICTATION, 'first words') },
    });
    expect(reducer(early, { type: 'project-loaded', project }).dictationDocument.text).toBe('first words');
  });

  it('sets and resets a cue time and a word edit; a new transcript moves them to its words at their times', () => {
    let state = reducer(initialState, { type: 'files-added', files: [file] });
    state = reducer(state, done(transcript));
    const cue = {
      type: 'cue-time',
      fileId: 'f1',
      word: wordAt(transcript, 3),
      time: { start: 1, end: 2.5 },
    } as const;
    state = reducer(state, { type: 'project-op', op: cue });
    state = reducer(state, {
      type: 'project-op',
      op: { type: 'edit-word', fileId: 'f1', word: wordAt(transcript, 2), text: 'see' },
    });
    expect(state.items[0].cueTimes).toEqual({ '3': { start: 1, end: 2.5 } });
    expect(state.items[0].edits).toEqual({ '2': 'see' });
    expect(reducer(state, { type: 'project-op', op: { ...cue, time: null } }).items[0].cueTimes).toEqual({});
    // A re-run splits the first word: "c" and "d" are now words 3 and 4, and keep what was set on them.
    const rerun = {
      ...transcript,
      words: [word('uh', 0, 0.2), word('a', 0.2, 0.4), ...transcript.words.slice(1)],
    };
    const after = reducer(state, done(rerun, 'k'));
    expect(after.items[0].cueTimes).toEqual({ '4': { start: 1, end: 2.5 } });
    expect(after.items[0].edits).toEqual({ '3': 'see' });
  });

  it('removes a file (selecting the first one in its place) and sets references, as the host does', () => {
    const other = { ...file, id: 'f2', name: 'b.wav' };
    let state = reducer(initialState, { type: 'files-added', files: [file, other] });
    state = reducer(state, { type: 'project-op', op: { type: 'select', fileId: 'f2' } });
    state = reducer(state, {
      type: 'project-op',
      op: { type: 'add-files', files: [{ fileId: 'f1', reference: 'a b', set: 'corpus' }] },
    });
    expect(state.items[0]).toMatchObject({ reference: 'a b', set: 'corpus', path: null });
    state = reducer(state, { type: 'project-op', op: { type: 'remove-file', fileId: 'f2' } });
    expect(state.items.map((i) => i.file.id)).toEqual(['f1']);
    expect(state.selectedId).toBe('f1');
  });
});
