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
\`--spec-augment\` are adaptModel's settings, for experiments.

The order a round visits its utterances in changes every later round (a round is kept or not on a few
check utterances), and with it the last block by several points: the simulation runs once per seed of
\`--seeds\` (three training orders by default, seeds fixed before they were first run) and the target
is read on the mean of the orders' last blocks; each order's figures are printed too.

  npm run bench:learn -- [--set eval-awb-clean] [--sentences 200] [--round 20] [--replay 12]
                         [--check 16] [--epochs 4] [--layers all|top|dense] [--select wer|loss]
                         [--lr X] [--l2 X] [--kld X] [--seeds 1,2,3] [--spec-augment] [--backend wasm]
                         [--model default]

Settings are chosen on \`--set dev-user-machac\`, the dev user (an accented voice no model trained on,
reading dev sentences: training/corpus/dev-user.py; the settings before it were chosen on the other
held-out voice, \`--set eval-slt-clean\`), so the default voice, awb, plays no part in any choice.
`;

const LAYERS = ['all', 'top', 'dense'] as const;
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

const { values, layers, roundSize, wanted, replay, checkSize, epochs, lr, l2, kld, seeds } = parseCommandLine(
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
      seeds: { type: 'string', default: '1,2,3' },
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
    const wanted = numberOption('sentences', values.sentences, { min: 1, integer: true })!;
    const roundSize = numberOption('round', values.round, { min: 2, integer: true })!;
    // A learning round, and a block after it to measure it on.
    if (wanted <= roundSize)
      throw new UsageError(`--sentences (${wanted}) must exceed --round (${roundSize})`);
    return {
      values,
      layers,
      wanted,
      roundSize,
      replay: numberOption('replay', values.replay, { min: 0, integer: true })!,
      checkSize: numberOption('check', values.check, { min: 1, integer: true })!,
      epochs: numberOption('epochs', values.epochs, { min: 1, max: 50, integer: true })!,
      lr: numberOption('lr', values.lr, { min: 0, max: 1 }),
      l2: numberOption('l2', values.l2, { min: 0, max: 1 }),
      kld: numberOption('kld', values.kld, { min: 0, max: 0.99 }),
      seeds: values.seeds
        .split(',')
        .map((seed) => numberOption('seeds', seed.trim(), { min: 1, max: 2 ** 31 - 1, integer: true })!),
    };
  },
);

// Distinct sentences, in manifest order: a user does not dictate the same sentence twice.
const seen = new Set<string>();
const entries = (await loadEvalSet(values.set)).filter(
  (e) => !seen.has(e.transcript) && seen.add(e.transcript),
);
if (entries.length < wanted) throw new Error(`${values.set} has only ${entries.length} distinct sentences`);

const load = () =>
  AsrEngine.load({ model: values.model, backend: values.backend as BackendPreference | undefined });
// The model as it was before any learning: the same sentences, for comparison (the same in every order).
const base = await load();
const baseCounts = new Map<string, ErrorCounts>();
async function baseWerOf(entry: (typeof entries)[number]): Promise<ErrorCounts> {
  let counts = baseCounts.get(entry.path);
  if (!counts) {
    counts = scoreTranscript(entry.transcript, (await base.transcribeFile(entry.path)).text).wer;
    baseCounts.set(entry.path, counts);
  }
  return counts;
}

interface OrderResult {
  seed: number;
  blockWer: number[];
  laterLearned: ErrorCounts[];
  laterBase: ErrorCounts[];
  roundSeconds: number[];
}

/** One simulated user from the unchanged model: dictate a block, correct it, learn, and so on. */
async function simulate(seed: number): Promise<OrderResult> {
  const engine = await load();
  const learner = new CorrectionLearner(engine, {
    roundSize,
    replay,
    checkSize,
    adapt: {
      layers,
      epochs,
      patience: 2,
      shuffleSeed: seed,
      ...(lr !== undefined ? { learningRate: lr } : {}),
      ...(l2 !== undefined ? { l2 } : {}),
      ...(kld !== undefined ? { kld } : {}),
      ...(values['spec-augment'] ? { specAugment: true } : {}),
      ...(values.select ? { select: values.select as 'wer' | 'loss' } : {}),
    },
  });
  console.log(
    `\norder seed ${seed}: model ${engine.modelName}, decoder ${engine.decoderName}, backend ${engine.backend.label}; ` +
      `voice ${entries[0].voice} (${values.set}), ${wanted} sentences, a learning round every ${roundSize} corrections`,
  );
  console.log(
    'block  sentences   WER      CER      base WER | learning round: kept  checked WER          time',
  );
  const result: OrderResult = { seed, blockWer: [], laterLearned: [], laterBase: [], roundSeconds: [] };
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
      baseWer.push(await baseWerOf(entry));
      // The user corrects the text to what they said; the correction joins the profile.
      learner.add({ samples, text: entry.transcript, id: entry.path });
    }
    const blockIndex = result.blockWer.length + 1;
    result.blockWer.push(errorRate(sumCounts(wer)));
    if (blockIndex > 1) {
      result.laterLearned.push(...wer);
      result.laterBase.push(...baseWer);
    }
    let roundText = '';
    if (learner.due && start + roundSize < wanted) {
      const round = await learner.learn();
      result.roundSeconds.push(round.seconds);
      roundText =
        `${round.kept.padEnd(8)} ${pct(round.heldBackWerBefore)} → ${pct(round.heldBackWerAfter)}`.padEnd(
          34,
        ) +
        `${round.seconds.toFixed(1)} s (${round.newUtterances} new + ${round.replayed} replayed; checked on ${round.heldBackIds.length})` +
        (round.lmWeightsChanged
          ? `; LM weights now α ${round.lmWeights!.alpha}, β ${round.lmWeights!.beta}`
          : '');
    }
    console.log(
      `${String(blockIndex).padStart(5)}  ${String(start + 1).padStart(3)}–${String(start + block.length).padEnd(5)} ` +
        `${pct(result.blockWer.at(-1)!).padStart(7)}  ${pct(errorRate(sumCounts(cer))).padStart(7)}  ` +
        `${pct(errorRate(sumCounts(baseWer))).padStart(7)}  | ${roundText}`,
    );
  }
  engine.dispose();
  return result;
}

const orders: OrderResult[] = [];
for (const seed of seeds) orders.push(await simulate(seed));

const blocks = orders[0].blockWer.length;
const baseLater = errorRate(sumCounts(orders[0].laterBase));
// The first block is recognised before any learning: the same in every order.
const first = orders[0].blockWer[0];
const meanLast = orders.reduce((sum, o) => sum + o.blockWer.at(-1)!, 0) / orders.length;
const roundSeconds = orders.flatMap((o) => o.roundSeconds).sort((a, b) => a - b);
/** A pooled WER against the model before any learning, as a relative change. */
const relative = (wer: number) => `${((100 * (wer - baseLater)) / baseLater).toFixed(1)} % relative`;
/** A last block's WER as a share of the first block's, the target's figure. */
const ofFirst = (wer: number) => `${pct(wer)} / ${pct(first)} = ${((100 * wer) / first).toFixed(0)} %`;
console.log(`\n${orders.length === 1 ? 'the order' : `${orders.length} training orders`}:`);
for (const o of orders) {
  const learned = errorRate(sumCounts(o.laterLearned));
  console.log(
    `  seed ${String(o.seed).padEnd(10)} blocks 2–${blocks} pooled ${pct(learned)} after learning, ` +
      `${pct(baseLater)} before any learning (${relative(learned)}); last / first block ${ofFirst(o.blockWer.at(-1)!)}`,
  );
}
const pooled = errorRate(sumCounts(orders.flatMap((o) => o.laterLearned)));
console.log(
  `blocks 2–${blocks} pooled over ${orders.length === 1 ? 'the order' : 'the orders'}: ${pct(pooled)} after learning, ` +
    `${pct(baseLater)} with the model before any learning (${relative(pooled)})`,
);
console.log(
  `last block / first block WER${orders.length > 1 ? ', the mean of the orders' : ''}: ${ofFirst(meanLast)} ` +
    `(target ≤ 60 %: ${meanLast <= 0.6 * first ? 'met' : 'not met'})`,
);
// At least one round ran: --sentences exceeds --round (checked with the options).
const slowest = roundSeconds.at(-1)!;
console.log(
  `learning round time: median ${roundSeconds[Math.floor(roundSeconds.length / 2)].toFixed(1)} s, ` +
    `slowest ${slowest.toFixed(1)} s over ${roundSeconds.length} rounds on ${base.backend.name} ` +
    `(target ≤ 60 s: ${slowest <= 60 ? 'met' : 'not met'})`,
);
base.dispose();
