import { describe, expect, it } from 'vitest';
import { idRandom, trimEdges } from './trim-edges';

const RATE = 16000;

/** 0.5 s of quiet noise, 1 s of a loud tone, 0.5 s of quiet noise. */
function clip(): Float32Array {
  const x = new Float32Array(2 * RATE);
  const random = idRandom('clip', 'noise');
  for (let i = 0; i < x.length; i++) {
    const loud = i >= RATE / 2 && i < (3 * RATE) / 2;
    x[i] = loud ? 0.5 * Math.sin((2 * Math.PI * 440 * i) / RATE) : 0.001 * (random() - 0.5);
  }
  return x;
}

describe('trimEdges', () => {
  it('cuts a chosen recording to its loud part with at most 30 ms of margin', () => {
    const x = clip();
    const trimmed = trimEdges(x, RATE, 'utt-1', 1);
    const start = trimmed.byteOffset / 4;
    expect(start).toBeGreaterThanOrEqual(RATE / 2 - 0.03 * RATE);
    expect(start).toBeLessThanOrEqual(RATE / 2);
    const end = start + trimmed.length;
    expect(end).toBeGreaterThanOrEqual((3 * RATE) / 2);
    expect(end).toBeLessThanOrEqual((3 * RATE) / 2 + 0.03 * RATE + 160);
  });

  it('keeps the recording whole when not chosen, or when there is nothing quiet at its edges', () => {
    const x = clip();
    expect(trimEdges(x, RATE, 'utt-1', 0)).toBe(x);
    const tone = clip().subarray(RATE / 2, (3 * RATE) / 2);
    expect(trimEdges(tone, RATE, 'utt-1', 1).length).toBe(tone.length);
    expect(trimEdges(new Float32Array(RATE), RATE, 'silence', 1).length).toBe(RATE);
  });

  it('chooses about the given share, the same way on every run', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => `train/r${i}/t${i % 30}`);
    const x = clip();
    const chosen = ids.filter((id) => trimEdges(x, RATE, id, 0.5).length < x.length);
    expect(chosen.length).toBeGreaterThan(900);
    expect(chosen.length).toBeLessThan(1100);
    const again = ids.filter((id) => trimEdges(x, RATE, id, 0.5).length < x.length);
    expect(again).toEqual(chosen);
  });
});
