import { describe, expect, it } from 'vitest';
import {
  DEFAULT_NORMALIZATION,
  align,
  describeNormalization,
  errorRate,
  integerToWords,
  normalizeForScoring,
  normalizeText,
  scoreTranscript,
  spellOutNumbers,
  sumCounts,
  type ScoringNormalization,
} from './scoring';

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

  it('keeps the one-argument default normaliser usable as a map callback', () => {
    expect(['A, b!', 'C'].map(normalizeForScoring)).toEqual(['a b', 'c']);
    expect(normalizeText('Hello, World 3', DEFAULT_NORMALIZATION)).toBe(
      normalizeForScoring('Hello, World 3'),
    );
  });
});

describe('explicit normalisation options', () => {
  const opts = (o: Partial<ScoringNormalization>): ScoringNormalization => ({
    ...DEFAULT_NORMALIZATION,
    ...o,
  });

  it('keeps case and punctuation when asked', () => {
    expect(normalizeText('The end. Well-known!', opts({ caseFold: false }))).toBe('The end Well known');
    expect(normalizeText('The  end. Well-known!', opts({ punctuation: 'keep' }))).toBe(
      'the end. well-known!',
    );
    expect(errorRate(scoreTranscript('The end', 'the end', opts({ caseFold: false })).wer)).toBe(0.5);
    expect(errorRate(scoreTranscript('The end', 'the end').wer)).toBe(0);
  });

  it('spells out cardinals, ordinals, decimals and grouped thousands', () => {
    expect(integerToWords('0')).toBe('zero');
    expect(integerToWords('15')).toBe('fifteen');
    expect(integerToWords('101')).toBe('one hundred one');
    expect(integerToWords('1000000')).toBe('one million');
    expect(integerToWords('2024')).toBe('two thousand twenty four');
    expect(integerToWords('007')).toBe('zero zero seven');
    expect(spellOutNumbers('1st 2nd 3rd 12th 20th 21st 100th').replace(/\s+/g, ' ').trim()).toBe(
      'first second third twelfth twentieth twenty first one hundredth',
    );
    const words = opts({ numbers: 'words' });
    expect(normalizeText('Pay $1,250.75 by the 3rd.', words)).toBe(
      'pay one thousand two hundred fifty point seven five by the third',
    );
    expect(normalizeText('4th floor, not 4this', words)).toBe('fourth floor not four this');
    // Only with numbers: 'words' does a digit reference match a spoken hypothesis.
    expect(errorRate(scoreTranscript('press 3 now', 'press three now', words).wer)).toBe(0);
    expect(errorRate(scoreTranscript('press 3 now', 'press three now').wer)).toBeCloseTo(1 / 3, 9);
  });

  it('describes every option in one line', () => {
    expect(describeNormalization()).toBe(
      'case folded to lower case; punctuation removed (apostrophes inside words kept, hyphens split words); ' +
        'numbers scored as written; whitespace collapsed',
    );
    const line = describeNormalization({ caseFold: false, punctuation: 'keep', numbers: 'words' });
    expect(line).toBe(
      'case kept; punctuation kept attached to words; numbers spelled out as words; whitespace collapsed',
    );
    expect(line).not.toMatch(/\n/);
  });
});
