import { describe, expect, it } from 'vitest';
import { seededRandom } from '../testing/seeded-random';
import { Lexicon } from './lexicon';

describe('Lexicon', () => {
  const lexicon = Lexicon.parse('# a comment\nthe\nthere\nthen\n\nzoo\nabc\nab\nthe\n');

  it('holds each listed word once, comments and blank lines left out, in code-unit order', () => {
    expect(lexicon.size).toBe(6);
    expect([...lexicon.words()]).toEqual(['ab', 'abc', 'the', 'then', 'there', 'zoo']);
  });

  it('answers whole words and prefixes', () => {
    for (const w of ['ab', 'abc', 'the', 'then', 'there', 'zoo']) expect(lexicon.has(w)).toBe(true);
    for (const w of ['a', 'th', 'ther', 'zo', 'theres', 'abcd', 'b', '']) expect(lexicon.has(w)).toBe(false);
    for (const p of ['', 'a', 'ab', 'abc', 't', 'th', 'the', 'ther', 'z', 'zoo']) {
      expect(lexicon.hasPrefix(p)).toBe(true);
    }
    for (const p of ['b', 'abd', 'thz', 'zooo', 'u', 'aa']) expect(lexicon.hasPrefix(p)).toBe(false);
  });

  it('agrees with a plain set on random words and probes', () => {
    const random = seededRandom(7);
    const word = (n: number) => Array.from({ length: n }, () => "ab'c"[Math.floor(random() * 4)]).join('');
    const words = Array.from({ length: 300 }, () => word(1 + Math.floor(random() * 6)));
    const set = new Set(words);
    const l = Lexicon.fromWords(words);
    for (let i = 0; i < 2000; i++) {
      const probe = word(Math.floor(random() * 7));
      expect(l.has(probe)).toBe(set.has(probe));
      expect(l.hasPrefix(probe)).toBe(words.some((w) => w.startsWith(probe)));
    }
  });

  it('reads a sorted file (as build-lexicon writes) the same as an unsorted one', () => {
    const sorted = Lexicon.parse("ab\nabc\ndon't\nthe\n");
    const shuffled = Lexicon.parse("the\ndon't\nab\nabc\nthe\n");
    expect([...sorted.words()]).toEqual([...shuffled.words()]);
    for (const probe of ['ab', 'abc', "don'", "don't", 'th', 'the', 'x']) {
      expect(sorted.has(probe)).toBe(shuffled.has(probe));
      expect(sorted.hasPrefix(probe)).toBe(shuffled.hasPrefix(probe));
    }
  });

  it('an empty lexicon has no words and no prefixes', () => {
    const empty = Lexicon.fromWords([]);
    expect(empty.has('a')).toBe(false);
    expect(empty.hasPrefix('')).toBe(false);
  });
});
