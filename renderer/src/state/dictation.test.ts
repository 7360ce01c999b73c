import { describe, expect, it } from 'vitest';
import { isDictationShortcut, partialParts } from './dictation';

const key = (
  code: string,
  mods: Partial<Record<'shiftKey' | 'ctrlKey' | 'metaKey' | 'altKey', boolean>>,
) => ({
  code,
  shiftKey: false,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  ...mods,
});

describe('dictation helpers', () => {
  it('recognises Ctrl/Cmd+Shift+Space and nothing else', () => {
    expect(isDictationShortcut(key('Space', { ctrlKey: true, shiftKey: true }))).toBe(true);
    expect(isDictationShortcut(key('Space', { metaKey: true, shiftKey: true }))).toBe(true);
    expect(isDictationShortcut(key('Space', { ctrlKey: true }))).toBe(false);
    expect(isDictationShortcut(key('Space', { shiftKey: true }))).toBe(false);
    expect(isDictationShortcut(key('Space', { ctrlKey: true, shiftKey: true, altKey: true }))).toBe(false);
    expect(isDictationShortcut(key('KeyD', { ctrlKey: true, shiftKey: true }))).toBe(false);
  });

  it('splits a partial into the settled words and the unstable tail', () => {
    expect(partialParts(['the', 'quick', 'brow'], 2)).toEqual({ stable: 'the quick', tail: 'brow' });
    expect(partialParts(['the'], 0)).toEqual({ stable: '', tail: 'the' });
    expect(partialParts(['a', 'b'], 5)).toEqual({ stable: 'a b', tail: '' });
  });
});
