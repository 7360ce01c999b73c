import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODELS_DIR } from '../engine';
import { AcousticModel } from './acoustic-model';
import { initBackend } from './backend';

interface Golden {
  tolerance: number;
  utterances: { id: string; inputs: number[][]; logits: number[][] }[];
}

/** An acoustic model's folder (models/punct, the punctuation model, is checked by its own export). */
const isAcousticModel = (name: string) => {
  const manifest = path.join(MODELS_DIR, name, 'manifest.json');
  return (
    existsSync(manifest) &&
    (JSON.parse(readFileSync(manifest, 'utf8')) as { format?: string }).format === undefined
  );
};

/** Every shipped model must reproduce, in TensorFlow.js, the logits PyTorch computed at export time. */
const shipped = existsSync(MODELS_DIR) ? readdirSync(MODELS_DIR).filter(isAcousticModel) : [];

const cases = shipped.flatMap((name) => (['fast', 'layers'] as const).map((path) => [name, path] as const));

describe.skipIf(shipped.length === 0)('shipped models match their PyTorch golden logits', () => {
  it.each(cases)('%s (%s inference)', async (name, inference) => {
    await initBackend();
    const dir = path.join(MODELS_DIR, name);
    const golden = JSON.parse(await readFile(path.join(dir, 'golden.json'), 'utf8')) as Golden;
    expect(golden.tolerance).toBeLessThanOrEqual(1e-4);
    expect(golden.utterances.length).toBeGreaterThan(0);
    const model = await AcousticModel.load(dir, inference);
    expect(model.inferencePath).toBe(inference);
    try {
      for (const utterance of golden.utterances) {
        const steps = utterance.inputs.length;
        const logits = await model.logits(Float32Array.from(utterance.inputs.flat()), steps);
        const expected = utterance.logits.flat();
        expect(logits.length).toBe(expected.length);
        let maxDiff = 0;
        for (let i = 0; i < expected.length; i++)
          maxDiff = Math.max(maxDiff, Math.abs(logits[i] - expected[i]));
        expect(maxDiff, `${utterance.id}: max |tfjs − pytorch|`).toBeLessThan(golden.tolerance);
      }
    } finally {
      model.dispose();
    }
  });
});
