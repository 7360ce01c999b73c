import { describe, expect, it } from 'vitest';
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
