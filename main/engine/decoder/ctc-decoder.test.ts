import { describe, expect, it } from 'vitest';
import { GreedyCtcDecoder } from './ctc-decoder';

const alphabet = ['<b>', ' ', "'", 'a', 'b', 'c', 'h', 'i'];
const B = 0;
const SP = 1;
const id = (c: string) => alphabet.indexOf(c);

/** Log-posteriors where each step puts probability `p` on the given label and spreads the rest. */
function posteriors(labels: number[], p = 0.9): Float32Array {
  const out = new Float32Array(labels.length * alphabet.length);
  labels.forEach((label, t) => {
    for (let c = 0; c < alphabet.length; c++) {
      out[t * alphabet.length + c] = Math.log(c === label ? p : (1 - p) / (alphabet.length - 1));
    }
  });
  return out;
}

const decode = (labels: number[], p?: number, offsetSec = 0) =>
  new GreedyCtcDecoder().decode({
    logProbs: posteriors(labels, p),
    steps: labels.length,
    alphabet,
    blankIndex: B,
    stepSec: 0.03,
    offsetSec,
  });

describe('GreedyCtcDecoder', () => {
  it('collapses repeats, keeps doubled letters separated by blanks, and splits words on spaces', () => {
    // "hi" "abba": h h i _ _ ' ' a b _ b a
    const words = decode([id('h'), id('h'), id('i'), B, B, SP, SP, id('a'), id('b'), B, id('b'), id('a'), B]);
    expect(words.map((w) => w.word)).toEqual(['hi', 'abba']);
  });

  it('times words from their first to their last character frame, offset by the segment start', () => {
    const words = decode([B, id('h'), id('h'), id('i'), B, SP, B, B, id('c'), B], 0.9, 10);
    expect(words[0].start).toBeCloseTo(10 + 1 * 0.03, 9);
    expect(words[0].end).toBeCloseTo(10 + 4 * 0.03, 9);
    expect(words[1].start).toBeCloseTo(10 + 8 * 0.03, 9);
    expect(words[1].end).toBeCloseTo(10 + 9 * 0.03, 9);
  });

  it('reports the mean max-posterior of the word frames as confidence', () => {
    expect(decode([id('a'), id('b')], 0.6)[0].confidence).toBeCloseTo(0.6, 5);
    expect(decode([id('a'), id('b')], 0.95)[0].confidence).toBeCloseTo(0.95, 5);
  });

  it('returns no words for all-blank or empty input', () => {
    expect(decode([B, B, SP, B])).toEqual([]);
    expect(decode([])).toEqual([]);
  });

  it('rejects input whose size does not match the alphabet', () => {
    expect(() =>
      new GreedyCtcDecoder().decode({
        logProbs: new Float32Array(5),
        steps: 1,
        alphabet,
        blankIndex: B,
        stepSec: 0.03,
        offsetSec: 0,
      }),
    ).toThrow(/expected 1 × 8/);
  });
});
