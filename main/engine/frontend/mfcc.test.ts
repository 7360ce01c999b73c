import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAudioFile } from '../audio/load';
import {
  computeMfcc,
  DEFAULT_FRONT_END,
  frameCount,
  MfccPrefixCache,
  normalizeFeatures,
  stackFrames,
  validateFrontEndConfig,
} from './mfcc';

const fixtures = path.join(import.meta.dirname, '..', '__fixtures__');

describe('MFCC front end', () => {
  it('matches the committed golden features of speech-16k.wav', async () => {
    // Pins the front end numerically: a change to meyda, the framing or the gain shows up here and
    // means every shipped model must be retrained. Regenerate only deliberately (see __fixtures__/README.md).
    const golden = JSON.parse(await readFile(path.join(fixtures, 'speech-16k.mfcc.json'), 'utf8')) as {
      frontend: typeof DEFAULT_FRONT_END;
      frames: number;
      dim: number;
      features: number[];
    };
    expect(golden.frontend).toEqual(DEFAULT_FRONT_END);
    const samples = await loadAudioFile(path.join(fixtures, 'speech-16k.wav'), 16000);
    const features = computeMfcc(samples, DEFAULT_FRONT_END);
    expect(features.length).toBe(golden.frames * golden.dim);
    let maxError = 0;
    for (let i = 0; i < features.length; i++) {
      maxError = Math.max(
        maxError,
        Math.abs(features[i] - golden.features[i]) / (1 + Math.abs(golden.features[i])),
      );
    }
    expect(maxError).toBeLessThan(1e-4);
  });

  it('reuses the frames of a growing signal exactly, and only whole frames of the same configuration', async () => {
    const samples = await loadAudioFile(path.join(fixtures, 'speech-16k.wav'), 16000);
    const cache = new MfccPrefixCache();
    // Live dictation: the segment grows by uneven chunks, is cut shorter (split), and grows again.
    for (const length of [1000, 1000, 4321, 9000, 16000, 12345, 20000, samples.length]) {
      const part = samples.subarray(0, length);
      const reusable = cache.reusableFrames(length, DEFAULT_FRONT_END);
      expect(computeMfcc(part, DEFAULT_FRONT_END, cache)).toEqual(computeMfcc(part, DEFAULT_FRONT_END));
      // Never a frame that reached past the shorter signal's end (those were zero-padded).
      expect(reusable * DEFAULT_FRONT_END.hopLength + DEFAULT_FRONT_END.frameLength).toBeLessThanOrEqual(
        length + DEFAULT_FRONT_END.hopLength,
      );
    }
    expect(cache.reusableFrames(samples.length, DEFAULT_FRONT_END)).toBe(
      Math.floor((samples.length - 512) / 160) + 1,
    );
    // Another configuration computes everything again.
    const louder = { ...DEFAULT_FRONT_END, inputGain: 65536 };
    expect(cache.reusableFrames(samples.length, louder)).toBe(0);
    expect(computeMfcc(samples, louder, cache)).toEqual(computeMfcc(samples, louder));
  });

  it('produces one frame per hop, zero-padding the last', () => {
    expect(frameCount(16000, DEFAULT_FRONT_END)).toBe(100);
    expect(frameCount(16001, DEFAULT_FRONT_END)).toBe(101);
    expect(computeMfcc(new Float32Array(1), DEFAULT_FRONT_END).length).toBe(20);
    expect(computeMfcc(new Float32Array(0), DEFAULT_FRONT_END).length).toBe(0);
  });

  it('re-applies meyda configuration when it changes (no stale mel filter bank)', () => {
    const signal = Float32Array.from(
      { length: 4000 },
      (_, i) => 0.3 * Math.sin(i / 3) + 0.1 * Math.sin(i / 17),
    );
    const a = computeMfcc(signal, DEFAULT_FRONT_END);
    const other = {
      ...DEFAULT_FRONT_END,
      sampleRate: 8000,
      hopLength: 80,
      frameLength: 256,
      melBands: 26,
      mfccCoefficients: 13,
    };
    const b = computeMfcc(signal, other);
    expect(b.length).toBe(50 * 13);
    expect(computeMfcc(signal, DEFAULT_FRONT_END)).toEqual(a);
  });

  it('rejects configurations meyda would silently get wrong', () => {
    expect(() => validateFrontEndConfig({ ...DEFAULT_FRONT_END, frameLength: 400 })).toThrow(
      /frameLength 400 is not a power of two/,
    );
    expect(() => validateFrontEndConfig({ ...DEFAULT_FRONT_END, melBands: 10 })).toThrow(/melBands 10/);
    expect(() =>
      validateFrontEndConfig({ ...DEFAULT_FRONT_END, mfccCoefficients: 41, melBands: 64 }),
    ).toThrow(/1\.\.40/);
    expect(() => validateFrontEndConfig({ ...DEFAULT_FRONT_END, hopLength: 0 })).toThrow(/hopLength/);
  });

  it('normalises per coefficient and stacks frames with zero padding', () => {
    const features = Float32Array.from([1, 10, 3, 30, 5, 50, 7, 70]); // 4 frames × 2
    normalizeFeatures(features, { mean: [4, 40], std: [2, 20] });
    expect(Array.from(features)).toEqual([-1.5, -1.5, -0.5, -0.5, 0.5, 0.5, 1.5, 1.5]);
    const { data, steps } = stackFrames(features, 2, { size: 3, stride: 3 });
    expect(steps).toBe(2);
    expect(Array.from(data)).toEqual([-1.5, -1.5, -0.5, -0.5, 0.5, 0.5, 1.5, 1.5, 0, 0, 0, 0]);
  });

  it("subtracts each call's own mean when the manifest says meanFrom utterance", () => {
    // The same 2 frames recorded 10 units louder on coefficient 0: identical after utterance-mean
    // normalisation, 5 σ apart with the training mean.
    const quiet = Float32Array.from([1, 4, 3, 8]);
    const loud = Float32Array.from([11, 4, 13, 8]);
    const norm = { mean: [0, 0], std: [2, 4], meanFrom: 'utterance' as const };
    normalizeFeatures(quiet, norm);
    normalizeFeatures(loud, norm);
    expect(Array.from(quiet)).toEqual([-0.5, -0.5, 0.5, 0.5]);
    expect(Array.from(loud)).toEqual(Array.from(quiet));
    expect(
      Array.from(normalizeFeatures(Float32Array.from([11, 4]), { ...norm, meanFrom: 'training' })),
    ).toEqual([5.5, 1]);
    // No frames: nothing to average, nothing to fail.
    expect(normalizeFeatures(new Float32Array(0), norm).length).toBe(0);
  });

  it('mixes meanPriorFrames frames of the training mean into a short utterance’s own mean', () => {
    // 2 frames whose own mean is [12, 6]; 2 prior frames of the training mean [0, 2]: μ = [6, 4].
    const norm = { mean: [0, 2], std: [1, 1], meanFrom: 'utterance' as const, meanPriorFrames: 2 };
    expect(Array.from(normalizeFeatures(Float32Array.from([11, 4, 13, 8]), norm))).toEqual([5, 0, 7, 4]);
    // A long utterance is normalised almost wholly by its own mean…
    const long = new Float32Array(2 * 998).fill(10);
    expect(normalizeFeatures(long, norm)[0]).toBeCloseTo(10 * (2 / 1000), 9);
    // …and with no frames at all the training mean is what there is (nothing to divide by zero).
    expect(normalizeFeatures(new Float32Array(0), norm).length).toBe(0);
  });

  it('clamps normalised features to the range the model was trained on', () => {
    const features = Float32Array.from([100, -100, 1]);
    normalizeFeatures(features, { mean: [0], std: [1], clip: 127 / 32 });
    expect(Array.from(features)).toEqual([127 / 32, -127 / 32, 1]);
  });
});
