/**
 * One round of learning from corrections, run by a helper engine process the host starts for it (the
 * same engine-worker script, so Electron's utility process and the bridge's Node child both serve). The
 * process lowers its own priority first: the engine worker that dictates runs at normal priority beside
 * it, so a round takes idle CPU and never delays a final.
 *
 * The round loads the model in use, continues from the weights learned so far, and runs
 * CorrectionLearner on the new corrections plus a replay of earlier ones; the new weights are written
 * only when they are better on the corrections kept back to check them.
 */
import os from 'node:os';
import type { AdaptProgress as EngineAdaptProgress } from '../engine/adapt/adapt';
import { CorrectionLearner } from '../engine/adapt/learner';
import { writeWeightsFile } from '../engine/adapt/weights-file';
import { loadAudioFile } from '../engine/audio/load';
import { AsrEngine, resolveModelDir } from '../engine/engine';
import type { AdaptJobProgress, LearnItem, LearnRoundRequest, LearnRoundResult } from './engine-protocol';

/** Progress messages at most this often: a long file or round must not flood the host with IPC. */
export const PROGRESS_INTERVAL_MS = 150;

/** The adaptation's progress as the host hears it, at most every PROGRESS_INTERVAL_MS (and the last step). */
export function throttledProgress(
  send: (progress: AdaptJobProgress) => void,
): (p: EngineAdaptProgress) => void {
  let last = 0;
  return (p) => {
    const now = performance.now();
    if (now - last < PROGRESS_INTERVAL_MS && p.step < p.total) return;
    last = now;
    send({
      phase: p.phase,
      step: p.step,
      total: p.total,
      loss: Number.isFinite(p.loss) ? p.loss : null,
      etaSec: Number.isFinite(p.etaSec) ? p.etaSec : null,
      epoch: p.epoch,
    });
  };
}

/** The lowest priority a process can give itself (nice 19 on Unix; "low" on Windows). */
export function lowerOwnPriority(): void {
  try {
    os.setPriority(0, os.constants.priority.PRIORITY_LOW);
  } catch {
    // Not allowed here (some sandboxes): the round still runs, at normal priority.
  }
}

export async function runLearningRound(
  request: LearnRoundRequest,
  options: { signal: AbortSignal; onProgress: (progress: AdaptJobProgress) => void },
): Promise<LearnRoundResult> {
  const modelDir = request.modelsDir
    ? resolveModelDir(request.model, request.modelsDir)
    : resolveModelDir(request.model);
  // The model's own decoder (beam search with its language model, where it has one): rounds are checked
  // on the text dictation would give.
  const engine = await AsrEngine.load({ model: modelDir, punctuation: false });
  try {
    const name = engine.model.manifest.name;
    // Weights that are missing, damaged or for another model: the round starts from the model's own.
    if (request.weightsIn) await engine.useWeightsFile(request.weightsIn).catch(() => false);
    const learner = new CorrectionLearner(engine, {
      roundSize: request.fresh.length,
      replay: request.replay,
      adapt: request.adapt,
    });
    const read = async (item: LearnItem) => ({
      samples: await loadAudioFile(item.path, engine.sampleRate),
      text: item.text,
      id: item.id,
    });
    for (const item of request.learned) learner.remember(await read(item));
    for (const item of request.check) learner.keepBack(await read(item));
    for (const item of request.fresh) learner.add(await read(item));
    const round = await learner.learn({
      signal: options.signal,
      onProgress: throttledProgress(options.onProgress),
    });
    // New weights, or LM weights tuned anew to the ones in use: both travel in the one file.
    let weightsFile: string | null = null;
    if (round.kept === 'adapted' || round.lmWeightsChanged) {
      await writeWeightsFile(
        request.weightsOut,
        name,
        engine.model.layersModel.getWeights(),
        round.lmWeights ?? undefined,
      );
      weightsFile = request.weightsOut;
    }
    return {
      kept: round.kept,
      heldBackWerBefore: round.heldBackWerBefore,
      heldBackWerAfter: round.heldBackWerAfter,
      newUtterances: round.newUtterances,
      replayed: round.replayed,
      seconds: round.seconds,
      weightsFile,
      checkIds: round.heldBackIds,
    };
  } finally {
    engine.dispose();
  }
}
