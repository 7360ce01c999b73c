/** What this command does and how to run it: USAGE below (printed by `--help`). */
import { errorRate, scoreTranscript, sumCounts, type ErrorCounts } from '../main/common/scoring';
import { CorrectionLearner } from '../main/engine/adapt/learner';
import { loadAudioFile } from '../main/engine/audio/load';
import { AsrEngine } from '../main/engine/engine';
import type { BackendPreference } from '../main/engine/model/backend';
import { numberOption, parseCommandLine, UsageError } from '../main/cli/command-line';
import { loadEvalSet } from './eval-sets';

const USAGE = `\`npm run bench:learn\` — learning from corrections, on a simulated user: a held-out voice dictates
sentences one after another; after each, the user corrects the text to what was said, and the correction
is kept. Every \`--round\` corrections the model learns from them in the background (CorrectionLearner:
the new ones plus a replay of earlier ones, kept only when better on \`--check\` corrections kept back
from training: every fifth new one, the newest first). Prints the WER of each block of \`--round\`
sentences (each block is recognised before the model learns from it, so every figure is on speech the
model has not learned from), the time of each learning round, and the targets: last block's WER ≤ 60 %
of the first's, ≤ 60 s per round. Blocks differ in difficulty by themselves, so each block is also
recognised by the model as it was before any learning (\`base\`), and the blocks after the first are
pooled against it: how much the learning took off on the same sentences. \`--lr\`, \`--l2\`, \`--kld\` and
\`--spec-augment\` are adaptModel's settings, for experiments; \`--seed\` changes the order it trains in
(to see how much a result owes to it).

  npm run bench:learn -- [--set eval-awb-clean] [--sentences 200] [--round 20] [--replay 12]
                         [--check 16] [--epochs 4] [--layers all|top|dense] [--select wer|loss]
                         [--lr X] [--l2 X] [--kld X] [--seed N] [--spec-augment] [--backend wasm]
                         [--model default]

Settings are chosen on \`--set dev-user-machac\`, the dev user (an accented voice no model trained on,
reading dev sentences: training/corpus/dev-user.py; the settings before it were chosen on the other
held-out voice, \`--set eval-slt-clean\`), so the default voice, awb, plays no part in any choice.
`;

const LAYERS = ['all', 'top', 'dense'] as const;
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

const { values, layers, roundSize, wanted, replay, checkSize, epochs, lr, l2, kld, seed } = parseCommandLine(
  {
    command: 'npm run bench:learn --',
    usage: USAGE,
    options: {
      set: { type: 'string', default: 'eval-awb-clean' },
      sentences: { type: 'string', default: '200' },
      round: { type: 'string', default: '20' },
      replay: { type: 'string', default: '12' },
      check: { type: 'string', default: '16' },
      epochs: { type: 'string', default: '4' },
      layers: { type: 'string', default: 'all' },
      select: { type: 'string' },
      lr: { type: 'string' },
      l2: { type: 'string' },
      kld: { type: 'string' },
      seed: { type: 'string' },
      'spec-augment': { type: 'boolean', default: false },
      backend: { type: 'string' },
      model: { type: 'string', default: 'default' },
    },
  },
  undefined,
  ({ values }) => {
    const layers = LAYERS.find((l) => l === values.layers);
    if (!layers) throw new UsageError(`--layers must be one of ${LAYERS.join(', ')}, got ${values.layers}`);
    if (values.select !== undefined && values.select !== 'wer' && values.select !== 'loss')
      throw new UsageError(`--select must be wer or loss, got ${values.select}`);
    return {
      values,
      layers,
      wanted: numberOption('sentences', values.sentences, { min: 1, integer: true })!,
      roundSize: numberOption('round', values.round, { min: 2, integer: true })!,
      replay: numberOption('replay', values.replay, { min: 0, integer: true })!,
      checkSize: numberOption('check', values.check, { min: 1, integer: true })!,
      epochs: numberOption('epochs', values.epochs, { min: 1, max: 50, integer: true })!,
      lr: numberOption('lr', values.lr, { min: 0, max: 1 }),
      l2: numberOption('l2', values.l2, { min: 0, max: 1 }),
      kld: numberOption('kld', values.kld, { min: 0, max: 0.99 }),
      seed: numberOption('seed', values.seed, { min: 1, max: 2 ** 31 - 1, integer: true }),
    };
  },
);

// Distinct sentences, in manifest order: a user does not dictate the same sentence twice.
const seen = new Set<string>();
const entries = (await loadEvalSet(values.set)).filter(
  (e) => !seen.has(e.transcript) && seen.add(e.transcript),
);
if (entries.length < wanted) throw new Error(`${values.set} has only ${entries.length} distinct sentences`);

const engine = await AsrEngine.load({
  model: values.model,
  backend: values.backend as BackendPreference | undefined,
});
const learner = new CorrectionLearner(engine, {
  roundSize,
  replay,
  checkSize,
  adapt: {
    layers,
    epochs,
    patience: 2,
    ...(lr !== undefined ? { learningRate: lr } : {}),
    ...(l2 !== undefined ? { l2 } : {}),
    ...(kld !== undefined ? { kld } : {}),
    ...(seed !== undefined ? { shuffleSeed: seed } : {}),
    ...(values['spec-augment'] ? { specAugment: true } : {}),
    ...(values.select ? { select: values.select as 'wer' | 'loss' } : {}),
  },
});
console.log(
  `model ${engine.modelName}, decoder ${engine.decoderName}, backend ${engine.backend.label}; voice ` +
    `${entries[0].voice} (${values.set}), ${wanted} sentences, a learning round every ${roundSize} corrections`,
);
// The model as it was before any learning: the same sentences, for comparison.
const base = await AsrEngine.load({
  model: values.model,
  backend: values.backend as BackendPreference | undefined,
});
console.log(
  'block  sentences   WER      CER      base WER | learning round: kept  checked WER          time',
);

const blockWer: number[] = [];
const laterLearned: ErrorCounts[] = [];
const laterBase: ErrorCounts[] = [];
const roundSeconds: number[] = [];
for (let start = 0; start < wanted; start += roundSize) {
  const block = entries.slice(start, Math.min(wanted, start + roundSize));
  const wer: ErrorCounts[] = [];
  const cer: ErrorCounts[] = [];
  const baseWer: ErrorCounts[] = [];
  for (const entry of block) {
    const samples = await loadAudioFile(entry.path, engine.sampleRate);
    const heard = (await engine.transcribeFile(entry.path)).text;
    const score = scoreTranscript(entry.transcript, heard);
    wer.push(score.wer);
    cer.push(score.cer);
    baseWer.push(scoreTranscript(entry.transcript, (await base.transcribeFile(entry.path)).text).wer);
    // The user corrects the text to what they said; the correction joins the profile.
    learner.add({ samples, text: entry.transcript, id: entry.path });
  }
  const blockIndex = blockWer.length + 1;
  blockWer.push(errorRate(sumCounts(wer)));
  if (blockIndex > 1) {
    laterLearned.push(...wer);
    laterBase.push(...baseWer);
  }
  let roundText = '';
  if (learner.due && start + roundSize < wanted) {
    const round = await learner.learn();
    roundSeconds.push(round.seconds);
    roundText =
      `${round.kept.padEnd(8)} ${pct(round.heldBackWerBefore)} → ${pct(round.heldBackWerAfter)}`.padEnd(34) +
      `${round.seconds.toFixed(1)} s (${round.newUtterances} new + ${round.replayed} replayed; checked on ${round.heldBackIds.length})` +
      (round.lmWeightsChanged
        ? `; LM weights now α ${round.lmWeights!.alpha}, β ${round.lmWeights!.beta}`
        : '');
  }
  console.log(
    `${String(blockIndex).padStart(5)}  ${String(start + 1).padStart(3)}–${String(start + block.length).padEnd(5)} ` +
      `${pct(blockWer.at(-1)!).padStart(7)}  ${pct(errorRate(sumCounts(cer))).padStart(7)}  ` +
      `${pct(errorRate(sumCounts(baseWer))).padStart(7)}  | ${roundText}`,
  );
}
const first = blockWer[0];
const last = blockWer.at(-1)!;
const slowest = Math.max(...roundSeconds);
const learnedLater = errorRate(sumCounts(laterLearned));
const baseLater = errorRate(sumCounts(laterBase));
console.log(
  `\nblocks 2–${blockWer.length} pooled: ${pct(learnedLater)} after learning, ${pct(baseLater)} with the model ` +
    `before any learning (${((100 * (learnedLater - baseLater)) / baseLater).toFixed(1)} % relative)`,
);
console.log(
  `last block / first block WER: ${pct(last)} / ${pct(first)} = ${((100 * last) / first).toFixed(0)} % ` +
    `(target ≤ 60 %: ${last <= 0.6 * first ? 'met' : 'not met'})`,
);
console.log(
  `learning round time: median ${[...roundSeconds].sort((a, b) => a - b)[Math.floor(roundSeconds.length / 2)].toFixed(1)} s, ` +
    `slowest ${slowest.toFixed(1)} s on ${engine.backend.name} (target ≤ 60 s: ${slowest <= 60 ? 'met' : 'not met'})`,
);
engine.dispose();
base.dispose();
