/** What this command does and how to run it: USAGE below (printed by `--help`). */
import { writeFile } from 'node:fs/promises';
import { align, normalizeForScoring } from '../main/common/scoring';
import { BeamCtcDecoder } from '../main/engine/decoder/beam-decoder';
import {
  applyCalibration,
  fitLogistic,
  reliability,
  type ConfidenceCalibration,
} from '../main/engine/decoder/confidence';
import type { CtcInput } from '../main/engine/decoder/ctc-decoder';
import type { CorpusEntry } from '../main/common/corpus-manifest';
import { loadBeamModel, loadSet } from './posterior-cache';
import { parseCommandLine } from '../main/cli/command-line';

/** What `--help` prints: this file's own description. */
const USAGE = `\`npm run bench:calibration\` — are the beam decoder's word confidences calibrated? A hypothesis word is
correct when the WER alignment pairs it with an identical reference word. The calibration (hypothesis
posterior scale, then a logistic map of logit(word posterior) and logit(acoustic score)) is fitted on
the dev set only; the held-out sets only report. Printed per set: a reliability table (confidence bins
→ words, mean confidence, accuracy) and the expected calibration error (ECE, count-weighted |accuracy −
confidence| over 10 bins) for
  - acoustic:   the mean frame posterior of the word's alignment (the beam decoder's old confidence),
  - posterior:  the raw word posterior of the final beam (scale 1),
  - calibrated: the fitted map (what the model manifest ships),
and the AUC (how well each ranks right above wrong words; calibration cannot change it much).

  npm run bench:calibration -- [--sets eval-awb-clean,…] [--limit 120] [--dev-limit 300] [--cache DIR]
      [--scales 1,0.5,0.25,0.1] [--json FILE]
`;

const HELD_OUT = [
  'eval-awb-clean',
  'eval-awb-noisy10',
  'eval-slt-clean',
  'eval-slt-noisy10',
  'eval-asterisk-test',
];

interface Sample {
  posterior: number;
  acoustic: number;
  correct: boolean;
}

/** Decodes every utterance and labels each hypothesis word right or wrong against the reference. */
function labelledWords(decoder: BeamCtcDecoder, inputs: CtcInput[], entries: CorpusEntry[]): Sample[] {
  const out: Sample[] = [];
  inputs.forEach((x, i) => {
    const words = decoder.decodeDetailed(x);
    const ref = normalizeForScoring(entries[i].transcript).split(' ').filter(Boolean);
    const alignment = align(
      ref,
      words.map((w) => w.word),
    );
    let j = 0;
    for (const pair of alignment.pairs) {
      if (pair.hyp === null) continue;
      const w = words[j++];
      out.push({ posterior: w.posterior, acoustic: w.acoustic, correct: pair.op === 'match' });
    }
  });
  return out;
}

/** Area under the ROC curve of `score` for right vs wrong words (ties count half). */
function auc(samples: { score: number; correct: boolean }[]): number {
  const sorted = [...samples].sort((a, b) => a.score - b.score);
  const positives = samples.filter((s) => s.correct).length;
  const negatives = samples.length - positives;
  if (positives === 0 || negatives === 0) return NaN;
  let rankSum = 0;
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j < sorted.length && sorted[j].score === sorted[i].score) j++;
    const rank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (sorted[k].correct) rankSum += rank;
    i = j;
  }
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

const logLoss = (samples: { confidence: number; correct: boolean }[]) =>
  -samples.reduce((s, x) => {
    const p = Math.min(1 - 1e-6, Math.max(1e-6, x.confidence));
    return s + Math.log(x.correct ? p : 1 - p);
  }, 0) / samples.length;

const pct = (x: number) => (Number.isNaN(x) ? '     –' : (x * 100).toFixed(1).padStart(5) + '%');

function printReliability(title: string, scored: { confidence: number; correct: boolean }[]) {
  const { bins, ece } = reliability(scored);
  const a = auc(scored.map((s) => ({ score: s.confidence, correct: s.correct })));
  console.log(
    `  ${title.padEnd(11)} ECE ${(ece * 100).toFixed(1).padStart(4)}%  AUC ${a.toFixed(3)}  ` +
      bins.map((b) => `${b.from.toFixed(1)}–${b.to.toFixed(1)}: ${b.count} ${pct(b.accuracy)}`).join(' | '),
  );
  return { ece, auc: a, bins };
}

async function main() {
  const { values } = parseCommandLine({
    command: 'npm run bench:calibration --',
    usage: USAGE,
    options: {
      model: { type: 'string', default: 'default' },
      sets: { type: 'string', default: HELD_OUT.join(',') },
      limit: { type: 'string', default: '120' },
      'dev-limit': { type: 'string', default: '300' },
      manifests: { type: 'string', default: 'training/work/manifests' },
      cache: { type: 'string' },
      scales: { type: 'string', default: '1,0.5,0.25,0.1' },
      json: { type: 'string' },
    },
  });
  const { backend, model, settings, beam } = await loadBeamModel(values.model!);
  const { alpha, beta, beamWidth } = settings;
  console.log(
    `model ${model.manifest.name} (${backend.label}); beam ${beamWidth}, α ${alpha}, β ${beta}; ` +
      `shipped calibration: ${settings.confidence ? JSON.stringify(settings.confidence) : 'none'}`,
  );
  const load = (set: string, limit: number) => loadSet(model, values.manifests!, set, limit, values.cache);
  const dev = await load('dev', Number(values['dev-limit']));
  if (!dev) throw new Error('the dev set is missing (training/work/manifests/dev.tsv)');
  const heldOut = [];
  for (const set of values.sets!.split(',')) {
    const data = await load(set, Number(values.limit));
    if (data) heldOut.push(data);
    else console.log(`${set}: missing manifest`);
  }
  model.dispose();

  const decoderFor = (posteriorScale: number) =>
    new BeamCtcDecoder({
      ...beam,
      // Identity map: `posterior` is the raw word posterior at this scale.
      calibration: { posteriorScale, posteriorWeight: 1, acousticWeight: 0, bias: 0 },
    });

  // Fit on dev: each posterior scale, with and without the acoustic score; keep the lowest dev log-loss.
  console.log(`\nfitting on dev (${dev.entries.length} utterances):`);
  let best: { calibration: ConfidenceCalibration; loss: number } | null = null;
  let devRaw: Sample[] = [];
  for (const posteriorScale of values.scales!.split(',').map(Number)) {
    const samples = labelledWords(decoderFor(posteriorScale), dev.inputs, dev.entries);
    if (posteriorScale === 1) devRaw = samples;
    for (const useAcoustic of [false, true]) {
      const fit = fitLogistic(samples, { useAcoustic });
      const calibration = { posteriorScale, ...fit };
      const loss = logLoss(
        samples.map((s) => ({
          confidence: applyCalibration(calibration, s.posterior, s.acoustic),
          correct: s.correct,
        })),
      );
      console.log(
        `  scale ${String(posteriorScale).padEnd(4)} ${useAcoustic ? '+ acoustic' : 'posterior '} ` +
          `a=${fit.posteriorWeight.toFixed(3)} b=${fit.acousticWeight.toFixed(3)} c=${fit.bias.toFixed(3)}  ` +
          `dev log-loss ${loss.toFixed(4)}`,
      );
      if (!best || loss < best.loss) best = { calibration, loss };
    }
  }
  const chosen = best!.calibration;
  const rounded: ConfidenceCalibration = {
    posteriorScale: chosen.posteriorScale,
    posteriorWeight: Number(chosen.posteriorWeight.toFixed(4)),
    acousticWeight: Number(chosen.acousticWeight.toFixed(4)),
    bias: Number(chosen.bias.toFixed(4)),
  };
  console.log(`chosen (for manifest.json decoder.confidence): ${JSON.stringify(rounded)}`);

  const report: Record<string, Record<string, { ece: number; auc: number }>> = {};
  const evaluateSet = (name: string, raw: Sample[], scaled: Sample[]) => {
    console.log(
      `\n${name}: ${raw.length} hypothesis words, ${((100 * raw.filter((s) => s.correct).length) / raw.length).toFixed(1)}% correct`,
    );
    report[name] = {
      acoustic: printReliability(
        'acoustic',
        raw.map((s) => ({ confidence: s.acoustic, correct: s.correct })),
      ),
      posterior: printReliability(
        'posterior',
        raw.map((s) => ({ confidence: s.posterior, correct: s.correct })),
      ),
      calibrated: printReliability(
        'calibrated',
        scaled.map((s) => ({
          confidence: applyCalibration(rounded, s.posterior, s.acoustic),
          correct: s.correct,
        })),
      ),
    };
  };
  const chosenDecoder = decoderFor(rounded.posteriorScale);
  evaluateSet(
    'dev (fit)',
    devRaw,
    rounded.posteriorScale === 1 ? devRaw : labelledWords(chosenDecoder, dev.inputs, dev.entries),
  );
  const pooledRaw: Sample[] = [];
  const pooledScaled: Sample[] = [];
  for (const data of heldOut) {
    const raw = labelledWords(decoderFor(1), data.inputs, data.entries);
    const scaled =
      rounded.posteriorScale === 1 ? raw : labelledWords(chosenDecoder, data.inputs, data.entries);
    pooledRaw.push(...raw);
    pooledScaled.push(...scaled);
    evaluateSet(data.set, raw, scaled);
  }
  if (heldOut.length > 1) evaluateSet('held-out, pooled', pooledRaw, pooledScaled);
  if (values.json) {
    await writeFile(values.json, JSON.stringify({ calibration: rounded, report }, null, 2) + '\n');
  }
}

await main();
