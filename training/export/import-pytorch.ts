/**
 * Turns a PyTorch export (training/train/export.py: weights.json + weights.bin + golden.json) into a
 * shipped model folder: a TensorFlow.js LayersModel built by the same `buildAcousticModel` the app uses,
 * the manifest (front end, normalisation, stacking, alphabet) and the golden logits for the parity test.
 *
 *   npx tsx training/export/import-pytorch.ts --export training/work/export --features training/work/features \
 *       --out models/default --name default
 */
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import type { FrontEndConfig, Normalization } from '../../main/engine/frontend/mfcc';
import { buildAcousticModel, saveLayersModelToDir } from '../../main/engine/model/acoustic-model';
import { initBackend } from '../../main/engine/model/backend';
import { MANIFEST_FILE, MANIFEST_VERSION, type ModelManifest } from '../../main/engine/model/manifest';

interface ExportedWeights {
  architecture: { inputDim: number; layers: number; units: number; outputs: number; stack: number };
  alphabet: string[];
  weights: { name: string; shape: number[]; offset: number }[];
}

interface FeatureStats {
  dim: number;
  mean: number[];
  std: number[];
  meanFrom?: Normalization['meanFrom'];
  meanPriorFrames?: Normalization['meanPriorFrames'];
  scale: number;
  frontend: FrontEndConfig;
}

const { values } = parseArgs({
  options: {
    export: { type: 'string', default: 'training/work/export' },
    features: { type: 'string', default: 'training/work/features' },
    out: { type: 'string', default: 'models/default' },
    name: { type: 'string', default: 'default' },
    description: { type: 'string', default: 'Character BiLSTM-CTC acoustic model (English)' },
  },
});

await initBackend();
const exported = JSON.parse(
  await readFile(path.join(values.export!, 'weights.json'), 'utf8'),
) as ExportedWeights;
const blob = await readFile(path.join(values.export!, 'weights.bin'));
const stats = JSON.parse(await readFile(path.join(values.features!, 'stats.json'), 'utf8')) as FeatureStats;
const arch = exported.architecture;
if (arch.inputDim !== stats.dim * arch.stack) {
  throw new Error(`export expects ${arch.inputDim} inputs, features give ${stats.dim} × ${arch.stack}`);
}

const model = buildAcousticModel({
  inputDim: arch.inputDim,
  layers: arch.layers,
  units: arch.units,
  outputs: arch.outputs,
});
const targets = model.getWeights();
if (targets.length !== exported.weights.length) {
  throw new Error(`model has ${targets.length} weight tensors, export has ${exported.weights.length}`);
}
const tensors = exported.weights.map((w, i) => {
  if (JSON.stringify(w.shape) !== JSON.stringify(targets[i].shape)) {
    throw new Error(`weight ${i} (${w.name}) has shape ${w.shape}, tfjs expects ${targets[i].shape}`);
  }
  const count = w.shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(
    blob.buffer.slice(blob.byteOffset + w.offset, blob.byteOffset + w.offset + count * 4),
  );
  return tf.tensor(values, w.shape);
});
model.setWeights(tensors);
await saveLayersModelToDir(model, values.out!);

const manifest: ModelManifest = {
  manifestVersion: MANIFEST_VERSION,
  name: values.name!,
  description: values.description!,
  frontend: stats.frontend,
  normalization: {
    mean: stats.mean,
    std: stats.std,
    // Only written when it is not the default, so manifests of training-mean models stay as they were.
    ...(stats.meanFrom === 'utterance' ? { meanFrom: 'utterance' as const } : {}),
    ...(stats.meanPriorFrames ? { meanPriorFrames: stats.meanPriorFrames } : {}),
    clip: 127 / stats.scale,
  },
  stacking: { size: arch.stack, stride: arch.stack },
  alphabet: exported.alphabet.map((c, i) => (i === 0 ? '<blank>' : c)),
  blankIndex: 0,
  modelFile: 'model.json',
  decoder: { type: 'greedy' },
};
await writeFile(path.join(values.out!, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
await copyFile(path.join(values.export!, 'golden.json'), path.join(values.out!, 'golden.json'));
console.log(
  `wrote ${values.out} (${arch.layers}×${arch.units} BiLSTM, ${tensors.reduce((n, t) => n + t.size, 0)} parameters)`,
);
