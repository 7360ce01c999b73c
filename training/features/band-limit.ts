/**
 * Band limits for training audio (dump-features --band-limit P). Most training recordings reach 8 kHz
 * (16 kHz synthesis), and the band-limited ones the recipes make are mostly telephone speech (3.4 kHz).
 * Real recordings often stop in between: 11 or 22 kHz files, cheap microphones, lossy codecs. The game
 * voice lines of the warzone2100 dev set are 11 kHz files (nothing above 5.5 kHz), and the same band
 * limit costs the shipped model 2 points of WER on its dev set (120 files, 14.1 → 16.1 %, resampled
 * with sox, 2026-12-07). Low-passing a share of the training recordings at a cutoff between 4 and 7 kHz
 * teaches the model speech whose fricatives and bursts lack their top.
 *
 * Which recordings are filtered, and their cutoff, come from a hash of the utterance id: a rerun
 * (resume) dumps exactly the same features.
 */
import { idRandom } from './trim-edges';

/** The cutoff is drawn uniformly from this range (Hz). */
export const CUTOFF_HZ = { min: 4000, max: 7000 } as const;
/** Taps of the windowed-sinc low-pass (odd: linear phase, delay of (TAPS − 1) / 2 samples). At 16 kHz the
 * Blackman window's transition band is about 5.5 · 16000 / 129 ≈ 680 Hz wide; its stop band is below
 * −74 dB. */
const TAPS = 129;

/** Whether `id` is band-limited at this share, and its cutoff: the same answer on every run. */
export function chooseCutoff(id: string, share: number): number | null {
  const random = idRandom(id, 'band-limit');
  if (share <= 0 || random() >= share) return null;
  return CUTOFF_HZ.min + random() * (CUTOFF_HZ.max - CUTOFF_HZ.min);
}

/** A linear-phase low-pass FIR (windowed sinc, Blackman window) with unit gain at 0 Hz. */
export function lowPassTaps(cutoffHz: number, sampleRate: number, taps = TAPS): Float64Array {
  const h = new Float64Array(taps);
  const centre = (taps - 1) / 2;
  const fc = cutoffHz / sampleRate;
  let sum = 0;
  for (let n = 0; n < taps; n++) {
    const k = n - centre;
    const sinc = k === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * k) / (Math.PI * k);
    const w =
      0.42 - 0.5 * Math.cos((2 * Math.PI * n) / (taps - 1)) + 0.08 * Math.cos((4 * Math.PI * n) / (taps - 1));
    h[n] = sinc * w;
    sum += h[n];
  }
  for (let n = 0; n < taps; n++) h[n] /= sum;
  return h;
}

/**
 * With probability `share` (decided by `id`), the recording low-passed at a cutoff of 4–7 kHz (a new
 * array of the same length, aligned with the input: the filter's delay is taken out); otherwise the
 * recording itself. A cutoff at or above the Nyquist frequency leaves the recording as it is.
 */
export function bandLimit(
  samples: Float32Array,
  sampleRate: number,
  id: string,
  share: number,
): Float32Array {
  const cutoff = chooseCutoff(id, share);
  if (cutoff === null || cutoff >= sampleRate / 2) return samples;
  const h = lowPassTaps(cutoff, sampleRate);
  const half = (h.length - 1) / 2;
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    // out[i] = Σ h[n] · x[i + half − n], with zeros beyond the recording's ends
    let acc = 0;
    const nFrom = Math.max(0, i + half - (samples.length - 1));
    const nTo = Math.min(h.length - 1, i + half);
    for (let n = nFrom; n <= nTo; n++) acc += h[n] * samples[i + half - n];
    out[i] = acc;
  }
  return out;
}
