/**
 * Noise floors for training audio (dump-features --noise-floor P). A quarter of the synthetic corpus is
 * kept clean, and clean synthesis is digital silence between words (26 % of a sample of the training
 * recordings have more than 5 % of their 10 ms frames at exactly zero), while every microphone has a
 * floor: hiss, hum, a room. Gaussian white noise at −60 dBFS under the held-out slt and awb voices costs
 * the model shipped on 2026-12-07 1.1 and 2.6 points of WER. Mixing a quiet floor under a share of the
 * training recordings teaches the model that a floor is not speech: with half of them so (2026-12-07) it
 * no longer minds that floor on slt, but it lost 4.3 points on the real-speech dev sets, so the shipped
 * recipe does not use it (the model card, "More trimming, real speech weighted up, noise floors …").
 *
 * Which recordings get one, its colour and its level come from a hash of the utterance id, so a rerun
 * (resume) dumps exactly the same features.
 */
import { frameLevelsDb } from '../../main/engine/segment/segmenter';
import { idRandom } from './trim-edges';

/** The floor's level below the recording's loud level (its 95th-percentile 10 ms frame), in dB. */
const FLOOR_BELOW_SPEECH_DB = { min: 35, max: 65 } as const;
const FRAME_SEC = 0.01;
/** A recording whose loud level is below this is silence (energyDb gives −120 for zeros). */
const SILENT_DB = -100;

export type NoiseColour = 'white' | 'pink' | 'brown';
const COLOURS: readonly NoiseColour[] = ['white', 'pink', 'brown'];

/** The recording's loud level: the 95th percentile of its 10 ms frame levels (dB re full scale). */
export function loudLevelDb(samples: Float32Array, sampleRate: number): number {
  const levels = Array.from(frameLevelsDb(samples, Math.round(sampleRate * FRAME_SEC))).sort((a, b) => a - b);
  if (levels.length === 0) return -Infinity;
  return levels[Math.min(levels.length - 1, Math.floor(0.95 * levels.length))];
}

/** Unit-RMS noise of one colour from a seeded stream (pink: Kellet's three-pole filter of white noise;
 * brown: leaky integral of white noise). */
export function colouredNoise(length: number, colour: NoiseColour, random: () => number): Float32Array {
  const noise = new Float32Array(length);
  // Sum of 4 uniforms: close enough to Gaussian for a floor, and cheap.
  const white = () => (random() + random() + random() + random() - 2) * Math.sqrt(3);
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  let brown = 0;
  for (let i = 0; i < length; i++) {
    const w = white();
    if (colour === 'white') noise[i] = w;
    else if (colour === 'pink') {
      b0 = 0.99765 * b0 + w * 0.099046;
      b1 = 0.963 * b1 + w * 0.2965164;
      b2 = 0.57 * b2 + w * 1.0526913;
      noise[i] = b0 + b1 + b2 + w * 0.1848;
    } else {
      brown = 0.995 * brown + w;
      noise[i] = brown;
    }
  }
  let energy = 0;
  for (let i = 0; i < length; i++) energy += noise[i] * noise[i];
  const rms = Math.sqrt(energy / Math.max(1, length));
  if (rms > 0) for (let i = 0; i < length; i++) noise[i] /= rms;
  return noise;
}

export interface NoiseFloorChoice {
  colour: NoiseColour;
  /** dB below the recording's loud level */
  belowSpeechDb: number;
}

/** Whether `id` gets a floor at this share, and which one: the same answer on every run. */
export function chooseNoiseFloor(id: string, share: number): NoiseFloorChoice | null {
  const random = idRandom(id, 'noise-floor');
  if (share <= 0 || random() >= share) return null;
  const colour = COLOURS[Math.min(COLOURS.length - 1, Math.floor(random() * COLOURS.length))];
  const { min, max } = FLOOR_BELOW_SPEECH_DB;
  return { colour, belowSpeechDb: min + random() * (max - min) };
}

/**
 * With probability `share` (decided by `id`), the recording with a white, pink or brown noise floor
 * 35–65 dB below its loud level mixed under it (a new array); otherwise the recording itself. A silent
 * recording is left as it is.
 */
export function addNoiseFloor(
  samples: Float32Array,
  sampleRate: number,
  id: string,
  share: number,
): Float32Array {
  const choice = chooseNoiseFloor(id, share);
  if (!choice) return samples;
  const loud = loudLevelDb(samples, sampleRate);
  if (!(loud > SILENT_DB)) return samples;
  const noise = colouredNoise(samples.length, choice.colour, idRandom(id, 'noise-floor-samples'));
  const gain = 10 ** ((loud - choice.belowSpeechDb) / 20);
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = samples[i] + gain * noise[i];
  return out;
}
