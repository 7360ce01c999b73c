/**
 * Fast inference for the stacked BiLSTM + dense acoustic model, with the same weights and arithmetic as
 * the tfjs LayersModel (Keras gate order i, f, c, o; sigmoid gates, tanh cell).
 *
 * Why: tfjs's LSTM layer issues about fifteen small ops per time step and direction, and on the wasm and
 * cpu backends the per-op dispatch costs far more than the arithmetic; live dictation needs the final
 * result a fraction of a second after the speaker stops. Here each layer's input projection for all time
 * steps is one large tfjs matmul, and the sequential part (the recurrent product and the gates, sigmoid
 * and tanh from a polynomial e^x) runs in a WebAssembly SIMD kernel. The golden test holds both paths to
 * the PyTorch logits.
 */
import * as tf from '@tensorflow/tfjs';
import { ModelMismatchError } from '../errors';
import { MatVecKernel, type KernelMatrix } from './kernel/matvec-kernel';

/**
 * Time steps whose gates and outputs pass through the kernel's memory at once: 64 steps of a 320-unit
 * layer take 400 KB there. Blocks of 16 to 512 steps decoded held-out utterances equally fast (within the
 * run-to-run noise, 2-core build machine), so the smaller memory wins.
 */
const LSTM_BLOCK_STEPS = 64;

interface Direction {
  /** Input kernel [inputDim, 4H] and bias [4H], applied by tfjs to all time steps at once. */
  kernel: tf.Tensor2D;
  bias: tf.Tensor1D;
  /** The recurrent kernel transposed ([4H, H]) in kernel memory. */
  recurrent: KernelMatrix;
}

interface Layer {
  units: number;
  forward: Direction;
  backward: Direction;
}

/** Per direction, layer by layer (forward then backward), its [input kernel, recurrent kernel, bias]. */
function directionWeights(weights: tf.Tensor[]): tf.Tensor[][] {
  const triples: tf.Tensor[][] = [];
  for (let w = 0; w + 2 < weights.length; w += 3) triples.push(weights.slice(w, w + 3));
  return triples;
}

/** A recurrent kernel [H, 4H] transposed to [4H, H], the rows the SIMD kernel multiplies. */
function transposedData(recurrent: tf.Tensor): Float32Array {
  const transposed = tf.transpose(recurrent);
  try {
    return transposed.dataSync() as Float32Array;
  } finally {
    transposed.dispose();
  }
}

export class FastBiLstm {
  private readonly kernel: MatVecKernel;
  private readonly layers: Layer[];
  private denseKernel: tf.Tensor2D;
  private denseBias: tf.Tensor1D;

  private constructor(kernel: MatVecKernel, layers: Layer[], dense: [tf.Tensor2D, tf.Tensor1D]) {
    this.kernel = kernel;
    this.layers = layers;
    [this.denseKernel, this.denseBias] = dense;
  }

  /**
   * Takes the weights of a model built by buildAcousticModel, in getWeights() order: per layer the forward
   * (kernel, recurrent kernel, bias) then the backward triple; last the dense kernel and bias.
   *
   * The input kernels, biases and the dense layer are the model's own tensors, used as they are: copies
   * would take another 15 MB of WebAssembly memory for the shipped model (which never shrinks). So the
   * model must outlive this object, and its weights may change in place only if refresh() follows
   * (AcousticModel.replaceWeights). Only the recurrent kernels are copied, as transposed matrices into the
   * SIMD kernel's own memory.
   */
  static fromLayersModel(model: tf.LayersModel, dir: string): FastBiLstm {
    const weights = model.getWeights();
    if (weights.length < 8 || (weights.length - 2) % 6 !== 0)
      throw new ModelMismatchError(dir, `unexpected weight layout (${weights.length} tensors)`);
    const triples = directionWeights(weights);
    let matrixFloats = 0;
    let maxUnits = 0;
    for (const [, recurrent] of triples) {
      const units = recurrent.shape[0];
      if (recurrent.shape[1] !== 4 * units || units % 4 !== 0)
        throw new ModelMismatchError(dir, `recurrent kernel of shape ${recurrent.shape} is not usable`);
      matrixFloats += recurrent.size;
      maxUnits = Math.max(maxUnits, units);
    }
    const kernel = new MatVecKernel(matrixFloats, 4 * maxUnits, maxUnits, LSTM_BLOCK_STEPS);
    const direction = ([input, recurrent, bias]: tf.Tensor[]): Direction => {
      const units = recurrent.shape[0];
      return {
        kernel: input as tf.Tensor2D,
        bias: bias as tf.Tensor1D,
        recurrent: kernel.addMatrix(transposedData(recurrent), 4 * units, units),
      };
    };
    const layers: Layer[] = [];
    for (let l = 0; l < triples.length; l += 2) {
      layers.push({
        units: triples[l][1].shape[0],
        forward: direction(triples[l]),
        backward: direction(triples[l + 1]),
      });
    }
    const dense: [tf.Tensor2D, tf.Tensor1D] = [
      weights[weights.length - 2] as tf.Tensor2D,
      weights[weights.length - 1] as tf.Tensor1D,
    ];
    return new FastBiLstm(kernel, layers, dense);
  }

  /**
   * Takes the model's weights again after they were replaced in place (AcousticModel.replaceWeights): the
   * input kernels, biases and dense layer are read afresh and the recurrent kernels are written over the
   * old ones in this kernel's memory, so a swap allocates no second kernel memory. The model must have
   * the architecture this was built for.
   */
  refresh(model: tf.LayersModel): void {
    const weights = model.getWeights();
    const triples = directionWeights(weights);
    const update = (direction: Direction, [input, recurrent, bias]: tf.Tensor[]) => {
      this.kernel.writeMatrix(direction.recurrent, transposedData(recurrent));
      direction.kernel = input as tf.Tensor2D;
      direction.bias = bias as tf.Tensor1D;
    };
    this.layers.forEach((layer, l) => {
      update(layer.forward, triples[2 * l]);
      update(layer.backward, triples[2 * l + 1]);
    });
    this.denseKernel = weights[weights.length - 2] as tf.Tensor2D;
    this.denseBias = weights[weights.length - 1] as tf.Tensor1D;
  }

  /** Number of bidirectional layers. */
  get layerCount(): number {
    return this.layers.length;
  }

  /**
   * Outputs of the first `count` bidirectional layers for input [steps, inputDim], row-major
   * [steps, 2H] (forward then backward states); `count` 0 returns the input. Speaker adaptation caches
   * these to train only the layers above.
   */
  hidden(input: Float32Array, steps: number, inputDim: number, count = this.layers.length): Float32Array {
    let x = input;
    let dim = inputDim;
    for (const layer of this.layers.slice(0, count)) {
      x = this.runLayer(layer, x, steps, dim);
      dim = 2 * layer.units;
    }
    return x;
  }

  /** Logits [steps, outputs] for input [steps, inputDim]; the caller owns the result. */
  predict(input: Float32Array, steps: number, inputDim: number): tf.Tensor2D {
    const features = this.hidden(input, steps, inputDim);
    const top = this.layers[this.layers.length - 1];
    const dim = top ? 2 * top.units : inputDim;
    return tf.tidy(() =>
      tf.add(tf.matMul(tf.tensor2d(features, [steps, dim]), this.denseKernel), this.denseBias),
    );
  }

  /** One bidirectional layer: [T, D] → [T, 2H], forward outputs then backward, like mergeMode "concat". */
  private runLayer(layer: Layer, input: Float32Array, steps: number, inputDim: number): Float32Array {
    const H = layer.units;
    const projected = tf.tidy(() => {
      const x = tf.tensor2d(input, [steps, inputDim]);
      return [layer.forward, layer.backward].map((d) => tf.add(tf.matMul(x, d.kernel), d.bias));
    });
    // Read back outside tidy(): dataSync inside a tidy scope measured ~10× slower on the wasm backend.
    const [forwardGates, backwardGates] = projected.map((t) => t.dataSync() as Float32Array);
    tf.dispose(projected);
    const output = new Float32Array(steps * 2 * H);
    this.kernel.runLstm(layer.forward.recurrent, forwardGates, steps, output, 2 * H, 0, false);
    this.kernel.runLstm(layer.backward.recurrent, backwardGates, steps, output, 2 * H, H, true);
    return output;
  }
}
