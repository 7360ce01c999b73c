import { describe, expect, it } from 'vitest';
import { cueProblems, wordsToCues } from '../../../main/common/subtitles';
import { formatTranscript, type Transcript, type Word } from '../../../main/common/transcript';
import {
  cueTimeProblem,
  editedCues,
  exportContent,
  formatCueTime,
  parseCueTime,
  shownWords,
} from './cue-edits';
import { editedTranscript } from './transcript-edits';

/** Sentences of four words, 0.3 s a word, a 1 s pause after each. */
function sentences(count: number): Word[] {
  const words: Word[] = [];
  let t = 0.5;
  for (let s = 0; s < count; s++) {
    for (let k = 0; k < 4; k++) {
      words.push({ word: k === 3 ? `word${s}.` : `word${s}`, start: t, end: t + 0.25, confidence: 0.9 });
      t += 0.3;
    }
    t += 1;
  }
  return words;
}

const transcript = (words: Word[]): Transcript => ({
  text: words.map((w) => w.word).join(' '),
  words,
  durationSec: words.at(-1)!.end + 1,
  backend: 'wasm',
  model: 'test',
  rtf: 0.1,
});

describe('cue edits', () => {
  it('without edits, exports exactly what the exporters give for the corrected words', () => {
    const t = transcript(sentences(6));
    const edits = { '2': 'changed', '5': '' };
    for (const format of ['srt', 'vtt', 'txt', 'json'] as const)
      expect(exportContent(t, edits, {}, format, 'a.wav')).toBe(
        formatTranscript(editedTranscript(t, edits), format, 'a.wav'),
      );
  });

  it('lays the times the user set over the cue that starts at that word, and exports them', () => {
    const words = sentences(4);
    const cues = wordsToCues(words);
    const second = cues[1];
    const times = { [second.firstWord]: { start: second.start + 0.1, end: second.end - 0.2 } };
    const edited = editedCues(words, times);
    expect(edited[1]).toMatchObject({ start: second.start + 0.1, end: second.end - 0.2, edited: true });
    expect(edited[0].edited).toBe(false);
    const srt = exportContent(transcript(words), {}, times, 'srt', 'a.wav');
    // The second sentence starts at 2.7 s and its cue ends at 4.112 s (24 characters need 1.412 s to read).
    expect([second.start, second.end]).toEqual([2.7, 4.112]);
    expect(srt).toContain('2\n00:00:02,800 --> 00:00:03,912\nword1 word1 word1 word1.\n');
    expect(exportContent(transcript(words), {}, times, 'vtt', 'a.wav')).toContain(
      '00:00:02.800 --> 00:00:03.912\nword1',
    );
    // A time for a word that starts no cue is ignored.
    expect(editedCues(words, { [second.firstWord + 1]: { start: 0, end: 99 } })).toEqual(
      editedCues(words, {}),
    );
  });

  it('shows each cue its own problems against the limits', () => {
    const words = sentences(3);
    const cues = wordsToCues(words);
    // One second on screen is the least: 0.5 s is too short.
    const times = { [cues[1].firstWord]: { start: cues[1].start, end: cues[1].start + 0.5 } };
    const edited = editedCues(words, times);
    expect(edited[1].problems).toEqual([
      '0.500 s on screen (at least 1)',
      `${(edited[1].text.replace('\n', ' ').length / 0.5).toFixed(1)} characters a second (at most 17)`,
    ]);
    expect(edited[0].problems).toEqual([]);
    expect(edited.flatMap((c) => c.problems)).toHaveLength(cueProblems(edited).length);
  });

  it('refuses times that end before they start, overlap a neighbour or pass the end of the audio', () => {
    const cues = [
      { start: 1, end: 3 },
      { start: 4, end: 6 },
      { start: 7, end: 9 },
    ];
    expect(cueTimeProblem(cues, 1, { start: 3.5, end: 6.5 }, 10)).toBeNull();
    expect(cueTimeProblem(cues, 1, { start: 5, end: 5 }, 10)).toMatch(/must come before the end/);
    expect(cueTimeProblem(cues, 1, { start: 2.5, end: 6 }, 10)).toBe(
      'The start overlaps cue 1 (it ends at 0:03.000).',
    );
    expect(cueTimeProblem(cues, 1, { start: 4, end: 7.5 }, 10)).toBe(
      'The end overlaps cue 3 (it starts at 0:07.000).',
    );
    expect(cueTimeProblem(cues, 2, { start: 7, end: 10.5 }, 10)).toMatch(/after the end of the audio/);
  });

  it('reads times as seconds, m:ss.mmm or h:mm:ss,mmm, and nothing else', () => {
    expect(parseCueTime('75.5')).toBe(75.5);
    expect(parseCueTime('1:15.500')).toBe(75.5);
    expect(parseCueTime(' 0:01:15,5 ')).toBe(75.5);
    expect(parseCueTime(formatCueTime(123.456))).toBeCloseTo(123.456, 6);
    for (const bad of ['', 'abc', '1:75', '-1', '1.2.3', '1:2:3:4']) expect(parseCueTime(bad)).toBeNull();
  });

  it('keys cues by the original word index, emptied words included', () => {
    const words = sentences(3);
    const t = transcript(words);
    const shown = shownWords(t, { '0': '' });
    const cues = editedCues(shown, {});
    expect(cues[0].firstWord).toBe(1);
    expect(cues[1].firstWord).toBe(4);
  });
});
