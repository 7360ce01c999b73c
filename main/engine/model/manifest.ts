/**
 * The model manifest (`models/<name>/manifest.json`): everything the runtime needs to reproduce the
 * training front end exactly, so it never guesses sample rate, framing, MFCC settings, normalisation,
 * stacking or alphabet.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { validateCalibration, type ConfidenceCalibration } from '../decoder/confidence';
import { ModelMismatchError, ModelMissingError } from '../errors';
import {
  validateFrontEndConfig,
  type FrontEndConfig,
  type Normalization,
  type Stacking,
} from '../frontend/mfcc';

import { MANIFEST_FILE } from './manifest-file';
import { DECODER_FILE_KEYS } from './decoder-files';

export { MANIFEST_FILE };
export const MANIFEST_VERSION = 1;

/** How the model's outputs are decoded by default; the CLI and app may still ask for greedy. */
export type DecoderSettings =
  | { type: 'greedy' }
  | {
      /** CTC prefix beam search with a word n-gram LM (shallow fusion), tuned on the dev set. */
      type: 'beam';
      /** Binary n-gram LM beside the manifest (training/lm/build-lm.ts). */
      lmFile: string;
      /** Word list beside the manifest (training/lm/build-lexicon.ts): when given, the decoder only
       *  spells listed words (plus the user's boosted words). */
      lexiconFile?: string;
      /** A phone model's pronouncing dictionary beside the manifest (CMUdict format; see
       *  `decoder/pronunciations.ts`): the decoder spells pronunciations through it and emits their words. */
      pronunciationsFile?: string;
      /** With `pronunciationsFile`: a letter-to-sound model beside the manifest (`decoder/letter-to-sound.ts`)
       *  that pronounces boosted words and corrected words the dictionary lacks. */
      letterToSoundFile?: string;
      alpha: number;
      beta: number;
      beamWidth: number;
      prunePerFrame: number;
      /** Word-confidence calibration fitted on the dev set (`npm run bench:calibration`); optional. */
      confidence?: ConfidenceCalibration;
    };

export interface ModelManifest {
  manifestVersion: number;
  name: string;
  description: string;
  frontend: FrontEndConfig;
  normalization: Normalization;
  stacking: Stacking;
  /** Output classes in order; `alphabet[blankIndex]` is the CTC blank and " " separates words. */
  alphabet: string[];
  blankIndex: number;
  /** tfjs LayersModel topology file, relative to the manifest. */
  modelFile: string;
  decoder: DecoderSettings;
}

/** A phone model's pronouncing dictionary (`decoder.pronunciationsFile`); undefined for a character model. */
export function pronunciationsFileOf(manifest: ModelManifest): string | undefined {
  return manifest.decoder.type === 'beam' ? manifest.decoder.pronunciationsFile : undefined;
}

/** Every file beside the manifest that its decoder reads (a copy of the model needs them all). */
export function decoderFilesOf(manifest: ModelManifest): string[] {
  const decoder = manifest.decoder;
  if (decoder.type !== 'beam') return [];
  return DECODER_FILE_KEYS.map((key) => decoder[key]).filter((file): file is string => file !== undefined);
}

/**
 * A file name the model folder holds: no directory part, not "." or "..". A manifest names files beside
 * it, and one from a downloaded or shared model folder must not reach files outside it ("../../x").
 */
export function isFileInFolder(name: unknown): boolean {
  return typeof name === 'string' && name !== '' && name !== '.' && name !== '..' && !/[/\\\0]/.test(name);
}

function check(condition: boolean, modelDir: string, detail: string): asserts condition {
  if (!condition) throw new ModelMismatchError(modelDir, detail);
}

export function validateManifest(manifest: ModelManifest, modelDir: string): void {
  check(
    manifest.manifestVersion === MANIFEST_VERSION,
    modelDir,
    `manifestVersion ${manifest.manifestVersion}, expected ${MANIFEST_VERSION}`,
  );
  try {
    validateFrontEndConfig(manifest.frontend);
  } catch (error) {
    check(false, modelDir, (error as Error).message);
  }
  const dim = manifest.frontend.mfccCoefficients;
  const { mean, std } = manifest.normalization;
  check(
    Array.isArray(mean) && mean.length === dim,
    modelDir,
    `normalization.mean has ${mean?.length} values, expected ${dim}`,
  );
  check(
    Array.isArray(std) && std.length === dim,
    modelDir,
    `normalization.std has ${std?.length} values, expected ${dim}`,
  );
  check(
    std.every((s) => s > 0 && Number.isFinite(s)),
    modelDir,
    'normalization.std must be positive',
  );
  const { meanFrom } = manifest.normalization;
  check(
    meanFrom === undefined || meanFrom === 'training' || meanFrom === 'utterance',
    modelDir,
    `normalization.meanFrom must be "training" or "utterance", not ${JSON.stringify(meanFrom)}`,
  );
  const { meanPriorFrames } = manifest.normalization;
  check(
    meanPriorFrames === undefined ||
      (meanFrom === 'utterance' && Number.isFinite(meanPriorFrames) && meanPriorFrames >= 0),
    modelDir,
    `normalization.meanPriorFrames must be a number ≥ 0 with meanFrom "utterance", not ${JSON.stringify(meanPriorFrames)}`,
  );
  const { size, stride } = manifest.stacking;
  check(
    Number.isInteger(size) && size >= 1 && Number.isInteger(stride) && stride >= 1,
    modelDir,
    `invalid stacking ${size}/${stride}`,
  );
  check(Array.isArray(manifest.alphabet) && manifest.alphabet.length >= 2, modelDir, 'alphabet is missing');
  check(
    manifest.blankIndex >= 0 && manifest.blankIndex < manifest.alphabet.length,
    modelDir,
    `blankIndex ${manifest.blankIndex} is outside the alphabet`,
  );
  check(manifest.alphabet.includes(' '), modelDir, 'alphabet has no space (word separator)');
  check(
    isFileInFolder(manifest.modelFile),
    modelDir,
    `modelFile must be the name of a file in the model folder, not ${JSON.stringify(manifest.modelFile)}`,
  );
  const decoder = manifest.decoder;
  check(
    decoder?.type === 'greedy' || decoder?.type === 'beam',
    modelDir,
    `unknown decoder type ${decoder?.type}`,
  );
  if (decoder.type === 'beam') {
    check(decoder.lmFile !== undefined, modelDir, 'beam decoder needs lmFile');
    for (const key of DECODER_FILE_KEYS) {
      const file = decoder[key];
      check(
        file === undefined || isFileInFolder(file),
        modelDir,
        `decoder.${key} must be the name of a file in the model folder, not ${JSON.stringify(file)}`,
      );
    }
    check(
      decoder.letterToSoundFile === undefined || decoder.pronunciationsFile !== undefined,
      modelDir,
      'decoder.letterToSoundFile needs a pronunciationsFile beside it',
    );
    for (const key of ['alpha', 'beta', 'beamWidth', 'prunePerFrame'] as const) {
      check(Number.isFinite(decoder[key]), modelDir, `decoder.${key} must be a number`);
    }
    check(decoder.beamWidth >= 1, modelDir, 'decoder.beamWidth must be at least 1');
    if (decoder.confidence !== undefined) {
      try {
        validateCalibration(decoder.confidence);
      } catch (error) {
        check(false, modelDir, `decoder.${(error as Error).message}`);
      }
    }
  }
}

export async function readManifest(modelDir: string): Promise<ModelManifest> {
  const file = path.join(modelDir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new ModelMissingError(modelDir, `no ${MANIFEST_FILE} found`, { cause });
  }
  let manifest: ModelManifest;
  try {
    manifest = JSON.parse(text) as ModelManifest;
  } catch {
    throw new ModelMismatchError(modelDir, `${MANIFEST_FILE} is not valid JSON`);
  }
  validateManifest(manifest, modelDir);
  return manifest;
}
