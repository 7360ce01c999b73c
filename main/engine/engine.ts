/**
 * The ASR engine: audio file → resample → silence segmentation → MFCC → normalise → stack → BiLSTM →
 * CTC decoding → word-timed transcript. Plain Node with no Electron import: the CLI, the Electron utility
 * process, the browser bridge and the tests all run this same code.
 */
import type * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Transcript, Word } from '../common/transcript';
import { openAudioFile } from './audio/source';
import { Resampler } from './audio/resample';
import { BeamCtcDecoder, type BeamDecoderOptions, type LmWeights } from './decoder/beam-decoder';
import type { VocabularyBoost } from './decoder/boost';
import { GreedyCtcDecoder, type CtcDecoder } from './decoder/ctc-decoder';
import { LetterToSound } from './decoder/letter-to-sound';
import { Lexicon } from './decoder/lexicon';
import type { PhoneSpeller } from './decoder/phone-speller';
import { Pronunciations } from './decoder/pronunciations';
import { NgramLm } from './decoder/ngram-lm';
import { CancelledError, EmptyAudioError, ModelMismatchError, ModelMissingError } from './errors';
import { modelInput, type MfccPrefixCache } from './frontend/mfcc';
import { loadWeightsFor } from './adapt/weights-file';
import { AcousticModel } from './model/acoustic-model';
import { pronunciationsFileOf, type DecoderSettings } from './model/manifest';
import { DEFAULT_MODEL, resolveModelDir } from './model-location';
import { initBackend, type BackendInfo, type BackendPreference } from './model/backend';
import { Punctuator } from './punctuation';
import {
  DEFAULT_SEGMENTER,
  SilenceSegmenter,
  type AudioSegment,
  type SegmenterOptions,
} from './segment/segmenter';

export { DEFAULT_MODEL, MODELS_DIR, resolveModelDir } from './model-location';

/**
 * Audio shorter than this cannot hold a word (the shortest spoken word lasts longer, and the model sees
 * 25 ms windows): it gets an empty transcript and a warning instead of whatever the model makes of a click.
 */
export const MIN_SPEECH_SEC = 0.1;

export interface TranscribeProgress {
  /** Fraction of the input processed, 0..1. */
  fraction: number;
  /** Seconds of audio transcribed so far. */
  processedSec: number;
  /** Words found so far, in order (the caller may show them as they arrive). */
  words: Word[];
}

export interface TranscribeOptions {
  onProgress?: (progress: TranscribeProgress) => void;
  signal?: AbortSignal;
  /** Override the manifest's decoder (the beam-search issue plugs in here). */
  decoder?: CtcDecoder;
}

/** Per-step log-posteriors of the acoustic model, row-major [steps × alphabet]. */
export interface Posteriors {
  logProbs: Float32Array;
  steps: number;
}

/** `manifest`: the model's own decoder; `greedy`: best path; `beam`: prefix beam search with the LM. */
export const DECODER_CHOICES = ['manifest', 'greedy', 'beam'] as const;
export type DecoderChoice = (typeof DECODER_CHOICES)[number];

export interface EngineOptions {
  /** Model name in models/ or a path to a model folder. */
  model?: string;
  /** "manifest" (default) uses the model's own decoder settings; "beam" requires the model to have them. */
  decoder?: DecoderChoice;
  backend?: BackendPreference;
  segmenter?: Partial<Omit<SegmenterOptions, 'sampleRate'>>;
  /** Words and phrases the beam decoder favours (names, jargon); ignored by the greedy decoder. */
  vocabulary?: VocabularyBoost;
  /**
   * Punctuation and capitals as display text (`Word.display`): on (default, models/punct), off, or the
   * folder of another punctuation model.
   */
  punctuation?: boolean | string;
}

export class AsrEngine {
  readonly backend: BackendInfo;
  private readonly acousticModel: AcousticModel;
  private readonly segmenterOptions: SegmenterOptions;
  private readonly decoder: CtcDecoder;
  /** Null when punctuation is switched off. */
  readonly punctuator: Punctuator | null;

  private constructor(
    backend: BackendInfo,
    model: AcousticModel,
    decoder: CtcDecoder,
    segmenter: SegmenterOptions,
    punctuator: Punctuator | null,
  ) {
    this.backend = backend;
    this.acousticModel = model;
    this.segmenterOptions = segmenter;
    this.decoder = decoder;
    this.punctuator = punctuator;
  }

  static async load(options: EngineOptions = {}): Promise<AsrEngine> {
    const backend = await initBackend(options.backend);
    const model = await AcousticModel.load(resolveModelDir(options.model ?? DEFAULT_MODEL));
    let decoder: CtcDecoder;
    let punctuator: Punctuator | null = null;
    try {
      decoder = await createDecoder(model, options.decoder ?? 'manifest', options.vocabulary);
      const punctuation = options.punctuation ?? true;
      if (punctuation !== false) {
        punctuator = await Punctuator.load(typeof punctuation === 'string' ? punctuation : undefined);
      }
    } catch (error) {
      model.dispose();
      throw error;
    }
    return new AsrEngine(
      backend,
      model,
      decoder,
      { ...DEFAULT_SEGMENTER, ...options.segmenter, sampleRate: model.manifest.frontend.sampleRate },
      punctuator,
    );
  }

  get modelName(): string {
    return this.model.manifest.name;
  }

  /** "greedy" or "beam". */
  get decoderName(): string {
    return this.decoder.name;
  }

  /**
   * Replaces the boosted words and phrases (undefined: none) for the next decodes. Returns false, and
   * changes nothing, when the decoder cannot boost (greedy).
   */
  setVocabulary(vocabulary: VocabularyBoost | undefined): boolean {
    if (!(this.decoder instanceof BeamCtcDecoder)) return false;
    this.decoder.setVocabulary(vocabulary);
    return true;
  }

  /** Transcribes a file of any supported format, streaming it through in bounded memory. */
  async transcribeFile(file: string, options: TranscribeOptions = {}): Promise<Transcript> {
    const startedAt = performance.now();
    const audio = await openAudioFile(file);
    const targetRate = this.model.manifest.frontend.sampleRate;
    const segmenter = new SilenceSegmenter(this.segmenterOptions);
    const words: Word[] = [];
    let resampler: Resampler | null = null;
    let totalSamples = 0;
    let fraction = 0;

    const consume = async (segments: AudioSegment[]) => {
      for (const segment of segments) {
        if (options.signal?.aborted) throw new CancelledError(file);
        if (!segment.silent) words.push(...(await this.decodeSegment(segment, options.decoder)));
        options.onProgress?.({
          fraction,
          processedSec: (segment.startSample + segment.samples.length) / targetRate,
          words,
        });
      }
    };

    for await (const chunk of audio.chunks) {
      if (options.signal?.aborted) throw new CancelledError(file);
      resampler ??= new Resampler(chunk.sampleRate, targetRate);
      const samples = resampler.process(chunk.samples);
      totalSamples += samples.length;
      fraction = chunk.progress;
      await consume(segmenter.push(samples));
    }
    if (!resampler) throw new EmptyAudioError(file);
    const tail = resampler.flush();
    totalSamples += tail.length;
    fraction = 1;
    await consume([...segmenter.push(tail), ...segmenter.flush()]);

    const durationSec = totalSamples / targetRate;
    if (totalSamples === 0) throw new EmptyAudioError(file);
    const warnings = [...audio.warnings];
    let kept = words;
    if (durationSec < MIN_SPEECH_SEC) {
      kept = [];
      warnings.push(
        `${(durationSec * 1000).toFixed(1)} ms of audio is too short to hold speech (at least ${MIN_SPEECH_SEC * 1000} ms); nothing was transcribed`,
      );
    }
    // Punctuation hook: display text beside each word (the words themselves stay as recognised)
    const transcribed = withinAudio(kept, durationSec);
    const shown = this.punctuator ? this.punctuator.punctuate(transcribed) : transcribed;
    const elapsedSec = (performance.now() - startedAt) / 1000;
    return {
      text: kept.map((w) => w.word).join(' '),
      words: shown,
      durationSec,
      backend: this.backend.name,
      model: this.modelName,
      rtf: elapsedSec / durationSec,
      ...(warnings.length > 0 ? { warnings } : {}),
    };
  }

  /** Transcribes one segment of audio at the model's sample rate; times are offset by its start. */
  async decodeSegment(segment: AudioSegment, decoder: CtcDecoder = this.decoder): Promise<Word[]> {
    const posteriors = await this.posteriors(segment.samples);
    return this.decodePosteriors(posteriors, segment.startSample / this.sampleRate, decoder);
  }

  /** The model's sample rate: audio given to posteriors() must be at this rate. */
  get sampleRate(): number {
    return this.model.manifest.frontend.sampleRate;
  }

  /**
   * Front end and acoustic model: audio at the model's sample rate → per-step log-posteriors. Split from
   * decoding so live dictation can decode the same posteriors more than once (partial, then final).
   */
  async posteriors(samples: Float32Array, features?: MfccPrefixCache): Promise<Posteriors> {
    const { data, steps } = modelInput(samples, this.model.manifest, features);
    return { logProbs: await this.model.logProbs(data, steps), steps };
  }

  /**
   * Seconds at the end of `posteriors` in which the model hears no character: at every step the blank
   * and the word break together have probability ≥ `minProb`. Live dictation uses it to end an
   * utterance as soon as the recogniser, not only the energy, says the speaker has finished.
   */
  trailingQuietSec(posteriors: Posteriors, minProb = 0.9): number {
    const { frontend, stacking, alphabet, blankIndex } = this.model.manifest;
    const classes = alphabet.length;
    const space = alphabet.indexOf(' ');
    const { logProbs } = posteriors;
    let quiet = 0;
    for (let t = posteriors.steps - 1; t >= 0; t--) {
      const row = t * classes;
      if (Math.exp(logProbs[row + blankIndex]) + Math.exp(logProbs[row + space]) < minProb) break;
      quiet++;
    }
    return (quiet * frontend.hopLength * stacking.stride) / frontend.sampleRate;
  }

  /** Decodes posteriors into words; `offsetSec` is where the audio they came from starts. */
  decodePosteriors(posteriors: Posteriors, offsetSec: number, decoder: CtcDecoder = this.decoder): Word[] {
    const { frontend, stacking, alphabet, blankIndex } = this.model.manifest;
    return decoder.decode({
      logProbs: posteriors.logProbs,
      steps: posteriors.steps,
      alphabet,
      blankIndex,
      stepSec: (frontend.hopLength * stacking.stride) / frontend.sampleRate,
      offsetSec,
    });
  }

  /** The acoustic model in use (its weights replaced in place by useWeights). */
  get model(): AcousticModel {
    return this.acousticModel;
  }

  /**
   * Continues with other weights for the same architecture (e.g. after learning from corrections): the
   * manifest, decoder and language model stay; the previous weights are released. The caller still
   * disposes `weights` (the model keeps its own reference to their data).
   */
  useWeights(weights: tf.Tensor[]): void {
    this.acousticModel.replaceWeights(weights);
  }

  /**
   * The beam decoder's LM weight and word bonus in use; null with a decoder that has none (greedy).
   */
  get lmWeights(): LmWeights | null {
    return this.decoder instanceof BeamCtcDecoder ? this.decoder.lmWeights : null;
  }

  /** A phone model's spelling of words (its pronunciations, and letter-to-sound for others): what
   *  learning from corrections labels its utterances with. Undefined for a character model. */
  get phoneSpeller(): PhoneSpeller | undefined {
    return this.decoder instanceof BeamCtcDecoder ? this.decoder.speller : undefined;
  }

  /** Decodes with another LM weight and word bonus from now on; false (nothing changes) without a beam decoder. */
  useLmWeights(weights: LmWeights): boolean {
    if (!(this.decoder instanceof BeamCtcDecoder)) return false;
    this.decoder.setLmWeights(weights);
    return true;
  }

  /**
   * Continues with the weights in `file` (adapt/weights-file.ts), and the LM weights chosen with them,
   * when they were learned for this model; false, changing nothing, when they belong to another model.
   * Rejects when the file cannot be read.
   */
  async useWeightsFile(file: string): Promise<boolean> {
    const shapes = this.model.layersModel.getWeights().map((w) => w.shape);
    const loaded = await loadWeightsFor(file, this.model.manifest.name, shapes);
    if (!loaded) return false;
    try {
      this.useWeights(loaded.weights);
    } finally {
      for (const w of loaded.weights) w.dispose();
    }
    if (loaded.decoder) this.useLmWeights(loaded.decoder);
    return true;
  }

  /** A dictated utterance with punctuation and capitals (spoken commands kept); undefined when switched off. */
  punctuateUtterance(utterance: string): string | undefined {
    return this.punctuator && utterance.trim() !== ''
      ? this.punctuator.punctuateUtterance(utterance)
      : undefined;
  }

  dispose(): void {
    this.acousticModel.dispose();
    this.punctuator?.dispose();
  }
}

/**
 * Word times come from model steps, whose last one may reach past the end of the audio (the final
 * window is padded); a word never ends after the audio does.
 */
function withinAudio(words: Word[], durationSec: number): Word[] {
  return words.map((w) =>
    w.end <= durationSec ? w : { ...w, start: Math.min(w.start, durationSec), end: durationSec },
  );
}

/**
 * The beam search a manifest describes: its LM, word list and a phone model's dictionaries loaded from the
 * model folder (a file missing or unreadable is one error naming it), its weights, beam and confidence
 * calibration (the engine's decoder, and the decoder benchmarks', are built from it).
 */
export async function loadBeamOptions(
  modelDir: string,
  settings: Extract<DecoderSettings, { type: 'beam' }>,
  alphabet: readonly string[],
): Promise<BeamDecoderOptions> {
  const load = async <T>(file: string, what: string, parse: (bytes: Buffer) => T): Promise<T> => {
    try {
      return parse(await readFile(path.join(modelDir, file)));
    } catch (cause) {
      throw new ModelMissingError(modelDir, `cannot load the ${what} ${file}`, { cause });
    }
  };
  const { lmFile, lexiconFile, pronunciationsFile, letterToSoundFile } = settings;
  const lm = await load(lmFile, 'language model', (bytes) => NgramLm.fromBuffer(bytes));
  const lexicon = lexiconFile
    ? await load(lexiconFile, 'word list', (bytes) => Lexicon.parse(bytes.toString('utf8')))
    : undefined;
  const pronunciations = pronunciationsFile
    ? await load(pronunciationsFile, 'pronunciations', (bytes) =>
        Pronunciations.parse(bytes.toString('utf8'), alphabet),
      )
    : undefined;
  const letterToSound = letterToSoundFile
    ? await load(letterToSoundFile, 'letter-to-sound model', (bytes) =>
        LetterToSound.parse(bytes.toString('utf8')),
      )
    : undefined;
  const { alpha, beta, beamWidth, prunePerFrame, confidence: calibration } = settings;
  return { lm, lexicon, pronunciations, letterToSound, alpha, beta, beamWidth, prunePerFrame, calibration };
}

/** Builds the decoder the manifest describes (loading its LM), or greedy when asked for. */
async function createDecoder(
  model: AcousticModel,
  choice: DecoderChoice,
  vocabulary?: VocabularyBoost,
): Promise<CtcDecoder> {
  const settings = model.manifest.decoder;
  if (choice === 'greedy' || (choice === 'manifest' && settings.type === 'greedy')) {
    if (pronunciationsFileOf(model.manifest)) {
      // Best-path decoding of a phone model gives phone names, not words.
      throw new ModelMismatchError(
        model.dir,
        'a phone model says words only through its pronunciations: use the beam decoder',
      );
    }
    return new GreedyCtcDecoder();
  }
  if (settings.type !== 'beam') {
    throw new ModelMismatchError(
      model.dir,
      'the beam decoder was requested but the manifest has no beam settings',
    );
  }
  const decoder = new BeamCtcDecoder(await loadBeamOptions(model.dir, settings, model.manifest.alphabet));
  decoder.setVocabulary(vocabulary);
  return decoder;
}
