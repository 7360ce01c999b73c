import { describe, expect, it } from 'vitest';
import { PAUSE_SEC } from './segments';
import {
  cueProblems,
  DEFAULT_SUBTITLE_OPTIONS,
  wordsToCues,
  wrapLines,
  type Cue,
  type SubtitleOptions,
} from './subtitles';
import { toSrt, type Word } from './transcript';

const w = (word: string, start: number, end: number): Word => ({ word, start, end, confidence: 0.9 });

/** A small deterministic generator (mulberry32), so the long transcript is the same on every run. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VOCABULARY = (
  'a I the of to and in it is was that he for on with as his at by this had not but from or have they ' +
  'which one you were her all she there would their we him been has when who will more no if out so said ' +
  'what up its about into than them can only other new some could time these two may then do first any ' +
  'recognition transcript microphone international understanding particularly development information ' +
  'government experience environment considerable responsibility'
).split(' ');

/**
 * A synthetic talk of `seconds`: words at a conversational pace (about 13 characters a second), each as
 * long as its letters take to say, short gaps, commas and sentence ends followed by longer silences, and
 * pauses of 0.7–2.5 s now and then.
 */
function syntheticTalk(seconds: number, seed: number): Word[] {
  const next = random(seed);
  const words: Word[] = [];
  let t = 0.4;
  while (t < seconds) {
    const text = VOCABULARY[Math.floor(next() * VOCABULARY.length)];
    const end = t + 0.06 + 0.055 * text.length;
    const roll = next();
    const mark = roll < 0.09 ? '.' : roll < 0.1 ? '?' : roll < 0.18 ? ',' : '';
    words.push(w(text + mark, t, end));
    const gap =
      mark === '.' || mark === '?'
        ? 0.3 + next() * 1.2
        : mark === ','
          ? 0.1 + next() * 0.3
          : next() < 0.05
            ? 0.7 + next() * 1.8
            : next() * 0.12;
    t = end + gap;
  }
  return words;
}

/** Every word in exactly one cue, in order, and each cue's text is its words. */
function expectEveryWordOnce(cues: readonly Cue[], words: readonly Word[]) {
  let nextWord = 0;
  for (const cue of cues) {
    expect(cue.firstWord).toBe(nextWord);
    const own = words.slice(cue.firstWord, cue.firstWord + cue.wordCount).map((x) => x.word);
    expect(cue.text.split(/\s+/)).toEqual(own);
    nextWord += cue.wordCount;
  }
  expect(nextWord).toBe(words.length);
  expect(cues.flatMap((c) => c.text.split(/\s+/))).toEqual(words.map((x) => x.word));
}

/** Reads an SRT file back into cues (times and text only), to check what is actually written. */
function parseSrt(srt: string): { start: number; end: number; text: string }[] {
  const seconds = (stamp: string) => {
    const [h, m, rest] = stamp.split(':');
    return Number(h) * 3600 + Number(m) * 60 + Number(rest.replace(',', '.'));
  };
  return srt
    .trim()
    .split(/\n\n/)
    .map((block, i) => {
      const [number, times, ...lines] = block.split('\n');
      expect(number).toBe(String(i + 1));
      const [from, to] = times.split(' --> ');
      return { start: seconds(from), end: seconds(to), text: lines.join('\n') };
    });
}

describe('subtitle cues', () => {
  it.each([18, 51, 148, 175, 182])(
    'a 3-minute transcript (seed %i): every cue keeps to the limits, no word is lost or repeated',
    (seed) => {
      const words = syntheticTalk(180, seed);
      expect(words.at(-1)!.end).toBeGreaterThan(175);
      expect(words.length).toBeGreaterThan(300);
      const cues = wordsToCues(words);
      expect(cueProblems(cues)).toEqual([]);
      expectEveryWordOnce(cues, words);

      // The written SRT, read back with its millisecond times, keeps to them too.
      const written = parseSrt(toSrt(words)).map((c, i) => ({ ...c, firstWord: 0, wordCount: i }));
      expect(written).toHaveLength(cues.length);
      expect(cueProblems(written)).toEqual([]);

      for (const cue of cues) {
        // A cue is on screen from its first word, and never ends before half its last word is said.
        const first = words[cue.firstWord];
        const last = words[cue.firstWord + cue.wordCount - 1];
        expect(cue.start).toBeCloseTo(first.start, 3);
        expect(cue.end).toBeGreaterThan((last.start + last.end) / 2);
      }

      // Cuts. Segments are sentences, or the stretches between pauses where there is no full stop. A cue
      // holds whole segments, or lies inside one: a sentence never runs on into the next cue, and the next
      // sentence's first word never hangs on this one. The one exception is a segment too short to stay
      // on screen for the minimum duration on its own, which then shares a cue (separated by less than
      // a pause long enough to give it that duration).
      const o = DEFAULT_SUBTITLE_OPTIONS;
      const segmentStartsAt = (i: number) =>
        i === 0 ||
        i === words.length ||
        /[.?]$/.test(words[i - 1].word) ||
        words[i].start - words[i - 1].end >= PAUSE_SEC;
      const nextStart = (i: number) => words[i]?.start ?? Infinity;
      for (const cue of cues) {
        const end = cue.firstWord + cue.wordCount;
        const inner: number[] = [];
        for (let k = cue.firstWord + 1; k < end; k++) if (segmentStartsAt(k)) inner.push(k);
        if (inner.length === 0) continue;
        if (segmentStartsAt(cue.firstWord) && segmentStartsAt(end)) {
          // Whole segments: where a pause is inside, it is there to give a short one its duration.
          const pauses = inner.filter((k) => words[k].start - words[k - 1].end >= PAUSE_SEC);
          for (const k of pauses)
            expect(words[k].start - words[k - 1].end).toBeLessThan(o.minDurationSec + o.minGapSec);
          if (pauses.length === 0) continue;
        }
        const bounds = [cue.firstWord, ...inner, end];
        const tooShortAlone = bounds
          .slice(0, -1)
          .some((a, p) => nextStart(bounds[p + 1]) - o.minGapSec - words[a].start < o.minDurationSec);
        expect(tooShortAlone, `cue "${cue.text}" holds parts of segments`).toBe(true);
      }
    },
  );

  it('a sentence starts a new cue: its first word no longer hangs on the previous cue', () => {
    // Continuous speech with no pause: only the full stop says where the sentence ends.
    const text = 'so that was the end of the story. then we went home and had a long talk about it'.split(
      ' ',
    );
    const words = text.map((t, i) => w(t, i * 0.4, i * 0.4 + 0.35));
    const cues = wordsToCues(words);
    expect(cues.map((c) => c.text.replace('\n', ' '))).toEqual([
      'so that was the end of the story.',
      'then we went home and had a long talk about it',
    ]);
    expect(cueProblems(cues)).toEqual([]);
  });

  it('a pause of 0.7 s or more ends a cue', () => {
    const words = [
      w('first', 0, 0.4),
      w('part', 0.45, 0.9),
      w('here', 0.95, 1.3),
      w('second', 2.5, 2.9),
      w('part', 2.95, 3.4),
    ];
    expect(wordsToCues(words).map((c) => c.text)).toEqual(['first part here', 'second part']);
  });

  it('cues are at most 7 s and at most two lines of the line length', () => {
    const words = Array.from({ length: 60 }, (_, i) => w(`w${i % 10}`, i * 0.3, i * 0.3 + 0.25));
    const options: SubtitleOptions = { ...DEFAULT_SUBTITLE_OPTIONS, maxLineChars: 16 };
    const cues = wordsToCues(words, options);
    expect(cueProblems(cues, options)).toEqual([]);
    for (const cue of cues) {
      expect(cue.end - cue.start).toBeLessThanOrEqual(7);
      expect(cue.text.split('\n').length).toBeLessThanOrEqual(2);
      for (const line of cue.text.split('\n')) expect(line.length).toBeLessThanOrEqual(16);
    }
    expectEveryWordOnce(cues, words);
  });

  it('a short one-word cue is kept on screen for the minimum duration when the next cue leaves room', () => {
    const cues = wordsToCues([w('hello', 0.5, 0.7), w('again', 5, 5.4)]);
    expect(cues.map((c) => [c.start, c.end])).toEqual([
      [0.5, 1.5],
      [5, 6],
    ]);
  });

  it('speech faster than the reading speed keeps every word, and the problems are reported', () => {
    // 30 characters a second with no pause: no cut can make that readable at 17.
    const words = Array.from({ length: 80 }, (_, i) => w('abcdefghijklmn', i * 0.5, i * 0.5 + 0.48));
    const cues = wordsToCues(words);
    expectEveryWordOnce(cues, words);
    const problems = cueProblems(cues);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatch(/^cue \d+ \([\d.]+ s\): [\d.]+ characters a second \(at most 17\)$/);
    // A lower reading speed is honoured when the speech allows it.
    const slow = { ...DEFAULT_SUBTITLE_OPTIONS, maxCharsPerSec: 12 };
    const talk = syntheticTalk(60, 3);
    expect(cueProblems(wordsToCues(talk), slow).length).toBeGreaterThan(0);
  });

  it('words the user deleted (emptied) take no place; indexes refer to the words given', () => {
    const cues = wordsToCues([w('one', 0, 0.3), w('', 0.35, 0.5), w('two', 0.55, 0.9)]);
    expect(cues).toEqual([{ start: 0, end: 1, text: 'one two', firstWord: 0, wordCount: 3 }]);
    expect(wordsToCues([w(' ', 0, 1)])).toEqual([]);
  });

  it('the validator catches each kind of broken limit', () => {
    const cue = (start: number, end: number, text: string): Cue => ({
      start,
      end,
      text,
      firstWord: 0,
      wordCount: 1,
    });
    expect(cueProblems([cue(0, 2, 'fine'), cue(2.08, 3.5, 'also fine')])).toEqual([]);
    const problems = (c: Cue[]) => cueProblems(c).map((p) => p.replace(/^cue \d+ \([\d.]+ s\): /, ''));
    expect(problems([cue(0, 2, 'a\nb\nc')])).toEqual(['3 lines (at most 2)']);
    expect(problems([cue(0, 4, 'x'.repeat(43))])).toEqual(['a line of 43 characters (at most 42)']);
    expect(problems([cue(0, 0.5, 'hi')])).toEqual(['0.500 s on screen (at least 1)']);
    expect(problems([cue(0, 7.5, 'long')])).toEqual(['7.500 s on screen (at most 7)']);
    expect(problems([cue(0, 1, 'x'.repeat(18))])).toEqual(['18.0 characters a second (at most 17)']);
    expect(problems([cue(0, 1, 'a'), cue(1.05, 2.1, 'b')])).toEqual([
      '50 ms before the next cue (at least 80 ms)',
    ]);
  });
});

describe('wrapLines', () => {
  it('keeps a line that fits whole, and balances two lines', () => {
    expect(wrapLines(['short', 'line'], 42)).toEqual(['short line']);
    const words = 'the quick brown fox jumps over the lazy dog and runs far away'.split(' ');
    const lines = wrapLines(words, 42);
    expect(lines).toHaveLength(2);
    expect(lines.join(' ')).toBe(words.join(' '));
    expect(Math.abs(lines[0].length - lines[1].length)).toBeLessThan(12);
  });

  it('does not end a line on a function word, and prefers a comma', () => {
    const lines = wrapLines('we looked at all of the options, then chose the simplest one'.split(' '), 42);
    expect(lines).toEqual(['we looked at all of the options,', 'then chose the simplest one']);
    for (const line of wrapLines('it is one of the best of the lot in the end for all of us'.split(' '), 32))
      expect(line).not.toMatch(/ (the|of|in|for)$/);
  });
});
