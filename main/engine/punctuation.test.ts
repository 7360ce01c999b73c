/**
 * The punctuation runtime with the shipped model (models/punct): marks and capitals as display text,
 * the words themselves untouched, windows that match the whole-sequence result, spoken commands first.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTranscript, type Transcript, type Word } from '../common/transcript';
import { AsrEngine } from './engine';
import { initBackend } from './model/backend';
import { createRandomModel } from './model/random-model';
import { fnv1a, Punctuator } from './punctuation';

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
