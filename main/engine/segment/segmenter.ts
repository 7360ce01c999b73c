/**
 * Splits a long 16 kHz stream into bounded segments at the quietest moments, so a two-hour file is
 * transcribed in bounded memory and a BiLSTM never sees more than `maxSegmentSec` at once. Segments are
 * contiguous: segment k starts where k − 1 ended, so absolute times are exact.
 */
import { energyDb } from '../../common/audio-level';

export interface SegmenterOptions {
  sampleRate: number;
  /** A segment is never cut shorter than this (except the last). */
  minSegmentSec: number;
  /** A segment is never longer than this. */
  maxSegmentSec: number;
  /** Segments whose loudest 10 ms frame is below this level (dBFS) are marked silent and not decoded. */
  silenceDb: number;
}

export const DEFAULT_SEGMENTER: Omit<SegmenterOptions, 'sampleRate'> = {
  minSegmentSec: 8,
  maxSegmentSec: 20,
  silenceDb: -60,
};

export interface AudioSegment {
  samples: Float32Array;
  /** Index of the first sample in the whole stream. */
  startSample: number;
  silent: boolean;
}

/** Level of each 10 ms frame in dBFS (RMS). */
export function frameLevelsDb(samples: Float32Array, frameSize: number): Float32Array {
  const frames = Math.ceil(samples.length / frameSize);
  const levels = new Float32Array(frames);
  for (let f = 0; f < frames; f++) {
    const end = Math.min(samples.length, (f + 1) * frameSize);
    levels[f] = energyDb(samples, f * frameSize, end - f * frameSize);
  }
  return levels;
}

export class SilenceSegmenter {
  private readonly options: SegmenterOptions;
  private readonly frameSize: number;
  private pending = new Float32Array(0);
  private pendingLength = 0;
  private pendingStart = 0;

  constructor(options: SegmenterOptions) {
    if (!(options.minSegmentSec > 0 && options.maxSegmentSec >= options.minSegmentSec)) {
      throw new RangeError(`invalid segment bounds ${options.minSegmentSec}–${options.maxSegmentSec} s`);
    }
    this.options = options;
    this.frameSize = Math.round(options.sampleRate / 100);
  }

  push(samples: Float32Array): AudioSegment[] {
    this.append(samples);
    const out: AudioSegment[] = [];
    const max = Math.round(this.options.maxSegmentSec * this.options.sampleRate);
    while (this.pendingLength >= max) out.push(this.cut(this.findCut(max)));
    return out;
  }

  flush(): AudioSegment[] {
    return this.pendingLength > 0 ? [this.cut(this.pendingLength)] : [];
  }

  private append(samples: Float32Array): void {
    const needed = this.pendingLength + samples.length;
    if (needed > this.pending.length) {
      const grown = new Float32Array(Math.max(needed, this.pending.length * 2));
      grown.set(this.pending.subarray(0, this.pendingLength));
      this.pending = grown;
    }
    this.pending.set(samples, this.pendingLength);
    this.pendingLength = needed;
  }

  /** The sample index in [min, max] at the centre of the quietest 300 ms window. */
  private findCut(max: number): number {
    const { sampleRate, minSegmentSec } = this.options;
    const levels = frameLevelsDb(this.pending.subarray(0, max), this.frameSize);
    const window = 30;
    const firstFrame = Math.floor((minSegmentSec * sampleRate) / this.frameSize);
    let bestFrame = levels.length;
    let bestScore = Infinity;
    for (let f = Math.max(firstFrame, window >> 1); f + (window >> 1) <= levels.length; f++) {
      let sum = 0;
      for (let k = f - (window >> 1); k < f + (window >> 1); k++) sum += levels[k];
      // Ties go to the later frame, giving longer segments.
      if (sum <= bestScore) {
        bestScore = sum;
        bestFrame = f;
      }
    }
    return Math.min(max, bestFrame * this.frameSize);
  }

  private cut(length: number): AudioSegment {
    const samples = this.pending.slice(0, length);
    this.pending.copyWithin(0, length, this.pendingLength);
    this.pendingLength -= length;
    const start = this.pendingStart;
    this.pendingStart += length;
    let peak = -Infinity;
    for (const level of frameLevelsDb(samples, this.frameSize)) peak = Math.max(peak, level);
    return { samples, startSample: start, silent: peak < this.options.silenceDb };
  }
}
