/**
 * The punctuation runtime with the shipped model (models/punct): marks and capitals as display text,
 * the words themselves untouched, windows that match the whole-sequence result, spoken commands first.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTranscript, type Transcript, type Word } from '../common/transcript';
import { AsrEngine } from './engine';
import { initBackend } from './model/backend';
import { createRandomModel } from './model/random-model';
import { ModelMismatchError } from './errors';
import {
  DEFAULT_DECISIONS,
  fnv1a,
  parseDecisions,
  Punctuator,
  type PunctuationDecisionsJson,
} from './punctuation';

let punctuator: Punctuator;

beforeAll(async () => {
  await initBackend('wasm');
  punctuator = await Punctuator.load();
});
afterAll(() => punctuator?.dispose());

/** Words `step - 0.1` s long, 0.1 s apart (no pause anywhere), with varied confidences. */
function timed(text: string, step = 0.4): Word[] {
  return text.split(' ').map((word, i) => ({
    word,
    start: i * step,
    end: i * step + step - 0.1,
    confidence: 0.5 + (i % 5) / 10,
  }));
}

describe('Punctuator', () => {
  it('hashes as training/punct/train.py does (32-bit FNV-1a over UTF-8)', () => {
    // Values from Python: fnv1a("") and fnv1a("hello"), fnv1a("café")
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('hello')).toBe(0x4f9f2cab);
    expect(fnv1a('café')).toBe(fnv1a('caf\u00e9'));
  });

  it('ends a question with a question mark and a statement with a full stop', () => {
    const [question] = [punctuator.predict('where are you going'.split(' '))];
    expect(question.at(-1)!.mark).toBe('?');
    const statement = punctuator.predict('the cat sat on the mat'.split(' '));
    expect(statement.at(-1)!.mark).toBe('.');
    expect(statement[0].written).toBe('The');
  });

  it('capitalises names, the pronoun I and acronyms, and starts sentences with a capital', () => {
    const written = (text: string) => punctuator.predict(text.split(' ')).map((w) => w.written);
    expect(written('i met john in london and paris last year')).toEqual(
      expect.arrayContaining(['I', 'John', 'London', 'Paris']),
    );
    expect(written('the gnu project was started by richard stallman')).toEqual(
      expect.arrayContaining(['The', 'GNU', 'Richard', 'Stallman']),
    );
    const two = punctuator.punctuate(
      timed('this is the first sentence and it is long this is the second one'),
    );
    const stops = two.flatMap((w, i) => (/[.?]$/.test(w.display!) && i + 1 < two.length ? [i + 1] : []));
    for (const next of stops) expect(two[next].display).toMatch(/^[A-Z]/);
  });

  it('leaves words, times, confidences and alternatives as they were, adding only display text', () => {
    const words = timed('hello how are you today i am fine thank you');
    words[2].alternatives = [{ word: 'our', confidence: 0.2 }];
    const before = structuredClone(words);
    const out = punctuator.punctuate(words);
    expect(words).toEqual(before);
    expect(out.map(({ display: _, ...w }) => w)).toEqual(before);
    for (const w of out) expect(w.display!.replace(/[,.?]$/, '').toLowerCase()).toBe(w.word);
    expect(out.length).toBe(words.length);
  });

  it('gives every word of a long transcript the prediction it has with its whole context', () => {
    const sentence = 'the program reads a file and writes the result to the screen so you can check it';
    const words = Array.from({ length: 40 }, () => sentence)
      .join(' ')
      .split(' ');
    expect(words.length).toBeGreaterThan(600); // several windows
    const whole = punctuator.rawLogits(words);
    // A slice with at least the network's context on both sides gives the same numbers in its middle.
    const context = punctuator.manifest.contextWords;
    const from = 250;
    const slice = punctuator.rawLogits(words.slice(from - context, from + 40 + context));
    for (let i = 0; i < 40 * 8; i++) expect(slice[context * 8 + i]).toBeCloseTo(whole[from * 8 + i], 4);
  });

  it('lets spoken punctuation win in dictation: no mark of its own before a spoken command', () => {
    const text = punctuator.punctuateUtterance('hello there comma how are you question mark');
    // The words before the commands get no mark from the model; the commands stay words for the document.
    expect(text).toMatch(/ there comma how /i);
    expect(text).toMatch(/ you question mark$/i);
    expect(punctuator.punctuateUtterance('comma')).toBe('comma');
    expect(punctuator.punctuateUtterance('')).toBe('');
  });

  it('keeps no tensors after punctuating', () => {
    punctuator.punctuate(timed('warm up words here'));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) punctuator.punctuate(timed('some words to punctuate again and again'));
    expect(tf.memory().numTensors).toBe(before);
  });
});

/** Network outputs written by hand: per word [none, comma, full stop, question, lower, Title, UPPER, Mixed]. */
const logitsOf = (rows: number[][]) => Float32Array.from(rows.flat());
const NONE = [2, 0, 0, -9, 5, 0, 0, 0];
const decisions = (json: PunctuationDecisionsJson) => parseDecisions(json, 'test');
const marksOf = (words: string, rows: number[][], json: PunctuationDecisionsJson, options = {}) =>
  punctuator
    .decide(words.split(' '), logitsOf(rows), options, decisions(json))
    .map((w) => w.mark)
    .join('|');

describe('decisions (manifest.json decisions)', () => {
  it('without decisions, each output largest and a file\'s last word "." unless the model chose "?"', () => {
    expect(DEFAULT_DECISIONS).toEqual(decisions({}));
    expect(parseDecisions(undefined, 'test')).toBe(DEFAULT_DECISIONS);
    const rows = [NONE, [1, 0.5, 0, -9, 2, 0, 0, 0], [3, -1, 1, 1.5, 2, 0, 0, 0]];
    expect(marksOf('we went home', rows, {})).toBe('||.');
    // …as before: "?" only where it beats every mark
    expect(marksOf('we went home', [NONE, NONE, [0, 0, 1, 2, 2, 0, 0, 0]], {})).toBe('||?');
  });

  it('adds the mark biases to the logits before choosing', () => {
    const rows = [NONE, [1, 0.5, 0, -9, 2, 0, 0, 0], [3, -1, 1, 1.5, 2, 0, 0, 0]];
    expect(marksOf('we went home', rows, { markBias: { comma: 0.49 } })).toBe('||.');
    expect(marksOf('we went home', rows, { markBias: { comma: 0.51 } })).toBe('|,|.');
    // A full stop bias that makes a mid-text stop, and the next word starts a sentence
    const out = punctuator.decide(
      ['we', 'went', 'home'],
      logitsOf(rows),
      {},
      decisions({ markBias: { fullStop: 1.1 } }),
    );
    expect(out.map((w) => w.written + w.mark)).toEqual(['We', 'went.', 'Home.']);
  });

  it('at a sentence end chooses "?" over "." by those two alone (questionAtSentenceEnd), biased by questionEndBias', () => {
    // The last word: "none" is largest, "?" beats "."
    const rows = [NONE, NONE, [3, -1, 1, 1.5, 2, 0, 0, 0]];
    expect(marksOf('we went home', rows, {})).toBe('||.');
    expect(marksOf('we went home', rows, { questionAtSentenceEnd: true })).toBe('||?');
    expect(marksOf('we went home', rows, { questionAtSentenceEnd: true, questionEndBias: -0.6 })).toBe('||.');
    // Not at the end of a dictated utterance (sentenceEnd false): no sentence end there
    expect(marksOf('we went home', rows, { questionAtSentenceEnd: true }, { sentenceEnd: false })).toBe('||');
  });

  it('gives "?" to a sentence that starts as a question does (question cues), and only there', () => {
    const json: PunctuationDecisionsJson = {
      questionAtSentenceEnd: true,
      questionCueBias: 2,
      questionWords: ['where'],
      invertedAuxiliaries: ['can'],
      subjects: ['you'],
    };
    const end = [0, 0, 2, 0.5, 2, 0, 0, 0]; // "." by 1.5 over "?"
    const rows = [NONE, NONE, NONE, end];
    expect(marksOf('can you hear me', rows, { ...json, questionCueBias: 0 })).toBe('|||.');
    expect(marksOf('can you hear me', rows, json)).toBe('|||?');
    expect(marksOf('where is the cat', rows, json)).toBe('|||?');
    expect(marksOf('you can hear me', rows, json)).toBe('|||.'); // not inverted
    expect(marksOf('can dogs hear me', rows, json)).toBe('|||.'); // no subject after the auxiliary
    // The cue is the start of the sentence the end closes, not of the text
    expect(marksOf('where we live it rains', [NONE, NONE, end, NONE, end], json)).toBe('||?||.');
    expect(marksOf('we live here where is it', [NONE, NONE, end, NONE, NONE, end], json)).toBe('||.|||?');
  });

  it('reads a question cue after a lead word, and in the last clause after a comma (clauseQuestionWords)', () => {
    const json: PunctuationDecisionsJson = {
      questionAtSentenceEnd: true,
      questionCueBias: 2,
      questionWords: ['where', 'who'],
      invertedAuxiliaries: ['can', 'does'],
      subjects: ['you', 'it'],
    };
    const end = [0, 0, 2, 0.5, 2, 0, 0, 0]; // "." by 1.5 over "?"
    const comma = [0, 2, 0, -9, 2, 0, 0, 0];
    // A lead word: only with questionLeadWords
    expect(marksOf('and where is it', [NONE, NONE, NONE, end], json)).toBe('|||.');
    const led = { ...json, questionLeadWords: ['and', 'but'] };
    expect(marksOf('and where is it', [NONE, NONE, NONE, end], led)).toBe('|||?');
    expect(marksOf('but can you go', [NONE, NONE, NONE, end], led)).toBe('|||?');
    expect(marksOf('and we go home', [NONE, NONE, NONE, end], led)).toBe('|||.');
    // The last clause: a clause question word followed by an inverted auxiliary, or ending the sentence
    const clause = { ...led, clauseQuestionWords: ['where', 'how'] };
    expect(marksOf('if so how', [NONE, comma, end], json)).toBe('|,|.');
    expect(marksOf('if so how', [NONE, comma, end], clause)).toBe('|,|?');
    expect(marksOf('in short where does it go', [NONE, comma, NONE, NONE, NONE, end], clause)).toBe(
      '|,||||?',
    );
    expect(marksOf('so then but where does it go', [NONE, comma, NONE, NONE, NONE, NONE, end], clause)).toBe(
      '|,|||||?',
    );
    // …not one followed by anything else ("…, where we live"), not "who" (not a clause question word here),
    // not a clause without a comma before it, and not a clause of an earlier sentence
    expect(marksOf('we stay where we live', [NONE, comma, NONE, NONE, end], clause)).toBe('|,|||.');
    expect(marksOf('we stay who does it', [NONE, comma, NONE, NONE, end], clause)).toBe('|,|||.');
    expect(marksOf('we stay where does it', [NONE, NONE, NONE, NONE, end], clause)).toBe('||||.');
    expect(marksOf('we stay where does she go', [NONE, comma, end, NONE, NONE, end], clause)).toBe(
      '|,|?|||.',
    );
  });

  it('chooses case with the case biases, and the lexicon for known words only when asked', () => {
    const written = (rows: number[][], json: PunctuationDecisionsJson) =>
      punctuator.decide(['in', 'london'], logitsOf(rows), {}, decisions(json)).map((w) => w.written);
    const lower = [NONE, [2, 0, 0, -9, 2, 1, 0, 0]];
    const title = [NONE, [2, 0, 0, -9, 1, 2, 0, 0]];
    // "london" is in the vocabulary and the case lexicon ("London")
    expect(written(lower, {})).toEqual(['In', 'London']);
    expect(written(lower, { lexiconForKnownWords: false })).toEqual(['In', 'london']);
    expect(written(title, { lexiconForKnownWords: false })).toEqual(['In', 'London']);
    expect(written(title, { lexiconForKnownWords: false, caseBias: { title: -1.5 } })).toEqual([
      'In',
      'london',
    ]);
    expect(written(lower, { caseBias: { upper: 3 } })).toEqual(['In', 'LONDON']);
  });

  it("predict uses the manifest's decisions", () => {
    const words = 'can you hear me now i think the line is bad so call me back later'.split(' ');
    const logits = punctuator.rawLogits(words);
    expect(punctuator.predict(words)).toEqual(punctuator.decide(words, logits, {}, punctuator.decisions));
  });

  it('refuses decisions it cannot use, naming the field', () => {
    const refused = (json: unknown) => {
      try {
        parseDecisions(json, 'models/punct');
      } catch (error) {
        expect(error).toBeInstanceOf(ModelMismatchError);
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(refused([])).toMatch(/decisions: must be an object/);
    expect(refused({ markBias: { comma: '1' } })).toMatch(/markBias\.comma must be a finite number, got "1"/);
    expect(refused({ markBias: { comma: null } })).toMatch(/markBias\.comma must be a finite number/);
    expect(refused({ markBias: [0, 1, 0, 0] })).toMatch(/markBias must be an object with comma, fullStop/);
    expect(refused({ markBias: { none: 1 } })).toMatch(/unknown field markBias\.none/);
    expect(refused({ markBais: { comma: 1 } })).toMatch(/unknown field markBais/);
    expect(refused({ questionAtSentenceEnd: 'yes' })).toMatch(/questionAtSentenceEnd must be true or false/);
    expect(refused({ questionEndBias: -1 })).toMatch(/need questionAtSentenceEnd/);
    expect(refused({ questionAtSentenceEnd: true, questionCueBias: 2 })).toMatch(/needs questionWords/);
    expect(refused({ questionAtSentenceEnd: true, questionCueBias: -2, questionWords: ['what'] })).toMatch(
      /questionCueBias must not be negative/,
    );
    expect(refused({ questionWords: ['What'] })).toMatch(/questionWords must be a list of lower-case words/);
    expect(refused({ invertedAuxiliaries: ['can'] })).toMatch(/invertedAuxiliaries needs subjects/);
    expect(refused({ questionLeadWords: ['and'] })).toMatch(
      /questionLeadWords and clauseQuestionWords need questionCueBias/,
    );
    expect(refused({ clauseQuestionWords: ['How'] })).toMatch(
      /clauseQuestionWords must be a list of lower-case words/,
    );
    expect(refused({ caseBias: { lower: 1 } })).toMatch(/unknown field caseBias\.lower/);
    expect(refused({ lexiconForKnownWords: 0 })).toMatch(/lexiconForKnownWords must be true or false/);
  });

  it('refuses to load a model whose manifest has invalid decisions', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'punct-decisions-'));
    const manifest = JSON.parse(
      await readFile(path.join(import.meta.dirname, '../../models/punct/manifest.json'), 'utf8'),
    ) as Record<string, unknown>;
    await writeFile(
      path.join(dir, 'manifest.json'),
      JSON.stringify({ ...manifest, decisions: { markBias: { comma: 'high' } } }),
    );
    await expect(Punctuator.load(dir)).rejects.toThrow(ModelMismatchError);
    await expect(Punctuator.load(dir)).rejects.toThrow(/decisions: markBias\.comma must be a finite number/);
  });
});

describe('exports with display text', () => {
  const transcript = (words: Word[]): Transcript => ({
    text: words.map((w) => w.word).join(' '),
    words,
    durationSec: 10,
    backend: 'wasm',
    model: 'test',
    rtf: 0.1,
  });

  it('TXT shows punctuation and capitals; JSON keeps each word with its display beside it', () => {
    const words = punctuator.punctuate(timed('where are you going i am going home'));
    const txt = formatTranscript(transcript(words), 'txt');
    expect(txt).toMatch(/^Where /);
    expect(txt.trim()).toMatch(/[.?]$/);
    const json = JSON.parse(formatTranscript(transcript(words), 'json')) as {
      words: { word: string; display: string }[];
    };
    expect(json.words.map((w) => w.word)).toEqual(words.map((w) => w.word));
    expect(json.words.map((w) => w.display)).toEqual(words.map((w) => w.display));
  });

  it('SRT cues end at the sentence ends the model found (no pauses to cut at)', () => {
    // 0.6 s a word: every sentence of two words or more is long enough to be a cue of its own
    const words = punctuator.punctuate(
      timed('where are you going tonight i am going home to see my family we will eat dinner together', 0.6),
    );
    const ends = words.flatMap((w, i) => (/[.?]$/.test(w.display!) ? [i] : []));
    expect(ends.length).toBeGreaterThan(1);
    const cues = formatTranscript(transcript(words), 'srt').trim().split(/\n\n/);
    const cueLastWords = cues.map((cue) => cue.split('\n').slice(2).join(' ').split(' ').at(-1));
    expect(cueLastWords).toEqual(ends.map((i) => words[i].display));
  });
});

describe('AsrEngine with punctuation', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'punct-engine-'));
    await createRandomModel(path.join(work, 'tiny'), { units: 16, seed: 7 });
  });
  const fixture = path.join(import.meta.dirname, '__fixtures__', 'speech-16k.wav');

  it('adds display text to file transcripts by default, and none when switched off', async () => {
    const on = await AsrEngine.load({ model: path.join(work, 'tiny') });
    const off = await AsrEngine.load({ model: path.join(work, 'tiny'), punctuation: false });
    try {
      const a = await on.transcribeFile(fixture);
      const b = await off.transcribeFile(fixture);
      expect(a.words.length).toBeGreaterThan(0);
      expect(a.words.every((w) => typeof w.display === 'string')).toBe(true);
      expect(a.words[0].display).toMatch(/^[A-Z]/);
      expect(b.words.some((w) => 'display' in w)).toBe(false);
      // The same words either way: punctuation only adds display text.
      expect(a.words.map(({ display: _, ...w }) => w)).toEqual(b.words);
      expect(a.text).toBe(b.text);
      expect(on.punctuateUtterance('where are you going')).toMatch(/^where/);
      expect(off.punctuateUtterance('where are you going')).toBeUndefined();
    } finally {
      on.dispose();
      off.dispose();
    }
  });
});
