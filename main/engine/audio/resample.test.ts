import { describe, expect, it } from 'vitest';
import { Resampler } from './resample';
import { concatSamples } from './samples';

const tone = (freq: number, rate: number, seconds: number, amplitude = 0.5) =>
  Float32Array.from(
    { length: Math.round(rate * seconds) },
    (_, i) => amplitude * Math.sin((2 * Math.PI * freq * i) / rate),
  );

const rms = (x: Float32Array, from = 0, to = x.length) => {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return Math.sqrt(s / (to - from));
};

function resampleAll(
  input: Float32Array,
  inRate: number,
  outRate: number,
  chunk = input.length,
): Float32Array {
  const r = new Resampler(inRate, outRate);
  const parts: Float32Array[] = [];
  for (let i = 0; i < input.length; i += chunk) parts.push(r.process(input.subarray(i, i + chunk)));
  parts.push(r.flush());
  return concatSamples(parts);
}

describe('Resampler', () => {
  it.each([
    [44100, 16000],
    [48000, 16000],
    [8000, 16000],
    [22050, 16000],
  ])('keeps a 1 kHz tone at full level from %i to %i Hz', (inRate, outRate) => {
    const out = resampleAll(tone(1000, inRate, 1), inRate, outRate);
    expect(out.length).toBe(Resampler.outputLength(inRate, inRate, outRate));
    const middle = [Math.floor(outRate * 0.1), Math.floor(outRate * 0.9)] as const;
    expect(rms(out, ...middle)).toBeCloseTo(0.5 / Math.SQRT2, 2);
    // Compare with the ideal tone at the new rate (same phase: output n is input time n/outRate).
    const ideal = tone(1000, outRate, 1);
    let err = 0;
    for (let i = middle[0]; i < middle[1]; i++) err = Math.max(err, Math.abs(out[i] - ideal[i]));
    expect(err).toBeLessThan(2e-3);
  });

  it('removes content above the new Nyquist frequency instead of aliasing it', () => {
    // 11 kHz at 44.1 kHz would alias to 5 kHz at 16 kHz without the low-pass.
    const out = resampleAll(tone(11000, 44100, 1), 44100, 16000);
    const level = rms(out, 1600, 14400) / (0.5 / Math.SQRT2);
    expect(20 * Math.log10(level)).toBeLessThan(-60);
  });

  it('gives the same output however the input is chunked', () => {
    const input = tone(440, 44100, 0.5);
    const whole = resampleAll(input, 44100, 16000);
    for (const chunk of [1, 97, 4410]) {
      const chunked = resampleAll(input, 44100, 16000, chunk);
      expect(chunked.length).toBe(whole.length);
      let diff = 0;
      for (let i = 0; i < whole.length; i++) diff = Math.max(diff, Math.abs(whole[i] - chunked[i]));
      expect(diff).toBeLessThan(1e-6);
    }
  });

  it('passes audio through untouched at equal rates', () => {
    const input = tone(440, 16000, 0.1);
    expect(resampleAll(input, 16000, 16000)).toEqual(input);
  });
});
