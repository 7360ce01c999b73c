/**
 * Which word labels the waveform shows: only those that fit. At the file's zoom, a label sits at its
 * word's start and may run past the word's own region, but never into the next label shown, nor past the
 * end of the waveform; a label that would is hidden (left to right, so the first word of a crowded stretch
 * keeps its label). Zooming in leaves more room, so more labels show; at full zoom every label that fits
 * its own stretch of time is there.
 */

/** Pixels kept free between two labels shown side by side. */
export const LABEL_GAP_PX = 6;

/**
 * For each word, whether its label is shown. `starts` are the words' start times (seconds, in order),
 * `widths` their labels' widths (pixels); `pxPerSec` is the zoom and `totalPx` the waveform's width.
 */
export function fittingLabels(
  starts: readonly number[],
  widths: readonly number[],
  pxPerSec: number,
  totalPx: number,
  gapPx = LABEL_GAP_PX,
): boolean[] {
  let free = 0;
  return starts.map((start, i) => {
    const left = start * pxPerSec;
    const right = left + widths[i];
    if (!(pxPerSec > 0) || left < free || right > totalPx) return false;
    free = right + gapPx;
    return true;
  });
}
