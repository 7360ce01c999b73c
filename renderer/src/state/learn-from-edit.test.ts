import { describe, expect, it } from 'vitest';
import type { Transcript, Word } from '../../../main/common/transcript';
import { correctionOfEdit, SPAN_PADDING_SEC } from './learn-from-edit';

const word = (text: string, start: number, end: number): Word => ({
  word: text,
  start,
  end,
  confidence: 0.9,
});
// Two segments: a pause of 1 s after "there".
const transcript: Transcript = {
  text: 'hello there speech studio works',
  words: [
    word('hello', 0.2, 0.5),
    word('there', 0.55, 0.9),
    word('speech', 1.9, 2.3),
    word('studio', 2.35, 2.8),
    word('works', 2.85, 3.2),
  ],
  durationSec: 3.3,
  model: 'test',
} as Transcript;

describe('correctionOfEdit', () => {
  it('sends the segment around the corrected word, with its padded span and the corrected text', () => {
    expect(correctionOfEdit(transcript, {}, 3, 'stereo')).toEqual({
      startSec: 1.9 - SPAN_PADDING_SEC,
      endSec: 3.3, // 3.2 + padding, clamped to the file's end
      text: 'speech stereo works',
    });
    // Earlier edits of the segment are part of its text; a deleted word is left out.
    expect(correctionOfEdit(transcript, { '2': '' }, 4, 'work')).toMatchObject({ text: 'studio work' });
    expect(correctionOfEdit(transcript, {}, 0, 'yellow')).toEqual({
      startSec: 0.2 - SPAN_PADDING_SEC,
      endSec: 0.9 + SPAN_PADDING_SEC,
      text: 'yellow there',
    });
  });

  it('sends nothing for capitals or punctuation only, or an empty segment', () => {
    expect(correctionOfEdit(transcript, {}, 0, 'Hello,')).toBeNull();
    expect(correctionOfEdit(transcript, {}, 1, 'there')).toBeNull();
    expect(correctionOfEdit(transcript, { '0': '' }, 1, '')).toBeNull();
    expect(correctionOfEdit(transcript, {}, 9, 'x')).toBeNull();
  });
});
