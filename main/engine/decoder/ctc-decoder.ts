/**
 * CTC decoding. `CtcDecoder` is the seam for the beam-search + language-model decoder: it receives the
 * log-posteriors of one segment and returns words with absolute times and confidences.
 */
import type { Word } from '../../common/transcript';

export interface CtcInput {
  /** Row-major [steps × alphabet] log-posteriors. */
  logProbs: Float32Array;
  steps: number;
  alphabet: readonly string[];
  blankIndex: number;
  /** Seconds per output step (hop × stride / sample rate). */
  stepSec: number;
  /** Absolute time of step 0 in the file, in seconds. */
  offsetSec: number;
}

export interface CtcDecoder {
  readonly name: string;
  decode(input: CtcInput): Word[];
}

/** Best path decoding: argmax per step, collapse repeats, drop blanks, split words on spaces. */
export class GreedyCtcDecoder implements CtcDecoder {
  readonly name = 'greedy';

  decode(input: CtcInput): Word[] {
    const { logProbs, steps, alphabet, blankIndex, stepSec, offsetSec } = input;
    const classes = alphabet.length;
    if (logProbs.length !== steps * classes) {
      throw new RangeError(`CTC input has ${logProbs.length} values, expected ${steps} × ${classes}`);
    }
    const best = new Int32Array(steps);
    const bestProb = new Float32Array(steps);
    for (let t = 0; t < steps; t++) {
      let arg = 0;
      let max = -Infinity;
      for (let c = 0; c < classes; c++) {
        const v = logProbs[t * classes + c];
        if (v > max) {
          max = v;
          arg = c;
        }
      }
      best[t] = arg;
      bestProb[t] = Math.exp(max);
    }

    const words: Word[] = [];
    let chars = '';
    let firstStep = -1;
    let lastStep = -1;
    const finishWord = () => {
      if (chars.length > 0) {
        let sum = 0;
        for (let t = firstStep; t <= lastStep; t++) sum += bestProb[t];
        words.push({
          word: chars,
          start: offsetSec + firstStep * stepSec,
          end: offsetSec + (lastStep + 1) * stepSec,
          confidence: sum / (lastStep - firstStep + 1),
        });
      }
      chars = '';
      firstStep = -1;
    };
    let previous = -1;
    for (let t = 0; t < steps; t++) {
      const label = best[t];
      if (label === blankIndex) {
        previous = label;
        continue;
      }
      const symbol = alphabet[label];
      if (symbol === ' ') {
        if (label !== previous) finishWord();
      } else if (label !== previous) {
        if (firstStep < 0) firstStep = t;
        chars += symbol;
        lastStep = t;
      } else if (firstStep >= 0) {
        lastStep = t; // a repeated frame of the same character extends it
      }
      previous = label;
    }
    finishWord();
    return words;
  }
}
