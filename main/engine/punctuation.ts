/**
 * Punctuation and capitals for transcripts: a small 1-D convolutional network (models/punct, trained by
 * training/punct/) reads the recogniser's words and gives each one a mark after it (none, comma, full stop,
 * question mark) and a case (lower, Title, UPPER, Mixed from the case lexicon). Its result is only display
 * text (`Word.display`): the words, times and confidences are left as they are. Plain Node, no Electron.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { parseUtterance } from '../common/spoken-commands';
import type { Word } from '../common/transcript';
import { ModelMismatchError, ModelMissingError } from './errors';
import { loadLayersModelFromDir } from './model/acoustic-model';
import { DEFAULT_PUNCTUATION_DIR } from './model-location';

export const MARKS = ['', ',', '.', '?'] as const;
export type Mark = (typeof MARKS)[number];
const enum CaseClass {
  Lower = 0,
  Title = 1,
  Upper = 2,
  Mixed = 3,
}

/** models/punct/manifest.json: how words become the network's inputs. */
export interface PunctuationManifest {
  format: 'speech-studio-punctuation';
  version: 1;
  name: string;
  modelFile: string;
  /** One word a line, in id order: word i has id 1 + oovBuckets + i. */
  vocabFile: string;
  /** One written form a line ("NASA", "McDonald's"): how a word the model calls Mixed (or does not know) is written. */
  caseLexiconFile: string;
  oovBuckets: number;
  suffixBuckets: number;
  /** Letters of a word's end that make its suffix id. */
  suffixLength: number;
  /** Words either side that a word's prediction depends on (the network's receptive field). */
  contextWords: number;
  /** How marks and case are chosen from the network's outputs; absent: each output's largest logit. */
  decisions?: PunctuationDecisionsJson;
}

/**
 * manifest.json `decisions`, every field optional (absent: today's choice). Biases are added to the
 * network's logits (log-odds) before the largest is taken; they were tuned on text the network never saw
 * (training/punct/tune-decisions.ts, models/punct/MODEL_CARD.md).
 */
export interface PunctuationDecisionsJson {
  /** Added to the comma, full stop and question mark logits (none: 0). */
  markBias?: { comma?: number; fullStop?: number; questionMark?: number };
  /**
   * At a sentence's end (the model chose a full stop or question mark there, or it is a transcript's last
   * word), write "?" when the question mark's logit plus its markBias, `questionEndBias` and, if the sentence
   * starts as a question does, `questionCueBias` beats the full stop's logit plus its markBias; else ".".
   * False (as before): "?" only where it beats every mark.
   */
  questionAtSentenceEnd?: boolean;
  /** Added to the question mark's logit (besides markBias) where a sentence end chooses "?" or ".". */
  questionEndBias?: number;
  /** Added there too when the sentence starts as a question does (a question cue, below). */
  questionCueBias?: number;
  /** A sentence starting with one of these is a question cue ("what", "how"). */
  questionWords?: string[];
  /** A sentence starting with one of these followed by one of `subjects` is a question cue ("can you"). */
  invertedAuxiliaries?: string[];
  subjects?: string[];
  /**
   * A sentence (or a clause, below) starting with one of these is read from its next word for a question
   * cue: "and how …", "but can you …".
   */
  questionLeadWords?: string[];
  /**
   * After a comma chosen in a sentence, its last clause starting with one of these followed by an inverted
   * auxiliary, or ending the sentence, is a question cue too: "…, what does it mean", "If so, how".
   * Not "which" or "who": after a comma they mostly start a relative clause ("…, which is …").
   */
  clauseQuestionWords?: string[];
  /** Added to the Title, UPPER and Mixed case logits (lower: 0). */
  caseBias?: { title?: number; upper?: number; mixed?: number };
  /** A vocabulary word the network writes in lower case takes its case-lexicon form (true: as before). */
  lexiconForKnownWords?: boolean;
}

/** The decisions in effect: the manifest's, each missing field at its default. */
export interface PunctuationDecisions {
  /** None, comma, full stop, question mark (none is always 0). */
  markBias: readonly [number, number, number, number];
  questionAtSentenceEnd: boolean;
  questionEndBias: number;
  questionCueBias: number;
  questionWords: ReadonlySet<string>;
  invertedAuxiliaries: ReadonlySet<string>;
  subjects: ReadonlySet<string>;
  questionLeadWords: ReadonlySet<string>;
  clauseQuestionWords: ReadonlySet<string>;
  /** Lower, Title, UPPER, Mixed (lower is always 0). */
  caseBias: readonly [number, number, number, number];
  lexiconForKnownWords: boolean;
}

/** Today's behaviour: each output's largest logit, a transcript's last word "." unless the model chose "?". */
export const DEFAULT_DECISIONS: PunctuationDecisions = {
  markBias: [0, 0, 0, 0],
  questionAtSentenceEnd: false,
  questionEndBias: 0,
  questionCueBias: 0,
  questionWords: new Set(),
  invertedAuxiliaries: new Set(),
  subjects: new Set(),
  questionLeadWords: new Set(),
  clauseQuestionWords: new Set(),
  caseBias: [0, 0, 0, 0],
  lexiconForKnownWords: true,
};

const DECISION_FIELDS = [
  'markBias',
  'questionAtSentenceEnd',
  'questionEndBias',
  'questionCueBias',
  'questionWords',
  'invertedAuxiliaries',
  'subjects',
  'questionLeadWords',
  'clauseQuestionWords',
  'caseBias',
  'lexiconForKnownWords',
];

/**
 * The decisions of a manifest's `decisions` field (undefined: the defaults). A value of the wrong kind, an
 * unknown field (a misspelt one would silently do nothing) or a bias that is not a finite number is refused
 * with a ModelMismatchError naming it.
 */
export function parseDecisions(json: unknown, dir: string): PunctuationDecisions {
  if (json === undefined) return DEFAULT_DECISIONS;
  const refuse = (detail: string): never => {
    throw new ModelMismatchError(dir, `manifest.json decisions: ${detail}`);
  };
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(json)) return refuse('must be an object');
  const fields = (object: Record<string, unknown>, allowed: readonly string[], where: string) => {
    for (const key of Object.keys(object))
      if (!allowed.includes(key)) refuse(`unknown field ${where}${key} (known: ${allowed.join(', ')})`);
  };
  fields(json, DECISION_FIELDS, '');
  const bias = (value: unknown, name: string): number => {
    if (value === undefined) return 0;
    if (typeof value !== 'number' || !Number.isFinite(value))
      return refuse(`${name} must be a finite number, got ${JSON.stringify(value)}`);
    return value;
  };
  const biases = (value: unknown, name: string, keys: readonly string[]): number[] => {
    if (value === undefined) return keys.map(() => 0);
    if (!isObject(value)) return refuse(`${name} must be an object with ${keys.join(', ')}`);
    fields(value, keys, `${name}.`);
    return keys.map((key) => bias(value[key], `${name}.${key}`));
  };
  const flag = (value: unknown, name: string, fallback: boolean): boolean => {
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean')
      return refuse(`${name} must be true or false, got ${JSON.stringify(value)}`);
    return value;
  };
  const words = (value: unknown, name: string): Set<string> => {
    if (value === undefined) return new Set();
    if (!Array.isArray(value) || !value.every((w) => typeof w === 'string' && /^[a-z']+$/.test(w)))
      return refuse(`${name} must be a list of lower-case words`);
    return new Set(value as string[]);
  };
  const [comma, fullStop, questionMark] = biases(json.markBias, 'markBias', [
    'comma',
    'fullStop',
    'questionMark',
  ]);
  const [title, upper, mixed] = biases(json.caseBias, 'caseBias', ['title', 'upper', 'mixed']);
  const decisions: PunctuationDecisions = {
    markBias: [0, comma, fullStop, questionMark],
    questionAtSentenceEnd: flag(json.questionAtSentenceEnd, 'questionAtSentenceEnd', false),
    questionEndBias: bias(json.questionEndBias, 'questionEndBias'),
    questionCueBias: bias(json.questionCueBias, 'questionCueBias'),
    questionWords: words(json.questionWords, 'questionWords'),
    invertedAuxiliaries: words(json.invertedAuxiliaries, 'invertedAuxiliaries'),
    subjects: words(json.subjects, 'subjects'),
    questionLeadWords: words(json.questionLeadWords, 'questionLeadWords'),
    clauseQuestionWords: words(json.clauseQuestionWords, 'clauseQuestionWords'),
    caseBias: [0, title, upper, mixed],
    lexiconForKnownWords: flag(json.lexiconForKnownWords, 'lexiconForKnownWords', true),
  };
  if (decisions.questionCueBias < 0)
    refuse(`questionCueBias must not be negative, got ${decisions.questionCueBias}`);
  const cues = decisions.questionWords.size + decisions.invertedAuxiliaries.size;
  if (
    (decisions.questionCueBias !== 0 || decisions.questionEndBias !== 0) &&
    !decisions.questionAtSentenceEnd
  )
    refuse('questionEndBias and questionCueBias need questionAtSentenceEnd');
  if (decisions.questionCueBias !== 0 && cues === 0)
    refuse('questionCueBias needs questionWords or invertedAuxiliaries');
  if (
    (decisions.questionLeadWords.size > 0 || decisions.clauseQuestionWords.size > 0) &&
    decisions.questionCueBias === 0
  )
    refuse('questionLeadWords and clauseQuestionWords need questionCueBias');
  if (decisions.invertedAuxiliaries.size > 0 && decisions.subjects.size === 0)
    refuse('invertedAuxiliaries needs subjects');
  return decisions;
}

/** 32-bit FNV-1a over UTF-8 bytes: the hash training/punct/train.py uses for unknown words and suffixes. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** What the model says about one word. */
export interface WordPunctuation {
  mark: Mark;
  /** The word written with its case, without the mark. */
  written: string;
}

export interface PunctuateOptions {
  /** The first word starts a sentence (true for a file; a dictated utterance may continue one). */
  sentenceStart?: boolean;
  /** The last word ends a sentence: it gets a full stop unless the model ends it with a question mark
   * (true for a file, whose text ends there; a dictated utterance may stop mid-sentence). */
  sentenceEnd?: boolean;
}

/** Words sent to the network at once; longer transcripts go in windows that overlap by the context. */
const WINDOW_WORDS = 256;

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

export class Punctuator {
  readonly manifest: PunctuationManifest;
  /** How marks and case are chosen (the manifest's `decisions`). */
  readonly decisions: PunctuationDecisions;
  private readonly model: tf.LayersModel;
  private readonly vocabulary: Map<string, number>;
  private readonly caseLexicon: Map<string, string>;

  private constructor(
    manifest: PunctuationManifest,
    decisions: PunctuationDecisions,
    model: tf.LayersModel,
    vocabulary: Map<string, number>,
    caseLexicon: Map<string, string>,
  ) {
    this.manifest = manifest;
    this.decisions = decisions;
    this.model = model;
    this.vocabulary = vocabulary;
    this.caseLexicon = caseLexicon;
  }

  /** Loads models/punct (or `dir`); the tfjs backend must already be set (the engine sets it). */
  static async load(dir = DEFAULT_PUNCTUATION_DIR): Promise<Punctuator> {
    const read = async (file: string) => {
      try {
        return await readFile(path.join(dir, file), 'utf8');
      } catch (cause) {
        throw new ModelMissingError(dir, `cannot read ${file}`, { cause });
      }
    };
    const manifest = JSON.parse(await read('manifest.json')) as PunctuationManifest;
    if (manifest.format !== 'speech-studio-punctuation' || manifest.version !== 1) {
      throw new ModelMismatchError(
        dir,
        `not a punctuation model (format ${String(manifest.format)}, version ${String(manifest.version)})`,
      );
    }
    const decisions = parseDecisions(manifest.decisions, dir);
    const lines = (text: string) => text.split('\n').filter((l) => l !== '');
    const vocabulary = new Map(
      lines(await read(manifest.vocabFile)).map((w, i) => [w, 1 + manifest.oovBuckets + i]),
    );
    const caseLexicon = new Map(lines(await read(manifest.caseLexiconFile)).map((w) => [w.toLowerCase(), w]));
    const model = await loadLayersModelFromDir(dir, manifest.modelFile);
    return new Punctuator(manifest, decisions, model, vocabulary, caseLexicon);
  }

  private wordId(word: string): number {
    return this.vocabulary.get(word) ?? 1 + (fnv1a(word) % this.manifest.oovBuckets);
  }

  private suffixId(word: string): number {
    return (
      1 + (fnv1a(Array.from(word).slice(-this.manifest.suffixLength).join('')) % this.manifest.suffixBuckets)
    );
  }

  /** Mark and case logits for every word, [words × 8] (lower-case words), computed in overlapping windows. */
  rawLogits(words: readonly string[]): Float32Array {
    const out = new Float32Array(words.length * (MARKS.length + 4));
    const context = this.manifest.contextWords + 1;
    for (let start = 0; start < words.length; start += WINDOW_WORDS) {
      const lo = Math.max(0, start - context);
      const end = Math.min(words.length, start + WINDOW_WORDS);
      const hi = Math.min(words.length, end + context);
      const slice = words.slice(lo, hi);
      const values = tf.tidy(() => {
        const ids = tf.tensor2d([slice.map((w) => this.wordId(w))], [1, slice.length], 'int32');
        const suffixes = tf.tensor2d([slice.map((w) => this.suffixId(w))], [1, slice.length], 'int32');
        return this.model.predict([ids, suffixes]) as tf.Tensor;
      });
      const data = values.dataSync() as Float32Array;
      values.dispose();
      const width = MARKS.length + 4;
      out.set(data.subarray((start - lo) * width, (end - lo) * width), start * width);
    }
    return out;
  }

  /** The mark after each word and how each is written (capitals at sentence starts included). */
  predict(words: readonly string[], options: PunctuateOptions = {}): WordPunctuation[] {
    return this.decide(words, this.rawLogits(words.map((w) => w.toLowerCase())), options);
  }

  /**
   * The marks and written forms that `logits` (rawLogits of the words) give under `decisions` (the
   * manifest's unless given: training/punct/tune-decisions.ts tries others on the same logits).
   */
  decide(
    words: readonly string[],
    logits: Float32Array,
    options: PunctuateOptions = {},
    decisions: PunctuationDecisions = this.decisions,
  ): WordPunctuation[] {
    const keys = words.map((w) => w.toLowerCase());
    const width = MARKS.length + 4;
    const { markBias, caseBias } = decisions;
    const argmax = (from: number, bias: readonly number[]) => {
      let best = 0;
      for (let k = 1; k < bias.length; k++)
        if (logits[from + k] + bias[k] > logits[from + best] + bias[best]) best = k;
      return best;
    };
    // A sentence starts as a question does: "what …", "can you …" (the cue lists of the decisions).
    const afterLeadWord = (first: number, last: number) =>
      first < last && decisions.questionLeadWords.has(keys[first]) ? first + 1 : first;
    const questionCue = (sentenceFirst: number, last: number) => {
      const first = afterLeadWord(sentenceFirst, last);
      return (
        decisions.questionWords.has(keys[first]) ||
        (decisions.invertedAuxiliaries.has(keys[first]) &&
          first < last &&
          decisions.subjects.has(keys[first + 1]))
      );
    };
    // …or its last clause does: "…, what does it mean", "If so, how". A comma's word never ends a
    // sentence, so a clause that has begun starts at or before the end it is asked about.
    const clauseCue = (clauseFirst: number, last: number) => {
      if (clauseFirst < 0) return false;
      const first = afterLeadWord(clauseFirst, last);
      return (
        decisions.clauseQuestionWords.has(keys[first]) &&
        (first === last || decisions.invertedAuxiliaries.has(keys[first + 1]))
      );
    };
    let sentenceStart = options.sentenceStart ?? true;
    // Where the current sentence began. A dictated utterance that may continue a sentence (sentenceStart
    // false) still counts its first word for a question cue: "can you …" after a pause asks.
    let sentenceFirst = 0;
    // The first word after the current sentence's latest comma (-1: none yet).
    let clauseFirst = -1;
    const sentenceEnd = options.sentenceEnd ?? true;
    return words.map((word, i) => {
      const at = i * width;
      let markIndex = argmax(at, markBias);
      const ends = markIndex >= 2 || (sentenceEnd && i === words.length - 1);
      if (ends && decisions.questionAtSentenceEnd) {
        const question = markBias[3] + decisions.questionEndBias;
        const cue =
          questionCue(sentenceFirst, i) || clauseCue(clauseFirst, i) ? decisions.questionCueBias : 0;
        markIndex = logits[at + 3] + question + cue > logits[at + 2] + markBias[2] ? 3 : 2;
      } else if (ends && markIndex !== 3) markIndex = 2;
      const mark = MARKS[markIndex];
      let written = this.written(word, keys[i], argmax(at + MARKS.length, caseBias) as CaseClass, decisions);
      if (sentenceStart) written = capitalised(written);
      sentenceStart = markIndex >= 2;
      if (sentenceStart) [sentenceFirst, clauseFirst] = [i + 1, -1];
      else if (markIndex === 1) clauseFirst = i + 1;
      return { mark, written };
    });
  }

  private written(word: string, key: string, predicted: CaseClass, decisions: PunctuationDecisions): string {
    // A word the recogniser (or a boosted vocabulary) already spells with capitals keeps them.
    if (word !== key) return word;
    const lexical = this.caseLexicon.get(key);
    // The lexicon holds the words written with capitals more often than not ("Mary", "NASA"): it is
    // what the network does not know well enough (rare words, words outside its vocabulary); a word it
    // knows and writes in lower case keeps that unless decisions.lexiconForKnownWords.
    if (
      lexical &&
      ((predicted === CaseClass.Lower && decisions.lexiconForKnownWords) || !this.vocabulary.has(key))
    )
      return lexical;
    switch (predicted) {
      case CaseClass.Lower:
        return word;
      case CaseClass.Title:
        return capitalised(word);
      case CaseClass.Upper:
        return word.toUpperCase();
      case CaseClass.Mixed:
        return lexical ?? capitalised(word);
    }
  }

  /** The words with `display` set (marks and capitals); words, times and confidences unchanged. */
  punctuate(words: readonly Word[], options: PunctuateOptions = {}): Word[] {
    if (words.length === 0) return [];
    const predicted = this.predict(
      words.map((w) => w.word),
      options,
    );
    return words.map((w, i) => ({ ...w, display: predicted[i].written + predicted[i].mark }));
  }

  /**
   * A dictated utterance as it should be written, its spoken commands kept as words for the document to
   * carry out (main/common/spoken-commands.ts). The network reads the words without the commands; a word
   * followed by a spoken command gets no mark of the model's: what was said explicitly wins.
   */
  punctuateUtterance(utterance: string): string {
    const parts = parseUtterance(utterance);
    const plain = parts.filter((p) => p.command === null);
    if (plain.length === 0) return parts.map((p) => p.word).join(' ');
    const predicted = this.predict(
      plain.map((p) => p.word),
      { sentenceStart: false, sentenceEnd: false },
    );
    let k = 0;
    return parts
      .map((part, i) => {
        if (part.command !== null) return part.word;
        const { written, mark } = predicted[k++];
        return parts[i + 1]?.command ? written : written + mark;
      })
      .join(' ');
  }

  dispose(): void {
    this.model.dispose();
  }
}
