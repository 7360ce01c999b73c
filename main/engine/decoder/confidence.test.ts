import { describe, expect, it } from 'vitest';
import { seededRandom } from '../testing/seeded-random';
import { applyCalibration, fitLogistic, logit, reliability, sigmoid } from './confidence';

describe('confidence calibration', () => {
  it('fitLogistic recovers the map that generated the labels', () => {
    const random = seededRandom(5);
    const truth = { posteriorWeight: 0.6, acousticWeight: 1.5, bias: -0.4 };
    const samples = Array.from({ length: 20000 }, () => {
      const posterior = random();
      const acoustic = 0.05 + 0.9 * random();
      const p = sigmoid(
        truth.posteriorWeight * logit(posterior) + truth.acousticWeight * logit(acoustic) + truth.bias,
      );
      return { posterior, acoustic, correct: random() < p };
    });
    const fit = fitLogistic(samples);
    expect(fit.posteriorWeight).toBeCloseTo(truth.posteriorWeight, 1);
    expect(fit.acousticWeight).toBeCloseTo(truth.acousticWeight, 1);
    expect(fit.bias).toBeCloseTo(truth.bias, 1);
    const posteriorOnly = fitLogistic(samples, { useAcoustic: false });
    expect(posteriorOnly.acousticWeight).toBe(0);
  });

  it('reliability bins words by confidence and weighs |accuracy − confidence| by count', () => {
    const samples = [
      { confidence: 0.95, correct: true },
      { confidence: 0.95, correct: true },
      { confidence: 0.95, correct: false },
      { confidence: 0.15, correct: false },
    ];
    const { bins, ece } = reliability(samples);
    expect(bins).toHaveLength(10);
    expect(bins[9]).toMatchObject({ count: 3, accuracy: 2 / 3 });
    expect(bins[9].confidence).toBeCloseTo(0.95, 12);
    expect(bins[1]).toMatchObject({ count: 1, accuracy: 0 });
    expect(ece).toBeCloseTo((3 / 4) * Math.abs(2 / 3 - 0.95) + (1 / 4) * 0.15, 12);
    // A confidence of exactly 1 falls in the top bin.
    expect(reliability([{ confidence: 1, correct: true }]).bins[9].count).toBe(1);
  });

  it('applyCalibration is the logistic map of the clamped logits', () => {
    const c = { posteriorScale: 1, posteriorWeight: 2, acousticWeight: 0, bias: 0 };
    expect(applyCalibration(c, 0.5, 0.3)).toBeCloseTo(0.5, 12);
    expect(applyCalibration(c, 1, 0.3)).toBeLessThan(1);
    expect(applyCalibration(c, 0, 0.3)).toBeGreaterThan(0);
  });
});
