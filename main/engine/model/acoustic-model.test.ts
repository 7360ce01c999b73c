import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AcousticModel } from './acoustic-model';
import { createRandomModel } from './random-model';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'acoustic-model-'));
  await createRandomModel(dir, { layers: 2, units: 16 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('AcousticModel memory', () => {
  it('holds each weight once with the fast inference path, and frees it all on dispose', async () => {
    const before = tf.memory();
    const model = await AcousticModel.load(dir, 'fast');
    expect(model.inferencePath).toBe('fast');
    const weightBytes = model.layersModel.getWeights().reduce((sum, w) => sum + w.size * 4, 0);
    // The fast path uses the model's own tensors: no second copy of the input kernels and the dense layer.
    expect(tf.memory().numBytes - before.numBytes).toBe(weightBytes);
    const steps = 7;
    const logits = await model.logits(new Float32Array(steps * model.inputDim).fill(0.1), steps);
    expect(logits.length).toBe(steps * model.manifest.alphabet.length);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
  });
});
