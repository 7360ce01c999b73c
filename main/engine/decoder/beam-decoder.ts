/**
 * CTC prefix beam search with shallow fusion of a word n-gram language model:
 *
 *   score(prefix) = log P_ctc(prefix) + α · Σ log P_lm(word | two previous words) + β · words
 *
 * The LM term is applied when a word is completed — at a space, and for the last word at the end (where
 * `</s>` is scored too). Prefixes live in a trie, so each prefix's LM score, word history and timing is
 * computed once. Pruning: per frame only characters within `prunePerFrame` nats of the frame's best are
 * tried, frames whose blank posterior is ≥ `blankSkip` only carry the beams over, and `beamWidth` prefixes
 * survive each frame. Word times and confidences come from the best prefix: each character keeps the
 * frame where it was first emitted (and the last frame it was held), as the greedy decoder reports them.
 */
import type { Word } from '../../common/transcript';
import type { CtcDecoder, CtcInput } from './ctc-decoder';
import { BOS, EOS, UNK, type NgramLm } from './ngram-lm';

export interface BeamDecoderOptions {
  lm?: NgramLm;
  /** LM weight α. */
  alpha: number;
  /** Word insertion bonus β (per completed word). */
  beta: number;
  beamWidth: number;
  /** Characters whose log-posterior is below the frame's max minus this are not tried (nats). */
  prunePerFrame: number;
  /** Frames with blank posterior ≥ this only extend beams by blank/repeat. */
  blankSkip?: number;
  /** Score `</s>` after the last word (default true when an LM is given). */
  endOfSentence?: boolean;
  /**
   * LM look-ahead inside a word: a partial word is scored with α · the best unigram log-probability of
   * the vocabulary words it begins (or of <unk> when it begins none), replaced by the real n-gram score
   * when the word is completed. Keeps correctly spelt prefixes alive in the beam. Default true with an LM.
   */
  lookahead?: boolean;
}

export const DEFAULT_BEAM_OPTIONS: BeamDecoderOptions = {
  alpha: 0.5,
  beta: 1,
  beamWidth: 16,
  prunePerFrame: 10,
  blankSkip: 0.999,
};

/** A node of the prefix trie: one prefix of characters. */
interface Prefix {
  parent: Prefix | null;
  /** Alphabet index of the last character, -1 for the empty prefix. */
  char: number;
  children: Map<number, Prefix>;
  /** Completed words' α·log P_lm + β, summed. */
  lmScore: number;
  /** Look-ahead estimate for the partial word (0 without look-ahead); ranks the beam with lmScore. */
  lookahead: number;
  /** The last two completed words (starting with <s>). */
  history: string[];
  /** Characters of the word being spelt. */
  partial: string;
  /** Frame where this character was first emitted, and the last frame it was held. */
  frame: number;
  lastFrame: number;
  /** The frame at which this prefix was last in the beam (to detect a fresh emission). */
  activeAt: number;
}

interface BeamState {
  /** Log probability of the prefix ending in blank / in its last character. */
  pb: number;
  pnb: number;
}

const NEG = -Infinity;

function logAdd(a: number, b: number): number {
  if (a === NEG) return b;
  if (b === NEG) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

const prefixTables = new WeakMap<NgramLm, Map<string, number>>();

/** For every prefix of a vocabulary word, the best unigram log-probability among the words it begins. */
function prefixTable(lm: NgramLm): Map<string, number> {
  let table = prefixTables.get(lm);
  if (!table) {
    table = new Map();
    for (const word of lm.words) {
      if (!lm.has(word) || word === EOS) continue;
      const lp = lm.logProb([], word);
      for (let i = 1; i <= word.length; i++) {
        const prefix = word.slice(0, i);
        const old = table.get(prefix);
        if (old === undefined || lp > old) table.set(prefix, lp);
      }
    }
    prefixTables.set(lm, table);
  }
  return table;
}

export class BeamCtcDecoder implements CtcDecoder {
  readonly name = 'beam';
  readonly options: BeamDecoderOptions;

  constructor(options: Partial<BeamDecoderOptions> = {}) {
    this.options = { ...DEFAULT_BEAM_OPTIONS, ...options };
    if (!(this.options.beamWidth >= 1)) throw new RangeError('beamWidth must be at least 1');
  }

  /** α·log P(word | history) + β for a completed word. */
  private wordScore(history: readonly string[], word: string): number {
    const { lm, alpha, beta } = this.options;
    return (lm ? alpha * lm.logProb(history, word) : 0) + beta;
  }

  decode(input: CtcInput): Word[] {
    const { logProbs, steps, alphabet, blankIndex, stepSec, offsetSec } = input;
    const classes = alphabet.length;
    if (logProbs.length !== steps * classes) {
      throw new RangeError(`CTC input has ${logProbs.length} values, expected ${steps} × ${classes}`);
    }
    const space = alphabet.indexOf(' ');
    const { beamWidth, prunePerFrame, lm } = this.options;
    const blankSkip = Math.log(this.options.blankSkip ?? 1.01);
    const endOfSentence = this.options.endOfSentence ?? lm !== undefined;
    const prefixes = lm && (this.options.lookahead ?? true) ? prefixTable(lm) : null;
    const unkUnigram = lm ? lm.logProb([], UNK) : 0;

    const root: Prefix = {
      parent: null,
      char: -1,
      children: new Map(),
      lmScore: 0,
      lookahead: 0,
      history: [BOS],
      partial: '',
      frame: -1,
      lastFrame: -1,
      activeAt: -1,
    };
    const child = (node: Prefix, c: number): Prefix => {
      let next = node.children.get(c);
      if (!next) {
        let { lmScore, history, partial } = node;
        let ahead = 0;
        if (c === space) {
          lmScore += this.wordScore(history, partial);
          history = [history[history.length - 1], partial];
          partial = '';
        } else {
          partial += alphabet[c];
          if (prefixes) ahead = this.options.alpha * (prefixes.get(partial) ?? unkUnigram);
        }
        next = {
          parent: node,
          char: c,
          children: new Map(),
          lmScore,
          lookahead: ahead,
          history,
          partial,
          frame: -1,
          lastFrame: -1,
          activeAt: -2,
        };
        node.children.set(c, next);
      }
      return next;
    };

    let beams = new Map<Prefix, BeamState>([[root, { pb: 0, pnb: NEG }]]);
    const candidates: number[] = [];
    for (let t = 0; t < steps; t++) {
      const row = t * classes;
      const blank = logProbs[row + blankIndex];
      for (const node of beams.keys()) node.activeAt = t - 1;
      const next = new Map<Prefix, BeamState>();
      const at = (node: Prefix): BeamState => {
        let s = next.get(node);
        if (!s) {
          s = { pb: NEG, pnb: NEG };
          next.set(node, s);
          if (node.activeAt !== t - 1) {
            // Not in the beam a frame ago: this frame emits its last character afresh.
            node.frame = t;
            node.lastFrame = t;
          }
        }
        return s;
      };

      candidates.length = 0;
      if (blank < blankSkip) {
        let max = NEG;
        for (let c = 0; c < classes; c++) if (logProbs[row + c] > max) max = logProbs[row + c];
        const floor = max - prunePerFrame;
        for (let c = 0; c < classes; c++) {
          if (c !== blankIndex && logProbs[row + c] >= floor) candidates.push(c);
        }
      }

      for (const [node, { pb, pnb }] of beams) {
        const total = logAdd(pb, pnb);
        const stay = at(node);
        const blankMass = total + blank;
        stay.pb = logAdd(stay.pb, blankMass);
        if (node.char >= 0) {
          const repeatMass = pnb + logProbs[row + node.char];
          stay.pnb = logAdd(stay.pnb, repeatMass);
          if (repeatMass > blankMass && node.lastFrame === t - 1) node.lastFrame = t;
        }
        for (const c of candidates) {
          const p = logProbs[row + c];
          if (c === space && (node.char < 0 || node.char === space)) {
            // Leading or doubled spaces do not change the words: keep the same prefix.
            if (node.char < 0) stay.pb = logAdd(stay.pb, total + p);
            else stay.pnb = logAdd(stay.pnb, pb + p);
            continue;
          }
          if (c === node.char) {
            const s = at(child(node, c));
            s.pnb = logAdd(s.pnb, pb + p);
          } else {
            const s = at(child(node, c));
            s.pnb = logAdd(s.pnb, total + p);
          }
        }
      }

      if (next.size > beamWidth) {
        const ranked = [...next].sort(
          (a, b) =>
            logAdd(b[1].pb, b[1].pnb) +
            b[0].lmScore +
            b[0].lookahead -
            (logAdd(a[1].pb, a[1].pnb) + a[0].lmScore + a[0].lookahead),
        );
        beams = new Map(ranked.slice(0, beamWidth));
      } else {
        beams = next;
      }
    }

    // Final scores: the unfinished last word and </s>.
    let best: Prefix = root;
    let bestScore = NEG;
    for (const [node, { pb, pnb }] of beams) {
      let score = logAdd(pb, pnb) + node.lmScore;
      let history = node.history;
      if (node.partial.length > 0) {
        score += this.wordScore(history, node.partial);
        history = [history[history.length - 1], node.partial];
      }
      if (endOfSentence && lm) score += this.options.alpha * lm.logProb(history, EOS);
      if (score > bestScore) {
        bestScore = score;
        best = node;
      }
    }
    return this.words(best, input, space, stepSec, offsetSec);
  }

  /** Words of a prefix with times and the mean posterior of its alignment over each word's frames. */
  private words(node: Prefix, input: CtcInput, space: number, stepSec: number, offsetSec: number): Word[] {
    const chain: Prefix[] = [];
    for (let n: Prefix | null = node; n && n.char >= 0; n = n.parent) chain.push(n);
    chain.reverse();
    // A prefix re-entering the beam restarts its timing; keep the times monotone along the chain.
    const frames = chain.map((n) => n.frame);
    const lastFrames = chain.map((n) => n.lastFrame);
    for (let i = chain.length - 2; i >= 0; i--) frames[i] = Math.min(frames[i], frames[i + 1]);
    for (let i = 0; i < chain.length; i++) {
      const limit = i + 1 < chain.length ? frames[i + 1] : input.steps - 1;
      lastFrames[i] = Math.max(frames[i], Math.min(lastFrames[i], limit));
    }
    const { logProbs, alphabet, blankIndex } = input;
    const classes = alphabet.length;
    const words: Word[] = [];
    let letters: number[] = [];
    const finish = () => {
      if (letters.length === 0) return;
      const first = frames[letters[0]];
      const last = lastFrames[letters[letters.length - 1]];
      let sum = 0;
      let k = 0;
      for (let t = first; t <= last; t++) {
        while (k + 1 < letters.length && frames[letters[k + 1]] <= t) k++;
        const row = t * classes;
        sum += Math.exp(Math.max(logProbs[row + blankIndex], logProbs[row + chain[letters[k]].char]));
      }
      words.push({
        word: letters.map((i) => alphabet[chain[i].char]).join(''),
        start: offsetSec + first * stepSec,
        end: offsetSec + (last + 1) * stepSec,
        confidence: sum / (last - first + 1),
      });
      letters = [];
    };
    chain.forEach((n, i) => {
      if (n.char === space) finish();
      else letters.push(i);
    });
    finish();
    return words;
  }
}
