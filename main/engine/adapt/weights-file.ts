/**
 * Learned weights on disk: one file holding every weight tensor of a model, with the name of the model
 * they belong to and each tensor's shape. Learning from corrections keeps its result this way (the model
 * folder itself is the app's and stays as shipped). Written to a temporary file and renamed over the
 * target, so a crash leaves the old file or the new one, never a part.
 *
 * Layout: "SSLW1\n", a little-endian uint32 header length, the JSON header, then the float32 values of
 * every tensor in order.
 */
import { open, readFile, rename, rm } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { isUsableLmWeights, type LmWeights } from '../decoder/beam-decoder';

const MAGIC = 'SSLW1\n';

export interface WeightsHeader {
  /** The manifest name of the model the weights were learned for. */
  model: string;
  shapes: number[][];
  createdAt: string;
  /** The beam decoder's LM weight and word bonus chosen with these weights (absent: the manifest's). */
  decoder?: LmWeights;
}

export class WeightsFileError extends Error {}

/** Writes `weights` (read back with readWeightsFile) for the model named `model`, with the decoder's LM weights. */
export async function writeWeightsFile(
  file: string,
  model: string,
  weights: tf.Tensor[],
  decoder?: LmWeights,
): Promise<void> {
  const header: WeightsHeader = {
    model,
    shapes: weights.map((w) => [...w.shape]),
    createdAt: new Date().toISOString(),
    ...(decoder ? { decoder } : {}),
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length);
  const parts: Uint8Array[] = [Buffer.from(MAGIC), length, json];
  for (const w of weights) {
    const values = w.dataSync() as Float32Array;
    parts.push(Buffer.from(values.buffer, values.byteOffset, values.byteLength));
  }
  const temp = `${file}.${process.pid}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(Buffer.concat(parts));
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Reads a weights file: its header and one Float32Array per tensor. */
export async function readWeightsFile(
  file: string,
): Promise<{ header: WeightsHeader; values: Float32Array[] }> {
  const bytes = await readFile(file);
  const bad = (why: string) => new WeightsFileError(`${file} is not a learned-weights file: ${why}`);
  if (bytes.length < MAGIC.length + 4 || bytes.subarray(0, MAGIC.length).toString() !== MAGIC)
    throw bad('no header');
  const headerLength = bytes.readUInt32LE(MAGIC.length);
  const start = MAGIC.length + 4;
  if (start + headerLength > bytes.length) throw bad('the header is cut short');
  let header: WeightsHeader;
  try {
    header = JSON.parse(bytes.subarray(start, start + headerLength).toString('utf8')) as WeightsHeader;
  } catch {
    throw bad('the header is not JSON');
  }
  if (typeof header?.model !== 'string' || !Array.isArray(header.shapes))
    throw bad('the header is incomplete');
  let offset = start + headerLength;
  const values: Float32Array[] = [];
  for (const shape of header.shapes) {
    const count = shape.reduce((a, b) => a * b, 1);
    const end = offset + count * 4;
    if (end > bytes.length) throw bad('the values are cut short');
    // A copy: the values of a Buffer slice need not be 4-byte aligned.
    values.push(new Float32Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + end)));
    offset = end;
  }
  if (offset !== bytes.length) throw bad('there are values past the last tensor');
  return { header, values };
}

/**
 * The weights of `file` as tensors for a model named `model` whose weights have `shapes`; null when
 * they were learned for another model (a different name or architecture). The caller disposes them.
 */
export async function loadWeightsFor(
  file: string,
  model: string,
  shapes: readonly (readonly number[])[],
): Promise<{ weights: tf.Tensor[]; decoder: LmWeights | null } | null> {
  const { header, values } = await readWeightsFile(file);
  const sameShapes =
    header.shapes.length === shapes.length &&
    header.shapes.every((s, i) => s.length === shapes[i].length && s.every((d, k) => d === shapes[i][k]));
  if (header.model !== model || !sameShapes) return null;
  const d = header.decoder;
  const decoder = d && isUsableLmWeights(d) ? { alpha: d.alpha, beta: d.beta } : null;
  return { weights: values.map((v, i) => tf.tensor(v, header.shapes[i])), decoder };
}
