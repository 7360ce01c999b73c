import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../model/backend';
import { ctcLoss, ctcLossAndGrad, ctcMinFrames } from './ctc-loss';

/** Deterministic pseudo-random numbers in [-scale, scale). */
function randomArray(n: number, seed: number, scale = 2): Float64Array {
  let state = seed;
  return Float64Array.from({ length: n }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return (state / 2147483648) * 2 * scale - scale;
  });
}

/** −log p(labels) by summing over every one of the K^T frame paths that collapses to the labels. */
function bruteForceLoss(
  logits: ArrayLike<number>,
  T: number,
  K: number,
  labels: number[],
  blank = 0,
): number {
  const logp: number[] = [];
  for (let t = 0; t < T; t++) {
    let sum = 0;
    for (let k = 0; k < K; k++) sum += Math.exp(logits[t * K + k]);
    for (let k = 0; k < K; k++) logp.push(logits[t * K + k] - Math.log(sum));
  }
  let total = 0;
  const path = new Array<number>(T).fill(0);
  for (let n = 0; n < K ** T; n++) {
    let rest = n;
    for (let t = 0; t < T; t++) {
      path[t] = rest % K;
      rest = Math.floor(rest / K);
    }
    const collapsed: number[] = [];
    for (let t = 0; t < T; t++) {
      if (path[t] !== blank && (t === 0 || path[t] !== path[t - 1])) collapsed.push(path[t]);
    }
    if (collapsed.length === labels.length && collapsed.every((c, i) => c === labels[i])) {
      let lp = 0;
      for (let t = 0; t < T; t++) lp += logp[t * K + path[t]];
      total += Math.exp(lp);
    }
  }
  return -Math.log(total);
}

const CASES: { T: number; K: number; labels: number[]; blank?: number }[] = [
  { T: 1, K: 2, labels: [1] },
  { T: 1, K: 2, labels: [] },
  { T: 3, K: 2, labels: [] },
  { T: 3, K: 3, labels: [1, 2] },
  { T: 4, K: 3, labels: [1, 1] }, // repeated label: needs a blank between
  { T: 3, K: 3, labels: [1, 1] }, // exactly the minimum frames
  { T: 5, K: 3, labels: [2, 1, 2] },
  { T: 5, K: 3, labels: [1, 1, 1] },
  { T: 5, K: 2, labels: [1] },
  { T: 4, K: 3, labels: [0, 1], blank: 2 }, // a blank that is not index 0
];

describe('ctcLossAndGrad', () => {
  it.each(CASES)('matches brute-force enumeration of alignments (T=$T, K=$K, labels=$labels)', (c) => {
    for (const seed of [1, 7, 42]) {
      const logits = randomArray(c.T * c.K, seed);
      const { loss, feasible } = ctcLossAndGrad(logits, c.T, c.K, c.labels, { blank: c.blank });
      expect(feasible).toBe(true);
      expect(loss).toBeCloseTo(bruteForceLoss(logits, c.T, c.K, c.labels, c.blank), 9);
    }
  });

  it.each(CASES)('gradient matches central finite differences (T=$T, K=$K, labels=$labels)', (c) => {
    const logits = randomArray(c.T * c.K, 3);
    const { grad } = ctcLossAndGrad(logits, c.T, c.K, c.labels, { blank: c.blank });
    const h = 1e-5;
    for (let i = 0; i < logits.length; i++) {
      const plus = Float64Array.from(logits);
      const minus = Float64Array.from(logits);
      plus[i] += h;
      minus[i] -= h;
      const numeric =
        (ctcLossAndGrad(plus, c.T, c.K, c.labels, c).loss -
          ctcLossAndGrad(minus, c.T, c.K, c.labels, c).loss) /
        (2 * h);
      expect(Math.abs(grad[i] - numeric)).toBeLessThan(1e-5);
    }
  });

  it('reports infeasible label sequences instead of returning NaN', () => {
    expect(ctcMinFrames([1, 1, 2])).toBe(4);
    const logits = randomArray(3 * 3, 5);
    const zeroed = ctcLossAndGrad(logits, 3, 3, [1, 1, 2]);
    expect(zeroed.feasible).toBe(false);
    expect(zeroed.loss).toBe(0);
    expect(zeroed.grad.every((g) => g === 0)).toBe(true);
    expect(ctcLossAndGrad(logits, 3, 3, [1, 1, 2], { zeroInfinity: false }).loss).toBe(Infinity);
    expect(() => ctcLossAndGrad(logits, 3, 3, [0])).toThrow(/blank/);
  });

  it('is finite for 300 frames with large logits, and the gradient rows sum to zero', () => {
    const T = 300;
    const K = 29;
    const logits = randomArray(T * K, 11, 40); // peaky: per-frame probabilities down to e^-80
    const labels = Array.from({ length: 120 }, (_, i) => 1 + ((i * 7) % 28));
    labels[10] = labels[11]; // a repeat
    const { loss, grad, feasible } = ctcLossAndGrad(logits, T, K, labels);
    expect(feasible).toBe(true);
    expect(Number.isFinite(loss)).toBe(true);
    expect(loss).toBeGreaterThan(0);
    expect(grad.every(Number.isFinite)).toBe(true);
    for (let t = 0; t < T; t += 37) {
      let sum = 0;
      for (let k = 0; k < K; k++) sum += grad[t * K + k];
      expect(Math.abs(sum)).toBeLessThan(1e-4);
    }
  });
});

describe('ctcLoss (tf.customGrad)', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('gives the same loss and gradient through tfjs autodiff, single and batched with lengths', () => {
    const K = 3;
    const T = 5;
    const a = randomArray(T * K, 21);
    const b = randomArray(T * K, 22);
    const labelsA = [1, 1];
    const labelsB = [2];
    const refA = ctcLossAndGrad(a, T, K, labelsA);
    const refB = ctcLossAndGrad(b, 3, K, labelsB); // only 3 valid frames

    const single = tf.tensor2d(Float32Array.from(a), [T, K]);
    const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => ctcLoss(x, labelsA) as tf.Scalar)(single);
    expect(value.rank).toBe(0);
    expect(value.dataSync()[0]).toBeCloseTo(refA.loss, 4);
    const g = grad.dataSync();
    refA.grad.forEach((v, i) => expect(g[i]).toBeCloseTo(v, 5));

    const batch = tf.tensor3d(Float32Array.from([...a, ...b]), [2, T, K]);
    // Weighted sum: the upstream gradient must scale each utterance separately.
    const weights = tf.tensor1d([0.5, 2]);
    const f = (x: tf.Tensor) => tf.sum(tf.mul(ctcLoss(x, [labelsA, labelsB], { lengths: [T, 3] }), weights));
    const out = tf.valueAndGrad(f)(batch);
    expect(out.value.dataSync()[0]).toBeCloseTo(0.5 * refA.loss + 2 * refB.loss, 4);
    const gb = out.grad.dataSync();
    for (let i = 0; i < T * K; i++) expect(gb[i]).toBeCloseTo(0.5 * refA.grad[i], 5);
    for (let i = 0; i < 3 * K; i++) expect(gb[T * K + i]).toBeCloseTo(2 * refB.grad[i], 5);
    for (let i = 3 * K; i < T * K; i++) expect(gb[T * K + i]).toBe(0); // padding frames
    tf.dispose([single, value, grad, batch, weights, out.value, out.grad]);
  });

  it('trains logits towards the labels (loss falls under plain gradient descent)', () => {
    const T = 12;
    const K = 4;
    const labels = [1, 2, 2, 3];
    const x = tf.variable(tf.tensor2d(Float32Array.from(randomArray(T * K, 9, 0.1)), [T, K]));
    const optimizer = tf.train.sgd(1);
    const first = ctcLoss(x, labels).dataSync()[0];
    for (let i = 0; i < 50; i++) optimizer.minimize(() => ctcLoss(x, labels) as tf.Scalar);
    const after = ctcLoss(x, labels).dataSync()[0];
    expect(after).toBeLessThan(first * 0.2);
    x.dispose();
    optimizer.dispose();
  });

  it('rejects mismatched shapes', () => {
    const x = tf.zeros([2, 4, 3]);
    expect(() => ctcLoss(x, [[1]])).toThrow(/2 label sequences|1 label sequences/);
    expect(() => ctcLoss(x, [[1], [2]], { lengths: [5, 1] })).toThrow(/lengths/);
    x.dispose();
  });
});
