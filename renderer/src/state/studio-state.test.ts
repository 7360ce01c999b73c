import { describe, expect, it } from 'vitest';
import { applyUtterance, EMPTY_DICTATION } from '../../../main/common/spoken-commands';
import type { Transcript } from '../../../main/common/transcript';
import { initialState, noticeLifetimeMs, reducer, toProject, type Notice } from './studio-state';

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
  const transcript: Transcript = {
    text: 'a b',
    words: [],
    durationSec: 2,
    backend: 'wasm',
    model: 'm',
    rtf: 0.1,
  };

  it('restores the dictation document from the saved project, but not over one dictated meanwhile', () => {
    const saved = applyUtterance(EMPTY_DICTATION, 'hello there full stop');
    const project = { version: 1 as const, items: [], selectedId: null, dictation: saved };
    const loaded = reducer(initialState, { type: 'project-loaded', project });
    expect(loaded.dictationDocument).toEqual(saved);
    expect(toProject(loaded).dictation).toEqual(saved);

    const early = reducer(initialState, {
      type: 'dictation-document',
      update: (doc) => applyUtterance(doc, 'first words'),
    });
    expect(reducer(early, { type: 'project-loaded', project }).dictationDocument.text).toBe('first words');
    // An empty document is not written into the project at all.
    expect(toProject(initialState).dictation).toBeUndefined();
  });

  it('sets and resets a cue time, saves it, and drops it with a new transcript of the file', () => {
    let state = reducer(initialState, { type: 'files-added', files: [file] });
    state = reducer(state, {
      type: 'host-event',
      event: { type: 'job-done', jobId: 'j', fileId: 'f1', transcript },
    });
    state = reducer(state, { type: 'cue-time', fileId: 'f1', firstWord: 3, time: { start: 1, end: 2.5 } });
    expect(state.items[0].cueTimes).toEqual({ '3': { start: 1, end: 2.5 } });
    expect(toProject(state).items[0].cueTimes).toEqual({ '3': { start: 1, end: 2.5 } });
    expect(
      reducer(state, { type: 'cue-time', fileId: 'f1', firstWord: 3, time: null }).items[0].cueTimes,
    ).toEqual({});
    const rerun = reducer(state, {
      type: 'host-event',
      event: { type: 'job-done', jobId: 'k', fileId: 'f1', transcript: { ...transcript, rtf: 0.2 } },
    });
    expect(rerun.items[0].cueTimes).toEqual({});
  });
});
