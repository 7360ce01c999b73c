import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../errors';
import { modelInput } from '../frontend/mfcc';
import { AcousticModel } from '../model/acoustic-model';
import { createRandomModel } from '../model/random-model';
import { AsrEngine } from '../engine';
import {
  adaptModel,
  maskFeatures,
  adaptedModelDir,
  deleteAdaptedModel,
  enrollmentLabels,
  listAdaptedModels,
  saveAdaptedModel,
  type AdaptProgress,
} from './adapt';

let work: string;
let baseDir: string;

/** A tone sweep per utterance so utterances differ; 1.2 s at 16 kHz (40 model steps). */
function utterance(seed: number): Float32Array {
  const samples = new Float32Array(19200);
  for (let i = 0; i < samples.length; i++) {
    const f = 200 + 150 * seed + (i / samples.length) * 400;
    samples[i] = 0.3 * Math.sin((2 * Math.PI * f * i) / 16000) + 0.05 * Math.sin(i * 0.37 * (seed + 1));
  }
  return samples;
}

const TEXTS = ['go on', 'no', 'see me', 'a bee', 'on and on', 'me too'];
const enrollment = TEXTS.map((text, i) => ({ samples: utterance(i), text }));

function maxAbsDiff(a: tf.Tensor[], b: tf.Tensor[]): number[] {
  return a.map((t, i) => tf.tidy(() => tf.max(tf.abs(tf.sub(t, b[i]))).dataSync()[0]));
}

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'adapt-test-'));
  baseDir = path.join(work, 'base');
  await createRandomModel(baseDir, { layers: 2, units: 8, seed: 3 });
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('speaker adaptation on a tiny random model', () => {
  it('lowers the training loss, changes only the trained layers and reports progress', async () => {
    const model = await AcousticModel.load(baseDir);
    const base = model.layersModel.getWeights().map((w) => w.clone());
    const progress: AdaptProgress[] = [];
    const result = await adaptModel(model, enrollment, {
      layers: 'top',
      epochs: 6,
      learningRate: 0.02,
      l2: 0,
      batchSize: 2,
      forceAdapted: true,
      onProgress: (p) => progress.push(p),
    });
    const train = progress.filter((p) => p.phase === 'train');
    expect(train.length).toBe(result.steps);
    expect(result.epochsRun).toBe(6);
    expect(train.at(-1)!.step).toBe(train.at(-1)!.total);
    expect(train.at(-1)!.etaSec).toBe(0);
    expect(train.every((p) => Number.isFinite(p.loss) && p.etaSec >= 0)).toBe(true);
    expect(progress.filter((p) => p.phase === 'features').length).toBe(TEXTS.length);
    // Mean loss of the last epoch well below the first epoch's.
    const perEpoch = (e: number) => {
      const steps = train.filter((p) => p.epoch === e);
      return steps.reduce((s, p) => s + p.loss, 0) / steps.length;
    };
    expect(perEpoch(6)).toBeLessThan(0.8 * perEpoch(1));
    expect(result.after.loss).toBeLessThan(result.before.loss);
    expect(result.trainUtterances + result.heldBackUtterances).toBe(TEXTS.length);

    const diffs = maxAbsDiff(result.weights, base);
    expect(diffs.slice(0, 6).every((d) => d === 0)).toBe(true); // the frozen first BiLSTM layer
    expect(Math.min(...diffs.slice(6))).toBeGreaterThan(1e-3); // top BiLSTM layer and output layer
    tf.dispose([...base, ...result.weights]);
    model.dispose();
  });

  it('trains every layer by default (backpropagation through the BiLSTM stack)', async () => {
    const model = await AcousticModel.load(baseDir);
    const base = model.layersModel.getWeights().map((w) => w.clone());
    const result = await adaptModel(model, enrollment, {
      epochs: 6,
      learningRate: 0.02,
      l2: 0,
      batchSize: 2,
      forceAdapted: true,
    });
    expect(result.layers).toBe('all');
    expect(result.after.loss).toBeLessThan(result.before.loss);
    const diffs = maxAbsDiff(result.weights, base);
    // Both BiLSTM layers (kernels, recurrent kernels, biases, both directions) and the output layer.
    expect(diffs.length).toBe(14);
    expect(Math.min(...diffs)).toBeGreaterThan(1e-3);
    tf.dispose([...base, ...result.weights]);
    model.dispose();
  });

  it('speed perturbation adds resampled copies of the training part only', async () => {
    const model = await AcousticModel.load(baseDir);
    const progress: AdaptProgress[] = [];
    const plain = await adaptModel(model, enrollment, { epochs: 1, batchSize: 1, forceAdapted: true });
    const perturbed = await adaptModel(model, enrollment, {
      epochs: 1,
      batchSize: 1,
      forceAdapted: true,
      speedPerturbation: [0.9, 1.1],
      onProgress: (p) => progress.push(p),
    });
    expect(perturbed.heldBackUtterances).toBe(plain.heldBackUtterances);
    expect(perturbed.trainUtterances).toBe(3 * plain.trainUtterances);
    expect(perturbed.steps).toBe(3 * plain.steps);
    const features = progress.filter((p) => p.phase === 'features');
    expect(features.at(-1)!.step).toBe(features.at(-1)!.total);
    expect(features.at(-1)!.total).toBe(TEXTS.length + 2 * plain.trainUtterances);
    tf.dispose([...plain.weights, ...perturbed.weights]);
    model.dispose();
  });

  it('checks on the given utterances only, and trains on all the data', async () => {
    const model = await AcousticModel.load(baseDir);
    const check = [
      { samples: utterance(7), text: 'one', id: 'c1' },
      { samples: utterance(8), text: 'two', id: 'c2' },
    ];
    const result = await adaptModel(model, enrollment, {
      epochs: 1,
      batchSize: 2,
      forceAdapted: true,
      check,
    });
    expect(result.trainUtterances).toBe(TEXTS.length);
    expect(result.heldBackUtterances).toBe(2);
    expect(result.heldBackIds).toEqual(['c1', 'c2']);
    // The check is scored: its words, not the data's.
    expect(result.before.words).toBe(2);
    tf.dispose(result.weights);
    await expect(adaptModel(model, enrollment, { epochs: 1, check: [] })).rejects.toThrow(/check on/);

    // The check is read by the given decoder, from per-step log-posteriors: here one that hears each
    // check utterance exactly, so nothing can be better and the base is kept.
    const seen: number[] = [];
    const exact = await adaptModel(model, enrollment, {
      epochs: 1,
      check,
      decode: (logProbs, steps) => {
        const K = logProbs.length / steps;
        seen.push(logProbs.slice(0, K).reduce((sum, v) => sum + Math.exp(v), 0));
        return seen.length % 2 === 1 ? 'one' : 'two';
      },
    });
    expect(seen.length).toBeGreaterThanOrEqual(4);
    for (const total of seen) expect(total).toBeCloseTo(1, 5);
    expect(exact.before.wer).toBe(0);
    expect(exact.kept).toBe('base');
    tf.dispose(exact.weights);
    model.dispose();
  });

  it('with select "loss", keeps an epoch that lowers the held-back loss where the WER ties', async () => {
    const model = await AcousticModel.load(baseDir);
    const settings = { epochs: 4, learningRate: 0.02, l2: 0, batchSize: 2 } as const;
    // A tiny random model gets every held-back word wrong before and after: by WER nothing is better.
    const byWer = await adaptModel(model, enrollment, settings);
    expect(byWer.after.wer).toBe(byWer.before.wer);
    expect(byWer.kept).toBe('base');
    const byLoss = await adaptModel(model, enrollment, { ...settings, select: 'loss' });
    expect(byLoss.kept).toBe('adapted');
    expect(byLoss.bestEpoch).toBeGreaterThan(0);
    expect(byLoss.after.loss).toBeLessThan(byLoss.before.loss);
    tf.dispose([...byWer.weights, ...byLoss.weights]);
    model.dispose();
  });

  it('keeps the base weights when the held-back data does not improve', async () => {
    const model = await AcousticModel.load(baseDir);
    const base = model.layersModel.getWeights();
    // A zero learning rate cannot improve anything: the result must be the base model, said so.
    const result = await adaptModel(model, enrollment, { epochs: 2, learningRate: 0 });
    expect(result.kept).toBe('base');
    expect(result.bestEpoch).toBe(0);
    expect(Math.max(...maxAbsDiff(result.weights, base))).toBe(0);
    tf.dispose(result.weights);
    model.dispose();
  });

  it('saves a model folder whose fast and layers inference reflect the adapted weights; delete removes it', async () => {
    const model = await AcousticModel.load(baseDir);
    const result = await adaptModel(model, enrollment, {
      epochs: 2,
      learningRate: 0.05,
      l2: 0,
      forceAdapted: true,
    });
    const shifted = result.weights;
    const profile = path.join(work, 'profile');
    const dir = await saveAdaptedModel(model, shifted, profile, 'me', { speaker: 'test', result });
    expect(dir).toBe(adaptedModelDir(profile, 'me'));
    const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.name).toBe('me');
    expect(manifest.description).toMatch(/adapted to test from base model "base"/);
    expect(await listAdaptedModels(profile)).toEqual(['me']);
    await expect(saveAdaptedModel(model, shifted, profile, 'me')).rejects.toThrow(/already exists/);
    expect(() => adaptedModelDir(profile, '../escape')).toThrow(/invalid model name/);

    const steps = 20;
    const input = Float32Array.from({ length: steps * model.inputDim }, (_, i) => Math.sin(i * 0.1));
    const expectedModel = model.withWeights(shifted);
    const expected = await expectedModel.logits(input, steps);
    const baseLogits = await model.logits(input, steps);
    for (const inference of ['fast', 'layers'] as const) {
      const loaded = await AcousticModel.load(dir, inference);
      const logits = await loaded.logits(input, steps);
      logits.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 4));
      expect(Math.max(...logits.map((v, i) => Math.abs(v - baseLogits[i])))).toBeGreaterThan(1e-3);
      loaded.dispose();
    }
    // Selectable through the engine by path.
    const engine = await AsrEngine.load({ model: dir, decoder: 'greedy' });
    expect(engine.modelName).toBe('me');
    engine.dispose();

    expect(await deleteAdaptedModel(profile, 'me')).toBe(true);
    expect(existsSync(dir)).toBe(false);
    expect(await deleteAdaptedModel(profile, 'me')).toBe(false);
    expect(await listAdaptedModels(profile)).toEqual([]);
    expectedModel.dispose();
    tf.dispose(shifted);
    model.dispose();
  });

  it('saves a beam-decoding model with its language model and word list, so the copy decodes as the base does', async () => {
    const dir = path.join(work, 'beam-base');
    await createRandomModel(dir, {
      layers: 2,
      units: 8,
      seed: 3,
      beam: { lm: ['go on', 'see me'], words: ['go', 'on', 'see', 'me'] },
    });
    const model = await AcousticModel.load(dir);
    const weights = model.layersModel.getWeights();
    const saved = await saveAdaptedModel(model, weights, path.join(work, 'beam-profile'), 'me');
    expect(await readFile(path.join(saved, 'words.txt'), 'utf8')).toBe('go\non\nsee\nme\n');
    const engine = await AsrEngine.load({ model: saved });
    expect(engine.decoderName).toMatch(/beam/);
    engine.dispose();
    model.dispose();
  });

  it('cancels through an AbortSignal', async () => {
    const model = await AcousticModel.load(baseDir);
    const controller = new AbortController();
    let steps = 0;
    const run = adaptModel(model, enrollment, {
      epochs: 50,
      onProgress: (p) => {
        if (p.phase === 'train' && ++steps === 2) controller.abort();
      },
      signal: controller.signal,
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(steps).toBe(2);
    model.dispose();
  });

  it('the L2 penalty keeps the weights near the base model', async () => {
    const model = await AcousticModel.load(baseDir);
    const base = model.layersModel.getWeights();
    const drift = async (l2: number) => {
      const result = await adaptModel(model, enrollment, {
        epochs: 6,
        learningRate: 0.05,
        batchSize: 2,
        l2,
        forceAdapted: true,
      });
      const d = Math.max(...maxAbsDiff(result.weights.slice(6), base.slice(6)));
      tf.dispose(result.weights);
      return d;
    };
    const free = await drift(0);
    const anchored = await drift(20);
    expect(free).toBeGreaterThan(0.05);
    expect(anchored).toBeLessThan(0.5 * free);
    model.dispose();
  });

  it("KL regularisation keeps the outputs near the starting model's; ρ outside [0, 1) is refused", async () => {
    const model = await AcousticModel.load(baseDir);
    const inputs = enrollment.map((u) => modelInput(u.samples, model.manifest));
    const posteriors = (m: AcousticModel) =>
      Promise.all(inputs.map(async ({ data, steps }) => (await m.logProbs(data, steps)).map(Math.exp)));
    const start = await posteriors(model);
    /** Mean over steps of KL(start ‖ adapted). */
    const divergence = async (kld: number) => {
      const result = await adaptModel(model, enrollment, {
        epochs: 6,
        learningRate: 0.05,
        batchSize: 2,
        l2: 0,
        kld,
        forceAdapted: true,
      });
      const adapted = model.withWeights(result.weights);
      tf.dispose(result.weights);
      const after = await posteriors(adapted);
      adapted.dispose();
      let sum = 0;
      let steps = 0;
      start.forEach((p, u) => {
        for (let j = 0; j < p.length; j++)
          if (p[j] > 0) sum += p[j] * Math.log(p[j] / Math.max(after[u][j], 1e-30));
        steps += inputs[u].steps;
      });
      return sum / steps;
    };
    const free = await divergence(0);
    const anchored = await divergence(0.9);
    expect(free).toBeGreaterThan(0.05);
    expect(anchored).toBeLessThan(0.5 * free);
    await expect(adaptModel(model, enrollment, { kld: 1 })).rejects.toThrow(/kld must be in \[0, 1\)/);
    model.dispose();
  });

  it('is deterministic for a shuffle seed, and another seed trains in another order', async () => {
    const model = await AcousticModel.load(baseDir);
    const run = async (shuffleSeed?: number) => {
      const result = await adaptModel(model, enrollment, {
        epochs: 2,
        learningRate: 0.05,
        batchSize: 2,
        forceAdapted: true,
        ...(shuffleSeed === undefined ? {} : { shuffleSeed }),
      });
      const weights = result.weights.map((w) => Array.from(w.dataSync()));
      tf.dispose(result.weights);
      return weights;
    };
    const first = await run();
    expect(await run(12345)).toEqual(first);
    expect(await run(777)).not.toEqual(first);
    model.dispose();
  });

  it('masks stacked features like the trainer: whole coefficients and whole frames, zero elsewhere untouched', () => {
    const dim = 5;
    const stacking = { size: 3, stride: 3 };
    const steps = 200; // 600 frames: 6 or 7 time masks
    const x = Float32Array.from({ length: steps * dim * 3 }, (_, i) => 1 + (i % 7));
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const masked = maskFeatures(x, steps, dim, stacking, random);
    expect(masked.length).toBe(x.length);
    expect(x.every((v) => v > 0)).toBe(true); // the input is not modified
    const zero = (f: number, c: number) => masked[f * dim + c] === 0; // stride = size: frame f at f·dim
    const frames = steps * 3;
    const maskedFrames = Array.from({ length: frames }, (_, f) => f).filter((f) =>
      Array.from({ length: dim }, (_, c) => c).every((c) => zero(f, c)),
    );
    const maskedCoefficients = Array.from({ length: dim }, (_, c) => c).filter((c) =>
      Array.from({ length: frames }, (_, f) => f).every((f) => zero(f, c)),
    );
    // Every zero lies in a masked frame or a masked coefficient; something was masked; not everything.
    for (let f = 0; f < frames; f++)
      for (let c = 0; c < dim; c++)
        if (zero(f, c)) expect(maskedFrames.includes(f) || maskedCoefficients.includes(c)).toBe(true);
    expect(maskedFrames.length + maskedCoefficients.length).toBeGreaterThan(0);
    expect(maskedFrames.length).toBeLessThanOrEqual(7 * 20);
    expect(maskedCoefficients.length).toBeLessThanOrEqual(4 * 2);
  });

  it('maps enrollment text onto the alphabet', async () => {
    const model = await AcousticModel.load(baseDir);
    const labels = enrollmentLabels('Don’t  STOP, 2 go!', model.manifest);
    expect(labels.map((i) => model.manifest.alphabet[i]).join('')).toBe("don't stop go");
    model.dispose();
  });
});

describe('adapting a phone model', () => {
  const PHONES = ['AH', 'B', 'G', 'IY', 'M', 'N', 'OW', 'S', 'T', 'UW'];
  // No "on" or "and": utterances with them cannot be labelled.
  const DICTIONARY = 'go G OW1\nno N OW1\nsee S IY1\nme M IY1\na AH0\nbee B IY1\ntoo T UW1\n';
  let phoneDir: string;

  beforeAll(async () => {
    phoneDir = path.join(work, 'phones');
    await createRandomModel(phoneDir, {
      layers: 1,
      units: 8,
      seed: 5,
      beam: { lm: TEXTS, phones: { phones: PHONES, dictionary: DICTIONARY } },
    });
  });

  it("labels each word with its pronunciation's phones, trains on them, and refuses without them", async () => {
    const engine = await AsrEngine.load({ model: phoneDir, punctuation: false });
    const speller = engine.phoneSpeller!;
    expect(speller).toBeDefined();
    const { manifest } = engine.model;
    const id = (p: string) => manifest.alphabet.indexOf(p);
    expect(enrollmentLabels('See me, too!', manifest, speller)).toEqual(
      ['S', 'IY', ' ', 'M', 'IY', ' ', 'T', 'UW'].map(id),
    );
    // "on" and "and" have no pronunciation here: no labels, so such utterances are left out.
    expect(enrollmentLabels('go on', manifest, speller)).toEqual([]);
    expect(() => enrollmentLabels('go', manifest)).toThrow(/spells phones/);
    await expect(adaptModel(engine.model, enrollment, { epochs: 1 })).rejects.toThrow(/spells phones/);

    const result = await adaptModel(engine.model, enrollment, {
      speller,
      layers: 'top',
      epochs: 4,
      learningRate: 0.02,
      l2: 0,
      batchSize: 2,
      heldBackFraction: 0.5,
      forceAdapted: true,
    });
    // 'go on' and 'on and on' cannot be labelled; the other four are used.
    expect(result.trainUtterances + result.heldBackUtterances).toBe(4);
    expect(result.skipped).toBe(2);
    expect(result.after.loss).toBeLessThan(result.before.loss);
    // Greedy output is scored as phones against the labels' phones, not as letters against the words:
    // held back are every second usable utterance, "see me" and "me too" ("S IY | M IY", "M IY | T UW":
    // 8 phones; scoring drops the '|' as punctuation).
    expect(result.before.words).toBe(8);
    // Saved, it carries its dictionary: it loads and decodes as a phone model still.
    const saved = await saveAdaptedModel(
      engine.model,
      result.weights,
      path.join(work, 'phone-profile'),
      'me',
    );
    tf.dispose(result.weights);
    expect(await readFile(path.join(saved, 'pronunciations.txt'), 'utf8')).toBe(DICTIONARY);
    const adapted = await AsrEngine.load({ model: saved, punctuation: false });
    expect(adapted.phoneSpeller?.labels('go', manifest.alphabet.indexOf(' '))).toEqual([id('G'), id('OW')]);
    adapted.dispose();
    engine.dispose();
  });
});
