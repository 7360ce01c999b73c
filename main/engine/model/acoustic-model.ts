/**
 * The BiLSTM-CTC acoustic model in TensorFlow.js: building the architecture (also used by the exporter
 * that imports PyTorch weights), loading/saving LayersModel files without tfjs-node's file:// handler,
 * and leak-free inference.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ModelMismatchError, ModelMissingError } from '../errors';
import { FastBiLstm } from './fast-bilstm';
import { matVecKernelAvailable } from './kernel/matvec-kernel';
import { isFileInFolder, readManifest, type ModelManifest } from './manifest';

/**
 * `fast` (default where WebAssembly SIMD exists) runs the recurrence in our own kernel; `layers` runs the
 * tfjs LayersModel as is (slower; kept for comparison and as the fallback). SPEECH_STUDIO_LSTM overrides.
 */
export type InferencePath = 'fast' | 'layers';

function defaultInferencePath(): InferencePath {
  const forced = process.env.SPEECH_STUDIO_LSTM;
  if (forced === 'layers' || forced === 'fast') return forced;
  return matVecKernelAvailable() ? 'fast' : 'layers';
}

export interface ArchitectureConfig {
  inputDim: number;
  layers: number;
  units: number;
  outputs: number;
}

/**
 * Stacked bidirectional LSTMs and a per-step linear layer producing CTC logits. The activations match
 * PyTorch (sigmoid gates, tanh cell), because tfjs defaults to hardSigmoid.
 */
export function buildAcousticModel(config: ArchitectureConfig): tf.LayersModel {
  const model = tf.sequential();
  for (let l = 0; l < config.layers; l++) {
    model.add(
      tf.layers.bidirectional({
        layer: tf.layers.lstm({
          units: config.units,
          returnSequences: true,
          activation: 'tanh',
          recurrentActivation: 'sigmoid',
          // The default orthogonal initialiser is very slow for large matrices; weights are replaced anyway.
          recurrentInitializer: 'glorotUniform',
        }),
        mergeMode: 'concat',
        ...(l === 0 ? { inputShape: [null, config.inputDim] } : {}),
      }),
    );
  }
  model.add(tf.layers.dense({ units: config.outputs }));
  return model;
}

/** The configuration of a model built by buildAcousticModel, read from its weight shapes. */
export function architectureOf(model: tf.LayersModel): ArchitectureConfig {
  const weights = model.weights;
  const dense = weights[weights.length - 1];
  return {
    inputDim: weights[0].shape[0] as number,
    layers: (weights.length - 2) / 6,
    units: weights[1].shape[0] as number,
    outputs: dense.shape[0] as number,
  };
}

interface ModelJson {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/** Loads a LayersModel from `dir/modelFile` and its weight shards using plain fs. */
export async function loadLayersModelFromDir(dir: string, modelFile: string): Promise<tf.LayersModel> {
  let json: ModelJson;
  try {
    json = JSON.parse(await readFile(path.join(dir, modelFile), 'utf8')) as ModelJson;
  } catch (cause) {
    throw new ModelMissingError(dir, `cannot read ${modelFile}`, { cause });
  }
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Buffer[] = [];
  for (const group of json.weightsManifest ?? []) {
    weightSpecs.push(...group.weights);
    for (const shard of group.paths) {
      if (!isFileInFolder(shard)) {
        throw new ModelMismatchError(
          dir,
          `weight file ${JSON.stringify(shard)} is not a file in the model folder`,
        );
      }
      try {
        buffers.push(await readFile(path.join(dir, shard)));
      } catch (cause) {
        throw new ModelMissingError(dir, `weight file ${shard} is missing`, { cause });
      }
    }
  }
  const joined = Buffer.concat(buffers);
  const weightData = joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.length) as ArrayBuffer;
  try {
    return await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData }),
    );
  } catch (error) {
    throw new ModelMismatchError(dir, `tfjs could not build the model: ${(error as Error).message}`);
  }
}

/** Saves a LayersModel as `model.json` + `weights.bin` in `dir`. */
export async function saveLayersModelToDir(model: tf.LayersModel, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = artifacts.weightData as ArrayBuffer;
      await writeFile(path.join(dir, 'weights.bin'), Buffer.from(weightData));
      const modelJson = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      await writeFile(path.join(dir, 'model.json'), JSON.stringify(modelJson));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

/** A loaded model plus its manifest; owns its tensors until `dispose()`. */
export class AcousticModel {
  readonly manifest: ModelManifest;
  readonly dir: string;
  private readonly model: tf.LayersModel;
  private readonly fast: FastBiLstm | null;
  readonly inputDim: number;

  private constructor(dir: string, manifest: ModelManifest, model: tf.LayersModel, fast: FastBiLstm | null) {
    this.dir = dir;
    this.manifest = manifest;
    this.model = model;
    this.fast = fast;
    this.inputDim = manifest.frontend.mfccCoefficients * manifest.stacking.size;
  }

  /** Which implementation runs inference. */
  get inferencePath(): InferencePath {
    return this.fast ? 'fast' : 'layers';
  }

  static async load(dir: string, inference: InferencePath = defaultInferencePath()): Promise<AcousticModel> {
    const manifest = await readManifest(dir);
    const model = await loadLayersModelFromDir(dir, manifest.modelFile);
    const inputShape = model.inputs[0].shape;
    const outputShape = model.outputs[0].shape;
    const inputDim = manifest.frontend.mfccCoefficients * manifest.stacking.size;
    if (inputShape[inputShape.length - 1] !== inputDim) {
      model.dispose();
      throw new ModelMismatchError(
        dir,
        `model takes ${inputShape[inputShape.length - 1]} inputs per step, manifest implies ${inputDim}`,
      );
    }
    if (outputShape[outputShape.length - 1] !== manifest.alphabet.length) {
      model.dispose();
      throw new ModelMismatchError(
        dir,
        `model has ${outputShape[outputShape.length - 1]} outputs, alphabet has ${manifest.alphabet.length}`,
      );
    }
    let fast: FastBiLstm | null = null;
    if (inference === 'fast') {
      try {
        fast = FastBiLstm.fromLayersModel(model, dir);
      } catch (error) {
        model.dispose();
        throw error;
      }
    }
    return new AcousticModel(dir, manifest, model, fast);
  }

  /** Raw logits for `steps` stacked input vectors, row-major [steps × alphabet]. */
  async logits(input: Float32Array, steps: number): Promise<Float32Array> {
    return this.run(input, steps, false);
  }

  /** Log-posteriors (log-softmax of the logits), row-major [steps × alphabet]. */
  async logProbs(input: Float32Array, steps: number): Promise<Float32Array> {
    return this.run(input, steps, true);
  }

  private async run(input: Float32Array, steps: number, logSoftmax: boolean): Promise<Float32Array> {
    if (steps === 0) return new Float32Array(0);
    // Not inside tidy(): the fast path reads intermediate results back, which is ~10× slower in a scope.
    const raw = this.fast
      ? this.fast.predict(input, steps, this.inputDim)
      : tf.tidy(() => this.model.predict(tf.tensor3d(input, [1, steps, this.inputDim])) as tf.Tensor);
    const output = logSoftmax ? tf.tidy(() => tf.logSoftmax(raw)) : raw;
    if (output !== raw) raw.dispose();
    try {
      return (await output.data()) as Float32Array;
    } finally {
      output.dispose();
    }
  }

  /**
   * The tfjs LayersModel. The fast path shares its tensors and holds a copy of its recurrent kernels, so
   * never change its weights in place other than through replaceWeights(), which refreshes the fast path.
   */
  get layersModel(): tf.LayersModel {
    return this.model;
  }

  /**
   * Outputs of the first `count` BiLSTM layers, row-major [steps × 2·units] (forward then backward
   * states). Speaker adaptation caches these so it trains only the layers above.
   */
  hidden(input: Float32Array, steps: number, count: number): Float32Array {
    if (this.fast) return this.fast.hidden(input, steps, this.inputDim, count);
    if (count === 0) return input;
    const sub = tf.model({ inputs: this.model.inputs, outputs: this.model.layers[count - 1].output });
    const out = tf.tidy(() => sub.predict(tf.tensor3d(input, [1, steps, this.inputDim])) as tf.Tensor);
    try {
      return out.dataSync() as Float32Array;
    } finally {
      out.dispose();
    }
  }

  /**
   * A new model with the same manifest, architecture and inference path but other weights (in
   * getWeights() order, e.g. after speaker adaptation); the fast path is rebuilt from them. The caller
   * disposes both models; `weights` are copied.
   */
  withWeights(weights: tf.Tensor[], dir = this.dir): AcousticModel {
    const model = buildAcousticModel(architectureOf(this.model));
    try {
      model.setWeights(weights);
    } catch (error) {
      model.dispose();
      throw new ModelMismatchError(dir, `weights do not fit the architecture: ${(error as Error).message}`);
    }
    let fast: FastBiLstm | null = null;
    if (this.fast) {
      try {
        fast = FastBiLstm.fromLayersModel(model, dir);
      } catch (error) {
        model.dispose();
        throw error;
      }
    }
    return new AcousticModel(dir, this.manifest, model, fast);
  }

  /**
   * Continues with other weights for the same architecture, in place: the model's variables take the
   * given tensors' data (tfjs shares it: no copy) and the fast path takes them (its recurrent kernels
   * written over the old ones). An engine that swaps in learned weights this way keeps one model in
   * WebAssembly memory, which never shrinks: building a second model for each swap (withWeights) left the
   * engine 43 MB larger after each of the first two swaps (measured). Only for a model nothing else is
   * using meanwhile (the engine's own, between decodes); the caller still disposes `weights`.
   */
  replaceWeights(weights: tf.Tensor[]): void {
    const current = this.model.getWeights();
    const fits =
      weights.length === current.length &&
      weights.every((w, i) => tf.util.arraysEqual(w.shape, current[i].shape));
    // Checked before anything is written: a mismatch half-way would leave a mixed model.
    if (!fits) throw new ModelMismatchError(this.dir, 'weights do not fit the architecture');
    this.model.setWeights(weights);
    this.fast?.refresh(this.model);
  }

  dispose(): void {
    // The fast path holds no tensors of its own (it uses the model's).
    this.model.dispose();
  }
}
