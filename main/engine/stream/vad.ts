/**
 * Energy-based voice activity detection for live dictation, on 10 ms frames.
 *
 * - Hysteresis: speech starts above `floor + onsetDb` and only ends below the lower `floor + offsetDb`, so
 *   a voice hovering near one threshold does not flap.
 * - Minimum durations: `minSpeechMs` of loud frames before speech counts (a click or a cough is not an
 *   utterance); `hangoverMs` of quiet before speech ends (a pause between words is not the end). The
 *   hangover is part of what the user waits for, so it is reported with every end.
 * - Noise-floor adaptation: while there is no speech the floor follows the frame energy, falling fast and
 *   rising slowly, so a fan switching on raises the thresholds and a quiet room lowers them.
 * - An absolute minimum keeps digital silence (−∞ dB) from making any faint noise "speech".
 */
import { frameDbfs } from '../../common/audio-level';
export interface VadOptions {
  sampleRate: number;
  frameMs: number;
  /** Speech starts this far above the noise floor... */
  onsetDb: number;
  /** ...and continues while above this (lower) level. */
  offsetDb: number;
  /** Frames quieter than this (dBFS) are never speech, whatever the floor. */
  minSpeechDbfs: number;
  minSpeechMs: number;
  hangoverMs: number;
  /** Audio kept from before the detected onset: energy detection lags the first soft consonant. */
  preRollMs: number;
  /** Floor adaptation per frame, towards quieter and towards louder frames. */
  floorFallRate: number;
  floorRiseRate: number;
}

export const DEFAULT_VAD: VadOptions = {
  sampleRate: 16000,
  frameMs: 10,
  onsetDb: 12,
  offsetDb: 6,
  minSpeechDbfs: -50,
  minSpeechMs: 60,
  hangoverMs: 300,
  preRollMs: 250,
  floorFallRate: 0.3,
  floorRiseRate: 0.01,
};

export type VadEvent =
  /** Speech confirmed; it began at `startSample` (pre-roll included). */
  | { type: 'speech-start'; startSample: number }
  /** Speech ended at `endSample` (end of the last speech frame); decided `hangoverSamples` later. */
  | { type: 'speech-end'; endSample: number; hangoverSamples: number };

export class VoiceActivityDetector {
  readonly options: VadOptions;
  readonly frameSamples: number;
  private floor: number | null = null;
  private inSpeech = false;
  /** Consecutive loud frames while not in speech. */
  private loudRun = 0;
  /** Consecutive quiet frames while in speech. */
  private quietRun = 0;
  /** Absolute sample index of the next frame. */
  private position = 0;
  private lastSpeechEnd = 0;
  private lastDbfs = -100;

  constructor(options: Partial<VadOptions> = {}) {
    this.options = { ...DEFAULT_VAD, ...options };
    this.frameSamples = Math.round((this.options.sampleRate * this.options.frameMs) / 1000);
  }

  get speaking(): boolean {
    return this.inSpeech;
  }

  /** Seconds of quiet since the last speech frame (0 while not quiet, or not in speech). */
  get silenceSec(): number {
    return this.inSpeech ? (this.quietRun * this.frameSamples) / this.options.sampleRate : 0;
  }

  /** Absolute sample index just after the last frame that counted as speech. */
  get speechEndSample(): number {
    return this.lastSpeechEnd;
  }

  /** The energy of the last frame, dBFS. */
  get levelDbfs(): number {
    return this.lastDbfs;
  }

  get noiseFloorDbfs(): number {
    return this.floor ?? -100;
  }

  /**
   * Ends the current speech now, without waiting for the rest of the hangover (the recogniser has
   * confirmed the end); returns the same event the hangover would have produced, or null when not in
   * speech. The noise floor is left as it is.
   */
  endSpeech(): Extract<VadEvent, { type: 'speech-end' }> | null {
    if (!this.inSpeech) return null;
    this.inSpeech = false;
    this.quietRun = 0;
    return {
      type: 'speech-end',
      endSample: this.lastSpeechEnd,
      hangoverSamples: this.position - this.lastSpeechEnd,
    };
  }

  /**
   * Classifies one frame (exactly `frameSamples` long, at absolute position `this.position`); returns the
   * event it completes, if any.
   */
  pushFrame(frame: Float32Array): VadEvent | null {
    const o = this.options;
    const db = frameDbfs(frame);
    this.lastDbfs = db;
    const frameStart = this.position;
    this.position += frame.length;
    this.floor ??= db;
    const onset = Math.max(this.floor + o.onsetDb, o.minSpeechDbfs);
    const offset = Math.max(this.floor + o.offsetDb, o.minSpeechDbfs - (o.onsetDb - o.offsetDb));

    if (!this.inSpeech) {
      this.floor += (db - this.floor) * (db < this.floor ? o.floorFallRate : o.floorRiseRate);
      if (db < onset) {
        this.loudRun = 0;
        return null;
      }
      this.loudRun++;
      if (this.loudRun * o.frameMs < o.minSpeechMs) return null;
      this.inSpeech = true;
      this.quietRun = 0;
      this.lastSpeechEnd = this.position;
      const firstLoud = frameStart - (this.loudRun - 1) * frame.length;
      const preRoll = Math.round((o.preRollMs * o.sampleRate) / 1000);
      this.loudRun = 0;
      return { type: 'speech-start', startSample: Math.max(0, firstLoud - preRoll) };
    }

    if (db >= offset) {
      this.quietRun = 0;
      this.lastSpeechEnd = this.position;
      return null;
    }
    this.quietRun++;
    if (this.quietRun * o.frameMs < o.hangoverMs) return null;
    return this.endSpeech();
  }
}
