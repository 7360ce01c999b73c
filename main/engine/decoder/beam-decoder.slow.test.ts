import { describe, expect, it } from 'vitest';
import type { Word } from '../../common/transcript';
import { BeamCtcDecoder } from './beam-decoder';
import { GreedyCtcDecoder, type CtcInput } from './ctc-decoder';
import { Lexicon } from './lexicon';
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
    const beam = new BeamCtcDecoder({
      beamWidth: 1,
      alpha: 0,
      beta: 0,
      prunePerFrame: 20,
      wordConfidence: 'acoustic',
    });
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

/** Frames spelling `text`, where `{x|y}` is an ambiguous character: x at 0.5, y at 0.45. */
function ambiguous(text: string): Record<number, number>[] {
  const frames: Record<number, number>[] = [{ [B]: 0.9 }];
  for (const m of text.matchAll(/\{(.)\|(.)\}|(.)/g)) {
    const f = m[3] !== undefined ? { [id(m[3])]: 0.9 } : { [id(m[1])]: 0.5, [id(m[2])]: 0.45 };
    frames.push(f, f, { [B]: 0.9 });
  }
  return frames;
}

describe('BeamCtcDecoder vocabulary boosting', () => {
  const lm = NgramLm.build([
    'call the doctor now',
    'call me now',
    'the doctor is in',
    'the play was good',
    'in the park',
  ]);
  const options = { lm, alpha: 0.8, beta: 1, beamWidth: 16 };
  const text = (words: { word: string }[]) => words.map((w) => w.word).join(' ');

  it('a boosted word (not in the LM) wins over the acoustically likelier spelling', () => {
    const x = input(ambiguous('call ko{v|w}alsk{y|i} now'));
    expect(text(new BeamCtcDecoder(options).decode(x))).toBe('call kovalsky now');
    const boosted = new BeamCtcDecoder({ ...options, vocabulary: { phrases: ['Kowalski'] } });
    expect(text(boosted.decode(x))).toBe('call kowalski now');
    // Turned off again: back to the unboosted result.
    boosted.setVocabulary(undefined);
    expect(text(boosted.decode(x))).toBe('call kovalsky now');
  });

  it('leaves utterances without the boosted words unchanged, words, times and all', () => {
    const x = input(ambiguous('the d{o|a}ctor is in the p{a|o}rk'), 3);
    const plain = new BeamCtcDecoder(options).decode(x);
    const boosted = new BeamCtcDecoder({ ...options, vocabulary: { phrases: ['kowalski', 'new york'] } });
    expect(text(plain)).toBe('the doctor is in the park');
    const got = boosted.decode(x);
    // Prefixes that start like a boosted word ("n…", "k…") rank a little higher in the beam, so the
    // beam's tail (the least likely alternatives) and the posteriors may move slightly; words, times and
    // the first alternatives do not.
    const shape = (words: Word[]) => words.map((w) => [w.word, w.start, w.end, w.alternatives?.[0].word]);
    expect(shape(got)).toEqual(shape(plain));
    got.forEach((w, i) => expect(w.confidence).toBeCloseTo(plain[i].confidence, 3));
  });

  it('a word that only starts like a boosted word gains nothing (the pending bonus is dropped)', () => {
    // "dok" starts the boosted "dokter" and would win if its 3 × 0.3 nats were kept; "doktar" does not
    // complete it. Without an LM the acoustics decide alone.
    const x = input(ambiguous('the do{c|k}tar'));
    const noLm = { alpha: 0, beta: 0, beamWidth: 16 };
    expect(text(new BeamCtcDecoder(noLm).decode(x))).toBe('the doctar');
    const boosted = new BeamCtcDecoder({ ...noLm, vocabulary: { phrases: ['dokter'], weight: 0.3 } });
    expect(text(boosted.decode(x))).toBe('the doctar');
    // Spelt out in full, the boosted word does win.
    expect(text(boosted.decode(input(ambiguous('the do{c|k}ter'))))).toBe('the dokter');
  });

  it('boosts a phrase only as a whole: its second word alone is not favoured', () => {
    const noLm = { alpha: 0, beta: 0, beamWidth: 16, vocabulary: { phrases: ['new york'] } };
    const decoder = new BeamCtcDecoder(noLm);
    expect(text(decoder.decode(input(ambiguous('new y{a|o}rk'))))).toBe('new york');
    expect(text(decoder.decode(input(ambiguous('in y{a|o}rk'))))).toBe('in yark');
  });

  it('lifts a boosted word towards the LM floor by at most boostLmLiftPerChar nats per character', () => {
    // "cat" and "catamaran" are LM words; the boosted "cot" and "cotamaran" are not. One ambiguous
    // character (o 0.45 vs a 0.5) and the LM favour the LM words; a floor of 0 (P = 1) would hand each
    // boosted word the whole gap.
    const catLm = NgramLm.build(['the cat sat', 'the catamaran sat', 'a cat', 'a catamaran']);
    const base = { lm: catLm, alpha: 0.8, beta: 1, beamWidth: 16, boostLmFloor: 0 };
    const vocabulary = { phrases: ['cot', 'cotamaran'], weight: 0.3 };
    const short = input(ambiguous('the c{a|o}t sat'));
    const long = input(ambiguous('the c{a|o}tamaran sat'));
    expect(text(new BeamCtcDecoder(base).decode(short))).toBe('the cat sat');
    expect(text(new BeamCtcDecoder(base).decode(long))).toBe('the catamaran sat');
    // Uncapped, the floor makes even the short boosted word displace the likelier frequent one …
    const uncapped = new BeamCtcDecoder({ ...base, vocabulary, boostLmLiftPerChar: Infinity });
    expect(text(uncapped.decode(short))).toBe('the cot sat');
    expect(text(uncapped.decode(long))).toBe('the cotamaran sat');
    // … capped, 3 characters earn too little lift to overturn acoustics and LM; 9 still do.
    const capped = new BeamCtcDecoder({ ...base, vocabulary, boostLmLiftPerChar: 0.4 });
    expect(text(capped.decode(short))).toBe('the cat sat');
    expect(text(capped.decode(long))).toBe('the cotamaran sat');
    // No lift at all: the character bonus alone is too little even for the long word.
    const none = new BeamCtcDecoder({ ...base, vocabulary, boostLmLiftPerChar: 0 });
    expect(text(none.decode(long))).toBe('the catamaran sat');
  });

  it('rejects a negative weight or lift cap', () => {
    expect(() => new BeamCtcDecoder().setVocabulary({ phrases: ['x'], weight: -1 })).toThrow(RangeError);
    expect(() => new BeamCtcDecoder({ boostLmLiftPerChar: -1 })).toThrow(RangeError);
    expect(() => new BeamCtcDecoder({ boostLmLiftPerChar: NaN })).toThrow(RangeError);
  });
});

describe('BeamCtcDecoder word posteriors and alternatives', () => {
  it('offers the competing spelling as an alternative, with confidences that rank them', () => {
    const x = input(ambiguous('the c{a|u}t sat'));
    const words = new BeamCtcDecoder({ beamWidth: 16, alpha: 0, beta: 0 }).decode(x);
    expect(words.map((w) => w.word)).toEqual(['the', 'cat', 'sat']);
    const [the, cat] = words;
    // Two frames of a (0.5) or u (0.45): cat = a a, caut = a u, cut = u u, cuat = u a.
    const alternatives = cat.alternatives!;
    expect(alternatives[0].word).toBe('caut');
    expect(alternatives.map((a) => a.word).sort()).toEqual(['caut', 'cuat', 'cut']);
    expect(alternatives[0].confidence).toBeLessThan(cat.confidence);
    expect(alternatives[1].confidence).toBeLessThan(alternatives[0].confidence);
    expect(alternatives[2].confidence).toBeLessThanOrEqual(alternatives[1].confidence);
    expect(cat.confidence).toBeLessThan(0.5);
    const total = cat.confidence + alternatives.reduce((s, a) => s + a.confidence, 0);
    expect(total).toBeGreaterThan(0.9);
    expect(total).toBeLessThanOrEqual(1 + 1e-6);
    expect(the.confidence).toBeGreaterThan(0.9);
    for (const a of the.alternatives ?? []) expect(a.confidence).toBeLessThan(0.05);
    for (const w of words) expect((w.alternatives ?? []).length).toBeLessThanOrEqual(4);
  });

  it('maxAlternatives 0 gives none; a calibration map changes confidences, not words', () => {
    const x = input(ambiguous('the c{a|u}t sat'));
    const base = { beamWidth: 16, alpha: 0, beta: 0 };
    expect(new BeamCtcDecoder({ ...base, maxAlternatives: 0 }).decode(x).some((w) => w.alternatives)).toBe(
      false,
    );
    const raw = new BeamCtcDecoder(base).decodeDetailed(x);
    const calibration = { posteriorScale: 1, posteriorWeight: 0.5, acousticWeight: 0, bias: -1 };
    const calibrated = new BeamCtcDecoder({ ...base, calibration }).decodeDetailed(x);
    expect(calibrated.map((w) => w.word)).toEqual(raw.map((w) => w.word));
    calibrated.forEach((w, i) => {
      const p = Math.min(1 - 1e-4, Math.max(1e-4, raw[i].posterior));
      expect(w.confidence).toBeCloseTo(1 / (1 + Math.exp(-(0.5 * Math.log(p / (1 - p)) - 1))), 9);
    });
  });
});

describe('BeamCtcDecoder is a pure function of its input (streaming partial results)', () => {
  it('decodes the same posteriors to identical results, also between other decodes and growing prefixes', () => {
    const random = seededRandom(11);
    const lm = NgramLm.build(['the cat sat on the mat', 'a cat', 'the hat']);
    const decoder = new BeamCtcDecoder({
      lm,
      alpha: 0.8,
      beta: 1,
      beamWidth: 16,
      vocabulary: { phrases: ['mat', 'kowalski'] },
    });
    const noisy = (text: string) =>
      spell(text).map((f) => {
        const [[label, p]] = Object.entries(f);
        const other = 3 + Math.floor(random() * 26);
        const q = p - 0.3 * random();
        return Number(label) === other ? f : { [label]: q, [other]: (1 - q) * 0.8 * random() };
      });
    const x = input(noisy('the cat sat on the mat'), 1.5);
    const copy = Float32Array.from(x.logProbs);
    const first = decoder.decode(x);
    expect(first.length).toBeGreaterThan(3);
    // Live dictation decodes a growing segment again and again.
    const C = alphabet.length;
    for (let steps = 1; steps <= x.steps; steps += 7) {
      decoder.decode({ ...x, steps, logProbs: x.logProbs.subarray(0, steps * C) });
    }
    decoder.decode(input(noisy('a hat'), 0));
    expect(decoder.decode(x)).toEqual(first);
    expect(x.logProbs).toEqual(copy);
    expect(new BeamCtcDecoder(decoder.options).decode(x)).toEqual(first);
  });
});

describe('BeamCtcDecoder closed vocabulary', () => {
  /** "thw cat" where the third letter is nearly as likely an "e", and the last word ends on a frame
   *  that could also begin another letter. */
  const frames = (): Record<number, number>[] => [
    ...spell('th'),
    { [id('w')]: 0.5, [id('e')]: 0.4 },
    { [B]: 0.9 },
    { [id(' ')]: 0.9 },
    ...spell('cat'),
  ];
  const options = { alpha: 0, beta: 0, beamWidth: 16, prunePerFrame: 10 };
  const text = (words: Word[]) => words.map((w) => w.word).join(' ');

  it('spells only listed words: the likelier non-word gives way to the listed one', () => {
    expect(text(new BeamCtcDecoder(options).decode(input(frames())))).toBe('thw cat');
    const lexicon = Lexicon.fromWords(['the', 'cat', 'then']);
    expect(text(new BeamCtcDecoder({ ...options, lexicon }).decode(input(frames())))).toBe('the cat');
  });

  it('never ends on a partial word', () => {
    // "the ca": "ca" begins "cat" but is not a word itself.
    const partial = [...spell('the'), { [id(' ')]: 0.9 }, ...spell('ca'), { [id('t')]: 0.3 }];
    const lexicon = Lexicon.fromWords(['the', 'cat', 'a']);
    const words = text(new BeamCtcDecoder({ ...options, lexicon }).decode(input(partial)));
    for (const w of words.split(' ')) expect(lexicon.has(w)).toBe(true);
  });

  it('gives listed words the LM lacks a share of <unk>, so a long list does not make each as likely as all unseen words', () => {
    // "the performence was good": "performence" is a listed word the LM never saw, heard a little better
    // than "performance", which the LM knows.
    const frames = spell('the performance was good');
    const aAt = 1 + 3 * 'the perform'.length;
    for (const t of [aAt, aAt + 1]) frames[t] = { [id('e')]: 0.85, [id('a')]: 0.14 };
    const lm = NgramLm.build(['the performance was good', 'a good performance', 'the play was good']);
    const known = [...lm.words].filter((w) => lm.has(w));
    const decode = (lexicon: Lexicon) =>
      text(new BeamCtcDecoder({ lm, lexicon, alpha: 0.5, beta: 1, beamWidth: 8 }).decode(input(frames)));
    // One unseen listed word takes all of <unk>'s mass; among 5,000 it gets 1/5,000 of it.
    expect(decode(Lexicon.fromWords([...known, 'performence']))).toBe('the performence was good');
    const many = Array.from({ length: 5000 }, (_, i) => `zz${i.toString(36)}`);
    expect(decode(Lexicon.fromWords([...known, 'performence', ...many]))).toBe('the performance was good');
  });

  it('lets boosted words through although the list lacks them', () => {
    const lexicon = Lexicon.fromWords(['the', 'cat']);
    const boosted = new BeamCtcDecoder({ ...options, lexicon, vocabulary: { phrases: ['thw'] } });
    expect(text(boosted.decode(input(frames())))).toBe('thw cat');
  });
});

describe('BeamCtcDecoder word times on real damaged input', () => {
  it('never gives two words overlapping spans (a mutated WAV once gave "the" 0.12–0.15 and "the" 0.12–0.27)', async () => {
    // The fuzz corpus's input that found it, through the shipped model and its beam decoder.
    const [{ fuzzCorpus }, { AsrEngine }, os, path, fs] = await Promise.all([
      import('../testing/fuzz/corpus'),
      import('../engine'),
      import('node:os'),
      import('node:path'),
      import('node:fs/promises'),
    ]);
    const input = fuzzCorpus().find((c) => c.name === 'mutated/wav-124')!;
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'beam-overlap-'));
    const file = path.join(dir, 'input.wav');
    await input.write(file);
    const engine = await AsrEngine.load();
    try {
      expect(engine.decoderName).toBe('beam');
      const { words } = await engine.transcribeFile(file);
      expect(words.length).toBeGreaterThan(3);
      for (let i = 1; i < words.length; i++) expect(words[i].start).toBeGreaterThanOrEqual(words[i - 1].end);
    } finally {
      engine.dispose();
      await fs.rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
