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
  private readonly model: tf.LayersModel;
  private readonly vocabulary: Map<string, number>;
  private readonly caseLexicon: Map<string, string>;

  private constructor(
    manifest: PunctuationManifest,
    model: tf.LayersModel,
    vocabulary: Map<string, number>,
    caseLexicon: Map<string, string>,
  ) {
    this.manifest = manifest;
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
    const lines = (text: string) => text.split('\n').filter((l) => l !== '');
    const vocabulary = new Map(
      lines(await read(manifest.vocabFile)).map((w, i) => [w, 1 + manifest.oovBuckets + i]),
    );
    const caseLexicon = new Map(lines(await read(manifest.caseLexiconFile)).map((w) => [w.toLowerCase(), w]));
    const model = await loadLayersModelFromDir(dir, manifest.modelFile);
    return new Punctuator(manifest, model, vocabulary, caseLexicon);
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
    const keys = words.map((w) => w.toLowerCase());
    const logits = this.rawLogits(keys);
    const width = MARKS.length + 4;
    const argmax = (from: number, count: number) => {
      let best = from;
      for (let k = from + 1; k < from + count; k++) if (logits[k] > logits[best]) best = k;
      return best - from;
    };
    let sentenceStart = options.sentenceStart ?? true;
    const sentenceEnd = options.sentenceEnd ?? true;
    return words.map((word, i) => {
      let mark = MARKS[argmax(i * width, MARKS.length)];
      if (sentenceEnd && i === words.length - 1 && mark !== '?') mark = '.';
      let written = this.written(word, keys[i], argmax(i * width + MARKS.length, 4) as CaseClass);
      if (sentenceStart) written = capitalised(written);
      sentenceStart = mark === '.' || mark === '?';
      return { mark, written };
    });
  }

  private written(word: string, key: string, predicted: CaseClass): string {
    // A word the recogniser (or a boosted vocabulary) already spells with capitals keeps them.
    if (word !== key) return word;
    const lexical = this.caseLexicon.get(key);
    // The lexicon holds the words written with capitals more often than not ("Mary", "NASA"): it is
    // what the network does not know well enough (rare words, words outside its vocabulary).
    if (lexical && (predicted === CaseClass.Lower || !this.vocabulary.has(key))) return lexical;
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
