/**
 * Streaming band-limited resampler: a Kaiser-windowed sinc evaluated from an oversampled table.
 * When downsampling, the cut-off moves below the new Nyquist frequency, so 44.1/48 kHz material never
 * aliases into the 16 kHz front end. Chunk boundaries do not change the output: feeding a signal in one
 * piece or in many gives the same samples.
 */

export interface ResamplerOptions {
  /** Zero crossings of the sinc on each side; more is sharper and slower. */
  zeroCrossings?: number;
  /** Fraction of the output Nyquist frequency kept as pass band. */
  rolloff?: number;
  /** Kaiser window shape parameter (8.6 ≈ 80 dB stop band). */
  beta?: number;
}

const TABLE_STEPS_PER_SAMPLE = 256;

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 50; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return sum;
}

export class Resampler {
  readonly inRate: number;
  readonly outRate: number;
  private readonly step: number;
  private readonly halfWidth: number;
  private readonly table: Float32Array;
  private buffer = new Float32Array(0);
  /** Absolute index (in input samples) of buffer[0]. */
  private bufferStart = 0;
  private received = 0;
  private produced = 0;
  private flushed = false;

  constructor(inRate: number, outRate: number, options: ResamplerOptions = {}) {
    if (!(inRate > 0 && outRate > 0)) throw new RangeError(`invalid resampling ${inRate} → ${outRate} Hz`);
    this.inRate = inRate;
    this.outRate = outRate;
    this.step = inRate / outRate;
    const zeroCrossings = options.zeroCrossings ?? 16;
    const cutoff = 0.5 * Math.min(1, outRate / inRate) * (options.rolloff ?? 0.94); // cycles per input sample
    this.halfWidth = zeroCrossings / (2 * cutoff);
    const beta = options.beta ?? 8.6;
    const size = Math.ceil(this.halfWidth * TABLE_STEPS_PER_SAMPLE) + 2;
    this.table = new Float32Array(size);
    const norm = besselI0(beta);
    for (let j = 0; j < size; j++) {
      const d = j / TABLE_STEPS_PER_SAMPLE;
      const r = d / this.halfWidth;
      if (r >= 1) break;
      const x = 2 * cutoff * d;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      this.table[j] = 2 * cutoff * sinc * (besselI0(beta * Math.sqrt(1 - r * r)) / norm);
    }
  }

  /** Consumes input samples and returns every output sample that no longer depends on future input. */
  process(input: Float32Array): Float32Array {
    if (this.flushed) throw new Error('Resampler.process called after flush');
    if (this.inRate === this.outRate) {
      this.received += input.length;
      this.produced += input.length;
      return input;
    }
    const merged = new Float32Array(this.buffer.length + input.length);
    merged.set(this.buffer);
    merged.set(input, this.buffer.length);
    this.buffer = merged;
    this.received += input.length;
    return this.render(false);
  }

  /** Returns the remaining output, treating the signal as silent after its end. */
  flush(): Float32Array {
    if (this.flushed) return new Float32Array(0);
    this.flushed = true;
    if (this.inRate === this.outRate) return new Float32Array(0);
    return this.render(true);
  }

  /** Output length for an input of `inputLength` samples. */
  static outputLength(inputLength: number, inRate: number, outRate: number): number {
    return inRate === outRate ? inputLength : Math.ceil((inputLength * outRate) / inRate);
  }

  private render(final: boolean): Float32Array {
    const total = Resampler.outputLength(this.received, this.inRate, this.outRate);
    let last = total; // exclusive
    if (!final) {
      // Output n needs inputs up to floor(n·step + halfWidth); keep only those already received.
      last = Math.min(total, Math.floor((this.received - 1 - this.halfWidth) / this.step) + 1);
    }
    const count = Math.max(0, last - this.produced);
    const out = new Float32Array(count);
    const { table, buffer, bufferStart, halfWidth, step } = this;
    const end = bufferStart + buffer.length;
    for (let i = 0; i < count; i++) {
      const t = (this.produced + i) * step;
      const first = Math.max(bufferStart, Math.ceil(t - halfWidth));
      const stop = Math.min(end - 1, Math.floor(t + halfWidth));
      let acc = 0;
      for (let k = first; k <= stop; k++) {
        const pos = Math.abs(t - k) * TABLE_STEPS_PER_SAMPLE;
        const j = pos | 0;
        const frac = pos - j;
        acc += buffer[k - bufferStart] * (table[j] + (table[j + 1] - table[j]) * frac);
      }
      out[i] = acc;
    }
    this.produced += count;
    // Drop input that no future output can reach.
    const keepFrom = Math.max(bufferStart, Math.ceil(this.produced * step - halfWidth) - 1);
    if (keepFrom > bufferStart) {
      this.buffer = this.buffer.slice(keepFrom - bufferStart);
      this.bufferStart = keepFrom;
    }
    return out;
  }
}
