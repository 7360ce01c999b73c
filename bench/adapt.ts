/** What this command does and how to run it: USAGE below (printed by `--help`). */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { errorRate, scoreTranscript, sumCounts } from '../main/common/scoring';
import { adaptModel, saveAdaptedModel, type AdaptLayers } from '../main/engine/adapt/adapt';
import { loadAudioFile } from '../main/engine/audio/load';
import { GreedyCtcDecoder } from '../main/engine/decoder/ctc-decoder';
import { AsrEngine } from '../main/engine/engine';
import type { BackendPreference } from '../main/engine/model/backend';
import { parseCorpusManifest, type CorpusEntry } from '../main/common/corpus-manifest';
import { parseCommandLine } from '../main/cli/command-line';

/** What `--help` prints: this file's own description. */
const USAGE = `\`npm run bench:adapt\` — speaker adaptation on a simulated user: the held-out flite voice \`awb\` reads 60
enrollment sentences and 40 different test sentences (both from eval-awb-clean, disjoint). The model is
adapted on the 60 (a part of them held back inside adaptModel for early stopping and the keep/discard
decision), saved as a profile model, loaded back through AsrEngine, and the 40 test sentences are scored
before and after, greedy and with the model's default beam decoder. Prints the time taken and the backend.

  npm run bench:adapt -- [--layers all|top|dense] [--epochs N] [--lr X] [--l2 X] [--batch N] [--speed 0.9,1.1] [--spec-augment]
                         [--enroll 60] [--test 40] [--skip 0] [--no-test] [--profile DIR] [--backend wasm|cpu|…]

\`--skip N\` starts N distinct sentences into the manifest (another simulated session of the same voice).
\`--no-test\` adapts and reports only the held-back enrollment figures: use it for tuning, so the test
sentences play no part in any choice of settings.
`;

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

async function evaluate(engine: AsrEngine, entries: CorpusEntry[]) {
  const greedy = new GreedyCtcDecoder();
  const result: Record<'greedy' | 'beam', { wer: number; cer: number }> = {} as never;
  for (const [name, decoder] of [
    ['greedy', greedy],
    ['beam', undefined],
  ] as const) {
    const wer = [];
    const cer = [];
    for (const e of entries) {
      const text = (await engine.transcribeFile(e.path, { decoder })).text;
      const s = scoreTranscript(e.transcript, text);
      wer.push(s.wer);
      cer.push(s.cer);
    }
    result[name] = { wer: errorRate(sumCounts(wer)), cer: errorRate(sumCounts(cer)) };
  }
  return result;
}

async function main() {
  const { values } = parseCommandLine({
    command: 'npm run bench:adapt --',
    usage: USAGE,
    options: {
      manifest: { type: 'string', default: 'training/work/manifests/eval-awb-clean.tsv' },
      model: { type: 'string', default: 'default' },
      layers: { type: 'string' },
      speed: { type: 'string' },
      'spec-augment': { type: 'boolean', default: false },
      epochs: { type: 'string' },
      lr: { type: 'string' },
      l2: { type: 'string' },
      batch: { type: 'string' },
      enroll: { type: 'string', default: '60' },
      test: { type: 'string', default: '40' },
      skip: { type: 'string', default: '0' },
      'no-test': { type: 'boolean', default: false },
      profile: { type: 'string' },
      backend: { type: 'string' },
    },
  });
  const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));
  // Distinct sentences only, so enrollment and test cannot share a text.
  const seen = new Set<string>();
  const all = parseCorpusManifest(await readFile(values.manifest!, 'utf8')).filter(
    (e) => !seen.has(e.transcript) && seen.add(e.transcript),
  );
  const nEnroll = Number(values.enroll);
  const nTest = Number(values.test);
  const skip = Number(values.skip);
  if (all.length < skip + nEnroll + nTest)
    throw new Error(`${values.manifest} has only ${all.length} sentences`);
  const enrollment = all.slice(skip, skip + nEnroll);
  const test = all.slice(skip + nEnroll, skip + nEnroll + nTest);

  const engine = await AsrEngine.load({
    model: values.model,
    backend: values.backend as BackendPreference | undefined,
  });
  const rate = engine.sampleRate;
  console.log(
    `model ${engine.modelName}, decoder ${engine.decoderName}, backend ${engine.backend.label}; ` +
      `voice ${enrollment[0].voice}: ${enrollment.length} enrollment + ${test.length} test sentences`,
  );
  const before = values['no-test'] ? null : await evaluate(engine, test);

  const data = await Promise.all(
    enrollment.map(async (e) => ({ samples: await loadAudioFile(e.path, rate), text: e.transcript })),
  );
  const enrollSec = data.reduce((s, d) => s + d.samples.length / rate, 0);
  let lastPrint = 0;
  const result = await adaptModel(engine.model, data, {
    layers: values.layers as AdaptLayers | undefined,
    speedPerturbation: values.speed?.split(',').map(Number),
    specAugment: values['spec-augment'],
    epochs: num(values.epochs),
    learningRate: num(values.lr),
    l2: num(values.l2),
    batchSize: num(values.batch),
    onProgress: (p) => {
      const now = performance.now();
      if (now - lastPrint < 5000 && p.step !== p.total) return;
      lastPrint = now;
      console.error(
        `  ${p.phase} ${p.step}/${p.total} epoch ${p.epoch} loss ${p.loss.toFixed(3)}` +
          `${p.heldBackLoss === undefined ? '' : ` held-back ${p.heldBackLoss.toFixed(3)}`} ETA ${p.etaSec.toFixed(0)} s`,
      );
    },
  });
  const profile = values.profile ?? (await mkdtemp(path.join(os.tmpdir(), 'adapt-profile-')));
  const dir = await saveAdaptedModel(engine.model, result.weights, profile, 'awb-adapted', {
    speaker: 'flite awb (benchmark)',
    overwrite: true,
    result: { ...result, weights: undefined } as never,
  });
  result.weights.forEach((w) => w.dispose());
  console.log(
    `adaptation (${result.layers}): ${enrollSec.toFixed(0)} s of enrollment audio, ${result.trainUtterances} train + ` +
      `${result.heldBackUtterances} held back, ${result.epochsRun} epochs / ${result.steps} steps, best epoch ` +
      `${result.bestEpoch}, ${result.seconds.toFixed(1)} s on ${engine.backend.name}`,
  );
  console.log(
    `held-back enrollment (greedy): WER ${pct(result.before.wer)} → ${pct(result.after.wer)}, CER ` +
      `${pct(result.before.cer)} → ${pct(result.after.cer)}, loss ${result.before.loss.toFixed(3)} → ` +
      `${result.after.loss.toFixed(3)}; kept: ${result.kept}`,
  );
  console.log(`saved: ${dir}`);

  if (before) {
    const adapted = await AsrEngine.load({ model: dir });
    const after = await evaluate(adapted, test);
    console.log(
      `\n${test.length} test sentences (never used for adaptation or tuning), ${engine.backend.name}:`,
    );
    console.log('| decoder | WER before | WER after | relative | CER before | CER after |');
    console.log('|---|---|---|---|---|---|');
    for (const d of ['greedy', 'beam'] as const) {
      const rel = (after[d].wer - before[d].wer) / before[d].wer;
      console.log(
        `| ${d} | ${pct(before[d].wer)} | ${pct(after[d].wer)} | ${rel >= 0 ? '+' : ''}${pct(rel)} | ` +
          `${pct(before[d].cer)} | ${pct(after[d].cer)} |`,
      );
    }
    adapted.dispose();
  }
  engine.dispose();
  if (!values.profile) await rm(profile, { recursive: true, force: true });
}

await main();
