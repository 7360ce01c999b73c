import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LetterToSound, MAX_LETTERS } from '../../main/engine/decoder/letter-to-sound';
import * as trainer from './train-letter-to-sound';

/** Short words sharing spelling patterns (a_e, sh, th, x), as CMUdict writes them: stress digits, an
 *  alternate, a trailing comment, and words the trainer must skip (dots, digits). */
const DICTIONARY = `;;; a small dictionary for the tests
cat K AE1 T
bat B AE1 T
hat HH AE1 T
mat M AE1 T
sat S AE1 T
rat R AE1 T
fat F AE1 T
that DH AE1 T
late L EY1 T
gate G EY1 T
date D EY1 T
rate R EY1 T
hate HH EY1 T
cake K EY1 K
bake B EY1 K
make M EY1 K
lake L EY1 K
kit K IH1 T
bit B IH1 T
sit S IH1 T
hit HH IH1 T
kite K AY1 T
bite B AY1 T
site S AY1 T
ship SH IH1 P
shop SH AA1 P
shot SH AA1 T
hot HH AA1 T
pot P AA1 T
lot L AA1 T
box B AA1 K S
fox F AA1 K S
tax T AE1 K S
wax W AE1 K S
thin TH IH1 N
this DH IH1 S
bin B IH1 N
pin P IH1 N
tin T IH1 N
fin F IH1 N
tomato T AH0 M EY1 T OW2
tomato(2) T AH0 M AA1 T OW2  # the British one
a.m. EY2 EH1 M
4th F AO1 R TH
`;

const entries = trainer.parseCmudict(DICTIONARY);
// A dictionary this small uses most units only once or twice: keep every unit the alignments use.
const { model, alignment } = trainer.trainLetterToSound(entries, { minUnitCount: 1 });

describe('parseCmudict', () => {
  it('keeps the first pronunciation of spellable words, stress and comments dropped', () => {
    expect(entries).toHaveLength(41);
    expect(entries.find((e) => e.word === 'tomato')?.phones).toEqual(['T', 'AH', 'M', 'EY', 'T', 'OW']);
    expect(entries.map((e) => e.word)).not.toContain('a.m.');
    expect(entries.map((e) => e.word)).not.toContain('4th');
  });

  it('refuses a phone outside the 39, naming the line', () => {
    expect(() => trainer.parseCmudict('cat K AE1 T\ndog D AX G\n')).toThrow(/line 2: "AX"/);
  });
});

describe('LetterToSound trained on a small dictionary', () => {
  it('aligns every word, with x as the two-phone unit K S', () => {
    expect(alignment.discarded).toEqual([]);
    expect(alignment.pairUnits).toEqual(['x K+S']);
    expect(alignment.aligned.find((w) => w.word === 'box')?.units).toEqual([['B'], ['AA'], ['K', 'S']]);
  });

  it('reproduces the words it was trained on', () => {
    for (const { word, phones } of entries) expect(model.pronounce(word), word).toEqual(phones);
  });

  it('pronounces new words built from the patterns it saw', () => {
    expect(model.pronounce('slate')).toEqual(['S', 'L', 'EY', 'T']); // late
    expect(model.pronounce('lax')).toEqual(['L', 'AE', 'K', 'S']); // tax, x → K S
    expect(model.pronounce('shin')).toEqual(['SH', 'IH', 'N']); // ship, thin
    // "thick": no 'ck' was seen, so only the start is certain.
    expect(model.pronounce('thick').slice(0, 2)).toEqual(['DH', 'IH']);
  });

  it('reads letters only, in any case, and nothing for no letters', () => {
    expect(model.pronounce('S-L-A-T-E!')).toEqual(model.pronounce('slate'));
    expect(model.pronounce('sláte')).toEqual(model.pronounce('slte'));
    expect(model.pronounce('')).toEqual([]);
    expect(model.pronounce('123 …')).toEqual([]);
  });

  it(`cuts a word at ${MAX_LETTERS} letters`, () => {
    const long = 'bat'.repeat(1000);
    expect(model.pronounce(long)).toEqual(model.pronounce(long.slice(0, MAX_LETTERS)));
    expect(model.pronounce(long).length).toBeLessThanOrEqual(2 * MAX_LETTERS);
  });

  it('round-trips through its file', () => {
    const text = trainer.serialiseLetterToSound(model, ['a comment']);
    const loaded = LetterToSound.parse(text);
    expect(trainer.serialiseLetterToSound(loaded, ['a comment'])).toBe(text);
    for (const word of [...entries.map((e) => e.word), 'slate', 'lax', 'shake', 'thick', 'xkcd'])
      expect(loaded.pronounce(word), word).toEqual(model.pronounce(word));
  });
});

describe('LetterToSound.parse', () => {
  const HEADER = 'letter-to-sound 1 0:0 0:1';

  it('reads comments, the header and rules', () => {
    const rules = LetterToSound.parse(`# a model\n${HEADER}\n0x K+S\n0e _\n1ey IY\n`);
    expect(rules.pronounce('xey')).toEqual(['K', 'S', 'IY']);
    expect(rules.pronounce('exe')).toEqual(['K', 'S']);
  });

  it.each([
    ['no header', '0a AE\n', /line 1: expected "letter-to-sound 1/],
    ['a bad window', 'letter-to-sound 1 0:0 x:1\n', /line 1: a context window/],
    ['a line of three fields', `${HEADER}\n0a AE T\n`, /line 2: expected "KEY UNIT"/],
    ['a window the header lacks', `${HEADER}\n\n5a AE\n`, /line 3: "5a" does not start with a window index/],
    ['a key of the wrong width', `${HEADER}\n1a AE\n`, /line 2: "1a" is not 0:1 letters/],
    ['a key for a word edge', `${HEADER}\n1#a AE\n`, /line 2: "1#a" pronounces a word edge/],
    ['a unit of three phones', `${HEADER}\n0a AE+T+S\n`, /line 2: a unit is at most two phones/],
    ['a second rule for a key', `${HEADER}\n0a AE\n0a EY\n`, /line 3: a second rule for "0a"/],
    ['an empty file', '# nothing\n', /no "letter-to-sound 1" line/],
  ])('refuses %s, naming the line', (_, text, message) => {
    expect(() => LetterToSound.parse(text)).toThrow(SyntaxError);
    expect(() => LetterToSound.parse(text)).toThrow(message);
  });

  it('refuses a phone outside the 39 (a stressed one too)', () => {
    expect(() => LetterToSound.parse(`${HEADER}\n0a AX\n`)).toThrow(
      /line 2: "AX" is not one of the 39 phones/,
    );
    expect(() => LetterToSound.parse(`${HEADER}\n0a AE1\n`)).toThrow(/line 2: "AE1" is not one of/);
  });
});

describe('LetterToSound.fromRules', () => {
  it('refuses what a file would be refused for', () => {
    const windows = [{ left: 0, right: 0 }];
    expect(LetterToSound.fromRules(windows, [['0x', ['K', 'S']]]).pronounce('x')).toEqual(['K', 'S']);
    expect(() => LetterToSound.fromRules(windows, [['0a', ['AX']]])).toThrow(/"AX" is not one of the 39/);
    expect(() => LetterToSound.fromRules(windows, [['1ab', ['AE']]])).toThrow(/window index/);
    expect(() => LetterToSound.fromRules([], [])).toThrow(/1 to 10 context windows/);
  });
});

const CMUDICT = '/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict';

describe('LetterToSound on CMUdict', () => {
  // A few seconds: the first 20,000 lines (words a… to c…), every 20th word held out.
  it.skipIf(!existsSync(CMUDICT))('pronounces most held-out words of the dictionary', () => {
    const lines = readFileSync(CMUDICT, 'utf8').split('\n').slice(0, 20_000).join('\n');
    const words = trainer.parseCmudict(lines);
    const heldOut = words.filter((_, i) => i % 20 === 19);
    const { model: real } = trainer.trainLetterToSound(words.filter((_, i) => i % 20 !== 19));
    const figures = trainer.evaluateLetterToSound(real, heldOut);
    // Measured: 52.7 % of the words exact, 11.7 % phone errors.
    expect(figures.wordsCorrect / figures.words).toBeGreaterThan(0.45);
    expect(figures.phoneErrors / figures.referencePhones).toBeLessThan(0.15);
  });
});
