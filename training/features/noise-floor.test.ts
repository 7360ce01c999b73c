import { describe, expect, it } from 'vitest';
import { energyDb } from '../../main/common/audio-level';
import { addNoiseFloor, chooseNoiseFloor, colouredNoise, loudLevelDb } from './noise-floor';
import { idRandom } from './trim-edges';

const RATE = 16000;

/** 0.5 s of digital silence, 1 s of a tone at −9 dBFS RMS, 0.5 s of digital silence. */
function clip(): Float32Array {
  const x = new Float32Array(2 * RATE);
  for (let i = RATE / 2; i < (3 * RATE) / 2; i++) x[i] = 0.5 * Math.sin((2 * Math.PI * 440 * i) / RATE);
  return x;
}

/** An id the hash gives a floor at share 1 with the wanted colour. */
function idWith(colour: string): string {
  for (let i = 0; ; i++) if (chooseNoiseFloor(`utt-${i}`, 1)!.colour === colour) return `utt-${i}`;
}

describe('addNoiseFloor', () => {
  it('fills digital silence with a floor 35–65 dB below the speech, and leaves the speech audible', () => {
    const x = clip();
    const id = 'utt-7';
    const withFloor = addNoiseFloor(x, RATE, id, 1);
    expect(withFloor).not.toBe(x);
    const loud = loudLevelDb(x, RATE);
    const silence = energyDb(withFloor, 0, RATE / 2);
    const below = chooseNoiseFloor(id, 1)!.belowSpeechDb;
    expect(below).toBeGreaterThanOrEqual(35);
    expect(below).toBeLessThanOrEqual(65);
    // The floor's level is the chosen one, within the chance of a 0.5 s stretch.
    expect(Math.abs(loud - silence - below)).toBeLessThan(1.5);
    expect(Math.abs(energyDb(withFloor, RATE / 2, RATE) - energyDb(x, RATE / 2, RATE))).toBeLessThan(0.1);
    expect(x[0]).toBe(0); // the input is not changed
  });

  it('keeps the recording when not chosen, and a silent recording as it is', () => {
    const x = clip();
    expect(addNoiseFloor(x, RATE, 'utt-7', 0)).toBe(x);
    const silent = new Float32Array(RATE);
    expect(addNoiseFloor(silent, RATE, 'utt-7', 1)).toBe(silent);
  });

  it('chooses about the given share and all three colours, the same way on every run', () => {
    const ids = Array.from({ length: 3000 }, (_, i) => `train/r${i}/t${i % 30}`);
    const chosen = ids.map((id) => chooseNoiseFloor(id, 0.5));
    const count = chosen.filter(Boolean).length;
    expect(count).toBeGreaterThan(1350);
    expect(count).toBeLessThan(1650);
    const colours = new Set(chosen.filter(Boolean).map((c) => c!.colour));
    expect([...colours].sort()).toEqual(['brown', 'pink', 'white']);
    expect(ids.map((id) => chooseNoiseFloor(id, 0.5))).toEqual(chosen);
    const x = clip();
    expect(addNoiseFloor(x, RATE, idWith('pink'), 1)).toEqual(addNoiseFloor(x, RATE, idWith('pink'), 1));
  });
});

describe('colouredNoise', () => {
  /** Energy share above 4 kHz, from first differences (a crude high-pass) against the signal. */
  function highShare(noise: Float32Array): number {
    let diff = 0;
    let all = 0;
    for (let i = 1; i < noise.length; i++) {
      diff += (noise[i] - noise[i - 1]) ** 2;
      all += noise[i] ** 2;
    }
    return diff / all;
  }

  it('has unit RMS, and less high-frequency energy from white to pink to brown', () => {
    const shares = (['white', 'pink', 'brown'] as const).map((colour) => {
      const noise = colouredNoise(RATE, colour, idRandom('n', colour));
      expect(Math.abs(energyDb(noise))).toBeLessThan(0.01);
      return highShare(noise);
    });
    // White noise's first difference has twice its energy; each colour after it much less.
    expect(shares[0]).toBeGreaterThan(1.8);
    expect(shares[1]).toBeLessThan(shares[0] / 2);
    expect(shares[2]).toBeLessThan(shares[1] / 2);
  });
});
