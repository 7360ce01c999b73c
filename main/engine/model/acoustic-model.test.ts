import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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

  it('replaces weights in place: the same logits as a model built with them, no tensor more, nothing half-done', async () => {
    const model = await AcousticModel.load(dir, 'fast');
    const steps = 9;
    const input = new Float32Array(steps * model.inputDim).map((_, i) => Math.sin(i));
    const before = tf.memory();
    const others = model.layersModel.getWeights().map((w, i) => tf.tidy(() => w.mul(i % 2 ? 0.5 : -1.5)));
    const built = model.withWeights(others);
    const expected = await built.logits(input, steps);
    built.dispose();

    // A set that does not fit (one tensor of the wrong shape) changes nothing.
    const wrong = [...others.slice(0, -1), tf.zeros([3])];
    const unchanged = await model.logits(input, steps);
    expect(() => model.replaceWeights(wrong)).toThrow(/do not fit/);
    expect(await model.logits(input, steps)).toEqual(unchanged);
    wrong.at(-1)!.dispose();

    model.replaceWeights(others);
    tf.dispose(others);
    // The fast path (recurrent kernels rewritten, input kernels taken again) and tfjs's own path agree.
    const logits = await model.logits(input, steps);
    logits.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 4));
    expect(logits).not.toEqual(unchanged);
    // The old weights were released as the new ones were taken: as many tensors and bytes as before.
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
    model.dispose();
  });
});

describe('AcousticModel weight files', () => {
  it('reads weight shards from the model folder only: a path out of it is refused before any read', async () => {
    const copy = path.join(dir, '..', `${path.basename(dir)}-shards`);
    await cp(dir, copy, { recursive: true });
    try {
      const json = JSON.parse(await readFile(path.join(copy, 'model.json'), 'utf8'));
      json.weightsManifest[0].paths = ['../' + path.basename(dir) + '/weights.bin'];
      await writeFile(path.join(copy, 'model.json'), JSON.stringify(json));
      await expect(AcousticModel.load(copy)).rejects.toThrow(/is not a file in the model folder/);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });
});
