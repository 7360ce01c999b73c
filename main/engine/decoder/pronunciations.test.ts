import { describe, expect, it } from 'vitest';
import { BeamCtcDecoder } from './beam-decoder';
import type { CtcInput } from './ctc-decoder';
import { NgramLm } from './ngram-lm';
import { PhoneSpeller } from './phone-speller';
import { Pronunciations } from './pronunciations';

/** A phone model's outputs, as training/train/phones.py orders them (a subset is enough here). */
const alphabet = [
  '<blank>',
  ' ',
  'AH',
  'B',
  'D',
  'EH',
  'ER',
  'F',
  'HH',
  'IH',
  'IY',
  'L',
  'OW',
  'R',
  'S',
  'T',
  'TH',
  'W',
  'Z',
  'DH',
];
const B = 0;
const id = (p: string) => {
  const i = alphabet.indexOf(p);
  if (i < 0) throw new Error(`no phone ${p}`);
  return i;
};

const DICTIONARY = `;;; a comment
hello HH AH0 L OW1
hello(2) HH EH0 L OW1
world W ER1 L D
there DH EH1 R
their DH EH1 R
they're DH EH1 R
is IH1 Z
it IH1 T
red R EH1 D
read R EH1 D
read(2) R IY1 D
`;

/** Frames spelling phone words (' ' between words): each phone held two frames, blanks between. */
function speak(words: string[][], p = 0.9): CtcInput {
  const frames: number[] = [B];
  words.forEach((phones, k) => {
    if (k > 0) frames.push(id(' '), B);
    for (const ph of phones) frames.push(id(ph), id(ph), B);
  });
  const C = alphabet.length;
  const logProbs = new Float32Array(frames.length * C);
  frames.forEach((label, t) => {
    for (let c = 0; c < C; c++) logProbs[t * C + c] = Math.log(c === label ? p : (1 - p) / (C - 1));
  });
  return { logProbs, steps: frames.length, alphabet, blankIndex: B, stepSec: 0.03, offsetSec: 0 };
}

describe('Pronunciations', () => {
  const dict = Pronunciations.parse(DICTIONARY, alphabet);

  it('keys each pronunciation by the model phones, stress dropped, alternates kept, homophones grouped', () => {
    const key = (phones: string) =>
      phones
        .split(' ')
        .map((p) => dict.symbols[id(p)])
        .join('');
    expect(dict.wordsOf(key('HH AH L OW'))).toEqual(['hello']);
    expect(dict.wordsOf(key('HH EH L OW'))).toEqual(['hello']);
    expect(dict.wordsOf(key('DH EH R'))).toEqual(['there', 'their', "they're"]);
    expect(dict.wordsOf(key('R IY D'))).toEqual(['read']);
    expect(dict.wordsOf(key('R EH D'))).toEqual(['red', 'read']);
    expect(dict.wordsOf(key('HH AH'))).toEqual([]);
    expect(dict.keys.hasPrefix(key('HH AH'))).toBe(true);
    expect(dict.describe(key('W ER L D'), alphabet)).toBe('W ER L D');
    // blank and the word boundary spell nothing
    expect(dict.symbols[B]).toBe('');
    expect(dict.symbols[id(' ')]).toBe('');
  });

  it("gives a word's pronunciations in the dictionary's order, first first", () => {
    const describe = (word: string) => dict.keysOf(word).map((k) => dict.describe(k, alphabet));
    expect(describe('read')).toEqual(['R EH D', 'R IY D']);
    expect(describe('hello')).toEqual(['HH AH L OW', 'HH EH L OW']);
    expect(describe('there')).toEqual(['DH EH R']);
    expect(describe('zebra')).toEqual([]);
    expect(dict.describe(dict.keyOfPhones(['W', 'ER1', 'L', 'D']), alphabet)).toBe('W ER L D');
    expect(dict.keyOfPhones(['W', 'UW'])).toBe(''); // UW is not one of this model's phones
    expect(dict.classesOf(dict.keyOfPhones(['IH', 'T']))).toEqual([id('IH'), id('T')]);
  });

  it('names the line of a phone the model does not have, and of a word without phones', () => {
    expect(() => Pronunciations.parse('hello HH AH0 L OW1\nzoo Z UW1\n', alphabet)).toThrow(/line 2: "UW1"/);
    expect(() => Pronunciations.parse('hello\n', alphabet)).toThrow(/line 1: no phones/);
  });
});

describe('BeamCtcDecoder with a phone model', () => {
  const pronunciations = Pronunciations.parse(DICTIONARY, alphabet);

  it('emits the words the phones pronounce, with their times', () => {
    const decoder = new BeamCtcDecoder({ beamWidth: 8, alpha: 0, beta: 0, pronunciations });
    const words = decoder.decode(
      speak([
        ['HH', 'AH', 'L', 'OW'],
        ['W', 'ER', 'L', 'D'],
      ]),
    );
    expect(words.map((w) => w.word)).toEqual(['hello', 'world']);
    expect(words[0].start).toBeLessThan(words[0].end);
    expect(words[0].end).toBeLessThanOrEqual(words[1].start);
  });

  it('picks among homophones by the language model, in context', () => {
    const lm = NgramLm.build([
      'there is a cat',
      'there it is',
      'their cat',
      'is it red',
      'i read it',
      'read it',
    ]);
    const decoder = new BeamCtcDecoder({ beamWidth: 8, alpha: 1, beta: 0, lm, pronunciations });
    const heard = (...words: string[]) =>
      decoder.decode(speak(words.map((w) => w.split(' ')))).map((w) => w.word);
    expect(heard('DH EH R', 'IH Z')).toEqual(['there', 'is']);
    expect(heard('IH Z', 'IH T', 'R EH D')).toEqual(['is', 'it', 'red']);
    // The same sounds at the start of a sentence: "read it" is what the LM has seen.
    expect(heard('R EH D', 'IH T')).toEqual(['read', 'it']);
  });

  it('says only dictionary words: a phone string no word has is not emitted as one', () => {
    const decoder = new BeamCtcDecoder({ beamWidth: 8, alpha: 0, beta: 0, pronunciations });
    // "HH AH L IY" is no word here; the decoder keeps to spellings it can finish.
    const words = decoder.decode(speak([['HH', 'AH', 'L', 'IY']]));
    // The nearest pronounceable word, "hello" (HH AH L OW), not a non-word.
    expect(words.map((w) => w.word)).toEqual(['hello']);
  });

  it('refuses pronunciations made for another alphabet', () => {
    const other = Pronunciations.parse('hello HH AH0 L OW1\n', [...alphabet, 'ZH']);
    const decoder = new BeamCtcDecoder({ beamWidth: 8, alpha: 0, beta: 0, pronunciations: other });
    expect(() => decoder.decode(speak([['HH', 'AH', 'L', 'OW']]))).toThrow(
      /pronunciations are for 21 classes/,
    );
  });
});

describe('PhoneSpeller', () => {
  const pronunciations = Pronunciations.parse(DICTIONARY, alphabet);
  // A stand-in for the letter-to-sound model: one made-up word, nothing else.
  const guesser = { pronounce: (word: string) => (word === 'zelda' ? ['Z', 'EH', 'L', 'D', 'AH'] : []) };

  it("labels a transcript with each word's first pronunciation and word boundaries, as training does", () => {
    const speller = new PhoneSpeller(pronunciations, guesser);
    const space = id(' ');
    expect(speller.labels('Read it, Zelda!', space)).toEqual([
      ...['R', 'EH', 'D'].map(id),
      space,
      ...['IH', 'T'].map(id),
      space,
      ...['Z', 'EH', 'L', 'D', 'AH'].map(id),
    ]);
    expect(speller.labels('read it', space)).toEqual(
      new PhoneSpeller(pronunciations).labels('READ IT', space),
    );
    // A word neither the dictionary nor the guesser can pronounce: no labels rather than wrong ones.
    expect(speller.labels('read the zebra', space)).toBeNull();
    expect(new PhoneSpeller(pronunciations).labels('zelda', space)).toBeNull();
  });
});

describe('Vocabulary boosting with a phone model', () => {
  const pronunciations = Pronunciations.parse(DICTIONARY, alphabet);
  const guesser = { pronounce: (word: string) => (word === 'zelda' ? ['Z', 'EH', 'L', 'D', 'AH'] : []) };
  const lm = NgramLm.build(['there is a cat', 'there it is', 'their cat', 'is it red', 'hello world']);
  const zelda = ['Z', 'EH', 'L', 'D', 'AH'];

  it('says a boosted word the dictionary lacks, spelt by the letter-to-sound model', () => {
    const decoder = new BeamCtcDecoder({
      beamWidth: 16,
      alpha: 1,
      beta: 0,
      lm,
      pronunciations,
      letterToSound: guesser,
    });
    const heard = () => decoder.decode(speak([['HH', 'AH', 'L', 'OW'], zelda])).map((w) => w.word);
    expect(heard()).not.toContain('zelda'); // not a dictionary word: unsayable without the boost
    decoder.setVocabulary({ phrases: ['Zelda'] });
    expect(heard()).toEqual(['hello', 'zelda']);
  });

  it('cannot boost a word it cannot pronounce (no letter-to-sound model), and says so by leaving it out', () => {
    const decoder = new BeamCtcDecoder({ beamWidth: 16, alpha: 1, beta: 0, lm, pronunciations });
    decoder.setVocabulary({ phrases: ['Zelda'] });
    expect(decoder.decode(speak([['HH', 'AH', 'L', 'OW'], zelda])).map((w) => w.word)).not.toContain('zelda');
  });

  it("gives a boosted homophone its pronunciation's bonus, the other homophones none", () => {
    const decoder = new BeamCtcDecoder({ beamWidth: 16, alpha: 1, beta: 0, lm, pronunciations });
    const heard = () =>
      decoder
        .decode(
          speak([
            ['DH', 'EH', 'R'],
            ['IH', 'Z'],
          ]),
        )
        .map((w) => w.word);
    expect(heard()).toEqual(['there', 'is']);
    // "their" starts 1 of the LM's 5 sentences, "there" 2: the bonus (0.5 a phone) tips it.
    decoder.setVocabulary({ phrases: ['their'] });
    expect(heard()).toEqual(['their', 'is']);
  });
});
