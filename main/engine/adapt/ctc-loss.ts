/**
 * CTC loss (Graves et al. 2006) for fine-tuning in TensorFlow.js, which has none of its own.
 *
 * The forward–backward recursions run in log space in plain JavaScript (float64) on the logits read back
 * from the backend, so long utterances neither underflow nor overflow. `ctcLoss` wraps them in
 * `tf.customGrad`: the forward pass returns the per-utterance negative log-likelihoods and the backward
 * pass hands tfjs the exact gradient with respect to the logits, softmax(logits) − posterior occupancy of
 * each label, so any model that produces the logits can be trained through it.
 */
import * as tf from '@tensorflow/tfjs';

export interface CtcOptions {
  /** Index of the blank class (default 0). */
  blank?: number;
  /**
   * An utterance whose labels cannot fit its frames (T < labels + repeated neighbours) has an infinite
   * loss. With `zeroInfinity` (default true) it contributes loss 0 and gradient 0 instead, as PyTorch's
   * `zero_infinity`; otherwise its loss is Infinity and its gradient 0.
   */
  zeroInfinity?: boolean;
}

export interface CtcResult {
  /** −log p(labels | logits); Infinity (or 0 with zeroInfinity) when no alignment exists. */
  loss: number;
  /** d loss / d logits, row-major [T × K]. */
  grad: Float32Array;
  /** False when no alignment of the labels fits in T frames. */
  feasible: boolean;
}

function logAdd(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/** Fewest frames that can emit `labels` under CTC: one per label plus a blank between equal neighbours. */
/** Log-softmax of each row of `logits` [steps, K], written into `out` (returned). */
export function logSoftmaxRows<Out extends Float32Array | Float64Array>(
  logits: ArrayLike<number>,
  steps: number,
  K: number,
  out: Out,
): Out {
  for (let t = 0; t < steps; t++) {
    const o = t * K;
    let max = -Infinity;
    for (let k = 0; k < K; k++) max = Math.max(max, logits[o + k]);
    let sum = 0;
    for (let k = 0; k < K; k++) sum += Math.exp(logits[o + k] - max);
    const lse = max + Math.log(sum);
    for (let k = 0; k < K; k++) out[o + k] = logits[o + k] - lse;
  }
  return out;
}

export function ctcMinFrames(labels: ArrayLike<number>): number {
  let n = labels.length;
  for (let i = 1; i < labels.length; i++) if (labels[i] === labels[i - 1]) n++;
  return n;
}

/**
 * CTC loss and its gradient for one utterance. `logits` are unnormalised scores, row-major [T × K] (the
 * log-softmax is taken here); `labels` must not contain the blank.
 */
export function ctcLossAndGrad(
  logits: ArrayLike<number>,
  T: number,
  K: number,
  labels: ArrayLike<number>,
  options: CtcOptions = {},
): CtcResult {
  const blank = options.blank ?? 0;
  const zeroInfinity = options.zeroInfinity ?? true;
  if (logits.length < T * K) throw new RangeError(`logits hold ${logits.length} values, need ${T}×${K}`);
  const L = labels.length;
  for (let i = 0; i < L; i++) {
    const c = labels[i];
    if (!Number.isInteger(c) || c < 0 || c >= K || c === blank)
      throw new RangeError(`label ${c} at ${i} is not a non-blank class below ${K}`);
  }
  const grad = new Float32Array(T * K);
  if (T === 0 || ctcMinFrames(labels) > T) {
    return { loss: zeroInfinity ? 0 : Infinity, grad, feasible: false };
  }

  // Log-softmax per frame, in float64.
  const logp = logSoftmaxRows(logits, T, K, new Float64Array(T * K));

  // Extended label sequence: blank, l1, blank, l2, …, lL, blank.
  const S = 2 * L + 1;
  const ext = new Int32Array(S);
  for (let s = 0; s < S; s++) ext[s] = s % 2 === 0 ? blank : labels[(s - 1) / 2];
  // A transition s-2 → s is allowed when s is a label different from the one two places back.
  const skip = new Uint8Array(S);
  for (let s = 2; s < S; s++) skip[s] = ext[s] !== blank && ext[s] !== ext[s - 2] ? 1 : 0;

  // alpha[t][s]: log-probability of the prefixes ending in state s at frame t (emission at t included).
  const alpha = new Float64Array(T * S).fill(-Infinity);
  alpha[0] = logp[ext[0]];
  if (S > 1) alpha[1] = logp[ext[1]];
  for (let t = 1; t < T; t++) {
    const a = t * S;
    const p = a - S;
    // Only states from which the end is still reachable and which are reachable from the start.
    const lo = Math.max(0, S - 2 * (T - t));
    const hi = Math.min(S - 1, 2 * t + 1);
    for (let s = lo; s <= hi; s++) {
      let v = alpha[p + s];
      if (s >= 1) v = logAdd(v, alpha[p + s - 1]);
      if (skip[s]) v = logAdd(v, alpha[p + s - 2]);
      alpha[a + s] = v === -Infinity ? v : v + logp[t * K + ext[s]];
    }
  }
  const last = (T - 1) * S;
  const logLik = S > 1 ? logAdd(alpha[last + S - 1], alpha[last + S - 2]) : alpha[last];
  if (!Number.isFinite(logLik)) return { loss: zeroInfinity ? 0 : Infinity, grad, feasible: false };

  // beta[t][s]: log-probability of the suffixes from state s at frame t (emission at t included).
  const beta = new Float64Array(T * S).fill(-Infinity);
  beta[last + S - 1] = logp[(T - 1) * K + ext[S - 1]];
  if (S > 1) beta[last + S - 2] = logp[(T - 1) * K + ext[S - 2]];
  for (let t = T - 2; t >= 0; t--) {
    const b = t * S;
    const n = b + S;
    const lo = Math.max(0, S - 2 * (T - t));
    const hi = Math.min(S - 1, 2 * t + 1);
    for (let s = lo; s <= hi; s++) {
      let v = beta[n + s];
      if (s + 1 < S) v = logAdd(v, beta[n + s + 1]);
      if (s + 2 < S && skip[s + 2]) v = logAdd(v, beta[n + s + 2]);
      beta[b + s] = v === -Infinity ? v : v + logp[t * K + ext[s]];
    }
  }

  // d(−log p)/d logit[t][k] = softmax[t][k] − Σ_{s: ext[s]=k} exp(alpha + beta − logp[t][k] − log p).
  const occupancy = new Float64Array(K);
  for (let t = 0; t < T; t++) {
    occupancy.fill(-Infinity);
    const a = t * S;
    for (let s = 0; s < S; s++) {
      const v = alpha[a + s] + beta[a + s];
      if (v !== -Infinity) occupancy[ext[s]] = logAdd(occupancy[ext[s]], v);
    }
    const o = t * K;
    for (let k = 0; k < K; k++) {
      const posterior = occupancy[k] === -Infinity ? 0 : Math.exp(occupancy[k] - logp[o + k] - logLik);
      grad[o + k] = Math.exp(logp[o + k]) - posterior;
    }
  }
  return { loss: -logLik, grad, feasible: true };
}

/**
 * CTC loss in tfjs with an exact gradient with respect to `logits`.
 *
 * - `logits` [T, K] with `labels` one sequence → a scalar loss;
 * - `logits` [B, T, K] with `labels` B sequences → per-utterance losses [B]; `lengths` gives each
 *   utterance's valid frames (default T; frames beyond get zero gradient).
 *
 * Reduce the result yourself (e.g. the mean, or the sum divided by the label count).
 */
export function ctcLoss(
  logits: tf.Tensor,
  labels: ArrayLike<number> | ArrayLike<number>[],
  options: CtcOptions & { lengths?: number[] } = {},
): tf.Tensor {
  const single = logits.rank === 2;
  if (!single && logits.rank !== 3)
    throw new RangeError(`logits must be [T, K] or [B, T, K], got rank ${logits.rank}`);
  const batch = single ? [labels as ArrayLike<number>] : (labels as ArrayLike<number>[]);
  const B = single ? 1 : logits.shape[0];
  const T = single ? logits.shape[0] : logits.shape[1];
  const K = single ? logits.shape[1] : logits.shape[2];
  if (T === undefined || K === undefined) throw new RangeError('logits have no shape');
  if (batch.length !== B) throw new RangeError(`${batch.length} label sequences for a batch of ${B}`);
  const lengths = options.lengths ?? Array<number>(B).fill(T);
  if (lengths.length !== B || lengths.some((n) => !Number.isInteger(n) || n < 0 || n > T))
    throw new RangeError(`lengths must be B integers in [0, ${T}]`);

  const fn = tf.customGrad((x) => {
    const data = (x as tf.Tensor).dataSync();
    const losses = new Float32Array(B);
    const grad = new Float32Array(B * T * K);
    for (let b = 0; b < B; b++) {
      const offset = b * T * K;
      const result = ctcLossAndGrad(
        data.subarray(offset, offset + lengths[b] * K),
        lengths[b],
        K,
        batch[b],
        options,
      );
      losses[b] = result.loss;
      grad.set(result.grad, offset);
    }
    const value = single ? tf.scalar(losses[0]) : tf.tensor1d(losses);
    const gradFunc = (dy: tf.Tensor) => {
      const g = tf.tensor(grad, (x as tf.Tensor).shape);
      // Each utterance's gradient scales with the upstream gradient of its own loss.
      return single ? tf.mul(g, dy) : tf.mul(g, tf.reshape(dy, [B, 1, 1]));
    };
    return { value, gradFunc };
  });
  return fn(logits);
}
