import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SEGMENT_OPTIONS,
  endsSentence,
  paragraphsOf,
  paragraphText,
  segmentWords,
  type Segment,
} from './segments';
import { toTxt, type Word } from './transcript';

const w = (word: string, start: number, end: number): Word => ({ word, start, end, confidence: 0.9 });

/** Words spoken one after another: each `duration` long, `gaps[i]` of silence after word i (default 0.1). */
function spoken(text: string, gaps: Record<number, number> = {}, duration = 0.3): Word[] {
  let t = 0;
  return text.split(' ').map((word, i) => {
    const x = w(word, t, t + duration);
    t += duration + (gaps[i] ?? 0.1);
    return x;
  });
}

const texts = (words: readonly Word[], segments: readonly Segment[]) =>
  segments.map((s) =>
    words
      .slice(s.firstWord, s.firstWord + s.wordCount)
      .map((x) => x.word)
      .join(' '),
  );

describe('segments', () => {
  it('end at sentence ends, when the words have punctuation', () => {
    const words = spoken('hello there. how are you? fine! thanks');
    const segments = segmentWords(words);
    expect(texts(words, segments)).toEqual(['hello there.', 'how are you?', 'fine!', 'thanks']);
    expect(segments.map((s) => s.start)).toEqual([0, 0.8, 2, 2.4]);
    expect(segments[0].end).toBeCloseTo(0.7, 9);
  });

  it('end at pauses of 0.7 s or more, and only there when there is no punctuation', () => {
    const words = spoken('one two three four five six', { 1: 0.7, 3: 0.69 });
    expect(texts(words, segmentWords(words))).toEqual(['one two', 'three four five six']);
  });

  it('a full stop after an abbreviation does not end a sentence', () => {
    expect(endsSentence('mr.')).toBe(false);
    expect(endsSentence('e.g.')).toBe(false);
    expect(endsSentence('done.')).toBe(true);
    expect(endsSentence('"really?"')).toBe(true);
    expect(endsSentence('(end.)')).toBe(true);
    expect(endsSentence('one,')).toBe(false);
    const words = spoken('we met mr. smith today.');
    expect(texts(words, segmentWords(words))).toEqual(['we met mr. smith today.']);
  });

  it('a long stretch with no pause and no punctuation is cut at its longest silences', () => {
    // 100 words, 0.4 s each: 40 s without a pause; the longest silences are after words 29 and 69.
    const words = spoken(Array.from({ length: 100 }, (_, i) => `w${i}`).join(' '), { 29: 0.5, 69: 0.45 });
    const segments = segmentWords(words);
    for (const s of segments)
      expect(s.end - s.start).toBeLessThanOrEqual(DEFAULT_SEGMENT_OPTIONS.maxSegmentSec);
    expect(segments.map((s) => s.firstWord)).toContain(30);
    expect(segments.map((s) => s.firstWord)).toContain(70);
    // Every word in exactly one segment, in order.
    expect(segments.flatMap((s) => Array.from({ length: s.wordCount }, (_, k) => s.firstWord + k))).toEqual(
      words.map((_, i) => i),
    );
  });

  it('one word longer than the limit is a segment of its own', () => {
    const words = [w('a', 0, 0.2), w('long', 0.3, 20), w('b', 20.1, 20.3)];
    expect(texts(words, segmentWords(words))).toEqual(['a', 'long', 'b']);
  });
});

describe('paragraphs', () => {
  it('start after a silence of 2 s or more', () => {
    const words = spoken('first one. still first. after a pause. more', { 3: 2.05 });
    const paragraphs = paragraphsOf(words);
    expect(paragraphs.map((p) => texts(words, p.segments))).toEqual([
      ['first one.', 'still first.'],
      ['after a pause.', 'more'],
    ]);
    expect(paragraphText(words, paragraphs)).toBe('first one. still first.\n\nafter a pause. more');
  });

  it('hold at most five segments', () => {
    const words = spoken(Array.from({ length: 12 }, (_, i) => `s${i}.`).join(' '));
    expect(paragraphsOf(words).map((p) => p.segments.length)).toEqual([5, 5, 2]);
  });

  it('as text: words the user emptied are left out, with no doubled space', () => {
    const words = spoken('keep this word');
    words[1] = { ...words[1], word: '' };
    expect(paragraphText(words, paragraphsOf(words))).toBe('keep word');
  });

  it('TXT export is the paragraphs', () => {
    const words = spoken('hello world. next part', { 1: 2.5 });
    const transcript = { text: 'hello world. next part', words };
    expect(toTxt(transcript)).toBe('hello world.\n\nnext part\n');
    expect(toTxt({ text: '', words: [] })).toBe('\n');
  });
});
