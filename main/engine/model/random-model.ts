/**
 * Creates a small randomly initialised model folder (weights + manifest) with the real file layout.
 * Tests and benchmarks use it to exercise the whole pipeline without a trained model; its transcripts
 * are meaningless by design.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { NgramLm } from '../decoder/ngram-lm';
import { DEFAULT_FRONT_END, type FrontEndConfig } from '../frontend/mfcc';
import { buildAcousticModel, saveLayersModelToDir } from './acoustic-model';
import { initBackend } from './backend';
import { MANIFEST_FILE, MANIFEST_VERSION, type ModelManifest } from './manifest';

export const CHARACTER_ALPHABET = ['<blank>', ' ', "'", ...'abcdefghijklmnopqrstuvwxyz'];

export interface RandomModelOptions {
  layers?: number;
  units?: number;
  seed?: number;
  frontend?: FrontEndConfig;
  /**
   * Decode with a small beam search (α 0.5, β 1, beam 8) instead of greedy: a trigram LM `lm.bin` of these
   * sentences (none written when absent: a model whose LM is missing), and a word list `words.txt`.
   */
  beam?: { lm?: string[]; words?: string[]; phones?: RandomPhoneModel };
}

/** A phone model: its outputs are the blank, the word boundary and `phones`; `dictionary` (CMUdict
 *  format) is written as its `pronunciations.txt`. */
export interface RandomPhoneModel {
  phones: string[];
  dictionary: string;
}

export async function createRandomModel(
  dir: string,
  options: RandomModelOptions = {},
): Promise<ModelManifest> {
  await initBackend();
  const frontend = options.frontend ?? DEFAULT_FRONT_END;
  const dim = frontend.mfccCoefficients;
  const stacking = { size: 3, stride: 3 };
  const phones = options.beam?.phones;
  const alphabet = phones ? ['<blank>', ' ', ...phones.phones] : CHARACTER_ALPHABET;
  const model = buildAcousticModel({
    inputDim: dim * stacking.size,
    layers: options.layers ?? 1,
    units: options.units ?? 8,
    outputs: alphabet.length,
  });
  // Deterministic weights so tests are reproducible.
  let state = options.seed ?? 1;
  const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  model.setWeights(
    model.getWeights().map((w) => {
      const values = Float32Array.from({ length: w.size }, () => random() * 0.5);
      return tf.tensor(values, w.shape);
    }),
  );
  await saveLayersModelToDir(model, dir);
  model.dispose();
  const manifest: ModelManifest = {
    manifestVersion: MANIFEST_VERSION,
    name: path.basename(dir),
    description: 'Randomly initialised test model (meaningless transcripts)',
    frontend,
    // Rough statistics of meyda MFCCs at the default gain, so inputs are of order 1.
    normalization: {
      mean: Array.from({ length: dim }, (_, i) => (i === 0 ? 600 : 0)),
      std: Array(dim).fill(40),
    },
    stacking,
    alphabet,
    blankIndex: 0,
    modelFile: 'model.json',
    decoder: { type: 'greedy' },
  };
  const { beam } = options;
  if (beam) {
    manifest.decoder = {
      type: 'beam',
      lmFile: 'lm.bin',
      ...(beam.words ? { lexiconFile: 'words.txt' } : {}),
      ...(phones ? { pronunciationsFile: 'pronunciations.txt' } : {}),
      alpha: 0.5,
      beta: 1,
      beamWidth: 8,
      prunePerFrame: 10,
    };
    if (beam.lm) await writeFile(path.join(dir, 'lm.bin'), NgramLm.build(beam.lm, { order: 3 }).toBuffer());
    if (phones) await writeFile(path.join(dir, 'pronunciations.txt'), phones.dictionary);
    if (beam.words) await writeFile(path.join(dir, 'words.txt'), beam.words.map((w) => `${w}\n`).join(''));
  }
  await writeFile(path.join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}
