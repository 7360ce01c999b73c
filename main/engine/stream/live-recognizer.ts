/**
 * Live dictation: audio frames in (any sample rate, any chunk size), partial and final results out.
 *
 * A bidirectional LSTM needs the whole utterance before its output is final, so the design is:
 * - voice activity detection cuts the stream into segments (utterances);
 * - while the person speaks, the growing segment is decoded again every `partialIntervalSec` of new audio
 *   and published as a partial result; the words that agree with the previous partial form the stable
 *   prefix, the rest is the unstable tail. Decodes only ever start on the newest audio: if one took longer
 *   than the audio it covered, the backlog is classified by the VAD without decoding until caught up;
 * - once the speaker has been quiet for `speculateAfterSec`, the segment is decoded speculatively, while
 *   the VAD's hangover is still running (and again after each further `speculateAfterSec` of quiet). When
 *   the recogniser agrees that the speaker has finished (its last `confirmEndSec` of posteriors hold no
 *   character), that decode is the final at once: the user waits the short quiet plus the compute, not
 *   the whole hangover. Otherwise, if the hangover ends
 *   without new speech, those posteriors become the final result, so the user waits max(hangover,
 *   compute) rather than their sum;
 * - a segment that reaches `maxSegmentSec` is split at its quietest recent frame and finalised, so
 *   compute per decode stays bounded however long someone talks without a pause.
 *
 * Plain Node (no Electron): the engine worker, the latency benchmark and the tests run this same code.
 */
import { frameDbfs, meterLevel } from '../../common/audio-level';
import type { Word } from '../../common/transcript';
import { Resampler } from '../audio/resample';
import type { Posteriors } from '../engine';
import { MfccPrefixCache } from '../frontend/mfcc';
import { VoiceActivityDetector, type VadOptions } from './vad';

/** What the recognizer needs from the engine (AsrEngine provides it). */
export interface LiveEngine {
  readonly sampleRate: number;
  /** `features`: MFCCs of the audio's start from earlier calls on the same segment, reused and kept. */
  posteriors(samples: Float32Array, features?: MfccPrefixCache): Promise<Posteriors>;
  decodePosteriors(posteriors: Posteriors, offsetSec: number): Word[];
  /** Seconds at the end of the posteriors in which the model hears no character. */
  trailingQuietSec(posteriors: Posteriors): number;
  /** The final's display text (punctuation and capitals); undefined when switched off. */
  punctuateUtterance?(utterance: string): string | undefined;
}

export interface LiveOptions {
  /** Sample rate of the audio given to push(). */
  inputSampleRate: number;
  vad?: Partial<Omit<VadOptions, 'sampleRate'>>;
  partialIntervalSec?: number;
  speculateAfterSec?: number;
  /**
   * A speculative decode whose last this-many seconds hold no character ends the utterance without
   * waiting for the VAD's hangover; 0 turns this off (the hangover alone decides).
   */
  confirmEndSec?: number;
  maxSegmentSec?: number;
  /** Where a long segment may be split: its last this-many seconds. */
  splitSearchSec?: number;
}

export interface LiveTiming {
  /** Stream time (s) of the end of speech, as the VAD saw it. */
  speechEndSec: number;
  /** Quiet the VAD waited before deciding speech had ended (0 for a forced split or stop). */
  hangoverSec: number;
  /** Milliseconds spent computing this final's posteriors and decoding them. */
  computeMs: number;
  /** Whether the final reused the speculative decode made during the hangover. */
  speculative: boolean;
  /** Whether the recogniser confirmed the end before the hangover ran out. */
  recognizerEnd: boolean;
}

export type LiveEvent =
  | { type: 'speech-start'; segment: number; startSec: number }
  | {
      type: 'partial';
      segment: number;
      text: string;
      words: string[];
      /** How many leading words agree with the previous partial (shown as settled). */
      stableWords: number;
    }
  | {
      type: 'final';
      segment: number;
      text: string;
      /** `text` with punctuation and capitals (spoken commands left as words); absent when switched off. */
      displayText?: string;
      words: Word[];
      startSec: number;
      endSec: number;
      /** Why the segment ended: the speaker paused, it grew too long, or dictation stopped. */
      reason: 'pause' | 'split' | 'stop';
      timing: LiveTiming;
    }
  /** Input level (0..1 over −60..0 dBFS) and whether the VAD hears speech, about 20 times a second. */
  | { type: 'level'; level: number; speech: boolean };

interface Decoded {
  /** Segment-relative sample count the decode covers. */
  coveredSamples: number;
  words: Word[];
  /** Model and decoder time, milliseconds. */
  computeMs: number;
  /** Seconds at the end in which the model heard no character. */
  trailingQuietSec: number;
}

interface Segment {
  id: number;
  /** Absolute stream sample of the segment's first sample. */
  startSample: number;
  audio: Float32Array;
  length: number;
  /** Frame energies (dBFS) from the segment's start, for choosing a split point. */
  energies: number[];
  lastDecode: Decoded | null;
  previousWords: string[];
  /** Each decode covers the segment from its start again: its MFCCs so far are computed once. */
  features: MfccPrefixCache;
}

const DEFAULTS = {
  partialIntervalSec: 0.3,
  speculateAfterSec: 0.1,
  confirmEndSec: 0.1,
  maxSegmentSec: 12,
  splitSearchSec: 3,
};

const LEVEL_INTERVAL_FRAMES = 5;
/** 150 ms: about the shortest pause between words. */
const SPLIT_WINDOW_FRAMES = 15;

export class LiveRecognizer {
  private readonly engine: LiveEngine;
  private readonly vad: VoiceActivityDetector;
  private readonly resampler: Resampler | null;
  private readonly options: Required<Omit<LiveOptions, 'vad'>>;
  private readonly rate: number;
  private readonly frame: Float32Array;
  private frameFill = 0;
  /** Audio before the current segment, kept for the VAD's pre-roll. */
  private readonly history: Float32Array;
  private historyFill = 0;
  private streamSamples = 0;
  private segment: Segment | null = null;
  private nextSegmentId = 1;
  private framesSinceLevel = 0;
  private readonly pending: Float32Array[] = [];
  private draining: Promise<void> | null = null;
  private failed: unknown = null;

  constructor(
    engine: LiveEngine,
    options: LiveOptions,
    private readonly emit: (event: LiveEvent) => void,
  ) {
    this.engine = engine;
    this.rate = engine.sampleRate;
    this.options = { ...DEFAULTS, ...options };
    this.vad = new VoiceActivityDetector({ ...options.vad, sampleRate: this.rate });
    this.resampler =
      options.inputSampleRate === this.rate ? null : new Resampler(options.inputSampleRate, this.rate);
    this.frame = new Float32Array(this.vad.frameSamples);
    // Room for the pre-roll plus the loud frames the VAD needs before it confirms speech.
    const { preRollMs, minSpeechMs } = this.vad.options;
    this.history = new Float32Array(
      Math.ceil(((preRollMs + minSpeechMs) / 1000) * this.rate) + this.frame.length,
    );
  }

  /** Queues audio; processing (and decoding) happens asynchronously, in order. */
  push(samples: Float32Array): void {
    if (this.failed) throw this.failed;
    this.pending.push(Float32Array.from(samples));
    this.draining ??= this.drain().finally(() => {
      this.draining = null;
    });
  }

  /** Resolves once everything pushed so far has been processed (and decoded, where due). */
  async whenIdle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** Processes everything queued, finalises the open segment (if any) and resolves when done. */
  async stop(): Promise<void> {
    await this.whenIdle();
    if (this.failed) throw this.failed;
    if (this.resampler) await this.consume(this.resampler.flush());
    if (this.segment) await this.finalize(this.segment.length, 'stop', 0);
  }

  /** Audio seconds received so far. */
  get receivedSec(): number {
    return this.streamSamples / this.rate;
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const chunk = this.pending.shift()!;
        const samples = this.resampler ? this.resampler.process(chunk) : chunk;
        await this.consume(samples);
      }
    } catch (error) {
      this.failed = error;
      this.pending.length = 0;
    }
  }

  /** Splits audio into VAD frames; runs the decisions each frame triggers. */
  private async consume(samples: Float32Array): Promise<void> {
    let offset = 0;
    while (offset < samples.length) {
      const take = Math.min(samples.length - offset, this.frame.length - this.frameFill);
      this.frame.set(samples.subarray(offset, offset + take), this.frameFill);
      this.frameFill += take;
      offset += take;
      if (this.frameFill < this.frame.length) break;
      this.frameFill = 0;
      // The newest frame we have: nothing queued behind it and no whole frame left in this chunk.
      const latest = this.pending.length === 0 && samples.length - offset < this.frame.length;
      await this.onFrame(this.frame, latest);
    }
  }

  private async onFrame(frame: Float32Array, latest: boolean): Promise<void> {
    const frameStart = this.streamSamples;
    this.streamSamples += frame.length;
    const event = this.vad.pushFrame(frame);
    this.reportLevel();

    if (event?.type === 'speech-start') {
      this.openSegment(event.startSample, frameStart);
    }
    const segment = this.segment;
    if (!segment) {
      this.remember(frame);
      return;
    }
    if (event?.type !== 'speech-start') this.append(segment, frame);
    segment.energies.push(frameDbfs(frame));

    if (event?.type === 'speech-end') {
      const speechEnd = event.endSample - segment.startSample;
      await this.finalize(speechEnd, 'pause', event.hangoverSamples / this.rate);
      return;
    }
    if (segment.length >= this.options.maxSegmentSec * this.rate) {
      await this.split(segment);
      return;
    }
    // Partial and speculative decodes only on the newest audio: when decoding falls behind real time, the
    // frames queued meanwhile are only classified (cheap) until we have caught up, so results never lag.
    if (!latest) return;
    const silence = this.vad.silenceSec;
    const covered = segment.lastDecode?.coveredSamples ?? 0;
    const sinceDecode = (segment.length - covered) / this.rate;
    if (silence >= this.options.speculateAfterSec) {
      // Speculate in the pause: decode everything up to now, while the hangover runs; while the
      // recogniser still hears something at the end, again after each further `speculateAfterSec`.
      const speechEnd = this.vad.speechEndSample - segment.startSample;
      const again = this.options.confirmEndSec > 0 && sinceDecode >= this.options.speculateAfterSec;
      if (covered < speechEnd + this.options.speculateAfterSec * this.rate || again) {
        await this.decodePartial(segment);
        if (this.recognizerHeardEnd(segment)) {
          const ended = this.vad.endSpeech()!;
          await this.finalize(
            ended.endSample - segment.startSample,
            'pause',
            ended.hangoverSamples / this.rate,
            true,
          );
        }
      }
    } else if (silence === 0 && sinceDecode >= this.partialIntervalSec(segment)) {
      await this.decodePartial(segment);
    }
  }

  /**
   * Audio between partial decodes: the configured interval, or 1.5× the last decode's time when that is
   * longer (audio keeps arriving during a decode), so partials leave the engine idle about a third of the
   * time and the decode at the end of speech usually starts at once.
   */
  private partialIntervalSec(segment: Segment): number {
    return Math.max(this.options.partialIntervalSec, (1.5 * (segment.lastDecode?.computeMs ?? 0)) / 1000);
  }

  /** The last decode covers the whole segment and its last `confirmEndSec` hold no character. */
  private recognizerHeardEnd(segment: Segment): boolean {
    const confirm = this.options.confirmEndSec;
    const decoded = segment.lastDecode;
    return (
      confirm > 0 &&
      decoded !== null &&
      decoded.coveredSamples === segment.length &&
      decoded.trailingQuietSec >= confirm
    );
  }

  private openSegment(startSample: number, frameStart: number): void {
    // The segment starts with the pre-roll from history, then the frame that confirmed speech.
    const fromHistory = Math.min(frameStart - startSample, this.historyFill);
    const segment = this.newSegment(frameStart - fromHistory);
    this.append(segment, this.history.subarray(this.historyFill - fromHistory, this.historyFill));
    this.append(segment, this.frame);
    this.historyFill = 0;
    this.segment = segment;
    this.emit({ type: 'speech-start', segment: segment.id, startSec: segment.startSample / this.rate });
  }

  /** An empty segment starting at an absolute stream sample (its buffer grows as audio is appended). */
  private newSegment(startSample: number, energies: number[] = []): Segment {
    const audio = new Float32Array(this.rate * 4);
    return {
      id: this.nextSegmentId++,
      startSample,
      audio,
      length: 0,
      energies,
      lastDecode: null,
      previousWords: [],
      features: new MfccPrefixCache(),
    };
  }

  private remember(frame: Float32Array): void {
    if (this.historyFill + frame.length > this.history.length) {
      const keep = this.history.length - frame.length;
      this.history.copyWithin(0, this.historyFill - keep, this.historyFill);
      this.historyFill = keep;
    }
    this.history.set(frame, this.historyFill);
    this.historyFill += frame.length;
  }

  private append(segment: Segment, samples: Float32Array): void {
    if (segment.length + samples.length > segment.audio.length) {
      const grown = new Float32Array(Math.max(segment.audio.length * 2, segment.length + samples.length));
      grown.set(segment.audio.subarray(0, segment.length));
      segment.audio = grown;
    }
    segment.audio.set(samples, segment.length);
    segment.length += samples.length;
  }

  private async decode(segment: Segment, samples: number): Promise<Decoded> {
    const started = performance.now();
    const posteriors = await this.engine.posteriors(segment.audio.slice(0, samples), segment.features);
    const words = this.engine.decodePosteriors(posteriors, segment.startSample / this.rate);
    const trailingQuietSec = this.engine.trailingQuietSec(posteriors);
    return { coveredSamples: samples, words, computeMs: performance.now() - started, trailingQuietSec };
  }

  private async decodePartial(segment: Segment): Promise<void> {
    const decoded = await this.decode(segment, segment.length);
    segment.lastDecode = decoded;
    const words = decoded.words.map((w) => w.word);
    let stable = 0;
    while (stable < words.length - 1 && words[stable] === segment.previousWords[stable]) stable++;
    segment.previousWords = words;
    this.emit({ type: 'partial', segment: segment.id, text: words.join(' '), words, stableWords: stable });
  }

  /**
   * Ends the segment at `speechEnd` (segment-relative samples) plus the quiet already heard after it, reusing
   * the speculative decode when it covers all the speech.
   */
  private async finalize(
    speechEnd: number,
    reason: 'pause' | 'split' | 'stop',
    hangoverSec: number,
    recognizerEnd = false,
  ): Promise<void> {
    const segment = this.segment!;
    this.segment = null;
    const tail = Math.round(this.options.speculateAfterSec * this.rate);
    const end = Math.min(segment.length, speechEnd + tail);
    // The speculative decode's words are the final's when it covers all the speech (same audio, same decoder).
    const reuse = segment.lastDecode !== null && segment.lastDecode.coveredSamples >= end;
    const decoded = reuse ? segment.lastDecode! : await this.decode(segment, end);
    const { words, computeMs } = decoded;
    const text = words.map((w) => w.word).join(' ');
    const displayText = this.engine.punctuateUtterance?.(text);
    this.emit({
      type: 'final',
      segment: segment.id,
      text,
      ...(displayText === undefined ? {} : { displayText }),
      words,
      startSec: segment.startSample / this.rate,
      endSec: (segment.startSample + decoded.coveredSamples) / this.rate,
      reason,
      timing: {
        speechEndSec: (segment.startSample + speechEnd) / this.rate,
        hangoverSec,
        computeMs,
        speculative: reuse,
        recognizerEnd,
      },
    });
  }

  /**
   * Finalises a segment that grew too long at the quietest stretch of its last seconds (mean energy over
   * `SPLIT_WINDOW_FRAMES`, so a stop consonant's short closure inside a word does not win); the rest of
   * the audio starts the next segment.
   */
  private async split(segment: Segment): Promise<void> {
    const frameSamples = this.frame.length;
    const energies = segment.energies;
    const frames = energies.length;
    const searchFrames = Math.min(
      frames - 1,
      Math.round((this.options.splitSearchSec * this.rate) / frameSamples),
    );
    const w = Math.min(SPLIT_WINDOW_FRAMES, searchFrames);
    let quietest = frames - 1;
    let quietestMean = Infinity;
    for (let f = frames - searchFrames; f + w <= frames; f++) {
      let sum = 0;
      for (let k = f; k < f + w; k++) sum += energies[k];
      if (sum / w < quietestMean) {
        quietestMean = sum / w;
        quietest = f + Math.floor(w / 2);
      }
    }
    // Energies are per frame from the segment start, but the segment begins with the pre-roll; frame f ends at:
    const preRoll = segment.length - frames * frameSamples;
    const cut = Math.max(frameSamples, Math.min(segment.length, preRoll + (quietest + 1) * frameSamples));
    const rest = segment.audio.slice(cut, segment.length);
    const restEnergies = segment.energies.slice(quietest + 1);
    segment.length = cut;
    if (segment.lastDecode && segment.lastDecode.coveredSamples !== cut) segment.lastDecode = null;
    await this.finalize(cut, 'split', 0);
    const next = this.newSegment(segment.startSample + cut, restEnergies);
    this.append(next, rest);
    this.segment = next;
    this.emit({ type: 'speech-start', segment: next.id, startSec: next.startSample / this.rate });
  }

  private reportLevel(): void {
    if (++this.framesSinceLevel < LEVEL_INTERVAL_FRAMES) return;
    this.framesSinceLevel = 0;
    this.emit({ type: 'level', level: meterLevel(this.vad.levelDbfs), speech: this.vad.speaking });
  }
}
