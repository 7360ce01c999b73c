/**
 * Where models live, without loading anything: code that only needs a model's folder (the queue's
 * client fingerprints it) must not pull TensorFlow.js into its process, as importing engine.ts does.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's (or packaged app's) models folder. */
export const MODELS_DIR = fileURLToPath(new URL('../../models/', import.meta.url));
export const DEFAULT_MODEL = 'default';
/** The punctuation and capitals model every engine loads unless told otherwise. */
export const DEFAULT_PUNCTUATION_DIR = path.join(MODELS_DIR, 'punct');

/** Resolves a model name (a folder in models/) or a path to a model folder. */
export function resolveModelDir(nameOrPath: string, modelsDir = MODELS_DIR): string {
  if (nameOrPath.includes('/') || nameOrPath.includes(path.sep) || nameOrPath.startsWith('.')) {
    return path.resolve(nameOrPath);
  }
  return path.join(modelsDir, nameOrPath);
}
