import { describe, expect, it } from 'vitest';
import { displayFits, shownWord, utteranceText, withDisplayText, withoutDisplayText } from './display-text';
import type { Transcript, Word } from './transcript';

const word = (w: string, display?: string): Word => ({
  word: w,
  start: 0,
  end: 0.3,
  confidence: 0.9,
  ...(display === undefined ? {} : { display }),
});

describe('display text', () => {
  it('fits a word written with capitals and one mark after it, nothing else', () => {
    expect(displayFits('paris', 'Paris,')).toBe(true);
    expect(displayFits('nasa', 'NASA?')).toBe(true);
    expect(displayFits('paris', 'London.')).toBe(false);
    expect(displayFits('paris', '')).toBe(false);
    expect(displayFits('paris', ' Paris')).toBe(false);
  });

  it('shows the display text, or the word when it was corrected since (the display no longer fits)', () => {
    expect(shownWord(word('paris', 'Paris.'))).toBe('Paris.');
    expect(shownWord(word('berlin', 'Paris.'))).toBe('berlin');
    expect(shownWord(word('paris'))).toBe('paris');
  });

  it('gives text exports the display text and takes it away when switched off', () => {
    const words = [word('hello', 'Hello,'), word('world', 'world.')];
    expect(withDisplayText(words).map((w) => w.word)).toEqual(['Hello,', 'world.']);
    expect(withDisplayText(words).some((w) => 'display' in w)).toBe(false);
    const transcript: Transcript = {
      text: 'hello world',
      words,
      durationSec: 1,
      backend: 'wasm',
      model: 'm',
      rtf: 1,
    };
    const off = withoutDisplayText(transcript);
    expect(off.words).toEqual([word('hello'), word('world')]);
    expect(transcript.words[0].display).toBe('Hello,'); // the original is left alone
    expect(withoutDisplayText(off)).toBe(off);
  });

  it("uses a dictated final's display text when on, with a capital at the start of the document", () => {
    const final = { text: 'where are you', displayText: 'where are you?' };
    expect(utteranceText('', final, true)).toBe('Where are you?');
    expect(utteranceText('Hello.', final, true)).toBe('where are you?');
    expect(utteranceText('', final, false)).toBe('where are you');
    expect(utteranceText('', { text: 'where are you' }, true)).toBe('Where are you');
  });
});
