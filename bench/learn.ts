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
the new ones plus a replay of earlier ones, kept only when better on a held-back part). Prints the WER of
each block of \`--round\` sentences (each block is recognised before the model learns from it, so every
figure is on speech the model has not learned from), the time of each learning round, and the targets:
last block's WER ≤ 60 % of the first's, ≤ 60 s per round.

  npm run bench:learn -- [--set eval-awb-clean] [--sentences 200] [--round 20] [--replay 12]
                         [--epochs 4] [--layers all|top|dense] [--select wer|loss] [--backend wasm]
                         [--model default]

Settings were chosen with \`--set eval-slt-clean\` (the other held-out voice), so the default voice, awb,
plays no part in any choice.
`;

const LAYERS = ['all', 'top', 'dense'] as const;
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

const { values, layers, roundSize, wanted, replay, epochs } = parseCommandLine(
  {
    command: 'npm run bench:learn --',
    usage: USAGE,
    options: {
      set: { type: 'string', default: 'eval-awb-clean' },
      sentences: { type: 'string', default: '200' },
      round: { type: 'string', default: '20' },
      replay: { type: 'string', default: '12' },
      epochs: { type: 'string', default: '4' },
      layers: { type: 'string', default: 'all' },
      select: { type: 'string' },
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
      epochs: numberOption('epochs', values.epochs, { min: 1, max: 50, integer: true })!,
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
  adapt: {
    layers,
    epochs,
    patience: 2,
    ...(values.select ? { select: values.select as 'wer' | 'loss' } : {}),
  },
});
console.log(
  `model ${engine.modelName}, decoder ${engine.decoderName}, backend ${engine.backend.label}; voice ` +
    `${entries[0].voice} (${values.set}), ${wanted} sentences, a learning round every ${roundSize} corrections`,
);
console.log('block  sentences   WER      CER     | learning round: kept  held-back WER      time');

const blockWer: number[] = [];
const roundSeconds: number[] = [];
for (let start = 0; start < wanted; start += roundSize) {
  const block = entries.slice(start, Math.min(wanted, start + roundSize));
  const wer: ErrorCounts[] = [];
  const cer: ErrorCounts[] = [];
  for (const entry of block) {
    const samples = await loadAudioFile(entry.path, engine.sampleRate);
    const heard = (await engine.transcribeFile(entry.path)).text;
    const score = scoreTranscript(entry.transcript, heard);
    wer.push(score.wer);
    cer.push(score.cer);
    // The user corrects the text to what they said; the correction joins the profile.
    learner.add({ samples, text: entry.transcript, id: entry.path });
  }
  const blockIndex = blockWer.length + 1;
  blockWer.push(errorRate(sumCounts(wer)));
  let roundText = '';
  if (learner.due && start + roundSize < wanted) {
    const round = await learner.learn();
    roundSeconds.push(round.seconds);
    roundText =
      `${round.kept.padEnd(8)} ${pct(round.heldBackWerBefore)} → ${pct(round.heldBackWerAfter)}`.padEnd(34) +
      `${round.seconds.toFixed(1)} s (${round.newUtterances} new + ${round.replayed} replayed)`;
  }
  console.log(
    `${String(blockIndex).padStart(5)}  ${String(start + 1).padStart(3)}–${String(start + block.length).padEnd(5)} ` +
      `${pct(blockWer.at(-1)!).padStart(7)}  ${pct(errorRate(sumCounts(cer))).padStart(7)}   | ${roundText}`,
  );
}
const first = blockWer[0];
const last = blockWer.at(-1)!;
const slowest = Math.max(...roundSeconds);
console.log(
  `\nlast block / first block WER: ${pct(last)} / ${pct(first)} = ${((100 * last) / first).toFixed(0)} % ` +
    `(target ≤ 60 %: ${last <= 0.6 * first ? 'met' : 'not met'})`,
);
console.log(
  `learning round time: median ${[...roundSeconds].sort((a, b) => a - b)[Math.floor(roundSeconds.length / 2)].toFixed(1)} s, ` +
    `slowest ${slowest.toFixed(1)} s on ${engine.backend.name} (target ≤ 60 s: ${slowest <= 60 ? 'met' : 'not met'})`,
);
engine.dispose();
