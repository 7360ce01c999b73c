/**
 * Adapted models in a user profile: <profileDir>/models/<name>/, each a model folder with a manifest.
 * No TensorFlow.js here: Electron's main process lists and removes these folders, and tfjs must stay out
 * of it (the engine runs in its own process).
 */
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { MANIFEST_FILE } from '../model/manifest-file';

/** Letters, digits, ".", "_", "-"; at most 64; no "..": a name that cannot leave the models folder. */
export const ADAPTED_MODEL_NAME = /^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function isAdaptedModelName(name: string): boolean {
  return ADAPTED_MODEL_NAME.test(name);
}

/** Where an adapted model named `name` lives; throws for names that could escape the folder. */
export function adaptedModelDir(profileDir: string, name: string): string {
  if (!isAdaptedModelName(name))
    throw new RangeError(`invalid model name "${name}" (letters, digits, ".", "_", "-"; at most 64)`);
  return path.join(profileDir, 'models', name);
}

const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );

/** Removes an adapted model folder; false when there was none. */
export async function deleteAdaptedModel(profileDir: string, name: string): Promise<boolean> {
  const dir = adaptedModelDir(profileDir, name);
  if (!(await exists(path.join(dir, MANIFEST_FILE)))) return false;
  await rm(dir, { recursive: true, force: true });
  return true;
}

/** Names of the adapted models in a profile (folders with a manifest), sorted. */
export async function listAdaptedModels(profileDir: string): Promise<string[]> {
  const root = path.join(profileDir, 'models');
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  const names: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || !isAdaptedModelName(entry.name)) continue;
    if (await exists(path.join(root, entry.name, MANIFEST_FILE))) names.push(entry.name);
  }
  return names.sort();
}
