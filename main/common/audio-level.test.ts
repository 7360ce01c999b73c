import { describe, expect, it } from 'vitest';
import {
  energyDb,
  frameDbfs,
  frameMeterLevel,
  meterLevel,
  METER_FLOOR_DBFS,
  SILENCE_DBFS,
} from './audio-level';

describe('frameDbfs', () => {
  it('is the RMS energy in dBFS: full-scale DC is 0 dB, a full-scale sine −3 dB, a tenth −20 dB', () => {
    expect(frameDbfs(new Float32Array(100).fill(1))).toBeCloseTo(0, 5);
    const sine = new Float32Array(1600).map((_, i) => Math.sin((2 * Math.PI * 100 * i) / 16000));
    expect(frameDbfs(sine)).toBeCloseTo(-3.01, 2);
    expect(frameDbfs(new Float32Array(100).fill(-0.1))).toBeCloseTo(-20, 4);
  });

  it('measures only the frame asked for', () => {
    const samples = new Float32Array(200);
    samples.fill(0.5, 100);
    expect(frameDbfs(samples, 0, 100)).toBe(SILENCE_DBFS);
    expect(frameDbfs(samples, 100, 100)).toBeCloseTo(20 * Math.log10(0.5), 4);
    expect(frameDbfs(samples, 50, 100)).toBeCloseTo(10 * Math.log10(0.125), 4);
  });

  it('gives silence and an empty frame the finite floor', () => {
    expect(frameDbfs(new Float32Array(160))).toBe(SILENCE_DBFS);
    expect(frameDbfs(new Float32Array(0))).toBe(SILENCE_DBFS);
    expect(frameDbfs(new Float32Array(160).fill(1e-9))).toBe(SILENCE_DBFS);
  });
});

describe('energyDb', () => {
  it('is the same energy unfloored, so frames quieter than the floor still rank by loudness', () => {
    const faint = new Float32Array(160).fill(1e-6);
    const fainter = new Float32Array(160).fill(1e-7);
    expect(energyDb(faint)).toBeLessThan(SILENCE_DBFS);
    expect(energyDb(fainter)).toBeLessThan(energyDb(faint));
    expect(energyDb(new Float32Array(160))).toBeCloseTo(-120, 6);
    expect(frameDbfs(faint)).toBe(SILENCE_DBFS);
    expect(energyDb(new Float32Array(100).fill(0.1))).toBeCloseTo(
      frameDbfs(new Float32Array(100).fill(0.1)),
      10,
    );
  });
});

describe('meterLevel', () => {
  it('maps the meter floor..0 dBFS linearly onto 0..1 and clamps outside', () => {
    expect(meterLevel(METER_FLOOR_DBFS)).toBe(0);
    expect(meterLevel(0)).toBe(1);
    expect(meterLevel(-30)).toBeCloseTo(0.5, 10);
    expect(meterLevel(SILENCE_DBFS)).toBe(0);
    expect(meterLevel(6)).toBe(1);
  });

  it('frameMeterLevel is the meter level of the frame', () => {
    expect(frameMeterLevel(new Float32Array(100))).toBe(0);
    expect(frameMeterLevel(new Float32Array(100).fill(1))).toBeCloseTo(1, 5);
    expect(frameMeterLevel(new Float32Array(100).fill(0.001))).toBeCloseTo(0, 5);
    expect(frameMeterLevel(new Float32Array(100).fill(0.1))).toBeCloseTo(2 / 3, 4);
  });
});
