import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AsrEngine } from '../engine';
import { CancelledError } from '../errors';
import { createRandomModel } from '../model/random-model';
import { scoreTranscript } from '../../common/scoring';
import { CorrectionLearner } from './learner';
import { writeWeightsFile } from './weights-file';

let work: string;
let modelDir: string;

/** A tone sweep per utterance so utterances differ; 1.2 s at 16 kHz. */
function utterance(seed: number): Float32Array {
  const samples = new Float32Array(19200);
  for (let i = 0; i < samples.length; i++) {
    const f = 200 + 150 * (seed % 6) + (i / samples.length) * 400;
    samples[i] = 0.3 * Math.sin((2 * Math.PI * f * i) / 16000) + 0.05 * Math.sin(i * 0.37 * (seed + 1));
  }
  return samples;
}
const TEXTS = ['go on', 'no', 'see me', 'a bee', 'on and on', 'me too'];
const corrected = (i: number) => ({ samples: utterance(i), text: TEXTS[i % TEXTS.length], id: `u${i}` });

const outputs = async (engine: AsrEngine) => {
  const input = Float32Array.from({ length: 20 * engine.model.inputDim }, (_, i) => Math.sin(i * 0.1));
  return engine.model.logits(input, 20);
};

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'learner-test-'));
  modelDir = path.join(work, 'base');
  await createRandomModel(modelDir, { layers: 2, units: 8, seed: 3 });
});
afterAll(() => rm(work, { recursive: true, force: true }));

describe('CorrectionLearner', () => {
  it('learns once enough corrections have gathered, continues from the new weights and replays earlier ones', async () => {
    const engine = await AsrEngine.load({ model: modelDir, decoder: 'greedy' });
    const learner = new CorrectionLearner(engine, {
      roundSize: 4,
      replay: 2,
      adapt: { layers: 'top', epochs: 2, learningRate: 0.05, l2: 0, forceAdapted: true },
    });
    learner.add({ samples: utterance(0), text: '   ' }); // nothing to learn from: ignored
    for (let i = 0; i < 3; i++) learner.add(corrected(i));
    expect(learner.due).toBe(false);
    learner.add(corrected(3));
    expect(learner.due).toBe(true);

    const before = await outputs(engine);
    const tensors = tf.memory().numTensors;
    const first = await learner.learn();
    expect(first).toMatchObject({ round: 1, newUtterances: 4, replayed: 0, kept: 'adapted' });
    const after = await outputs(engine);
    expect(Math.max(...after.map((v, i) => Math.abs(v - before[i])))).toBeGreaterThan(1e-3);
    // The old model and the round's tensors were released: as many tensors as before.
    expect(tf.memory().numTensors).toBe(tensors);
    expect(learner.waiting).toBe(0);

    for (let i = 4; i < 8; i++) learner.add(corrected(i));
    const second = await learner.learn();
    expect(second).toMatchObject({ round: 2, newUtterances: 4, replayed: 2 });
    // Checked on corrections never trained on: the last of each round's four is kept back (fewer than
    // five new ones), never a replayed one.
    expect(first.heldBackIds).toEqual(['u3']);
    expect(second.heldBackIds).toEqual(['u3', 'u7']);
    expect(learner.rounds).toHaveLength(2);
    engine.dispose();
  });

  it('checks each round on corrections kept back from training: every fifth new one, the newest checkSize of them', async () => {
    const engine = await AsrEngine.load({ model: modelDir, decoder: 'greedy' });
    const learner = new CorrectionLearner(engine, {
      roundSize: 5,
      replay: 0,
      checkSize: 2,
      adapt: { layers: 'dense', epochs: 1, forceAdapted: true },
    });
    const round = async (from: number) => {
      for (let i = from; i < from + 5; i++) learner.add(corrected(i));
      return learner.learn();
    };
    const first = await round(0);
    expect(first.heldBackIds).toEqual(['u4']);
    const second = await round(5);
    expect(second.heldBackIds).toEqual(['u4', 'u9']);
    // u4 leaves the check for u14 and is trained on now: 4 new ones and u4.
    const third = await round(10);
    expect(third.heldBackIds).toEqual(['u9', 'u14']);
    expect(third.newUtterances).toBe(5);

    // The smallest round: one correction trained on, one kept back.
    const pair = new CorrectionLearner(engine, { roundSize: 2, adapt: { layers: 'dense', epochs: 1 } });
    pair.add(corrected(30));
    pair.add(corrected(31));
    expect(await pair.learn()).toMatchObject({ newUtterances: 2, heldBackIds: ['u31'] });

    // Kept back in an earlier session: checked on first, then trained on as newer ones come.
    const next = new CorrectionLearner(engine, {
      roundSize: 5,
      replay: 0,
      checkSize: 2,
      adapt: { layers: 'dense', epochs: 1 },
    });
    next.keepBack(corrected(20));
    next.keepBack(corrected(21));
    for (let i = 22; i < 27; i++) next.add(corrected(i));
    expect((await next.learn()).heldBackIds).toEqual(['u21', 'u26']);
    engine.dispose();
  });

  it("tunes a beam decoder's LM weights on the check, and they travel with the weights file", async () => {
    const dir = path.join(work, 'beam');
    await createRandomModel(dir, { layers: 2, units: 8, seed: 3, beam: { lm: TEXTS } });
    const engine = await AsrEngine.load({ model: dir, punctuation: false });
    const manifestWeights = { alpha: 0.5, beta: 1 };
    expect(engine.lmWeights).toEqual(manifestWeights);
    const learner = new CorrectionLearner(engine, { roundSize: 5, adapt: { layers: 'dense', epochs: 1 } });
    for (let i = 0; i < 5; i++) learner.add(corrected(i));
    // The check's posteriors come from the round's own scoring: the engine's model does not run again.
    const posteriors = engine.posteriors.bind(engine);
    let modelRuns = 0;
    engine.posteriors = (samples) => {
      modelRuns++;
      return posteriors(samples);
    };
    const round = await learner.learn();
    engine.posteriors = posteriors;
    expect(modelRuns).toBe(0);
    const chosen = round.lmWeights!;
    expect(engine.lmWeights).toEqual(chosen);
    expect([0.25, 0.325, 0.4, 0.5]).toContain(chosen.alpha);
    expect([0, 1]).toContain(chosen.beta);
    expect(round.lmWeightsChanged).toBe(chosen.alpha !== 0.5 || chosen.beta !== 1);
    // On the check (u4), the chosen weights make no more word errors than the manifest's.
    const errors = async (weights: { alpha: number; beta: number }) => {
      engine.useLmWeights(weights);
      const heard = engine.decodePosteriors(await engine.posteriors(utterance(4)), 0);
      const { wer } = scoreTranscript(TEXTS[4], heard.map((w) => w.word).join(' '));
      return wer.substitutions + wer.deletions + wer.insertions;
    };
    expect(await errors(chosen)).toBeLessThanOrEqual(await errors(manifestWeights));

    // Written with the weights, applied with them by another engine.
    const file = path.join(work, 'learned.bin');
    await writeWeightsFile(file, engine.model.manifest.name, engine.model.layersModel.getWeights(), {
      alpha: 0.3,
      beta: 0,
    });
    const other = await AsrEngine.load({ model: dir, punctuation: false });
    expect(await other.useWeightsFile(file)).toBe(true);
    expect(other.lmWeights).toEqual({ alpha: 0.3, beta: 0 });
    other.dispose();
    engine.dispose();
  });

  it('keeps the weights in use when a round does not help, and loses no correction when a round is cancelled', async () => {
    const engine = await AsrEngine.load({ model: modelDir, decoder: 'greedy' });
    const useless = new CorrectionLearner(engine, { roundSize: 3, adapt: { epochs: 1, learningRate: 0 } });
    for (let i = 0; i < 3; i++) useless.add(corrected(i));
    const before = await outputs(engine);
    expect((await useless.learn()).kept).toBe('base');
    expect(await outputs(engine)).toEqual(before);

    const cancelled = new CorrectionLearner(engine, { roundSize: 3, adapt: { epochs: 20 } });
    for (let i = 0; i < 3; i++) cancelled.add(corrected(i));
    const controller = new AbortController();
    const round = cancelled.learn({
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === 'train') controller.abort();
      },
    });
    await expect(round).rejects.toBeInstanceOf(CancelledError);
    expect(cancelled.waiting).toBe(3);
    expect(cancelled.rounds).toHaveLength(0);
    engine.dispose();
  });
});
