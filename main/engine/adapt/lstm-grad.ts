/**
 * Training-time forward and backward passes of one bidirectional LSTM layer (Keras gate order i, f, c, o;
 * sigmoid gates, tanh cell — the same arithmetic as buildAcousticModel and the fast inference path).
 *
 * Why not tfjs layers: backpropagating through `tf.layers.lstm` costs ~50 s per utterance on the cpu
 * backend and aborts inside the wasm backend (measured while building speaker adaptation). Here the
 * per-step recurrence and its backpropagation through time run in JavaScript, with the one [H × 4H]
 * product per step and direction (each way) in the fast path's WebAssembly SIMD mat-vec kernel where
 * available, and the large products over all time steps — the input projection and the weight
 * gradients — are single tfjs matmuls.
 */
import * as tf from '@tensorflow/tfjs';
import { MatVecKernel, matVecKernelAvailable, type KernelMatrix } from '../model/kernel/matvec-kernel';

/** One direction's weights as flat row-major arrays. */
export interface LstmDirectionWeights {
  /** Input kernel [D, 4H]. */
  kernel: Float32Array;
  /** Recurrent kernel [H, 4H]. */
  recurrent: Float32Array;
  /** Bias [4H]. */
  bias: Float32Array;
}

/** Activations of one direction kept for the backward pass. */
interface DirectionCache {
  /** Post-activation gates i, f, g, o per step (time order), [T, 4H]. */
  gates: Float32Array;
  /** Cell states [T, H]. */
  cell: Float32Array;
  /** Hidden states [T, H]. */
  hidden: Float32Array;
}

export interface BiLstmCache {
  input: Float32Array;
  steps: number;
  inputDim: number;
  units: number;
  forward: DirectionCache;
  backward: DirectionCache;
}

export interface BiLstmGradients {
  forward: LstmDirectionWeights;
  backward: LstmDirectionWeights;
  /** d loss / d input [T, D], when asked for (to train the layer below). */
  input?: Float32Array;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * y = Mᵀ·v or y = M·v for a recurrent kernel M [H, 4H]: `transposed` (forward pass) gives the 4H gate
 * contributions of a state, otherwise (backward pass) the H state gradients of 4H gate gradients.
 */
type Product = (v: Float32Array | Float64Array, out: Float64Array) => void;

/** M or Mᵀ of a row-major [H, 4H] recurrent kernel, row-major, as the mat-vec kernel takes it. */
function kernelLayout(recurrent: Float32Array, H: number, transposed: boolean): Float32Array {
  if (!transposed) return recurrent;
  const G = 4 * H;
  const t = new Float32Array(G * H);
  for (let j = 0; j < H; j++) for (let k = 0; k < G; k++) t[k * H + j] = recurrent[j * G + k];
  return t;
}

function javascriptProduct(recurrent: Float32Array, H: number, transposed: boolean): Product {
  const G = 4 * H;
  return transposed
    ? (v, out) => {
        out.fill(0, 0, G);
        for (let j = 0; j < H; j++) {
          const h = v[j];
          const row = j * G;
          for (let k = 0; k < G; k++) out[k] += h * recurrent[row + k];
        }
      }
    : (v, out) => {
        for (let j = 0; j < H; j++) {
          const row = j * G;
          let sum = 0;
          for (let k = 0; k < G; k++) sum += recurrent[row + k] * v[k];
          out[j] = sum;
        }
      };
}

/**
 * The recurrent kernels of the weights being trained, in WebAssembly memory each way round, kept while
 * the weights stay as they are: copying (and transposing) them for every utterance and direction took
 * about a tenth of an adaptation round. Call `weightsChanged()` after changing any weight in place.
 */
export class RecurrentProducts {
  private readonly kernels = new Map<
    Float32Array,
    Map<boolean, { kernel: MatVecKernel; matrix: KernelMatrix; version: number; product: Product }>
  >();
  private version = 0;

  weightsChanged(): void {
    this.version++;
  }

  /** y = Mᵀ·v (`transposed`: a state's 4H gate contributions) or y = M·v for M [H, 4H]. */
  get(recurrent: Float32Array, H: number, transposed: boolean): Product {
    if (!matVecKernelAvailable() || H % 4 !== 0) return javascriptProduct(recurrent, H, transposed);
    let ways = this.kernels.get(recurrent);
    if (!ways) this.kernels.set(recurrent, (ways = new Map()));
    const G = 4 * H;
    let entry = ways.get(transposed);
    if (!entry) {
      const kernel = new MatVecKernel(G * H, G, G);
      const matrix = transposed
        ? kernel.addMatrix(kernelLayout(recurrent, H, true), G, H)
        : kernel.addMatrix(recurrent, H, G);
      const product: Product = (v, out) => {
        kernel.x.set(v);
        kernel.multiply(matrix);
        for (let k = 0; k < matrix.rows; k++) out[k] = kernel.y[k];
      };
      entry = { kernel, matrix, version: this.version, product };
      ways.set(transposed, entry);
    } else if (entry.version !== this.version) {
      entry.kernel.writeMatrix(entry.matrix, kernelLayout(recurrent, H, transposed));
      entry.version = this.version;
    }
    return entry.product;
  }
}

/** x [T, D] · W [D, N] + b with one tfjs matmul. */
function project(x: Float32Array, T: number, D: number, w: LstmDirectionWeights, H: number): Float32Array {
  const out = tf.tidy(() =>
    tf.add(tf.matMul(tf.tensor2d(x, [T, D]), tf.tensor2d(w.kernel, [D, 4 * H])), tf.tensor1d(w.bias)),
  );
  const data = out.dataSync() as Float32Array;
  out.dispose();
  return data;
}

function runDirection(
  pre: Float32Array,
  recurrent: Float32Array,
  T: number,
  H: number,
  reverse: boolean,
  products: RecurrentProducts,
): DirectionCache {
  const G = 4 * H;
  const gates = new Float32Array(T * G);
  const cell = new Float32Array(T * H);
  const hidden = new Float32Array(T * H);
  const z = new Float64Array(G);
  const product = products.get(recurrent, H, true);
  let prev = -1;
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    if (prev >= 0) product(hidden.subarray(prev * H, prev * H + H), z);
    else z.fill(0);
    for (let k = 0; k < G; k++) z[k] += pre[t * G + k];
    for (let k = 0; k < H; k++) {
      const i = sigmoid(z[k]);
      const f = sigmoid(z[H + k]);
      const g = Math.tanh(z[2 * H + k]);
      const o = sigmoid(z[3 * H + k]);
      const c = f * (prev >= 0 ? cell[prev * H + k] : 0) + i * g;
      gates[t * G + k] = i;
      gates[t * G + H + k] = f;
      gates[t * G + 2 * H + k] = g;
      gates[t * G + 3 * H + k] = o;
      cell[t * H + k] = c;
      hidden[t * H + k] = o * Math.tanh(c);
    }
    prev = t;
  }
  return { gates, cell, hidden };
}

/**
 * Forward pass of a bidirectional layer; `output` is [T, 2H] (forward states, then backward). Pass the
 * same `products` for as long as the weights do not change.
 */
export function biLstmForward(
  input: Float32Array,
  steps: number,
  inputDim: number,
  weights: { forward: LstmDirectionWeights; backward: LstmDirectionWeights },
  products = new RecurrentProducts(),
): { output: Float32Array; cache: BiLstmCache } {
  const H = weights.forward.bias.length / 4;
  const forward = runDirection(
    project(input, steps, inputDim, weights.forward, H),
    weights.forward.recurrent,
    steps,
    H,
    false,
    products,
  );
  const backward = runDirection(
    project(input, steps, inputDim, weights.backward, H),
    weights.backward.recurrent,
    steps,
    H,
    true,
    products,
  );
  const output = new Float32Array(steps * 2 * H);
  for (let t = 0; t < steps; t++) {
    output.set(forward.hidden.subarray(t * H, (t + 1) * H), t * 2 * H);
    output.set(backward.hidden.subarray(t * H, (t + 1) * H), t * 2 * H + H);
  }
  return { output, cache: { input, steps, inputDim, units: H, forward, backward } };
}

/** Backpropagation through time for one direction: gate pre-activation gradients [T, 4H]. */
function backDirection(
  cache: DirectionCache,
  dOut: Float32Array,
  column: number,
  recurrent: Float32Array,
  T: number,
  H: number,
  reverse: boolean,
  products: RecurrentProducts,
): Float32Array {
  const G = 4 * H;
  const dz = new Float32Array(T * G);
  const dhNext = new Float64Array(H);
  const dcNext = new Float64Array(H);
  const product = products.get(recurrent, H, false);
  for (let s = T - 1; s >= 0; s--) {
    const t = reverse ? T - 1 - s : s;
    const prev = s > 0 ? (reverse ? t + 1 : t - 1) : -1;
    const g0 = t * G;
    for (let k = 0; k < H; k++) {
      const i = cache.gates[g0 + k];
      const f = cache.gates[g0 + H + k];
      const g = cache.gates[g0 + 2 * H + k];
      const o = cache.gates[g0 + 3 * H + k];
      const c = cache.cell[t * H + k];
      const tc = Math.tanh(c);
      const dh = dOut[t * 2 * H + column + k] + dhNext[k];
      const dc = dcNext[k] + dh * o * (1 - tc * tc);
      const cPrev = prev >= 0 ? cache.cell[prev * H + k] : 0;
      dz[g0 + k] = dc * g * i * (1 - i);
      dz[g0 + H + k] = dc * cPrev * f * (1 - f);
      dz[g0 + 2 * H + k] = dc * i * (1 - g * g);
      dz[g0 + 3 * H + k] = dh * tc * o * (1 - o);
      dcNext[k] = dc * f;
    }
    // dh_{prev} = U · dz_t, with U [H, 4H].
    product(dz.subarray(g0, g0 + G), dhNext);
  }
  return dz;
}

/** Hidden states shifted by one step in processing order (h_{t-1} for the forward direction), [T, H]. */
function previousStates(hidden: Float32Array, T: number, H: number, reverse: boolean): Float32Array {
  const out = new Float32Array(T * H);
  for (let t = 0; t < T; t++) {
    const prev = reverse ? t + 1 : t - 1;
    if (prev >= 0 && prev < T) out.set(hidden.subarray(prev * H, (prev + 1) * H), t * H);
  }
  return out;
}

/**
 * aᵀ·b for a [T, M], b [T, N], as a flat [M, N] array. An explicit transpose: matMul's transposeA flag
 * measured ~10× slower on the wasm backend.
 */
function transposedProduct(a: Float32Array, b: Float32Array, T: number, M: number, N: number): Float32Array {
  const out = tf.tidy(() => tf.matMul(tf.transpose(tf.tensor2d(a, [T, M])), tf.tensor2d(b, [T, N])));
  const data = out.dataSync() as Float32Array;
  out.dispose();
  return data;
}

function columnSums(a: Float32Array, T: number, N: number): Float32Array {
  const out = new Float32Array(N);
  for (let t = 0; t < T; t++) for (let k = 0; k < N; k++) out[k] += a[t * N + k];
  return out;
}

/** dz [T, 4H] · Wᵀ for W [D, 4H]: the input gradient [T, D] of one direction. */
function inputGradient(
  dz: Float32Array,
  kernel: Float32Array,
  T: number,
  D: number,
  H: number,
): Float32Array {
  const out = tf.tidy(() =>
    tf.matMul(tf.tensor2d(dz, [T, 4 * H]), tf.transpose(tf.tensor2d(kernel, [D, 4 * H]))),
  );
  const data = out.dataSync() as Float32Array;
  out.dispose();
  return data;
}

/**
 * Gradients of a loss with respect to the layer's weights, given d loss / d output ([T, 2H]) and the
 * cache of biLstmForward. With `withInput`, also the gradient with respect to the layer's input, for
 * backpropagating into the layer below.
 */
export function biLstmBackward(
  cache: BiLstmCache,
  dOutput: Float32Array,
  weights: { forward: LstmDirectionWeights; backward: LstmDirectionWeights },
  withInput = false,
  products = new RecurrentProducts(),
): BiLstmGradients {
  const { steps: T, inputDim: D, units: H, input } = cache;
  let dInput: Float32Array | undefined;
  const grads = (which: 'forward' | 'backward', column: number, reverse: boolean): LstmDirectionWeights => {
    const dz = backDirection(
      cache[which],
      dOutput,
      column,
      weights[which].recurrent,
      T,
      H,
      reverse,
      products,
    );
    if (withInput) {
      const part = inputGradient(dz, weights[which].kernel, T, D, H);
      if (dInput) for (let j = 0; j < part.length; j++) dInput[j] += part[j];
      else dInput = part;
    }
    return {
      kernel: transposedProduct(input, dz, T, D, 4 * H),
      recurrent: transposedProduct(previousStates(cache[which].hidden, T, H, reverse), dz, T, H, 4 * H),
      bias: columnSums(dz, T, 4 * H),
    };
  };
  const forward = grads('forward', 0, false);
  const backward = grads('backward', H, true);
  return { forward, backward, ...(dInput ? { input: dInput } : {}) };
}
