/**
 * Picks the fastest TensorFlow.js backend present, in the product's order: tfjs-node-gpu (CUDA),
 * tfjs-node (native CPU), wasm, then the plain JavaScript cpu backend. tfjs-node(-gpu) are optional
 * dependencies whose install downloads libtensorflow, so they are often absent; that is expected and
 * not an error. The choice is process-global (tfjs has one active backend) and reported to the user.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';

export type BackendKind = 'gpu' | 'native-cpu' | 'wasm' | 'js';
/** What `--backend` and SPEECH_STUDIO_BACKEND accept: `auto` picks the fastest one present. */
export const BACKEND_PREFERENCES = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendPreference = (typeof BACKEND_PREFERENCES)[number];

export interface BackendInfo {
  /** tfjs backend name: "tensorflow", "wasm" or "cpu". */
  name: string;
  kind: BackendKind;
  /** Human-readable label for status bars and logs. */
  label: string;
  /** Why faster backends were skipped, for diagnostics. */
  skipped: string[];
}

const require = createRequire(import.meta.url);

async function tryNative(packageName: string): Promise<boolean> {
  try {
    // A variable specifier keeps bundlers and tsc from requiring the optional package to exist.
    const specifier = packageName;
    await import(specifier);
    return tf.findBackend('tensorflow') !== undefined && (await tf.setBackend('tensorflow'));
  } catch {
    return false;
  }
}

async function tryWasm(): Promise<boolean> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
    wasm.setWasmPaths(dist + path.sep);
    return await tf.setBackend('wasm');
  } catch {
    return false;
  }
}

let selected: Promise<BackendInfo> | null = null;

/**
 * Initialises tfjs once per process. `preference` (or the SPEECH_STUDIO_BACKEND environment variable)
 * forces one backend, which is how benchmarks compare them.
 */
export function initBackend(preference?: BackendPreference): Promise<BackendInfo> {
  selected ??= select(
    preference ?? (process.env.SPEECH_STUDIO_BACKEND as BackendPreference | undefined) ?? 'auto',
  );
  return selected;
}

async function select(preference: BackendPreference): Promise<BackendInfo> {
  const skipped: string[] = [];
  const want = (name: BackendPreference) => preference === 'auto' || preference === name;
  if (want('tensorflow-gpu')) {
    if (await tryNative('@tensorflow/tfjs-node-gpu')) {
      return { name: 'tensorflow', kind: 'gpu', label: 'GPU (tfjs-node-gpu)', skipped };
    }
    skipped.push('tfjs-node-gpu: not installed or no usable CUDA');
  }
  if (want('tensorflow')) {
    if (await tryNative('@tensorflow/tfjs-node')) {
      return { name: 'tensorflow', kind: 'native-cpu', label: 'native CPU (tfjs-node)', skipped };
    }
    skipped.push('tfjs-node: not installed');
  }
  if (want('wasm')) {
    if (await tryWasm())
      return { name: 'wasm', kind: 'wasm', label: 'WebAssembly (tfjs-backend-wasm)', skipped };
    skipped.push('wasm: failed to initialise');
  }
  if (await tf.setBackend('cpu')) {
    return { name: 'cpu', kind: 'js', label: 'JavaScript (tfjs cpu)', skipped };
  }
  throw new Error(`no TensorFlow.js backend could be initialised (${skipped.join('; ')})`);
}
