import { describe, expect, it } from 'vitest';
import { BOS, EOS, NgramLm, UNK } from './ngram-lm';
import { seededRandom } from '../testing/seeded-random';

const corpus = [
  'the cat sat on the mat',
  'the cat ate the fish',
  'a dog sat on the log',
  'the dog ate a bone',
  'the performance was good',
  'a good performance of the play',
  'the cat sat on the log',
  'on the mat the cat sat',
];

/** Sum of P(w | history) over the vocabulary plus </s> and <unk>. */
function mass(lm: NgramLm, history: string[]): number {
  let sum = 0;
  for (const w of lm.words) if (w !== BOS) sum += Math.exp(lm.logProb(history, w));
  return sum;
}

/** Seen, unseen and partly seen histories, for the normalisation checks. */
const HISTORIES = [
  [],
  [BOS],
  ['the'],
  [BOS, 'the'],
  ['the', 'cat'],
  ['cat', 'sat'],
  ['cat', 'ate'],
  ['sat', 'on'],
  ['unseen', 'the'],
  ['the', 'unseen'],
  ['mat', 'the'],
  ['fish'],
  ['a', 'dog'],
  ['good', 'performance'],
];

describe('NgramLm', () => {
  const lm = NgramLm.build(corpus, { order: 3 });

  it('normalises every history over the vocabulary plus </s>', () => {
    for (const h of HISTORIES) expect(mass(lm, h)).toBeCloseTo(1, 5);
  });

  it('still normalises every history when rare trigrams are pruned, and stores fewer', () => {
    const pruned = NgramLm.build(corpus, { minTrigramCount: 2 });
    expect(pruned.stats.trigrams).toBeLessThan(lm.stats.trigrams);
    expect(pruned.stats.trigrams).toBeGreaterThan(0);
    expect(pruned.stats.bigrams).toBe(lm.stats.bigrams);
    for (const h of HISTORIES) expect(mass(pruned, h)).toBeCloseTo(1, 5);
    // "the cat sat" (seen 3 times) keeps its trigram and gains a share of the pruned "the cat ate"'s
    // mass; "cat ate the" (once) falls back to its bigram.
    expect(pruned.logProb(['the', 'cat'], 'sat')).toBeGreaterThan(lm.logProb(['the', 'cat'], 'sat'));
    expect(pruned.logProb(['cat', 'ate'], 'the')).toBeLessThan(lm.logProb(['cat', 'ate'], 'the'));
    const loaded = NgramLm.fromBuffer(pruned.toBuffer());
    expect(loaded.logProb(['cat', 'ate'], 'the')).toBe(pruned.logProb(['cat', 'ate'], 'the'));

    // Rare bigrams too: fewer stored, every history still normalised, and a bigram that is the history
    // of a stored trigram ("the cat", before "sat") kept.
    const both = NgramLm.build(corpus, { minTrigramCount: 2, minBigramCount: 2 });
    expect(both.stats.bigrams).toBeLessThan(lm.stats.bigrams);
    expect(both.stats.trigrams).toBe(pruned.stats.trigrams);
    for (const h of HISTORIES) expect(mass(both, h)).toBeCloseTo(1, 5);
    expect(both.logProb(['the', 'cat'], 'sat')).toBeGreaterThan(both.logProb(['unseen', 'cat'], 'sat'));
  });

  it('prefers a seen trigram to an unseen one and scores OOV words as <unk>', () => {
    expect(lm.logProb(['the', 'cat'], 'sat')).toBeGreaterThan(lm.logProb(['the', 'cat'], 'bone'));
    expect(lm.logProb(['on', 'the'], 'mat')).toBeGreaterThan(lm.logProb(['on', 'the'], 'fish'));
    expect(lm.logProb(['the', 'good'], 'performance')).toBeGreaterThan(
      lm.logProb(['the', 'good'], 'performence'),
    );
    expect(lm.logProb(['the'], 'zebra')).toBe(lm.logProb(['the'], UNK));
    expect(lm.logProb(['the', 'mat'], EOS)).toBeGreaterThan(lm.logProb(['the', 'mat'], 'the'));
    const penalised = NgramLm.build(corpus, { unkPenalty: -5 });
    expect(penalised.logProb(['the'], 'zebra')).toBeCloseTo(lm.logProb(['the'], 'zebra') - 5, 9);
  });

  it('round-trips through its binary format with identical scores', () => {
    const loaded = NgramLm.fromBuffer(lm.toBuffer());
    expect(loaded.stats).toEqual(lm.stats);
    for (const h of [[], [BOS], ['the'], ['the', 'cat'], ['x', 'y']]) {
      for (const w of [...lm.words, 'zebra']) expect(loaded.logProb(h, w)).toBe(lm.logProb(h, w));
    }
    expect(() => NgramLm.fromBuffer(Buffer.from('not an lm at all, not at all, not at all'))).toThrow();
  });

  it('builds and loads a 200k-sentence model quickly', () => {
    const random = seededRandom(7);
    const vocab = Array.from({ length: 20000 }, (_, i) => `w${i.toString(36)}`);
    // Zipf-like word choice.
    const pick = () => vocab[Math.floor(vocab.length * random() ** 3)];
    const sentences: string[] = [];
    for (let s = 0; s < 200_000; s++) {
      const n = 3 + Math.floor(random() * 10);
      sentences.push(Array.from({ length: n }, pick).join(' '));
    }
    let t0 = performance.now();
    const big = NgramLm.build(sentences);
    const buildMs = performance.now() - t0;
    const buf = big.toBuffer();
    t0 = performance.now();
    const loaded = NgramLm.fromBuffer(buf);
    const loadMs = performance.now() - t0;
    console.log(
      `200k sentences: build ${buildMs.toFixed(0)} ms, ${(buf.length / 1e6).toFixed(1)} MB, load ${loadMs.toFixed(1)} ms`,
      loaded.stats,
    );
    expect(loadMs).toBeLessThan(1000);
    const h = sentences[0].split(' ').slice(0, 2);
    expect(loaded.logProb(h, sentences[0].split(' ')[2])).toBe(big.logProb(h, sentences[0].split(' ')[2]));
    expect(mass(loaded, h)).toBeCloseTo(1, 4);
  });
});
