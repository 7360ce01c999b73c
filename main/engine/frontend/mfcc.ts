/**
 * The MFCC front end: the one module that touches meyda. The app, the CLI and the training feature
 * dumper all call it, so a model always sees features computed exactly as in training.
 *
 * meyda keeps its configuration in module-global fields and caches the mel filter bank on first use
 * (changing `sampleRate` later silently keeps the old bank). We therefore own that configuration here:
 * every call re-applies the full configuration and drops the caches whenever it differs from the last.
 */
import Meyda from 'meyda';

export interface FrontEndConfig {
  /** Input sample rate in Hz; audio is resampled to this before framing. */
  sampleRate: number;
  /** Samples per analysis frame; meyda requires a power of two. */
  frameLength: number;
  /** Samples between frame starts. */
  hopLength: number;
  window: 'hanning' | 'hamming' | 'blackman' | 'sine' | 'rect';
  melBands: number;
  mfccCoefficients: number;
  /**
   * Gain applied before analysis. meyda's MFCC is DCT(log(mel + 1)) on an unnormalised power spectrum,
   * so at [-1, 1] scale quiet frames are barely compressed by the log; a gain of 32768 puts 1 LSB of
   * 16-bit audio near the +1 floor, making the log behave like a true log above it.
   */
  inputGain: number;
}

export const DEFAULT_FRONT_END: FrontEndConfig = {
  sampleRate: 16000,
  frameLength: 512,
  hopLength: 160,
  window: 'hanning',
  melBands: 40,
  mfccCoefficients: 20,
  inputGain: 32768,
};

const isPowerOfTwo = (n: number) => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;

/** Throws a RangeError naming the bad field and the expected value. */
export function validateFrontEndConfig(config: FrontEndConfig): void {
  const fail = (message: string) => {
    throw new RangeError(`invalid front-end configuration: ${message}`);
  };
  if (!isPowerOfTwo(config.frameLength)) fail(`frameLength ${config.frameLength} is not a power of two`);
  if (!(Number.isInteger(config.sampleRate) && config.sampleRate >= 4000)) {
    fail(`sampleRate ${config.sampleRate} must be an integer ≥ 4000`);
  }
  if (!(
    Number.isInteger(config.hopLength) &&
    config.hopLength > 0 &&
    config.hopLength <= config.frameLength
  )) {
    fail(`hopLength ${config.hopLength} must be an integer in 1..frameLength`);
  }
  if (!(
    Number.isInteger(config.mfccCoefficients) &&
    config.mfccCoefficients >= 1 &&
    config.mfccCoefficients <= 40
  )) {
    fail(`mfccCoefficients ${config.mfccCoefficients} must be in 1..40 (meyda's limit)`);
  }
  if (!(config.melBands >= config.mfccCoefficients)) {
    fail(`melBands ${config.melBands} must be ≥ mfccCoefficients ${config.mfccCoefficients}`);
  }
  if (!(config.inputGain > 0 && Number.isFinite(config.inputGain)))
    fail(`inputGain ${config.inputGain} must be > 0`);
}

interface MeydaGlobals {
  bufferSize: number;
  sampleRate: number;
  melBands: number;
  numberOfMFCCCoefficients: number;
  windowingFunction: string;
  melFilterBank?: unknown;
  barkScale?: unknown;
  chromaFilterBank?: unknown;
}

const meyda = Meyda as unknown as MeydaGlobals & {
  extract(feature: 'mfcc', signal: Float32Array): number[] | null;
};
let appliedKey = '';

function applyMeydaConfig(config: FrontEndConfig): void {
  const key = JSON.stringify([
    config.frameLength,
    config.sampleRate,
    config.melBands,
    config.mfccCoefficients,
    config.window,
  ]);
  if (key === appliedKey) return;
  meyda.bufferSize = config.frameLength;
  meyda.sampleRate = config.sampleRate;
  meyda.melBands = config.melBands;
  meyda.numberOfMFCCCoefficients = config.mfccCoefficients;
  meyda.windowingFunction = config.window;
  // Force meyda to rebuild its cached banks for the new configuration.
  delete meyda.melFilterBank;
  delete meyda.barkScale;
  delete meyda.chromaFilterBank;
  appliedKey = key;
}

/** Number of feature frames for a signal: one per hop, the last ones zero-padded. */
export function frameCount(samples: number, config: FrontEndConfig): number {
  return Math.ceil(samples / config.hopLength);
}

/**
 * MFCCs already computed for the start of a signal that is analysed again as it grows: live dictation
 * decodes the same utterance every few hundred milliseconds, and the front end took as long as the model
 * on each decode. A frame depends only on its own samples, so a frame that lay wholly inside the audio
 * seen before is reused exactly; frames that were zero-padded at the old end are computed again.
 *
 * The owner must pass signals that agree on their common start (one live segment: it only grows, or is
 * cut shorter when split).
 */
export class MfccPrefixCache {
  private cached = new Float32Array(0);
  /** Whole frames held: frame f covers samples [f·hop, f·hop + frameLength) of the signal. */
  private frames = 0;
  /** The configuration they were computed with. */
  private config = '';

  /** How many leading frames of a `samples`-long signal can be taken from here. */
  reusableFrames(samples: number, config: FrontEndConfig): number {
    return JSON.stringify(config) === this.config ? Math.min(this.frames, wholeFrames(samples, config)) : 0;
  }

  /** Copies the first `frames` frames into `out`. */
  copyTo(out: Float32Array, frames: number, dim: number): void {
    out.set(this.cached.subarray(0, frames * dim));
  }

  /** Keeps the whole frames of `features`, computed for a `samples`-long signal. */
  remember(features: Float32Array, samples: number, config: FrontEndConfig): void {
    const dim = config.mfccCoefficients;
    const frames = Math.min(wholeFrames(samples, config), features.length / dim);
    if (this.cached.length < frames * dim) {
      const grown = new Float32Array(Math.max(frames * dim, this.cached.length * 2));
      grown.set(this.cached.subarray(0, this.frames * dim));
      this.cached = grown;
    }
    this.cached.set(features.subarray(0, frames * dim));
    this.frames = frames;
    this.config = JSON.stringify(config);
  }
}

/** Frames that lie wholly inside a `samples`-long signal (no zero padding). */
function wholeFrames(samples: number, config: FrontEndConfig): number {
  return Math.max(0, Math.floor((samples - config.frameLength) / config.hopLength) + 1);
}

/**
 * Computes MFCCs for a mono signal at `config.sampleRate`. Frame i covers samples
 * [i·hop, i·hop + frameLength), zero-padded past the end. Returns a row-major [frames × coefficients] array.
 * With `cache`, frames known from an earlier call on the same signal's start are reused (and the new
 * whole frames kept there).
 */
export function computeMfcc(
  samples: Float32Array,
  config: FrontEndConfig = DEFAULT_FRONT_END,
  cache?: MfccPrefixCache,
): Float32Array {
  validateFrontEndConfig(config);
  applyMeydaConfig(config);
  const frames = frameCount(samples.length, config);
  const dim = config.mfccCoefficients;
  const out = new Float32Array(frames * dim);
  const reused = cache ? Math.min(frames, cache.reusableFrames(samples.length, config)) : 0;
  if (reused > 0) cache!.copyTo(out, reused, dim);
  const frame = new Float32Array(config.frameLength);
  for (let f = reused; f < frames; f++) {
    const start = f * config.hopLength;
    const available = Math.max(0, Math.min(config.frameLength, samples.length - start));
    for (let i = 0; i < available; i++) frame[i] = samples[start + i] * config.inputGain;
    frame.fill(0, available);
    const mfcc = meyda.extract('mfcc', frame);
    if (!mfcc || mfcc.length !== dim) {
      throw new Error(`meyda returned ${mfcc?.length ?? 'no'} coefficients, expected ${dim}`);
    }
    out.set(mfcc, f * dim);
  }
  cache?.remember(out, samples.length, config);
  return out;
}

export interface Normalization {
  /** Per-coefficient mean of the training features (used as is when `meanFrom` is `'training'`). */
  mean: number[];
  std: number[];
  /**
   * Where the subtracted mean comes from. `'training'` (the default): `mean` above, fixed. `'utterance'`:
   * each call's own frames (cepstral mean normalisation), so the recording level and the microphone's
   * colouring, which shift every frame's MFCCs alike, are removed. Live dictation calls this on the
   * utterance heard so far, so partials use a running mean and the final the whole utterance's, as
   * the trainer does.
   */
  meanFrom?: 'training' | 'utterance';
  /**
   * With `meanFrom: 'utterance'`: how many frames' worth of the training mean is mixed into the
   * utterance's own, μ = (Σx + k·mean) / (n + k). A long utterance is normalised by its own mean; a
   * single short word, whose own mean is mostly that word's sound, and the first partials of a
   * dictation keep much of the training mean. Absent or 0: the utterance's mean alone.
   */
  meanPriorFrames?: number;
  /**
   * Normalised values are clamped to ±clip. Training features are stored as int8 at 1/32 σ resolution,
   * so the model never saw values beyond ±127/32; clamping keeps run time identical to training.
   */
  clip?: number;
}

/**
 * The per-coefficient mean of row-major [frames × dim] features, with `priorFrames` frames of `prior`
 * mixed in; `prior` when there are no frames.
 */
export function featureMean(features: Float32Array, dim: number, prior: number[], priorFrames = 0): number[] {
  const frames = features.length / dim;
  if (frames + priorFrames <= 0) return prior;
  const sum = Float64Array.from(prior, (m) => m * priorFrames);
  for (let i = 0; i < features.length; i++) sum[i % dim] += features[i];
  return Array.from(sum, (s) => s / (frames + priorFrames));
}

/** Per-coefficient mean/variance normalisation in place, with statistics from the model manifest. */
export function normalizeFeatures(features: Float32Array, norm: Normalization): Float32Array {
  const dim = norm.mean.length;
  const clip = norm.clip ?? Infinity;
  const mean =
    norm.meanFrom === 'utterance'
      ? featureMean(features, dim, norm.mean, norm.meanPriorFrames ?? 0)
      : norm.mean;
  for (let i = 0; i < features.length; i++) {
    const d = i % dim;
    const x = (features[i] - mean[d]) / norm.std[d];
    features[i] = x > clip ? clip : x < -clip ? -clip : x;
  }
  return features;
}

export interface Stacking {
  /** Frames concatenated into one model input step. */
  size: number;
  /** Frames advanced between model steps. */
  stride: number;
}

/**
 * Frame stacking: step t is the concatenation of frames t·stride … t·stride + size − 1; there are
 * ceil(frames / stride) steps and frames past the end are zeros (the normalised mean).
 * The PyTorch trainer implements exactly this rule.
 */
export function stackFrames(
  features: Float32Array,
  dim: number,
  stacking: Stacking,
): { data: Float32Array; steps: number } {
  const frames = features.length / dim;
  const steps = Math.ceil(frames / stacking.stride);
  const width = dim * stacking.size;
  const data = new Float32Array(steps * width);
  for (let t = 0; t < steps; t++) {
    for (let k = 0; k < stacking.size; k++) {
      const f = t * stacking.stride + k;
      if (f >= frames) break;
      data.set(features.subarray(f * dim, (f + 1) * dim), t * width + k * dim);
    }
  }
  return { data, steps };
}

/**
 * The model's input for a signal: MFCCs → normalisation → stacking, each as the manifest says. The one
 * path from audio to model input (the engine, adaptation and the benches all use it).
 */
export function modelInput(
  samples: Float32Array,
  manifest: { frontend: FrontEndConfig; normalization: Normalization; stacking: Stacking },
  cache?: MfccPrefixCache,
): { data: Float32Array; steps: number } {
  const { frontend, normalization, stacking } = manifest;
  const features = normalizeFeatures(computeMfcc(samples, frontend, cache), normalization);
  return stackFrames(features, frontend.mfccCoefficients, stacking);
}
