import { describe, expect, it } from 'vitest';
import { BeamCtcDecoder } from './beam-decoder';
import { GreedyCtcDecoder, type CtcInput } from './ctc-decoder';
import { NgramLm } from './ngram-lm';
import { seededRandom } from '../testing/seeded-random';

const alphabet = ['<blank>', ' ', "'", ...'abcdefghijklmnopqrstuvwxyz'];
const B = 0;
const id = (c: string) => alphabet.indexOf(c);

/** Frames given as {label: probability}; the rest of the mass is spread evenly. */
function input(frames: Record<number, number>[], offsetSec = 0): CtcInput {
  const C = alphabet.length;
  const logProbs = new Float32Array(frames.length * C);
  frames.forEach((f, t) => {
    const given = Object.values(f).reduce((a, b) => a + b, 0);
    const rest = (1 - given) / (C - Object.keys(f).length);
    for (let c = 0; c < C; c++) logProbs[t * C + c] = Math.log(f[c] ?? rest);
  });
  return { logProbs, steps: frames.length, alphabet, blankIndex: B, stepSec: 0.03, offsetSec };
}

/** A CTC-like frame sequence spelling `text`: each character held 1–3 frames, blanks between. */
function spell(text: string, p = 0.9): Record<number, number>[] {
  const frames: Record<number, number>[] = [{ [B]: p }];
  for (const ch of text) {
    frames.push({ [id(ch)]: p }, { [id(ch)]: p }, { [B]: p });
  }
  return frames;
}

describe('BeamCtcDecoder', () => {
  it('with beam 1 and no LM reproduces the greedy decoder on random peaked posteriors', () => {
    const random = seededRandom(42);
    const greedy = new GreedyCtcDecoder();
    const beam = new BeamCtcDecoder({ beamWidth: 1, alpha: 0, beta: 0, prunePerFrame: 20 });
    let words = 0;
    for (let trial = 0; trial < 200; trial++) {
      const steps = 20 + Math.floor(random() * 80);
      const frames: Record<number, number>[] = [];
      let label = B;
      for (let t = 0; t < steps; t++) {
        // CTC-like: mostly blank, often repeats, sometimes a space, some randomness in the peak.
        const r = random();
        // (0.45–0.65 keeps the previous label: a repeat.)
        if (r < 0.45) label = B;
        else if (r >= 0.65 && r < 0.72) label = id(' ');
        else if (r >= 0.72) label = 2 + Math.floor(random() * 27);
        frames.push({ [label]: 0.6 + 0.39 * random() });
      }
      const x = input(frames, trial);
      const expected = greedy.decode(x);
      const got = beam.decode(x);
      words += expected.length;
      expect(got.map((w) => w.word)).toEqual(expected.map((w) => w.word));
      got.forEach((w, i) => {
        expect(w.start).toBeCloseTo(expected[i].start, 9);
        expect(w.end).toBeCloseTo(expected[i].end, 9);
        expect(w.confidence).toBeCloseTo(expected[i].confidence, 5);
      });
    }
    expect(words).toBeGreaterThan(200);
  });

  it('a wider beam without an LM gives the same words on clean posteriors', () => {
    const x = input(spell('hello  world'), 2);
    const words = new BeamCtcDecoder({ beamWidth: 16, alpha: 0, beta: 0 }).decode(x);
    expect(words.map((w) => w.word)).toEqual(['hello', 'world']);
  });

  it('an LM that knows the word fixes an ambiguous spelling', () => {
    const frames = spell('the performance was good');
    // The "a" of "performance" is heard as "e" a little more often than as "a".
    const aAt = 1 + 3 * 'the perform'.length;
    for (const t of [aAt, aAt + 1]) frames[t] = { [id('e')]: 0.55, [id('a')]: 0.44 };
    const x = input(frames);
    expect(new GreedyCtcDecoder().decode(x).map((w) => w.word)).toEqual([
      'the',
      'performence',
      'was',
      'good',
    ]);
    const lm = NgramLm.build([
      'the performance was good',
      'a good performance',
      'the play was good',
      'the performance of the year',
    ]);
    const noLm = new BeamCtcDecoder({ beamWidth: 8, alpha: 0, beta: 0 }).decode(x);
    expect(noLm.map((w) => w.word)).toEqual(['the', 'performence', 'was', 'good']);
    for (const lookahead of [true, false]) {
      const words = new BeamCtcDecoder({ lm, beamWidth: 8, alpha: 0.8, beta: 1, lookahead }).decode(x);
      expect(words.map((w) => w.word)).toEqual(['the', 'performance', 'was', 'good']);
    }
  });

  it('returns well-formed, ordered words with times inside the segment', () => {
    const random = seededRandom(3);
    const lm = NgramLm.build(['the cat sat', 'a cat', 'the hat']);
    const decoder = new BeamCtcDecoder({ lm, beamWidth: 12, alpha: 0.5, beta: 0.5, prunePerFrame: 8 });
    for (let trial = 0; trial < 50; trial++) {
      const frames = spell(['the cat sat', 'a hat', 'cat the', 'x y z'][trial % 4]).map((f) => {
        const [[label, p]] = Object.entries(f);
        const other = 3 + Math.floor(random() * 26);
        const q = p - 0.3 * random();
        return Number(label) === other ? f : { [label]: q, [other]: (1 - q) * 0.9 * random() };
      });
      const x = input(frames, 5);
      const words = decoder.decode(x);
      expect(words.length).toBeGreaterThan(0);
      let previousEnd = 5;
      for (const w of words) {
        expect(w.word).toMatch(/^[a-z']+$/);
        expect(w.start).toBeGreaterThanOrEqual(previousEnd - 1e-9);
        expect(w.end).toBeGreaterThan(w.start);
        expect(w.end).toBeLessThanOrEqual(5 + x.steps * x.stepSec + 1e-9);
        expect(w.confidence).toBeGreaterThan(0);
        expect(w.confidence).toBeLessThanOrEqual(1);
        previousEnd = w.end;
      }
    }
  });

  it('handles empty input and all-blank input', () => {
    const decoder = new BeamCtcDecoder();
    expect(decoder.decode(input([]))).toEqual([]);
    expect(decoder.decode(input(Array.from({ length: 30 }, () => ({ [B]: 0.9995 }))))).toEqual([]);
  });
});
