/**
 * CTC prefix beam search with shallow fusion of a word n-gram language model:
 *
 *   score(prefix) = log P_ctc(prefix) + α · Σ log P_lm(word | two previous words) + β · words
 *
 * The LM term is applied when a word is completed — at a space, and for the last word at the end (where
 * `</s>` is scored too). Prefixes live in a trie, so each prefix's LM score, word history and timing is
 * computed once. Pruning: per frame only characters within `prunePerFrame` nats of the frame's best are
 * tried, frames whose blank posterior is ≥ `blankSkip` only carry the beams over, and `beamWidth` prefixes
 * survive each frame. Word times come from the best prefix: each character keeps the frame where it was
 * first emitted (and the last frame it was held), as the greedy decoder reports them.
 *
 * From the final beam (distinct hypotheses, their scores normalised into posteriors) each word of the
 * best hypothesis gets a word posterior — the mass of the hypotheses that have the same word at that
 * time — and up to `maxAlternatives` alternatives (what the other hypotheses have there, by mass). The
 * word's confidence is that posterior through the model's calibration map (`confidence.ts`).
 *
 * Vocabulary boosting (`boost.ts`) adds a per-character bonus while a prefix spells a user's word or
 * phrase, and raises the LM log-probability of those words towards `boostLmFloor`, by at most
 * `boostLmLiftPerChar` nats per character of the word.
 *
 * `decode` is a pure function of its input and the decoder's settings: every call builds its own prefix
 * trie, so live dictation may decode a growing segment again and again.
 */
import type { Word, WordAlternative } from '../../common/transcript';
import {
  advanceBoost,
  BoostTrie,
  finalBoost,
  initialBoostState,
  type BoostState,
  type VocabularyBoost,
} from './boost';
import { applyCalibration, type ConfidenceCalibration } from './confidence';
import type { CtcDecoder, CtcInput } from './ctc-decoder';
import { Lexicon } from './lexicon';
import { BOS, EOS, UNK, type NgramLm } from './ngram-lm';
import { PhoneSpeller, type PronunciationGuesser } from './phone-speller';
import type { Pronunciations } from './pronunciations';

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
  /** Words and phrases to favour (names, jargon); see `boost.ts`. */
  vocabulary?: VocabularyBoost;
  /**
   * Closed vocabulary: hypotheses are spelt through this word list (and the boosted words), so every
   * word the decoder emits is a listed word. Without it any spelling can come out. A listed word the LM
   * lacks gets an equal share of the LM's `<unk>` mass: log P(<unk> | history) − log(number of such
   * words), so a long list adds rare words without making each as likely as all unseen words together.
   */
  lexicon?: Lexicon;
  /**
   * For a phone model: hypotheses are spelt as phone sequences through this dictionary, and each
   * completed pronunciation becomes the word the LM likes best among those pronounced that way (closed
   * vocabulary; `lexicon` is not used). Boosted words are spelt as their pronunciations.
   */
  pronunciations?: Pronunciations;
  /** For a phone model: pronunciations of boosted words the dictionary lacks (letter-to-sound.ts);
   *  without it such words are not boosted. */
  letterToSound?: PronunciationGuesser;
  /**
   * Natural-log floor for the LM log-probability of boosted words: P_lm(word | history) is raised
   * towards e^floor (within `boostLmLiftPerChar`), so words the LM has never seen (or barely) become
   * reachable. Default −7: for the shipped LM above the unigram probability of its 1 % most frequent
   * words (about −8).
   */
  boostLmFloor?: number;
  /**
   * The most the floor may add to a boosted word's score, in nats (after α) per character of the word.
   * An uncapped floor lifts every boosted word by the same amount whatever its length, so in noise a
   * short one ("rift", "tony") displaced a frequent word it sounds like ("right", "funny"); capped, the
   * whole boost grows with the spelling the acoustics must match. Default 0.75; floor and cap were chosen
   * on dev and dev-noisy10 (`npm run bench:boost`); Infinity restores the plain floor.
   */
  boostLmLiftPerChar?: number;
  /**
   * Word confidence: 'posterior' (default) is the beam's word posterior, mapped through `calibration`
   * when one is given; 'acoustic' is the mean frame posterior along the best path (as the greedy decoder).
   */
  wordConfidence?: 'posterior' | 'acoustic';
  calibration?: ConfidenceCalibration;
  /** Alternatives reported per word (default 4; 0 for none). */
  maxAlternatives?: number;
  /** Alternatives with less beam posterior than this are not reported (default 0.002). */
  minAlternativePosterior?: number;
}

/** A decoded word with the raw features its confidence is computed from (for calibration). */
export interface DetailedWord extends Word {
  /** Word posterior from the final beam (before calibration). */
  posterior: number;
  /** Mean frame posterior of the word's alignment in the best path. */
  acoustic: number;
}

export const DEFAULT_BOOST_LM_FLOOR = -7;
export const DEFAULT_BOOST_LM_LIFT_PER_CHAR = 0.75;

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
  /**
   * Extensions by one character; null where a closed vocabulary forbids that character here. The map is
   * created with the first child: a map for every prefix tried was a measurable part of decoding.
   */
  children: Map<number, Prefix | null> | null;
  /** Completed words' α·log P_lm + β, summed. */
  lmScore: number;
  /** Look-ahead estimate for the partial word (0 without look-ahead); ranks the beam with lmScore. */
  lookahead: number;
  /** The last two completed words (starting with <s>). */
  history: string[];
  /** Characters of the word being spelt (a phone model: its pronunciation key). */
  partial: string;
  /** After a word boundary: the word just completed (for a phone model, the homophone chosen). */
  word: string;
  /** Frame where this character was first emitted, and the last frame it was held. */
  frame: number;
  lastFrame: number;
  /** The frame at which this prefix was last in the beam (to detect a fresh emission). */
  activeAt: number;
  /** Vocabulary boosting state (null without a boost list). */
  boost: BoostState | null;
  /** The boost bonus that ranks this prefix (committed + pending). */
  bonus: number;
  /**
   * The search's state lives on the node, not in a map per frame: a map and a state object per prefix per
   * frame made about half of decoding's garbage (young-generation collections while decoding: 12,189 →
   * 5,683 on 1,260 decodes). Log probability of the prefix ending in blank / in its last character, for
   * the frame just decoded (while it is in the beam) …
   */
  pb: number;
  pnb: number;
  /** … the same for the frame being decoded, valid where `nextAt` is that frame … */
  nextPb: number;
  nextPnb: number;
  nextAt: number;
  /** … and the score that ranks it when the beam is pruned. */
  rank: number;
}

/** One hypothesis' word with its frame span. */
interface Span {
  word: string;
  first: number;
  last: number;
  acoustic: number;
}

/** A hypothesis of the final beam: its score and, when it ends inside a word, that word completed. */
interface Final {
  node: Prefix;
  score: number;
  lastWord: string;
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
      raisePrefixes(table, word, lm.logProb([], word));
    }
    prefixTables.set(lm, table);
  }
  return table;
}

/** Raises `table`'s entry for every prefix of `spelling` to at least `lp`. */
function raisePrefixes(table: Map<string, number>, spelling: string, lp: number): void {
  for (let i = 1; i <= spelling.length; i++) {
    const prefix = spelling.slice(0, i);
    const old = table.get(prefix);
    if (old === undefined || lp > old) table.set(prefix, lp);
  }
}

const keyPrefixTables = new WeakMap<Pronunciations, WeakMap<NgramLm, Map<string, number>>>();

/** For a phone model: per prefix of a pronunciation, the best unigram log-probability of the LM words
 *  whose pronunciations begin with it. */
function keyPrefixTable(lm: NgramLm, pronunciations: Pronunciations): Map<string, number> {
  let byLm = keyPrefixTables.get(pronunciations);
  if (!byLm) keyPrefixTables.set(pronunciations, (byLm = new WeakMap()));
  let table = byLm.get(lm);
  if (!table) {
    table = new Map();
    for (const [key, words] of pronunciations.entries()) {
      let lp = -Infinity;
      for (const w of words) if (lm.has(w)) lp = Math.max(lp, lm.logProb([], w));
      if (lp > -Infinity) raisePrefixes(table, key, lp);
    }
    byLm.set(lm, table);
  }
  return table;
}

/** The language model's weight (α) and the word bonus (β) of the beam search's score. */
export interface LmWeights {
  alpha: number;
  beta: number;
}

/** Whether `weights` can score a beam search: both finite, α not negative (also for weights read from files). */
export function isUsableLmWeights(weights: LmWeights): boolean {
  return Number.isFinite(weights.alpha) && weights.alpha >= 0 && Number.isFinite(weights.beta);
}

export class BeamCtcDecoder implements CtcDecoder {
  readonly name = 'beam';
  readonly options: BeamDecoderOptions;
  /** The compiled boost list, per alphabet (a decoder serves one model, so this holds one entry). */
  private boostTries = new Map<string, BoostTrie>();
  /** The boosted words as a lexicon, for spelling them under a closed vocabulary (per boost trie). */
  private boostLexicons = new WeakMap<BoostTrie, Lexicon>();
  /** log(number of lexicon words the LM lacks): what `<unk>` is divided by (0 without a lexicon). */
  private readonly unkShare: number;
  /** A phone model's spelling of words (boosting, and labels for learning from corrections). */
  readonly speller: PhoneSpeller | undefined;

  constructor(options: Partial<BeamDecoderOptions> = {}) {
    this.options = { ...DEFAULT_BEAM_OPTIONS, ...options };
    if (!(this.options.beamWidth >= 1)) throw new RangeError('beamWidth must be at least 1');
    if (!((this.options.boostLmLiftPerChar ?? 0) >= 0)) {
      throw new RangeError('boostLmLiftPerChar must be ≥ 0');
    }
    const { lexicon, lm, pronunciations } = this.options;
    this.speller = pronunciations && new PhoneSpeller(pronunciations, this.options.letterToSound);
    let unseen = 0;
    if (pronunciations && lm) {
      const listed = new Set<string>();
      for (const [, words] of pronunciations.entries()) for (const w of words) if (!lm.has(w)) listed.add(w);
      unseen = listed.size;
    } else if (lexicon && lm) for (const w of lexicon.words()) if (!lm.has(w)) unseen++;
    this.unkShare = Math.log(Math.max(1, unseen));
  }

  /** The LM weight and word bonus in use (the manifest's, until setLmWeights). */
  get lmWeights(): LmWeights {
    return { alpha: this.options.alpha, beta: this.options.beta };
  }

  /**
   * Replaces the LM weight and word bonus (learning from corrections tunes them to the user's voice: a
   * model that has learned it needs less help from the LM). Takes effect from the next `decode`.
   */
  setLmWeights({ alpha, beta }: LmWeights): void {
    if (!isUsableLmWeights({ alpha, beta }))
      throw new RangeError(`LM weights must be finite with alpha ≥ 0, got ${alpha}, ${beta}`);
    this.options.alpha = alpha;
    this.options.beta = beta;
  }

  /**
   * Replaces the boost list (undefined: none). Takes effect from the next `decode`; never call it while
   * a decode runs (decode is synchronous, so in one thread it cannot).
   */
  setVocabulary(vocabulary: VocabularyBoost | undefined): void {
    if (vocabulary) new BoostTrie(vocabulary, []); // validates the weight now, not at the next decode
    this.options.vocabulary = vocabulary;
    this.boostTries = new Map();
  }

  private boostTrie(alphabet: readonly string[]): BoostTrie | null {
    const vocabulary = this.options.vocabulary;
    if (!vocabulary || vocabulary.phrases.length === 0) return null;
    const key = alphabet.join('\u0000');
    let trie = this.boostTries.get(key);
    if (!trie) {
      trie = new BoostTrie(vocabulary, alphabet, this.speller);
      this.boostTries.set(key, trie);
    }
    return trie.size > 0 ? trie : null;
  }

  /**
   * α·log P(word | history) + β for a completed word; a boosted word's LM term is lifted towards the
   * floor by at most `boostLmLiftPerChar` nats per character.
   */
  private wordScore(history: readonly string[], word: string, boost: BoostTrie | null): number {
    const { lm, alpha, beta } = this.options;
    if (!lm) return beta;
    const lp = lm.logProb(history, word) - (lm.has(word) ? 0 : this.unkShare);
    let score = alpha * lp + beta;
    if (boost?.words.has(word)) {
      const floor = this.options.boostLmFloor ?? DEFAULT_BOOST_LM_FLOOR;
      const perChar = this.options.boostLmLiftPerChar ?? DEFAULT_BOOST_LM_LIFT_PER_CHAR;
      score += Math.min(alpha * Math.max(0, floor - lp), perChar * word.length);
    }
    return score;
  }

  /**
   * A completed word's score and text: `partial` itself for a character model; for a phone model the
   * word, among those pronounced `partial` (the dictionary's and the boosted words'), that scores highest
   * after `history`. `boostBonus` is what completing the pronunciation earned as a boosted word: it
   * counts for a boosted word only, as a character model's bonus counts only for the boosted spelling;
   * `forfeit` is the part of it the caller takes back because another word won.
   */
  private completeWord(
    history: readonly string[],
    partial: string,
    boost: BoostTrie | null,
    boostBonus: number,
  ): { word: string; score: number; forfeit: number } {
    const pronunciations = this.options.pronunciations;
    if (!pronunciations) return { word: partial, score: this.wordScore(history, partial, boost), forfeit: 0 };
    let best = { word: '', score: NEG, ranked: NEG };
    for (const words of [pronunciations.wordsOf(partial), boost?.wordsOfKey?.get(partial) ?? []]) {
      for (const word of words) {
        const score = this.wordScore(history, word, boost);
        const ranked = score + (boost?.words.has(word) ? boostBonus : 0);
        if (ranked > best.ranked || best.word === '') best = { word, score, ranked };
      }
    }
    const forfeit = boost?.words.has(best.word) ? 0 : boostBonus;
    return { word: best.word, score: best.score, forfeit };
  }

  /** Under a closed vocabulary: may a word begin with `prefix` (`complete`: be exactly `prefix`)? */
  private spellable(prefix: string, complete: boolean, boost: BoostTrie | null): boolean {
    const listed = this.options.pronunciations?.keys ?? this.options.lexicon!;
    if (complete ? listed.has(prefix) : listed.hasPrefix(prefix)) return true;
    if (!boost) return false;
    let boosted = this.boostLexicons.get(boost);
    if (!boosted) {
      boosted = Lexicon.fromWords(boost.spellings);
      this.boostLexicons.set(boost, boosted);
    }
    return complete ? boosted.has(prefix) : boosted.hasPrefix(prefix);
  }

  decode(input: CtcInput): Word[] {
    return this.decodeDetailed(input).map(({ posterior: _p, acoustic: _a, ...word }) => word);
  }

  /** `decode` with each word's raw confidence features (the beam posterior and the acoustic score). */
  decodeDetailed(input: CtcInput): DetailedWord[] {
    const { logProbs, steps, alphabet, blankIndex } = input;
    const classes = alphabet.length;
    if (logProbs.length !== steps * classes) {
      throw new RangeError(`CTC input has ${logProbs.length} values, expected ${steps} × ${classes}`);
    }
    const space = alphabet.indexOf(' ');
    const { beamWidth, prunePerFrame, lm } = this.options;
    const blankSkip = Math.log(this.options.blankSkip ?? 1.01);
    const endOfSentence = this.options.endOfSentence ?? lm !== undefined;
    const pronunciations = this.options.pronunciations;
    // What a class adds to a word's spelling: its letter, or for a phone model its key character.
    const spelling = pronunciations ? pronunciations.symbols : alphabet;
    if (spelling.length !== classes) {
      throw new RangeError(`pronunciations are for ${spelling.length} classes, the model has ${classes}`);
    }
    const prefixes =
      lm && (this.options.lookahead ?? true)
        ? pronunciations
          ? keyPrefixTable(lm, pronunciations)
          : prefixTable(lm)
        : null;
    const unkUnigram = lm ? lm.logProb([], UNK) - this.unkShare : 0;
    const boost = this.boostTrie(alphabet);
    const boostFloor = this.options.boostLmFloor ?? DEFAULT_BOOST_LM_FLOOR;

    const root: Prefix = {
      parent: null,
      char: -1,
      children: null,
      lmScore: 0,
      lookahead: 0,
      history: [BOS],
      partial: '',
      word: '',
      frame: -1,
      lastFrame: -1,
      activeAt: -1,
      boost: boost ? initialBoostState(boost) : null,
      bonus: 0,
      pb: 0,
      pnb: NEG,
      nextPb: NEG,
      nextPnb: NEG,
      nextAt: -1,
      rank: 0,
    };
    const closed = this.options.lexicon !== undefined || pronunciations !== undefined;
    const child = (node: Prefix, c: number): Prefix | null => {
      let next = node.children?.get(c);
      if (next === undefined) {
        if (
          closed &&
          !(c === space
            ? this.spellable(node.partial, true, boost)
            : this.spellable(node.partial + spelling[c], false, boost))
        ) {
          (node.children ??= new Map()).set(c, null);
          return null;
        }
        let { lmScore, history, partial } = node;
        let ahead = 0;
        let word = '';
        let boostState = boost && advanceBoost(boost, node.boost!, c, space, partial, spelling[c]);
        if (c === space) {
          const earned = boostState ? boostState.committed - node.boost!.committed : 0;
          const completed = this.completeWord(history, partial, boost, earned);
          // A phone model's homophone that is not a boosted word does not keep the boosted word's bonus.
          if (completed.forfeit > 0)
            boostState = { ...boostState!, committed: boostState!.committed - completed.forfeit };
          word = completed.word;
          lmScore += completed.score;
          history = [history[history.length - 1], word];
          partial = '';
        } else {
          partial += spelling[c];
          if (prefixes) {
            let lp = prefixes.get(partial) ?? unkUnigram;
            // A prefix of a boosted word looks ahead to at least the boosted words' floor.
            if (boostState?.node && lp < boostFloor) lp = boostFloor;
            ahead = this.options.alpha * lp;
          }
        }
        next = {
          parent: node,
          char: c,
          children: null,
          lmScore,
          lookahead: ahead,
          history,
          partial,
          word,
          frame: -1,
          lastFrame: -1,
          activeAt: -2,
          boost: boostState,
          bonus: boostState ? boostState.committed + boostState.pending : 0,
          pb: NEG,
          pnb: NEG,
          nextPb: NEG,
          nextPnb: NEG,
          nextAt: -1,
          rank: 0,
        };
        (node.children ??= new Map()).set(c, next);
      }
      return next;
    };

    // The beam (best first after pruning) and the prefixes the frame being decoded reaches, in the order
    // first reached; the two arrays swap every frame.
    let beams: Prefix[] = [root];
    let next: Prefix[] = [];
    const candidates: number[] = [];
    let t = 0;
    /** `node`, its state for frame t started (and `node` put in `next`) when t first reaches it. */
    const at = (node: Prefix): Prefix => {
      if (node.nextAt !== t) {
        node.nextAt = t;
        node.nextPb = NEG;
        node.nextPnb = NEG;
        next.push(node);
        if (node.activeAt !== t - 1) {
          // Not in the beam a frame ago: this frame emits its last character afresh.
          node.frame = t;
          node.lastFrame = t;
        }
      }
      return node;
    };
    for (; t < steps; t++) {
      const row = t * classes;
      const blank = logProbs[row + blankIndex];
      for (const node of beams) node.activeAt = t - 1;
      next.length = 0;

      candidates.length = 0;
      if (blank < blankSkip) {
        let max = NEG;
        for (let c = 0; c < classes; c++) if (logProbs[row + c] > max) max = logProbs[row + c];
        const floor = max - prunePerFrame;
        for (let c = 0; c < classes; c++) {
          if (c !== blankIndex && logProbs[row + c] >= floor) candidates.push(c);
        }
      }

      for (const node of beams) {
        const { pb, pnb } = node;
        const total = logAdd(pb, pnb);
        const stay = at(node);
        const blankMass = total + blank;
        stay.nextPb = logAdd(stay.nextPb, blankMass);
        if (node.char >= 0) {
          const repeatMass = pnb + logProbs[row + node.char];
          stay.nextPnb = logAdd(stay.nextPnb, repeatMass);
          if (repeatMass > blankMass && node.lastFrame === t - 1) node.lastFrame = t;
        }
        for (const c of candidates) {
          const p = logProbs[row + c];
          if (c === space && (node.char < 0 || node.char === space)) {
            // Leading or doubled spaces do not change the words: keep the same prefix.
            if (node.char < 0) stay.nextPb = logAdd(stay.nextPb, total + p);
            else stay.nextPnb = logAdd(stay.nextPnb, pb + p);
            continue;
          }
          const extended = child(node, c);
          if (!extended) continue;
          const s = at(extended);
          // After the same character, only a path through blank starts a new one.
          s.nextPnb = logAdd(s.nextPnb, (c === node.char ? pb : total) + p);
        }
      }
      // Every prefix of the beam reached itself (blank), so all that was read this frame is in `next`.
      for (const node of next) {
        node.pb = node.nextPb;
        node.pnb = node.nextPnb;
      }

      if (next.length > beamWidth) {
        // Each prefix's score is computed once, not in every comparison of the sort (two logAdds, each an
        // exp and a log, per comparison). The sort is stable, so ties keep the order of `next`.
        for (const node of next)
          node.rank = logAdd(node.pb, node.pnb) + node.lmScore + node.lookahead + node.bonus;
        next.sort((a, b) => b.rank - a.rank);
        next.length = beamWidth;
      }
      const reached = next;
      next = beams;
      beams = reached;
    }

    // Final scores: the unfinished last word and </s>.
    const finals: Final[] = [];
    for (const node of beams) {
      const { pb, pnb } = node;
      // Under a closed vocabulary a hypothesis ending inside a word is not a sentence.
      if (closed && node.partial.length > 0 && !this.spellable(node.partial, true, boost)) continue;
      let score = logAdd(pb, pnb) + node.lmScore;
      let history = node.history;
      let lastWord = '';
      let boostBonus = node.boost ? finalBoost(node.boost) : 0;
      if (node.partial.length > 0) {
        const earned = node.boost?.node?.end ? node.boost.pending : 0;
        const completed = this.completeWord(history, node.partial, boost, earned);
        lastWord = completed.word;
        score += completed.score;
        history = [history[history.length - 1], lastWord];
        boostBonus -= completed.forfeit;
      }
      if (endOfSentence && lm) score += this.options.alpha * lm.logProb(history, EOS);
      score += boostBonus;
      finals.push({ node, score, lastWord });
    }
    // Best first; ties keep the beam's order (as the strict > of a running maximum did).
    finals.sort((a, b) => b.score - a.score);
    if (finals.length === 0 || finals[0].score === NEG) return [];
    return this.wordsWithAlternatives(finals, input, space);
  }

  /**
   * The best hypothesis' words, each with its word posterior over the final beam and the alternatives
   * the other hypotheses put at the same time (a hypothesis' words go to the best word they overlap
   * most, so a split or merged word becomes a multi-word alternative).
   */
  private wordsWithAlternatives(finals: Final[], input: CtcInput, space: number): DetailedWord[] {
    const { stepSec, offsetSec } = input;
    const { calibration, maxAlternatives = 4, minAlternativePosterior = 0.002 } = this.options;
    const scale = calibration?.posteriorScale ?? 1;
    const top = finals[0].score * scale;
    let z = 0;
    for (const f of finals) z += Math.exp(f.score * scale - top);
    const best = this.spans(finals[0], input, space);
    const mass = best.map(() => new Map<string, number>());
    for (let h = 0; h < finals.length; h++) {
      const p = Math.exp(finals[h].score * scale - top) / z;
      if (!(p > 0)) continue;
      if (h === 0) {
        best.forEach((s, i) => mass[i].set(s.word, p));
        continue;
      }
      const assigned: string[][] = best.map(() => []);
      for (const s of this.spans(finals[h], input, space)) {
        let target = -1;
        let overlap = 0;
        let distance = Infinity;
        for (let i = 0; i < best.length; i++) {
          const o = Math.min(s.last, best[i].last) - Math.max(s.first, best[i].first) + 1;
          const d = Math.abs(s.first + s.last - best[i].first - best[i].last);
          if (o > overlap || (o === overlap && overlap <= 0 && d < distance)) {
            target = i;
            overlap = Math.max(o, 0);
            distance = d;
          }
        }
        if (target >= 0) assigned[target].push(s.word);
      }
      assigned.forEach((words, i) => {
        const key = words.join(' ');
        mass[i].set(key, (mass[i].get(key) ?? 0) + p);
      });
    }
    const confidenceOf = (posterior: number, acoustic: number) =>
      this.options.wordConfidence === 'acoustic'
        ? acoustic
        : calibration
          ? applyCalibration(calibration, posterior, acoustic)
          : posterior;
    return best.map((s, i) => {
      const posterior = Math.min(1, mass[i].get(s.word) ?? 0);
      const word: DetailedWord = {
        word: s.word,
        start: offsetSec + s.first * stepSec,
        end: offsetSec + (s.last + 1) * stepSec,
        confidence: confidenceOf(posterior, s.acoustic),
        posterior,
        acoustic: s.acoustic,
      };
      const alternatives: WordAlternative[] = [...mass[i]]
        .filter(([text, m]) => text !== '' && text !== s.word && m >= minAlternativePosterior)
        .sort((a, b) => b[1] - a[1])
        .slice(0, maxAlternatives)
        .map(([text, m]) => ({ word: text, confidence: confidenceOf(Math.min(1, m), s.acoustic) }));
      if (alternatives.length > 0) word.alternatives = alternatives;
      return word;
    });
  }

  /** Words of a hypothesis — each as it was completed (its spelling, or a phone model's chosen
   *  homophone) — with frame spans and the mean posterior of its alignment over each word's frames. */
  private spans({ node, lastWord }: Final, input: CtcInput, space: number): Span[] {
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
    const words: Span[] = [];
    let letters: number[] = [];
    const finish = (completed: string) => {
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
        word: completed,
        first,
        last,
        acoustic: sum / (last - first + 1),
      });
      letters = [];
    };
    chain.forEach((n, i) => {
      if (n.char === space) finish(n.word);
      else letters.push(i);
    });
    finish(lastWord);
    // The monotone fix above can still leave two words on the same first frame (a prefix that re-entered
    // the beam, e.g. "the the" over one short stretch): a word starts after the previous one ends.
    for (let i = 1; i < words.length; i++) {
      const previous = words[i - 1];
      const word = words[i];
      if (word.first > previous.last) continue;
      word.first = previous.last + 1;
      word.last = Math.max(word.last, word.first);
    }
    return words;
  }
}
