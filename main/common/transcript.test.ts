import { describe, expect, it } from 'vitest';
import { wordsToCues } from './subtitles';
import { formatTranscript, toSrt, toVtt, type Transcript, type Word } from './transcript';

const w = (word: string, start: number, end: number, confidence = 0.9): Word => ({
  word,
  start,
  end,
  confidence,
});

describe('transcript exporters', () => {
  const words = [w('hello', 0.5, 0.9), w('world', 1.0, 1.4), w('again', 5.0, 5.5)];

  it('breaks cues at long pauses; a cue starts at its first word and stays at least 1 s', () => {
    expect(wordsToCues(words)).toEqual([
      { start: 0.5, end: 1.5, text: 'hello world', firstWord: 0, wordCount: 2 },
      { start: 5.0, end: 6.0, text: 'again', firstWord: 2, wordCount: 1 },
    ]);
  });

  it('writes SRT and VTT timestamps, and cues of two lines', () => {
    expect(toSrt([w('late', 3725.25, 3726.5)])).toBe('1\n01:02:05,250 --> 01:02:06,500\nlate\n');
    expect(toVtt(words)).toBe(
      'WEBVTT\n\n00:00:00.500 --> 00:00:01.500\nhello world\n\n00:00:05.000 --> 00:00:06.000\nagain\n',
    );
    const sentence = 'this sentence is rather too long to be written on a single line of text'.split(' ');
    const srt = toSrt(sentence.map((x, i) => w(x, i * 0.35, i * 0.35 + 0.3)));
    expect(srt).toBe(
      '1\n00:00:00,000 --> 00:00:05,200\nthis sentence is rather too long\nto be written on a single line of text\n',
    );
    expect(toVtt([])).toBe('WEBVTT\n');
  });

  const transcript: Transcript = {
    text: 'hello world again',
    words,
    durationSec: 6,
    backend: 'wasm',
    model: 'm',
    rtf: 0.1,
  };

  it('exports JSON with words, times and confidence', () => {
    const parsed = JSON.parse(formatTranscript(transcript, 'json', 'a.wav'));
    expect(parsed.file).toBe('a.wav');
    expect(parsed.words[1]).toEqual({ word: 'world', start: 1, end: 1.4, confidence: 0.9 });
    // TXT in paragraphs: a silence of 2 s or more starts one.
    expect(formatTranscript(transcript, 'txt')).toBe('hello world\n\nagain\n');
    expect(parsed.words[1]).not.toHaveProperty('alternatives');
  });

  it('exports alternatives in JSON only; TXT, SRT and VTT are unchanged by them', () => {
    const withAlternatives: Transcript = {
      ...transcript,
      words: words.map((x, i) =>
        i === 1
          ? {
              ...x,
              alternatives: [
                { word: 'word', confidence: 0.123456 },
                { word: 'whirl did', confidence: 0.01 },
              ],
            }
          : x,
      ),
    };
    const parsed = JSON.parse(formatTranscript(withAlternatives, 'json'));
    expect(parsed.words[1].alternatives).toEqual([
      { word: 'word', confidence: 0.1235 },
      { word: 'whirl did', confidence: 0.01 },
    ]);
    expect(parsed.words[0]).not.toHaveProperty('alternatives');
    for (const format of ['txt', 'srt', 'vtt'] as const) {
      expect(formatTranscript(withAlternatives, format)).toBe(formatTranscript(transcript, format));
    }
  });
});
