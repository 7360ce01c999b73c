/**
 * Speaker adaptation: fine-tunes the acoustic model on a user's enrollment recordings (audio +
 * the text they read) and saves the result as a model folder of its own in the user's profile.
 *
 * - Features come from the model's own front end (MFCC, normalisation, stacking from the manifest), and
 *   the frozen BiLSTM layers run once per utterance on the fast inference path. Trained: every layer
 *   (`layers: 'all'`, default — a new voice differs from the training voices in its acoustics, which the
 *   lower layers model), the top BiLSTM layer and the output layer (`'top'`) or the output layer alone
 *   (`'dense'`); with CTC loss (ctc-loss.ts), Adam, and an L2 penalty pulling the weights back to the
 *   base model's so that a few minutes of one voice do not make it forget the rest.
 * - Optional speed perturbation adds resampled copies of the training part (not of the held-back part).
 * - A deterministic part of the enrollment data is held back: it picks the best epoch (early stopping)
 *   and decides, before/after, whether the adapted weights are kept at all.
 */
import { copyFile, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { errorRate, scoreTranscript, sumCounts, type ErrorCounts } from '../../common/scoring';
import { Resampler } from '../audio/resample';
import { concatSamples } from '../audio/samples';
import { CancelledError } from '../errors';
import { modelInput } from '../frontend/mfcc';
import {
  architectureOf,
  buildAcousticModel,
  saveLayersModelToDir,
  type AcousticModel,
} from '../model/acoustic-model';
import type { PhoneSpeller } from '../decoder/phone-speller';
import { decoderFilesOf, MANIFEST_FILE, pronunciationsFileOf, type ModelManifest } from '../model/manifest';
import { adaptedModelDir } from './adapted-models';
export { adaptedModelDir, deleteAdaptedModel, listAdaptedModels } from './adapted-models';
import { ctcLoss, ctcLossAndGrad, ctcMinFrames, logSoftmaxRows } from './ctc-loss';
import {
  biLstmBackward,
  biLstmForward,
  RecurrentProducts,
  type BiLstmCache,
  type LstmDirectionWeights,
} from './lstm-grad';

/** One enrollment recording: audio at the model's sample rate and the text that was read. */
export interface EnrollmentUtterance {
  samples: Float32Array;
  text: string;
  id?: string;
}

/**
 * `all`: every BiLSTM layer and the output layer; `top`: the last BiLSTM layer and the output layer;
 * `dense`: the output layer only (much cheaper).
 */
export type AdaptLayers = 'all' | 'top' | 'dense';

export interface AdaptProgress {
  phase: 'features' | 'train';
  /** Steps done (features: utterances prepared; train: optimiser steps). */
  step: number;
  total: number;
  /** Mean training loss (CTC per label) of the last step; NaN during feature extraction. */
  loss: number;
  /** Estimated seconds left in this phase. */
  etaSec: number;
  epoch: number;
  /** Held-back CTC loss per label after the last finished epoch, when one has finished. */
  heldBackLoss?: number;
}

export interface AdaptOptions {
  layers?: AdaptLayers;
  /** Passes over the training part (default 8). */
  epochs?: number;
  /**
   * Adam step size (default 5e-4 for `all`, 1e-3 for `top`, 3e-3 for `dense`; chosen with bench:adapt on
   * the other held-out voice, festival slt, so the benchmark voice awb plays no part).
   */
  learningRate?: number;
  /**
   * Speed factors of extra copies of each training utterance (e.g. [0.9, 1.1]: resampled, so pitch and
   * formants move with the tempo). Default none.
   */
  speedPerturbation?: number[];
  /**
   * SpecAugment-style masks on the model input of each training step, with the trainer's settings
   * (training/train/train.py: 2 coefficient masks up to 4 wide, 1 time mask per second up to 5 % of the
   * utterance and 20 frames). Only with `layers: 'all'`, the one setting whose input is the features.
   */
  specAugment?: boolean;
  /** Weight of Σ(w − w_base)² added to the loss (default 1e-3). */
  l2?: number;
  /**
   * KL-divergence regularisation (Yu et al., 2013; here beside CTC): the loss becomes (1 − ρ)·CTC + ρ·the
   * cross-entropy of each step's output against the starting model's posteriors for the same input, so
   * the adapted model keeps what the starting one said where the few new labels say little. ρ in [0, 1),
   * default 0 (off).
   */
  kld?: number;
  /**
   * Seed of the order the training utterances are visited in, epoch by epoch (default 12345): runs are
   * deterministic; other seeds show how much a result owes to that order.
   */
  shuffleSeed?: number;
  /** Utterances per optimiser step (default 4). */
  batchSize?: number;
  /** Share of the enrollment data held back for early stopping and the before/after check (default 0.2). */
  heldBackFraction?: number;
  /**
   * Utterances to check on instead of a held-back share of `data` (all of which is then trained on): a
   * learner's corrections kept back over several rounds, a larger and steadier check than one round's.
   */
  check?: EnrollmentUtterance[];
  /**
   * How the held-back utterances' text is read from the model's output (per-step log-posteriors) for
   * their WER: by default the greedy best path. A learner passes the engine's own decoder (beam search
   * with the language model), so that weights are kept only when what the user reads gets better: an
   * adapted model can spell better alone and still decode worse with the language model.
   */
  decode?: (logProbs: Float32Array, steps: number) => string;
  /**
   * A phone model's spelling of words (`Engine.phoneSpeller`), required for one: each word is labelled
   * with its first pronunciation, as training labelled it, and a word without one (in neither the
   * dictionary nor the letter-to-sound model) leaves its utterance out.
   */
  speller?: PhoneSpeller;
  /** Stop after this many epochs without a better held-back score (default 3). */
  patience?: number;
  /**
   * What "better" on the held-back part means: a lower greedy WER, then CER (`'wer'`, the default), or a
   * lower CTC loss per label (`'loss'`: smoother than the WER of a handful of utterances, where most
   * epochs tie).
   */
  select?: 'wer' | 'loss';
  /** Global gradient-norm clip (default 5). */
  clipNorm?: number;
  /**
   * Return the last epoch's weights whatever the held-back data says (no early stopping, no fallback
   * to the base). For tests and experiments.
   */
  forceAdapted?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: AdaptProgress) => void;
}

/** Accuracy (greedy decoding, or the `decode` option's) and CTC loss of a set of utterances. */
export interface AdaptScore {
  wer: number;
  cer: number;
  /** CTC loss per label. */
  loss: number;
  words: number;
  /**
   * With `decode`: each scored utterance's text and log-posteriors [steps × alphabet], what `decode` read,
   * so a caller can decode them again (other decoder settings) without running the model again.
   */
  heard?: { text: string; logProbs: Float32Array; steps: number }[];
}

export interface AdaptResult {
  /** The model's weights in getWeights() order: the adapted ones if `kept` is "adapted", else the base's. */
  weights: tf.Tensor[];
  kept: 'adapted' | 'base';
  layers: AdaptLayers;
  /** Held-back utterances scored with the base weights and with the best adapted weights. */
  before: AdaptScore;
  after: AdaptScore;
  /** Epoch whose weights were chosen (1-based; 0 when none beat the start). */
  bestEpoch: number;
  epochsRun: number;
  steps: number;
  trainUtterances: number;
  heldBackUtterances: number;
  /** The ids of the held-back utterances that have one. */
  heldBackIds: string[];
  /** Utterances left out because their text does not fit their audio under CTC. */
  skipped: number;
  seconds: number;
}

interface Prepared {
  /** Input of the first trained layer: the model input (`all`), the top BiLSTM's input (`top`) or its output (`dense`). */
  x: Float32Array;
  steps: number;
  labels: number[];
  text: string;
  /** What greedy decoding is scored against: `text`, or for a phone model its labels' phones. */
  reference: string;
  /** With `kld`: the starting model's posteriors for this input, [steps × alphabet]. */
  prior?: Float32Array;
}

interface BiLstmWeights {
  forward: LstmDirectionWeights;
  backward: LstmDirectionWeights;
}

interface TrainableWeights {
  /** The trained BiLSTM layers, lowest first (empty for `dense`). */
  lstm: BiLstmWeights[];
  denseKernel: Float32Array;
  denseBias: Float32Array;
}

/**
 * A copy of stacked features [steps, size × dim] with the trainer's masks applied to the unstacked frames
 * (masked value 0, the normalised mean).
 */
export function maskFeatures(
  x: Float32Array,
  steps: number,
  dim: number,
  stacking: { size: number; stride: number },
  random: () => number,
): Float32Array {
  const out = x.slice();
  const width = dim * stacking.size;
  const frames = steps * stacking.stride;
  const zeroFrame = (f: number) => {
    // Every stacked slot that holds frame f.
    for (let k = 0; k < stacking.size; k++) {
      const rest = f - k;
      if (rest < 0 || rest % stacking.stride !== 0) continue;
      const t = rest / stacking.stride;
      if (t < steps) out.fill(0, t * width + k * dim, t * width + (k + 1) * dim);
    }
  };
  for (let m = 0; m < 2; m++) {
    const w = Math.floor(random() * (Math.min(4, dim) + 1));
    const c0 = Math.floor(random() * (dim - w + 1));
    for (let t = 0; t < steps; t++)
      for (let k = 0; k < stacking.size; k++)
        out.fill(0, t * width + k * dim + c0, t * width + k * dim + c0 + w);
  }
  const count = Math.floor(frames / 100 + random());
  const maxWidth = Math.min(Math.floor(frames * 0.05), 20);
  for (let m = 0; m < count; m++) {
    const w = Math.floor(random() * (maxWidth + 1));
    const f0 = Math.floor(random() * (frames - w + 1));
    for (let f = f0; f < f0 + w; f++) zeroFrame(f);
  }
  return out;
}

/**
 * The labels `text` is trained with. A character model's: lower-case, only the alphabet's characters,
 * single spaces. A phone model's: `speller`'s (empty when a word cannot be pronounced).
 */
export function enrollmentLabels(text: string, manifest: ModelManifest, speller?: PhoneSpeller): number[] {
  if (pronunciationsFileOf(manifest)) {
    if (!speller)
      throw new RangeError(`model ${manifest.name} spells phones: its labels need its pronunciations`);
    return speller.labels(text, manifest.alphabet.indexOf(' ')) ?? [];
  }
  const index = new Map(manifest.alphabet.map((c, i) => [c, i]));
  const clean = text
    .toLowerCase()
    .replace(/[’‘]/g, "'")
    .split('')
    .map((c) => (index.has(c) && index.get(c) !== manifest.blankIndex ? c : ' '))
    .join('')
    .replace(/\s+/g, ' ')
    .trim();
  return [...clean].map((c) => index.get(c) as number);
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CancelledError('speaker adaptation');
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The weights in getWeights() order (per layer: forward kernel, recurrent, bias, then backward). */
function flatten(w: TrainableWeights): Float32Array[] {
  const parts: Float32Array[] = [];
  for (const layer of w.lstm) {
    for (const d of [layer.forward, layer.backward]) parts.push(d.kernel, d.recurrent, d.bias);
  }
  parts.push(w.denseKernel, w.denseBias);
  return parts;
}

function cloneWeights(w: TrainableWeights): TrainableWeights {
  const dir = (d: LstmDirectionWeights) => ({
    kernel: d.kernel.slice(),
    recurrent: d.recurrent.slice(),
    bias: d.bias.slice(),
  });
  return {
    lstm: w.lstm.map((layer) => ({ forward: dir(layer.forward), backward: dir(layer.backward) })),
    denseKernel: w.denseKernel.slice(),
    denseBias: w.denseBias.slice(),
  };
}

/** Input of the output layer from the trained BiLSTM layers; the caches (lowest first) are for backpropagation. */
function forward(w: TrainableWeights, item: Prepared, inputDim: number, products: RecurrentProducts) {
  let features = item.x;
  let dim = inputDim;
  const caches: BiLstmCache[] = [];
  for (const layer of w.lstm) {
    const { output, cache } = biLstmForward(features, item.steps, dim, layer, products);
    caches.push(cache);
    features = output;
    dim = output.length / item.steps;
  }
  return { features, caches };
}

function logitsOf(features: Float32Array, steps: number, w: TrainableWeights, K: number): Float32Array {
  const D = w.denseKernel.length / K;
  const out = tf.tidy(() =>
    tf.add(
      tf.matMul(tf.tensor2d(features, [steps, D]), tf.tensor2d(w.denseKernel, [D, K])),
      tf.tensor1d(w.denseBias),
    ),
  );
  const data = out.dataSync() as Float32Array;
  out.dispose();
  return data;
}

/**
 * Output classes as text: a character model's letters; a phone model's phone names between spaces and
 * '|' between words (for reading: scoring drops it as punctuation), so a word error rate over it counts
 * phone errors.
 */
function classText(classes: number[], manifest: ModelManifest): string {
  const { alphabet } = manifest;
  const text = pronunciationsFileOf(manifest)
    ? classes.map((c) => (alphabet[c] === ' ' ? ' | ' : ` ${alphabet[c]} `)).join('')
    : classes.map((c) => alphabet[c]).join('');
  return text.replace(/\s+/g, ' ').trim();
}

function greedyText(logits: Float32Array, steps: number, manifest: ModelManifest): string {
  const K = manifest.alphabet.length;
  const classes: number[] = [];
  let previous = -1;
  for (let t = 0; t < steps; t++) {
    let best = 0;
    for (let k = 1; k < K; k++) if (logits[t * K + k] > logits[t * K + best]) best = k;
    if (best !== previous && best !== manifest.blankIndex) classes.push(best);
    previous = best;
  }
  return classText(classes, manifest);
}

async function score(
  items: Prepared[],
  w: TrainableWeights,
  inputDim: number,
  manifest: ModelManifest,
  products: RecurrentProducts,
  signal?: AbortSignal,
  decode?: AdaptOptions['decode'],
): Promise<AdaptScore> {
  const K = manifest.alphabet.length;
  const wer: ErrorCounts[] = [];
  const cer: ErrorCounts[] = [];
  const heard: NonNullable<AdaptScore['heard']> = [];
  let loss = 0;
  let labels = 0;
  for (const item of items) {
    throwIfAborted(signal);
    const { features } = forward(w, item, inputDim, products);
    const logits = logitsOf(features, item.steps, w, K);
    let text: string;
    if (decode) {
      const logProbs = logSoftmaxRows(logits, item.steps, K, new Float32Array(logits.length));
      heard.push({ text: item.text, logProbs, steps: item.steps });
      text = decode(logProbs, item.steps);
    } else {
      text = greedyText(logits, item.steps, manifest);
    }
    const s = scoreTranscript(decode ? item.text : item.reference, text);
    wer.push(s.wer);
    cer.push(s.cer);
    loss += ctcLossAndGrad(logits, item.steps, K, item.labels, { blank: manifest.blankIndex }).loss;
    labels += item.labels.length;
    await tick();
  }
  const words = sumCounts(wer);
  return {
    wer: errorRate(words),
    cer: errorRate(sumCounts(cer)),
    loss: loss / Math.max(1, labels),
    words: words.reference,
    ...(decode ? { heard } : {}),
  };
}

/** Lower is better: word errors first, then character errors. */
const fewerErrors = (a: AdaptScore, b: AdaptScore) => a.wer < b.wer || (a.wer === b.wer && a.cer < b.cer);
const lowerLoss = (a: AdaptScore, b: AdaptScore) => a.loss < b.loss;

class Adam {
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private t = 0;
  constructor(
    shapes: Float32Array[],
    private readonly lr: number,
  ) {
    this.m = shapes.map((p) => new Float32Array(p.length));
    this.v = shapes.map((p) => new Float32Array(p.length));
  }

  step(params: Float32Array[], grads: Float32Array[]): void {
    const b1 = 0.9;
    const b2 = 0.999;
    this.t++;
    const c1 = 1 - b1 ** this.t;
    const c2 = 1 - b2 ** this.t;
    params.forEach((p, i) => {
      const g = grads[i];
      const m = this.m[i];
      const v = this.v[i];
      for (let j = 0; j < p.length; j++) {
        m[j] = b1 * m[j] + (1 - b1) * g[j];
        v[j] = b2 * v[j] + (1 - b2) * g[j] * g[j];
        p[j] -= (this.lr * (m[j] / c1)) / (Math.sqrt(v[j] / c2) + 1e-8);
      }
    });
  }
}

/**
 * Adapts `model` to the speaker of `data`. The base model is not changed; the result holds a full set of
 * weights (the caller disposes them) for saveAdaptedModel or AcousticModel.withWeights.
 */
export async function adaptModel(
  model: AcousticModel,
  data: EnrollmentUtterance[],
  options: AdaptOptions = {},
): Promise<AdaptResult> {
  const started = performance.now();
  const layers = options.layers ?? 'all';
  const epochs = options.epochs ?? 8;
  const lr = options.learningRate ?? { all: 5e-4, top: 1e-3, dense: 3e-3 }[layers];
  const l2 = options.l2 ?? 1e-3;
  const kld = options.kld ?? 0;
  if (!(kld >= 0 && kld < 1)) throw new RangeError(`kld must be in [0, 1), got ${kld}`);
  const batchSize = Math.max(1, options.batchSize ?? 4);
  const patience = options.patience ?? 3;
  const clipNorm = options.clipNorm ?? 5;
  const better = options.select === 'loss' ? lowerLoss : fewerErrors;
  const { signal, onProgress } = options;
  const { manifest } = model;
  if (pronunciationsFileOf(manifest) && !options.speller) {
    // Its labels are the dictionary's phones: refused rather than trained on letters its outputs do not mean.
    throw new RangeError(
      `model ${manifest.name} spells phones: adapting it needs its pronunciations (speller)`,
    );
  }
  const K = manifest.alphabet.length;
  // getWeights() hands out the model's own variables: read, never dispose.
  const base = model.layersModel.getWeights();
  const depth = (base.length - 2) / 6;
  if (!Number.isInteger(depth) || depth < 1) throw new Error('unexpected model layout for adaptation');
  // Two at least: one to train on and one to check on (given apart as `check`, or held back from `data`).
  if (data.length === 0 || data.length + (options.check?.length ?? 0) < 2)
    throw new RangeError('speaker adaptation needs at least 2 enrollment utterances');

  // Features once, through the frozen layers.
  const trainedLstm = layers === 'all' ? depth : layers === 'top' ? 1 : 0;
  const frozen = depth - trainedLstm;
  const speeds = (options.speedPerturbation ?? []).filter((f) => f > 0 && f !== 1);
  /** `checkOnly`: an utterance only scored, never trained on, needs no prior for `kld`. */
  const prepare = async (
    samples: Float32Array,
    text: string,
    checkOnly = false,
  ): Promise<Prepared | null> => {
    const { data: stacked, steps } = modelInput(samples, manifest);
    const labels = enrollmentLabels(text, manifest, options.speller);
    if (steps === 0 || labels.length === 0 || ctcMinFrames(labels) > steps) return null;
    const reference = pronunciationsFileOf(manifest) ? classText(labels, manifest) : text;
    const item: Prepared = { x: model.hidden(stacked, steps, frozen), steps, labels, text, reference };
    if (kld > 0 && !checkOnly) {
      item.prior = await model.logProbs(stacked, steps);
      for (let j = 0; j < item.prior.length; j++) item.prior[j] = Math.exp(item.prior[j]);
    }
    return item;
  };
  const prepared: { item: Prepared; source: number }[] = [];
  let skipped = 0;
  const check = options.check ?? [];
  // An estimate until the held-back split is known; then exact.
  let featureSteps = (data.length + check.length) * (1 + speeds.length);
  const reportFeatures = (done: number) => {
    const elapsed = (performance.now() - started) / 1000;
    onProgress?.({
      phase: 'features',
      step: done,
      total: featureSteps,
      loss: NaN,
      etaSec: (elapsed / done) * (featureSteps - done),
      epoch: 0,
    });
  };
  // The check utterances are numbered after the data's (source ≥ data.length).
  const all = [...data, ...check];
  for (let i = 0; i < all.length; i++) {
    throwIfAborted(signal);
    const item = await prepare(all[i].samples, all[i].text, i >= data.length);
    if (item) prepared.push({ item, source: i });
    else skipped++;
    reportFeatures(i + 1);
    await tick();
  }
  if (prepared.length < 2) throw new RangeError('fewer than 2 usable enrollment utterances');

  let held: typeof prepared;
  if (options.check) {
    held = prepared.filter((p) => p.source >= data.length);
    if (held.length === 0) throw new RangeError('no usable utterance to check on');
  } else {
    // Every n-th utterance is held back (at least one).
    const fraction = Math.min(0.5, Math.max(0, options.heldBackFraction ?? 0.2));
    const every = Math.max(2, Math.round(1 / Math.max(fraction, 1e-9)));
    held = prepared.filter((_, i) => i % every === every - 1);
    if (held.length === 0) held.push(prepared[prepared.length - 1]);
  }
  const trainSources = prepared.filter((p) => !held.includes(p));
  if (trainSources.length === 0) throw new RangeError('no usable enrollment utterance to train on');
  const heldBack = held.map((p) => p.item);
  const train = trainSources.map((p) => p.item);
  const inputDim = train[0].x.length / train[0].steps;

  // Speed-perturbed copies of the training part: a speed factor f plays the audio f times faster.
  let featuresDone = all.length;
  featureSteps = all.length + speeds.length * trainSources.length;
  for (const f of speeds) {
    for (const { source } of trainSources) {
      throwIfAborted(signal);
      const rate = manifest.frontend.sampleRate;
      const resampler = new Resampler(rate * f, rate);
      const samples = concatSamples([resampler.process(data[source].samples), resampler.flush()]);
      const item = await prepare(samples, data[source].text);
      if (item) train.push(item);
      reportFeatures(++featuresDone);
      await tick();
    }
  }

  const array = (t: tf.Tensor) => (t.dataSync() as Float32Array).slice();
  const lstmWeights = (layer: number): BiLstmWeights => {
    const o = 6 * layer;
    return {
      forward: { kernel: array(base[o]), recurrent: array(base[o + 1]), bias: array(base[o + 2]) },
      backward: { kernel: array(base[o + 3]), recurrent: array(base[o + 4]), bias: array(base[o + 5]) },
    };
  };
  const initial: TrainableWeights = {
    lstm: Array.from({ length: trainedLstm }, (_, i) => lstmWeights(frozen + i)),
    denseKernel: array(base[base.length - 2]),
    denseBias: array(base[base.length - 1]),
  };
  const anchor = flatten(initial);
  const current = cloneWeights(initial);
  const params = flatten(current);
  const adam = new Adam(params, lr);
  // The recurrent kernels of the base and the trained weights in kernel memory, copied again per step.
  const products = new RecurrentProducts();

  const before = await score(heldBack, initial, inputDim, manifest, products, signal, options.decode);
  let best = before;
  let bestWeights = cloneWeights(initial);
  let bestEpoch = 0;
  let sinceBest = 0;
  let heldBackLoss: number | undefined;

  const stepsPerEpoch = Math.ceil(train.length / batchSize);
  const total = stepsPerEpoch * epochs;
  const trainStarted = performance.now();
  let step = 0;
  let epochsRun = 0;
  const denseDim = current.denseKernel.length / K;
  // Deterministic shuffle per epoch.
  let seed = options.shuffleSeed ?? 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;

  for (let epoch = 1; epoch <= epochs; epoch++) {
    const order = train.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (let b = 0; b < order.length; b += batchSize) {
      throwIfAborted(signal);
      const batch = order.slice(b, b + batchSize).map((i) => train[i]);
      const grads = params.map((p) => new Float32Array(p.length));
      const [gLstm, gDenseKernel, gDenseBias] = [grads.slice(0, -2), grads[grads.length - 2], grads.at(-1)!];
      let lossSum = 0;
      for (const item of batch) {
        const input =
          options.specAugment && layers === 'all'
            ? {
                ...item,
                x: maskFeatures(
                  item.x,
                  item.steps,
                  manifest.frontend.mfccCoefficients,
                  manifest.stacking,
                  random,
                ),
              }
            : item;
        const { features, caches } = forward(current, input, inputDim, products);
        const scale = 1 / (item.labels.length * batch.length);
        // d(loss)/d(features, dense) through tfjs autodiff and the CTC custom gradient.
        const out = tf.tidy(() => {
          const f = (h: tf.Tensor, w: tf.Tensor, bias: tf.Tensor) => {
            const logits = tf.add(tf.matMul(h, w), bias);
            const ctc = ctcLoss(logits, item.labels, { blank: manifest.blankIndex });
            if (!item.prior) return tf.mul(ctc, scale) as tf.Scalar;
            // Summed over steps like the CTC loss, so ρ weighs the two per utterance alike.
            const crossEntropy = tf.neg(
              tf.sum(tf.mul(tf.tensor2d(item.prior, [item.steps, K]), tf.logSoftmax(logits))),
            );
            return tf.mul(tf.add(tf.mul(ctc, 1 - kld), tf.mul(crossEntropy, kld)), scale) as tf.Scalar;
          };
          const { value, grads: g } = tf.valueAndGrads(f as (...args: tf.Tensor[]) => tf.Scalar)([
            tf.tensor2d(features, [item.steps, denseDim]),
            tf.tensor2d(current.denseKernel, [denseDim, K]),
            tf.tensor1d(current.denseBias),
          ]);
          return [value, ...g];
        });
        const [value, dFeatures, dKernel, dBias] = out.map((t) => t.dataSync() as Float32Array);
        tf.dispose(out);
        lossSum += value[0] * batch.length;
        for (let j = 0; j < dKernel.length; j++) gDenseKernel[j] += dKernel[j];
        for (let j = 0; j < dBias.length; j++) gDenseBias[j] += dBias[j];
        // Down through the trained BiLSTM layers, top first.
        let dOutput = dFeatures;
        for (let l = caches.length - 1; l >= 0; l--) {
          const g = biLstmBackward(caches[l], dOutput, current.lstm[l], l > 0, products);
          const parts = [g.forward, g.backward].flatMap((d) => [d.kernel, d.recurrent, d.bias]);
          parts.forEach((part, p) => {
            const target = gLstm[6 * l + p];
            for (let j = 0; j < part.length; j++) target[j] += part[j];
          });
          if (g.input) dOutput = g.input;
        }
        await tick();
      }
      // L2 pull towards the base weights, then clip the global norm.
      let norm = 0;
      grads.forEach((g, i) => {
        const p = params[i];
        const a = anchor[i];
        for (let j = 0; j < g.length; j++) {
          g[j] += 2 * l2 * (p[j] - a[j]);
          norm += g[j] * g[j];
        }
      });
      norm = Math.sqrt(norm);
      if (norm > clipNorm) for (const g of grads) for (let j = 0; j < g.length; j++) g[j] *= clipNorm / norm;
      adam.step(params, grads);
      products.weightsChanged();
      step++;
      const elapsed = (performance.now() - trainStarted) / 1000;
      onProgress?.({
        phase: 'train',
        step,
        total,
        loss: lossSum / batch.length,
        etaSec: (elapsed / step) * (total - step),
        epoch,
        heldBackLoss,
      });
    }
    epochsRun = epoch;
    const now = await score(heldBack, current, inputDim, manifest, products, signal, options.decode);
    heldBackLoss = now.loss;
    if (better(now, best)) {
      best = now;
      bestWeights = cloneWeights(current);
      bestEpoch = epoch;
      sinceBest = 0;
    } else if (++sinceBest >= patience && !options.forceAdapted) {
      break;
    }
  }

  let kept: AdaptResult['kept'] = bestEpoch > 0 && better(best, before) ? 'adapted' : 'base';
  let chosen = kept === 'adapted' ? bestWeights : initial;
  if (options.forceAdapted) {
    kept = 'adapted';
    chosen = current;
    best = await score(heldBack, current, inputDim, manifest, products, signal, options.decode);
    bestEpoch = epochsRun;
  }
  const replaced = flatten(chosen);
  const firstTrained = base.length - replaced.length;
  const weights = base.map((w, i) =>
    i < firstTrained ? w.clone() : tf.tensor(replaced[i - firstTrained], w.shape),
  );
  return {
    weights,
    kept,
    layers,
    before,
    after: best,
    bestEpoch,
    epochsRun,
    steps: step,
    trainUtterances: train.length,
    heldBackUtterances: heldBack.length,
    heldBackIds: held.flatMap((p) => (all[p.source].id === undefined ? [] : [all[p.source].id!])),
    skipped,
    seconds: (performance.now() - started) / 1000,
  };
}

// ---------------------------------------------------------------------------------------------------
// Adapted models in a user profile: <profileDir>/models/<name>/ (folder rules in adapted-models.ts)

const ADAPTED_PART: Record<AdaptLayers, string> = {
  all: 'all layers',
  top: 'top BiLSTM layer + output layer',
  dense: 'output layer',
};

export interface SaveAdaptedOptions {
  /** Who or what the model was adapted to, for the description (e.g. the profile's display name). */
  speaker?: string;
  /** Replace an existing folder of that name (default false: throw). */
  overwrite?: boolean;
  /** Summary written to adaptation.json beside the model. */
  result?: Omit<AdaptResult, 'weights'>;
}

/**
 * Saves `weights` (from adaptModel) as a model folder `<profileDir>/models/<name>/` — model.json,
 * weights.bin, a manifest copy naming the base model and the adaptation, the base's language model (so
 * its beam decoder works unchanged) and adaptation.json. Load it with AsrEngine.load({ model: dir }).
 */
export async function saveAdaptedModel(
  base: AcousticModel,
  weights: tf.Tensor[],
  profileDir: string,
  name: string,
  options: SaveAdaptedOptions = {},
): Promise<string> {
  const dir = adaptedModelDir(profileDir, name);
  const exists = await stat(dir).then(
    () => true,
    () => false,
  );
  if (exists && !options.overwrite) throw new Error(`an adapted model named "${name}" already exists`);
  // A dot-name is never listed or resolvable as a model name, so a half-written folder stays invisible.
  const staging = path.join(path.dirname(dir), `.${name}.saving-${process.pid}-${Date.now()}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    const layersModel = buildAcousticModel(architectureOf(base.layersModel));
    try {
      layersModel.setWeights(weights);
      await saveLayersModelToDir(layersModel, staging);
    } finally {
      layersModel.dispose();
    }
    const r = options.result;
    const summary = r
      ? `; ${ADAPTED_PART[r.layers]} fine-tuned on ` +
        `${r.trainUtterances} utterances, held-back greedy WER ${(100 * r.before.wer).toFixed(1)} % → ` +
        `${(100 * r.after.wer).toFixed(1)} %${r.kept === 'base' ? ' (not better: base weights kept)' : ''}`
      : '';
    const manifest: ModelManifest = {
      ...base.manifest,
      name,
      description:
        `${base.manifest.description} — adapted${options.speaker ? ` to ${options.speaker}` : ''} from ` +
        `base model "${base.manifest.name}"${summary}`,
      modelFile: 'model.json',
    };
    // Every file the decoder names (the LM, the word list, a phone model's dictionaries), or the copy
    // would not load.
    for (const file of decoderFilesOf(base.manifest)) {
      await copyFile(path.join(base.dir, file), path.join(staging, file));
    }
    await writeFile(path.join(staging, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
    await writeFile(
      path.join(staging, 'adaptation.json'),
      JSON.stringify(
        {
          baseModel: base.manifest.name,
          baseDir: base.dir,
          speaker: options.speaker ?? null,
          createdAt: new Date().toISOString(),
          ...(r ?? {}),
        },
        null,
        2,
      ) + '\n',
    );
    if (exists) await rm(dir, { recursive: true, force: true });
    await rename(staging, dir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  return dir;
}
