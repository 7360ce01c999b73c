import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWeightsFor, readWeightsFile, WeightsFileError, writeWeightsFile } from './weights-file';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'weights-file-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('learned weights file', () => {
  it('reads back what was written, for the model it belongs to only', async () => {
    const file = path.join(dir, 'w.bin');
    const weights = [
      tf.tensor([
        [1, 2, 3],
        [4, 5, 6],
      ]),
      tf.tensor([0.5, -0.25]),
    ];
    await writeWeightsFile(file, 'default', weights);
    const { header, values } = await readWeightsFile(file);
    expect(header).toMatchObject({ model: 'default', shapes: [[2, 3], [2]] });
    expect(values.map((v) => [...v])).toEqual([
      [1, 2, 3, 4, 5, 6],
      [0.5, -0.25],
    ]);

    const loaded = await loadWeightsFor(file, 'default', [[2, 3], [2]]);
    expect(loaded?.weights.map((t) => t.shape)).toEqual([[2, 3], [2]]);
    expect(loaded?.decoder).toBeNull();
    loaded?.weights.forEach((t) => t.dispose());
    // With the LM weights chosen alongside: read back with them.
    await writeWeightsFile(file, 'default', weights, { alpha: 1.04, beta: 0 });
    const withDecoder = await loadWeightsFor(file, 'default', [[2, 3], [2]]);
    expect(withDecoder?.decoder).toEqual({ alpha: 1.04, beta: 0 });
    withDecoder?.weights.forEach((t) => t.dispose());
    // Another model's name or architecture: not applied.
    expect(await loadWeightsFor(file, 'other', [[2, 3], [2]])).toBeNull();
    expect(await loadWeightsFor(file, 'default', [[3, 2], [2]])).toBeNull();
    weights.forEach((t) => t.dispose());
  });

  it('refuses a damaged file with a message naming it', async () => {
    const good = path.join(dir, 'good.bin');
    const tensor = tf.tensor([1, 2, 3, 4]);
    await writeWeightsFile(good, 'm', [tensor]);
    tensor.dispose();
    const bytes = await readFile(good);
    const cut = path.join(dir, 'cut.bin');
    await writeFile(cut, bytes.subarray(0, bytes.length - 2));
    await expect(readWeightsFile(cut)).rejects.toThrow(
      /cut\.bin is not a learned-weights file: the values are cut short/,
    );
    const junk = path.join(dir, 'junk.bin');
    await writeFile(junk, 'hello world, no weights here');
    await expect(readWeightsFile(junk)).rejects.toBeInstanceOf(WeightsFileError);
  });
});
