import { describe, expect, it } from 'vitest';
import { fittingLabels, LABEL_GAP_PX } from './waveform-labels';

describe('fittingLabels', () => {
  const starts = [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5];
  const widths = starts.map(() => 30);

  it('shows every label when each has room before the next', () => {
    // 100 px a second: labels every 50 px, 30 px wide.
    expect(fittingLabels(starts, widths, 100, 400)).toEqual(starts.map(() => true));
  });

  it('thins crowded labels so that none overlaps the one before it', () => {
    // 40 px a second: labels every 20 px, 30 px wide: every other one would overlap its neighbour.
    const shown = fittingLabels(starts, widths, 40, 400);
    expect(shown).toEqual([true, false, true, false, true, false, true, false]);
    const lefts = starts.map((s) => s * 40).filter((_, i) => shown[i]);
    for (let k = 1; k < lefts.length; k++)
      expect(lefts[k] - lefts[k - 1]).toBeGreaterThanOrEqual(30 + LABEL_GAP_PX);
  });

  it('shows more labels as the zoom grows, and never one past the end of the waveform', () => {
    const count = (px: number) => fittingLabels(starts, widths, px, 4 * px).filter(Boolean).length;
    expect(count(10)).toBeLessThan(count(40));
    expect(count(40)).toBeLessThan(count(100));
    // The last label (at 3.5 s) needs 30 px after it: at 10 px a second the waveform ends 5 px later.
    expect(fittingLabels([3.5], [30], 10, 40)).toEqual([false]);
  });

  it('shows nothing before the waveform has a size', () => {
    expect(fittingLabels(starts, widths, 0, 0)).toEqual(starts.map(() => false));
  });
});
