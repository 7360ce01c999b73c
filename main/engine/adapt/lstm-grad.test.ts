import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildAcousticModel } from '../model/acoustic-model';
import { initBackend } from '../model/backend';
import { biLstmBackward, biLstmForward, RecurrentProducts, type LstmDirectionWeights } from './lstm-grad';

function random(n: number, seed: number, scale: number): Float32Array {
  let state = seed;
  return Float32Array.from({ length: n }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return ((state / 2147483648) * 2 - 1) * scale;
  });
}

const D = 5;
const H = 4;
const T = 7;

function makeWeights(seed: number) {
  const direction = (s: number): LstmDirectionWeights => ({
    kernel: random(D * 4 * H, s, 0.6),
    recurrent: random(H * 4 * H, s + 1, 0.6),
    bias: random(4 * H, s + 2, 0.3),
  });
  return { forward: direction(seed), backward: direction(seed + 10) };
}

/** Σ output · dOut: its gradient with respect to anything is what biLstmBackward computes for dOut. */
function weightedOutputSum(input: Float32Array, weights: ReturnType<typeof makeWeights>, dOut: Float32Array) {
  const { output } = biLstmForward(input, T, D, weights);
  let sum = 0;
  for (let i = 0; i < output.length; i++) sum += output[i] * dOut[i];
  return sum;
}

/**
 * Checks analytic[i] against the central difference of `objective` in values[i]. The step is large for
 * a float32 forward pass, but the objective is smooth.
 */
function expectFiniteDifference(values: Float32Array, i: number, objective: () => number, analytic: number) {
  const h = 1e-2;
  const keep = values[i];
  values[i] = keep + h;
  const plus = objective();
  values[i] = keep - h;
  const minus = objective();
  values[i] = keep;
  const numeric = (plus - minus) / (2 * h);
  expect(Math.abs(analytic - numeric)).toBeLessThan(2e-3 + 2e-2 * Math.abs(numeric));
}

describe('bidirectional LSTM forward/backward for adaptation', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('reuses the recurrent kernels until told that the weights changed, then uses the new ones', () => {
    const weights = makeWeights(5);
    const input = random(T * D, 98, 1);
    const dOut = random(T * 2 * H, 97, 1);
    const products = new RecurrentProducts();
    const { cache } = biLstmForward(input, T, D, weights, products);
    biLstmBackward(cache, dOut, weights, true, products);
    // An optimiser step changes the weights in place.
    for (const d of [weights.forward, weights.backward])
      for (let i = 0; i < d.recurrent.length; i++) d.recurrent[i] *= 1.5;
    const fresh = biLstmForward(input, T, D, weights);
    products.weightsChanged();
    const reused = biLstmForward(input, T, D, weights, products);
    expect(reused.output).toEqual(fresh.output);
    expect(biLstmBackward(reused.cache, dOut, weights, true, products)).toEqual(
      biLstmBackward(fresh.cache, dOut, weights, true),
    );
  });

  it('forward matches the tfjs layers model built by buildAcousticModel', () => {
    const weights = makeWeights(3);
    const input = random(T * D, 99, 1);
    const model = buildAcousticModel({ inputDim: D, layers: 1, units: H, outputs: 2 });
    const current = model.getWeights();
    const tensors = [
      tf.tensor2d(weights.forward.kernel, [D, 4 * H]),
      tf.tensor2d(weights.forward.recurrent, [H, 4 * H]),
      tf.tensor1d(weights.forward.bias),
      tf.tensor2d(weights.backward.kernel, [D, 4 * H]),
      tf.tensor2d(weights.backward.recurrent, [H, 4 * H]),
      tf.tensor1d(weights.backward.bias),
      tf.eye(2 * H, 2),
      tf.zeros([2]),
    ];
    expect(current.length).toBe(tensors.length);
    model.setWeights(tensors);
    // Dense = first two hidden units of the forward direction; compare the full BiLSTM output via a sub-model.
    const sub = tf.model({ inputs: model.inputs, outputs: model.layers[0].output as tf.SymbolicTensor });
    const expected = tf.tidy(() => sub.predict(tf.tensor3d(input, [1, T, D])) as tf.Tensor).dataSync();
    const { output } = biLstmForward(input, T, D, weights);
    expect(output.length).toBe(expected.length);
    output.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    tf.dispose(tensors);
    model.dispose();
  });

  it('weight gradients match finite differences of a weighted sum of the outputs', () => {
    const weights = makeWeights(7);
    const input = random(T * D, 5, 1);
    const dOut = random(T * 2 * H, 17, 1);
    const objective = () => weightedOutputSum(input, weights, dOut);
    const { cache } = biLstmForward(input, T, D, weights);
    const grads = biLstmBackward(cache, dOut, weights);
    let checked = 0;
    for (const which of ['forward', 'backward'] as const) {
      for (const part of ['kernel', 'recurrent', 'bias'] as const) {
        const w = weights[which][part];
        for (let i = 0; i < w.length; i += 5) {
          expectFiniteDifference(w, i, objective, grads[which][part][i]);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(60);
  });

  it('input gradient matches finite differences and is only computed when asked for', () => {
    const weights = makeWeights(11);
    const input = random(T * D, 23, 1);
    const dOut = random(T * 2 * H, 29, 1);
    const objective = () => weightedOutputSum(input, weights, dOut);
    const { cache } = biLstmForward(input, T, D, weights);
    expect(biLstmBackward(cache, dOut, weights).input).toBeUndefined();
    const dInput = biLstmBackward(cache, dOut, weights, true).input!;
    expect(dInput.length).toBe(T * D);
    for (let i = 0; i < input.length; i++) expectFiniteDifference(input, i, objective, dInput[i]);
  });
});
