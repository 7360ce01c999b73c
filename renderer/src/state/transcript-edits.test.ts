import { describe, expect, it } from 'vitest';
import type { Transcript } from '../../../main/common/transcript';
import { displayWord, editedTranscript, formatClock, formatDuration, wordIndexAt } from './transcript-edits';

const transcript: Transcript = {
  text: 'the quick brown fox',
  words: [
    { word: 'the', start: 0.1, end: 0.3, confidence: 0.9 },
    { word: 'quick', start: 0.4, end: 0.8, confidence: 0.4 },
    { word: 'brown', start: 0.9, end: 1.2, confidence: 0.8 },
    { word: 'fox', start: 1.3, end: 1.6, confidence: 0.7 },
  ],
  durationSec: 2,
  backend: 'wasm',
  model: 'test',
  rtf: 0.1,
};

describe('transcript edits', () => {
  it("shows the punctuation model's display text; a correction replaces it; word and text stay as recognised", () => {
    const punctuated: Transcript = {
      ...transcript,
      words: transcript.words.map((w, i) => ({ ...w, display: i === 0 ? 'The' : i === 3 ? 'fox.' : w.word })),
    };
    expect(displayWord(punctuated.words, {}, 0)).toBe('The');
    expect(displayWord(punctuated.words, { '3': 'dog' }, 3)).toBe('dog');
    const edited = editedTranscript(punctuated, { '3': 'dog' });
    expect(edited.text).toBe('the quick brown dog');
    expect(edited.words.map((w) => [w.word, w.display])).toEqual([
      ['the', 'The'],
      ['quick', 'quick'],
      ['brown', 'brown'],
      ['dog', undefined],
    ]);
    expect('display' in edited.words[3]).toBe(false);
  });

  it('applies corrections; an empty correction removes the word; the original is untouched', () => {
    const edits = { '1': 'slow', '3': '' };
    expect(displayWord(transcript.words, edits, 1)).toBe('slow');
    expect(displayWord(transcript.words, edits, 2)).toBe('brown');
    const edited = editedTranscript(transcript, edits);
    expect(edited.text).toBe('the slow brown');
    expect(edited.words.map((w) => [w.word, w.start])).toEqual([
      ['the', 0.1],
      ['slow', 0.4],
      ['brown', 0.9],
    ]);
    expect(transcript.words[1].word).toBe('quick');
  });

  it('finds the word playing at a time (or the last one before it)', () => {
    expect(wordIndexAt(transcript.words, 0)).toBe(-1);
    expect(wordIndexAt(transcript.words, 0.1)).toBe(0);
    expect(wordIndexAt(transcript.words, 0.85)).toBe(1);
    expect(wordIndexAt(transcript.words, 5)).toBe(3);
    expect(wordIndexAt([], 1)).toBe(-1);
  });

  it('finds a word from its start as the media clock reads it back (whole microseconds, truncated)', () => {
    const words = [
      { word: 'our', start: 4.23, end: 4.41, confidence: 0.9 },
      { word: 'provider', start: 4.44, end: 4.98, confidence: 0.9 },
    ];
    // Chromium, after `currentTime = 4.44` and `= 4.23`:
    expect(wordIndexAt(words, 4.439999)).toBe(1);
    expect(wordIndexAt(words, 4.229999)).toBe(0);
    expect(wordIndexAt(words, 4.43)).toBe(0);
  });

  it('formats clocks and durations', () => {
    expect(formatClock(0)).toBe('0:00.0');
    expect(formatClock(65.25)).toBe('1:05.3');
    expect(formatClock(-3)).toBe('0:00.0');
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(125)).toBe('2 min 05 s');
  });
});
