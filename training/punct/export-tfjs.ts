/**
 * Builds the punctuation network in TensorFlow.js from training/punct/train.py's export (float32 tensors
 * + vocabulary + case lexicon) and writes models/punct: model.json + weights.bin (weights stored as
 * float16, half the size, decoded by tfjs at load), manifest.json, vocab.txt, case-lexicon.txt.
 *
 *   npx tsx training/punct/export-tfjs.ts [--export training/work/punct/run/export] [--out models/punct]
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { saveLayersModelToDir } from '../../main/engine/model/acoustic-model';
import { initBackend } from '../../main/engine/model/backend';
import { Punctuator, type PunctuationManifest } from '../../main/engine/punctuation';

interface ExportJson {
  tensors: { name: string; shape: number[] }[];
  vocab: string[];
  oovBuckets: number;
  suffixBuckets: number;
  wordDim: number;
  suffixDim: number;
  channels: number;
  blocks: [kernel: number, dilation: number][];
  scores: unknown;
  /** Absent in exports from before train.py wrote them. */
  golden?: { words: string[]; logits: number[] }[];
}

const { values } = parseArgs({
  options: {
    export: { type: 'string', default: 'training/work/punct/run/export' },
    out: { type: 'string', default: 'models/punct' },
  },
});
const exportDir = values.export!;
const outDir = values.out!;

await initBackend('cpu');
const meta = JSON.parse(await readFile(path.join(exportDir, 'export.json'), 'utf8')) as ExportJson;
const blob = await readFile(path.join(exportDir, 'weights.f32'));
const floats = new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.length));
const tensors = new Map<string, tf.Tensor>();
let offset = 0;
for (const { name, shape } of meta.tensors) {
  const size = shape.reduce((a, b) => a * b, 1);
  tensors.set(name, tf.tensor(floats.subarray(offset, offset + size), shape));
  offset += size;
}
const get = (name: string) => {
  const t = tensors.get(name);
  if (!t) throw new Error(`export lacks ${name}`);
  return t;
};
// PyTorch Conv1d [out, in, kernel] → tfjs conv1d [kernel, in, out]; Linear [out, in] → dense [in, out].
const conv = (name: string) => [get(`${name}.weight`).transpose([2, 1, 0]), get(`${name}.bias`)];

const vocabRows = 1 + meta.oovBuckets + meta.vocab.length;
const words = tf.input({ shape: [null], dtype: 'int32', name: 'words' });
const suffixes = tf.input({ shape: [null], dtype: 'int32', name: 'suffixes' });
const wordEmbedding = tf.layers.embedding({ inputDim: vocabRows, outputDim: meta.wordDim, name: 'word' });
const suffixEmbedding = tf.layers.embedding({
  inputDim: meta.suffixBuckets + 1,
  outputDim: meta.suffixDim,
  name: 'suffix',
});
const joined = tf.layers
  .concatenate({ name: 'features' })
  .apply([wordEmbedding.apply(words), suffixEmbedding.apply(suffixes)] as tf.SymbolicTensor[]);
const convIn = tf.layers.conv1d({
  filters: meta.channels,
  kernelSize: 5,
  padding: 'same',
  activation: 'relu',
  name: 'conv_in',
});
let x = convIn.apply(joined) as tf.SymbolicTensor;
const blockLayers = meta.blocks.map(([kernel, dilation], i) =>
  tf.layers.conv1d({
    filters: meta.channels,
    kernelSize: kernel,
    dilationRate: dilation,
    padding: 'same',
    activation: 'relu',
    name: `block_${i}`,
  }),
);
for (const [i, layer] of blockLayers.entries()) {
  x = tf.layers
    .add({ name: `residual_${i}` })
    .apply([x, layer.apply(x) as tf.SymbolicTensor]) as tf.SymbolicTensor;
}
const head = tf.layers.dense({ units: 8, name: 'marks_and_cases' });
const model = tf.model({
  inputs: [words, suffixes],
  outputs: head.apply(x) as tf.SymbolicTensor,
  name: 'punct',
});

wordEmbedding.setWeights([get('word.weight')]);
suffixEmbedding.setWeights([get('suffix.weight')]);
convIn.setWeights(conv('conv_in'));
blockLayers.forEach((layer, i) => layer.setWeights(conv(`blocks.${i}`)));
head.setWeights([get('out.weight').transpose(), get('out.bias')]);

await mkdir(outDir, { recursive: true });
await saveLayersModelToDir(model, outDir);

// Store the weights as float16 (tfjs decodes `quantization: float16` at load): half the size.
const modelJson = JSON.parse(await readFile(path.join(outDir, 'model.json'), 'utf8')) as {
  weightsManifest: {
    paths: string[];
    weights: { name: string; shape: number[]; dtype: string; quantization?: object }[];
  }[];
};
const full = await readFile(path.join(outDir, 'weights.bin'));
const all = new Float32Array(full.buffer.slice(full.byteOffset, full.byteOffset + full.length));
const half = new Uint16Array(all.length);
for (let i = 0; i < all.length; i++) half[i] = toFloat16(all[i]);
for (const spec of modelJson.weightsManifest[0].weights) spec.quantization = { dtype: 'float16' };
await writeFile(path.join(outDir, 'weights.bin'), Buffer.from(half.buffer));
await writeFile(path.join(outDir, 'model.json'), JSON.stringify(modelJson));

await writeFile(path.join(outDir, 'vocab.txt'), meta.vocab.join('\n') + '\n');
await copyFile(path.join(exportDir, 'case-lexicon.txt'), path.join(outDir, 'case-lexicon.txt'));
const receptive = 2 + meta.blocks.reduce((sum, [kernel, dilation]) => sum + ((kernel - 1) / 2) * dilation, 0);
const manifest: PunctuationManifest = {
  format: 'speech-studio-punctuation',
  version: 1,
  name: 'punct',
  modelFile: 'model.json',
  vocabFile: 'vocab.txt',
  caseLexiconFile: 'case-lexicon.txt',
  oovBuckets: meta.oovBuckets,
  suffixBuckets: meta.suffixBuckets,
  suffixLength: 3,
  contextWords: receptive,
};
await writeFile(path.join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
await writeFile(path.join(outDir, 'training.json'), JSON.stringify(meta.scores, null, 2) + '\n');
// The shipped files must compute what PyTorch computed (float16 weights: to about 1e-2).
const punctuator = await Punctuator.load(outDir);
if (!meta.golden?.length)
  console.warn('warning: the export has no golden logits; tfjs is not checked against PyTorch');
for (const { words, logits } of meta.golden ?? []) {
  const got = punctuator.rawLogits(words);
  const worst = Math.max(...logits.map((v, i) => Math.abs(v - got[i])));
  if (!(worst < 0.05)) throw new Error(`tfjs differs from PyTorch by ${worst} on "${words.join(' ')}"`);
  console.log(`golden "${words.join(' ')}": largest difference ${worst.toFixed(4)}`);
}
punctuator.dispose();
console.log(`wrote ${outDir}: ${model.countParams()} parameters, context ±${receptive} words`);

/** IEEE 754 half precision, rounded to nearest. */
function toFloat16(value: number): number {
  const f = new Float32Array([value]);
  const bits = new Uint32Array(f.buffer)[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  let mantissa = bits & 0x7fffff;
  if (exponent <= 0) {
    if (exponent < -10) return sign;
    mantissa |= 0x800000;
    return sign | ((mantissa >> (14 - exponent)) + ((mantissa >> (13 - exponent)) & 1));
  }
  if (exponent >= 31) return sign | 0x7c00;
  return sign | ((exponent << 10) + (mantissa >> 13) + ((mantissa >> 12) & 1));
}
