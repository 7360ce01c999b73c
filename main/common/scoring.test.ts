import { describe, expect, it } from 'vitest';
import { align, errorRate, normalizeForScoring, scoreTranscript, sumCounts } from './scoring';

describe('scoring', () => {
  it('normalises case, punctuation and quotes explicitly', () => {
    expect(normalizeForScoring("  Hello, World!  It\u2019s 'quoted'. ")).toBe("hello world it's quoted");
  });

  it('counts substitutions, deletions and insertions with their alignment', () => {
    const a = align('the cat sat on the mat'.split(' '), 'extra the bat sat on mat'.split(' '));
    expect([a.substitutions, a.deletions, a.insertions, a.reference]).toEqual([1, 1, 1, 6]);
    expect(a.pairs.map((p) => p.op)).toEqual(['ins', 'match', 'sub', 'match', 'match', 'del', 'match']);
    expect(errorRate(a)).toBeCloseTo(3 / 6, 9);
  });

  it('scores words and characters', () => {
    const s = scoreTranscript('Hello world', 'hello word');
    expect(errorRate(s.wer)).toBe(0.5);
    expect(s.cer.deletions + s.cer.substitutions + s.cer.insertions).toBe(1);
    expect(s.cer.reference).toBe(11);
  });

  it('handles empty references and hypotheses', () => {
    expect(errorRate(scoreTranscript('', '').wer)).toBe(0);
    expect(errorRate(scoreTranscript('', 'noise').wer)).toBe(1);
    expect(errorRate(scoreTranscript('two words', '').wer)).toBe(1);
  });

  it('pools counts over a set (not the mean of per-file rates)', () => {
    const total = sumCounts([scoreTranscript('a b c d', 'a b c d').wer, scoreTranscript('e', 'f').wer]);
    expect(errorRate(total)).toBeCloseTo(1 / 5, 9);
  });
});
