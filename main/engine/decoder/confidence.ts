/**
 * Calibrated word confidence. The beam's word posterior (and the acoustic score of the word's frames) go
 * through a logistic map fitted on the dev set (`npm run bench:calibration`), so a confidence of 0.8
 * means about 80 % of such words are right. The map is stored in the model manifest.
 */

export interface ConfidenceCalibration {
  /** Hypothesis scores are multiplied by this before they are normalised into posteriors (> 0). */
  posteriorScale: number;
  /** confidence = σ(posteriorWeight · logit(posterior) + acousticWeight · logit(acoustic) + bias). */
  posteriorWeight: number;
  acousticWeight: number;
  bias: number;
}

/** Probabilities are clamped to [EPS, 1 − EPS] before the logit, so 0 and 1 map to finite values. */
const EPS = 1e-4;

export function logit(p: number): number {
  const q = Math.min(1 - EPS, Math.max(EPS, p));
  return Math.log(q / (1 - q));
}

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

export function applyCalibration(c: ConfidenceCalibration, posterior: number, acoustic: number): number {
  return sigmoid(c.posteriorWeight * logit(posterior) + c.acousticWeight * logit(acoustic) + c.bias);
}

/** Throws a message naming the bad field when `c` is not a usable calibration. */
export function validateCalibration(c: unknown): asserts c is ConfidenceCalibration {
  if (typeof c !== 'object' || c === null) throw new TypeError('confidence calibration must be an object');
  const fields = c as Record<string, unknown>;
  for (const key of ['posteriorScale', 'posteriorWeight', 'acousticWeight', 'bias']) {
    if (typeof fields[key] !== 'number' || !Number.isFinite(fields[key])) {
      throw new TypeError(`confidence.${key} must be a finite number, got ${String(fields[key])}`);
    }
  }
  if (!((fields.posteriorScale as number) > 0)) throw new RangeError('confidence.posteriorScale must be > 0');
}

/**
 * Logistic regression of `correct` on [logit(posterior), logit(acoustic), 1]: Newton's method with a
 * backtracking line search (saturated posteriors make plain Newton overshoot) and a small ridge term so
 * separable data stays finite. Starts from the constant model (the base rate).
 */
export function fitLogistic(
  samples: readonly { posterior: number; acoustic: number; correct: boolean }[],
  options: { useAcoustic?: boolean; iterations?: number; ridge?: number } = {},
): { posteriorWeight: number; acousticWeight: number; bias: number } {
  const useAcoustic = options.useAcoustic ?? true;
  const ridge = options.ridge ?? 1e-3;
  const xs = samples.map((s) => [logit(s.posterior), useAcoustic ? logit(s.acoustic) : 0, 1]);
  const ys: number[] = samples.map((s) => (s.correct ? 1 : 0));
  /** Penalised negative log-likelihood (log-sum-exp form, finite for any weights). */
  const loss = (w: number[]) => {
    let sum = 0;
    for (let i = 0; i < xs.length; i++) {
      const z = w[0] * xs[i][0] + w[1] * xs[i][1] + w[2] * xs[i][2];
      // −log σ(z) = log(1 + e^−z); −log(1 − σ(z)) = log(1 + e^z)
      const m = ys[i] ? -z : z;
      sum += m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m));
    }
    return sum + (ridge / 2) * (w[0] * w[0] + w[1] * w[1] + w[2] * w[2]);
  };
  const base = (ys.reduce((a, b) => a + b, 0) + 0.5) / (ys.length + 1);
  let w = [0, 0, Math.log(base / (1 - base))];
  let current = loss(w);
  for (let iter = 0; iter < (options.iterations ?? 100); iter++) {
    const g = [ridge * w[0], ridge * w[1], ridge * w[2]];
    const h = [
      [ridge, 0, 0],
      [0, ridge, 0],
      [0, 0, ridge],
    ];
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i];
      const p = sigmoid(w[0] * x[0] + w[1] * x[1] + w[2] * x[2]);
      const r = p * (1 - p);
      for (let j = 0; j < 3; j++) {
        g[j] += (p - ys[i]) * x[j];
        for (let k = 0; k < 3; k++) h[j][k] += r * x[j] * x[k];
      }
    }
    if (!useAcoustic) h[1][1] += 1; // keep the system regular; the acoustic weight stays 0
    const step = solve3(h, g);
    let t = 1;
    let next = w.map((v, j) => v - step[j]);
    let nextLoss = loss(next);
    while (nextLoss > current && t > 1e-6) {
      t /= 2;
      next = w.map((v, j) => v - t * step[j]);
      nextLoss = loss(next);
    }
    if (!(nextLoss <= current)) break;
    const moved = Math.hypot(...next.map((v, j) => v - w[j]));
    w = next;
    current = nextLoss;
    if (moved < 1e-9) break;
  }
  return { posteriorWeight: w[0], acousticWeight: w[1], bias: w[2] };
}

/** Solves the 3×3 system m·x = v (Gaussian elimination with partial pivoting). */
function solve3(m: number[][], v: number[]): number[] {
  const a = m.map((row, i) => [...row, v[i]]);
  for (let col = 0; col < 3; col++) {
    let pivot = col;
    for (let r = col + 1; r < 3; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    [a[col], a[pivot]] = [a[pivot], a[col]];
    if (Math.abs(a[col][col]) < 1e-12) return [0, 0, 0];
    for (let r = 0; r < 3; r++) {
      if (r === col) continue;
      const f = a[r][col] / a[col][col];
      for (let k = col; k < 4; k++) a[r][k] -= f * a[col][k];
    }
  }
  return [a[0][3] / a[0][0], a[1][3] / a[1][1], a[2][3] / a[2][2]];
}

export interface ReliabilityBin {
  from: number;
  to: number;
  count: number;
  /** Mean confidence and accuracy of the words in the bin (NaN when empty). */
  confidence: number;
  accuracy: number;
}

/** Reliability table with equal-width bins and the expected calibration error (count-weighted). */
export function reliability(
  samples: readonly { confidence: number; correct: boolean }[],
  bins = 10,
): { bins: ReliabilityBin[]; ece: number } {
  const table: ReliabilityBin[] = Array.from({ length: bins }, (_, i) => ({
    from: i / bins,
    to: (i + 1) / bins,
    count: 0,
    confidence: 0,
    accuracy: 0,
  }));
  for (const s of samples) {
    const b = table[Math.min(bins - 1, Math.max(0, Math.floor(s.confidence * bins)))];
    b.count++;
    b.confidence += s.confidence;
    b.accuracy += s.correct ? 1 : 0;
  }
  let ece = 0;
  for (const b of table) {
    b.confidence = b.count ? b.confidence / b.count : NaN;
    b.accuracy = b.count ? b.accuracy / b.count : NaN;
    if (b.count) ece += (b.count / samples.length) * Math.abs(b.accuracy - b.confidence);
  }
  return { bins: table, ece };
}
