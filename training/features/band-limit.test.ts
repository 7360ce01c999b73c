import { describe, expect, it } from 'vitest';
import { bandLimit, chooseCutoff, CUTOFF_HZ, lowPassTaps } from './band-limit';

const RATE = 16000;

function tone(hz: number, seconds = 1): Float32Array {
  const x = new Float32Array(Math.round(seconds * RATE));
  for (let i = 0; i < x.length; i++) x[i] = 0.5 * Math.sin((2 * Math.PI * hz * i) / RATE);
  return x;
}

/** RMS level in dB of the middle half (away from the filter's edge effects). */
function middleDb(x: Float32Array): number {
  let energy = 0;
  const from = Math.floor(x.length / 4);
  const to = Math.floor((3 * x.length) / 4);
  for (let i = from; i < to; i++) energy += x[i] * x[i];
  return 10 * Math.log10(energy / (to - from));
}

/** An id the hash band-limits at share 1 with a cutoff in [lo, hi). */
function idWithCutoff(lo: number, hi: number): string {
  for (let i = 0; ; i++) {
    const c = chooseCutoff(`utt-${i}`, 1)!;
    if (c >= lo && c < hi) return `utt-${i}`;
  }
}

describe('bandLimit', () => {
  it('passes speech below the cutoff and removes what lies above it', () => {
    const id = idWithCutoff(4000, 4500);
    const low = tone(1000);
    const high = tone(6500);
    const lowOut = bandLimit(low, RATE, id, 1);
    const highOut = bandLimit(high, RATE, id, 1);
    expect(lowOut).toHaveLength(low.length);
    expect(Math.abs(middleDb(lowOut) - middleDb(low))).toBeLessThan(0.1);
    expect(middleDb(high) - middleDb(highOut)).toBeGreaterThan(60);
    // aligned with the input: the filter's delay is taken out
    let err = 0;
    for (let i = 2000; i < 14000; i++) err = Math.max(err, Math.abs(lowOut[i] - low[i]));
    expect(err).toBeLessThan(0.01);
    expect(low[1]).toBeCloseTo(0.5 * Math.sin((2 * Math.PI * 1000) / RATE), 6); // input unchanged
  });

  it('keeps the recording itself when not chosen', () => {
    const x = tone(6500);
    expect(bandLimit(x, RATE, 'utt-3', 0)).toBe(x);
  });

  it('chooses about the given share, cutoffs across 4–7 kHz, the same way on every run', () => {
    const ids = Array.from({ length: 3000 }, (_, i) => `train/r${i}/t${i % 30}`);
    const chosen = ids.map((id) => chooseCutoff(id, 0.5));
    const cutoffs = chosen.filter((c): c is number => c !== null);
    expect(cutoffs.length).toBeGreaterThan(1350);
    expect(cutoffs.length).toBeLessThan(1650);
    expect(Math.min(...cutoffs)).toBeGreaterThanOrEqual(CUTOFF_HZ.min);
    expect(Math.max(...cutoffs)).toBeLessThan(CUTOFF_HZ.max);
    expect(cutoffs.filter((c) => c < 5000).length).toBeGreaterThan(300);
    expect(cutoffs.filter((c) => c >= 6000).length).toBeGreaterThan(300);
    expect(ids.map((id) => chooseCutoff(id, 0.5))).toEqual(chosen);
  });
});

describe('lowPassTaps', () => {
  it('has unit gain at 0 Hz and is symmetric (linear phase)', () => {
    const h = lowPassTaps(5000, RATE);
    expect(h.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    for (let n = 0; n < h.length; n++) expect(h[n]).toBeCloseTo(h[h.length - 1 - n], 12);
  });
});
