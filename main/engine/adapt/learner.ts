/**
 * Learning from corrections: every utterance a user corrects (its audio and the corrected text) is kept;
 * once `roundSize` new ones have gathered, the acoustic model is fine-tuned on them plus a replay of
 * earlier corrections, checked on corrections kept back from training, and kept only if it is better
 * there. Each round starts from the weights in use, so what was learned accumulates; the replay keeps
 * earlier corrections from being forgotten, and bounds the work per round whatever the history's length.
 *
 * The check: every fifth new correction of a round is kept back, and those of the last few rounds
 * together (`checkSize`) are what each round is checked on; the oldest leave the check as new ones come
 * and are then trained on. One round's four would decide on a handful of words: rounds that helped were
 * thrown away and the best epoch was picked by chance.
 *
 * Plain Node: the engine worker runs it in the background, and bench:learn simulates a user with it.
 */
import type * as tf from '@tensorflow/tfjs';
import { errorRate, scoreTranscript, sumCounts, type ErrorCounts } from '../../common/scoring';
import type { Word } from '../../common/transcript';
import type { LmWeights } from '../decoder/beam-decoder';
import type { PhoneSpeller } from '../decoder/phone-speller';
import type { Posteriors } from '../engine';
import { CancelledError } from '../errors';
import type { AcousticModel } from '../model/acoustic-model';
import {
  adaptModel,
  type AdaptOptions,
  type AdaptResult,
  type AdaptScore,
  type EnrollmentUtterance,
} from './adapt';
import { evenlySpread } from './replay';

/**
 * What the learner needs from the engine: its model, a way to continue with new weights, and its decoder:
 * rounds are checked on the text the user would read (beam search with the language model, where the
 * engine has it), not on the model's best path alone, and the decoder's LM weights are tuned to the user.
 */
export interface LearningEngine {
  readonly model: AcousticModel;
  useWeights(weights: tf.Tensor[]): void;
  posteriors(samples: Float32Array): Promise<Posteriors>;
  decodePosteriors(posteriors: Posteriors, offsetSec: number): Word[];
  /** The beam decoder's LM weight and word bonus (null without a beam decoder), and a way to change them. */
  readonly lmWeights: LmWeights | null;
  useLmWeights(weights: LmWeights): boolean;
  /** A phone model's spelling of words (its corrections' labels); undefined for a character model. */
  readonly phoneSpeller?: PhoneSpeller;
}

/**
 * The LM weights a round tries, as factors of the manifest's α (β: the manifest's, or none). A model that
 * has learned a voice needs less help from the language model: on awb after six rounds, α 1.0 instead of
 * the manifest's 1.6 took sentences 121–200 from 34.3 to 30.7 % (the base model's best was the manifest's).
 */
const ALPHA_FACTORS = [0.5, 0.65, 0.8, 1];

export interface LearnerOptions {
  /** New corrected utterances that start a round (default 20). */
  roundSize?: number;
  /** Earlier corrected utterances trained on again in each round, evenly spread over the history (default 12). */
  replay?: number;
  /** How many corrections kept back from training the check holds, the newest (default 16). */
  checkSize?: number;
  /** Adaptation settings for a round (default: all layers, 4 epochs, patience 2). */
  adapt?: Omit<AdaptOptions, 'signal' | 'onProgress'>;
}

export interface LearningRound {
  round: number;
  /** New corrected utterances in this round, and earlier ones replayed. */
  newUtterances: number;
  replayed: number;
  kept: AdaptResult['kept'];
  /** WER of the check before and after (the engine's decoder). */
  heldBackWerBefore: number;
  heldBackWerAfter: number;
  /** Ids of the corrections the round was checked on (never trained on): the check kept for the next round. */
  heldBackIds: string[];
  /** The decoder's LM weights after the round (tuned on the check), and whether the round changed them. */
  lmWeights: LmWeights | null;
  lmWeightsChanged: boolean;
  seconds: number;
}

const DEFAULT_ADAPT: LearnerOptions['adapt'] = { layers: 'all', epochs: 4, patience: 2 };

export class CorrectionLearner {
  private readonly history: EnrollmentUtterance[] = [];
  private readonly pending: EnrollmentUtterance[] = [];
  /** Corrections kept back from training, oldest first. */
  private check: EnrollmentUtterance[] = [];
  readonly rounds: LearningRound[] = [];
  private readonly roundSize: number;
  private readonly replay: number;
  private readonly checkSize: number;

  constructor(
    private readonly engine: LearningEngine,
    private readonly options: LearnerOptions = {},
  ) {
    this.roundSize = Math.max(2, options.roundSize ?? 20);
    this.replay = Math.max(0, options.replay ?? 12);
    this.checkSize = Math.max(1, options.checkSize ?? 16);
  }

  /** Keeps a corrected utterance: its audio at the model's sample rate and the text it should have given. */
  add(utterance: EnrollmentUtterance): void {
    if (utterance.text.trim() === '' || utterance.samples.length === 0) return;
    this.pending.push(utterance);
  }

  /**
   * Keeps a corrected utterance learned from in an earlier round (one kept on disk between sessions):
   * it is only replayed, never learned from as new.
   */
  remember(utterance: EnrollmentUtterance): void {
    if (utterance.text.trim() === '' || utterance.samples.length === 0) return;
    this.history.push(utterance);
  }

  /**
   * Keeps a correction that an earlier round kept back to check on (one kept on disk between sessions),
   * oldest first: it is checked on, and trained on once newer ones take its place.
   */
  keepBack(utterance: EnrollmentUtterance): void {
    if (utterance.text.trim() === '' || utterance.samples.length === 0) return;
    this.check.push(utterance);
  }

  /** Corrected utterances not yet learned from. */
  get waiting(): number {
    return this.pending.length;
  }

  /** Whether enough new corrections have gathered for a round. */
  get due(): boolean {
    return this.pending.length >= this.roundSize;
  }

  /** The words the engine's decoder reads from `posteriors`. */
  private heard(posteriors: Posteriors): string {
    return this.engine
      .decodePosteriors(posteriors, 0)
      .map((w) => w.word)
      .join(' ');
  }

  /**
   * Chooses the decoder's LM weight and word bonus on the check, with the weights now in use: the grid of
   * ALPHA_FACTORS × (manifest's β, 0); the one in use stays unless another makes fewer word errors.
   */
  private async tuneLmWeights(
    check: EnrollmentUtterance[],
    heard: AdaptScore['heard'],
    signal?: AbortSignal,
  ): Promise<{ weights: LmWeights | null; changed: boolean }> {
    const inUse = this.engine.lmWeights;
    const settings = this.engine.model.manifest.decoder;
    if (!inUse || check.length === 0 || settings?.type !== 'beam') return { weights: inUse, changed: false };
    // The round's last scoring of the check, with the weights now in use, already holds its posteriors
    // (adaptModel decodes them with this decoder); otherwise the model runs on the check again.
    let scored: { text: string; posteriors: Posteriors }[];
    if (heard && heard.length > 0) {
      scored = heard.map((h) => ({ text: h.text, posteriors: { logProbs: h.logProbs, steps: h.steps } }));
    } else {
      scored = [];
      for (const u of check) {
        if (signal?.aborted) throw new CancelledError('learning round');
        scored.push({ text: u.text, posteriors: await this.engine.posteriors(u.samples) });
      }
    }
    const wordErrors = (weights: LmWeights) => {
      this.engine.useLmWeights(weights);
      const counts: ErrorCounts[] = scored.map((u) => scoreTranscript(u.text, this.heard(u.posteriors)).wer);
      return errorRate(sumCounts(counts));
    };
    let best = inUse;
    let fewest = wordErrors(inUse);
    for (const factor of ALPHA_FACTORS) {
      for (const beta of [settings.beta, 0]) {
        if (signal?.aborted) {
          this.engine.useLmWeights(inUse);
          throw new CancelledError('learning round');
        }
        const candidate = { alpha: Math.round(settings.alpha * factor * 1000) / 1000, beta };
        if (candidate.alpha === best.alpha && candidate.beta === best.beta) continue;
        const errors = wordErrors(candidate);
        if (errors < fewest) {
          best = candidate;
          fewest = errors;
        }
      }
    }
    this.engine.useLmWeights(best);
    return { weights: best, changed: best.alpha !== inUse.alpha || best.beta !== inUse.beta };
  }

  /** Earlier corrections to train on again: `replay` of them, evenly spread from oldest to newest. */
  private replaySample(): EnrollmentUtterance[] {
    return evenlySpread(this.history, this.replay);
  }

  /**
   * One round on everything waiting (call when `due`, or earlier to learn from fewer). The engine
   * continues with the new weights only when they are better on the held-back part.
   */
  async learn(options: Pick<AdaptOptions, 'signal' | 'onProgress'> = {}): Promise<LearningRound> {
    const fresh = this.pending.splice(0);
    const replayed = this.replaySample();
    // Every fifth new correction is kept back (the last one when there are fewer than five).
    const keptBack = fresh.filter((_, i) => i % 5 === 4);
    if (keptBack.length === 0 && fresh.length > 1) keptBack.push(fresh[fresh.length - 1]);
    const pool = [...this.check, ...keptBack];
    const leaving = pool.slice(0, Math.max(0, pool.length - this.checkSize));
    const check = pool.slice(leaving.length);
    const learnedNow = [...fresh.filter((u) => !keptBack.includes(u)), ...leaving];
    try {
      const result = await adaptModel(this.engine.model, [...learnedNow, ...replayed], {
        ...DEFAULT_ADAPT,
        ...this.options.adapt,
        ...options,
        check,
        decode: (logProbs, steps) => this.heard({ logProbs, steps }),
        speller: this.engine.phoneSpeller,
      });
      try {
        if (result.kept === 'adapted') this.engine.useWeights(result.weights);
      } finally {
        // adaptModel hands back new tensors for the trained layers and the model's own for the rest.
        const own = new Set(this.engine.model.layersModel.getWeights().map((w) => w.id));
        for (const w of result.weights) if (!own.has(w.id) && !w.isDisposed) w.dispose();
      }
      const lm = await this.tuneLmWeights(
        check,
        (result.kept === 'adapted' ? result.after : result.before).heard,
        options.signal,
      );
      this.history.push(...learnedNow);
      this.check = check;
      const round: LearningRound = {
        round: this.rounds.length + 1,
        newUtterances: fresh.length,
        replayed: replayed.length,
        kept: result.kept,
        heldBackWerBefore: result.before.wer,
        heldBackWerAfter: result.after.wer,
        heldBackIds: result.heldBackIds,
        lmWeights: lm.weights,
        lmWeightsChanged: lm.changed,
        seconds: result.seconds,
      };
      this.rounds.push(round);
      return round;
    } catch (error) {
      // Nothing is lost: a cancelled or failed round leaves its corrections waiting for the next.
      this.pending.unshift(...fresh);
      throw error;
    }
  }
}
