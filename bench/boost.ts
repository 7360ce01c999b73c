/** What this command does and how to run it: USAGE below (printed by `--help`). */
import { writeFile } from 'node:fs/promises';
import { align, errorRate, normalizeForScoring, sumCounts } from '../main/common/scoring';
import {
  BeamCtcDecoder,
  DEFAULT_BOOST_LM_FLOOR,
  DEFAULT_BOOST_LM_LIFT_PER_CHAR,
} from '../main/engine/decoder/beam-decoder';
import { DEFAULT_BOOST_WEIGHT, type VocabularyBoost } from '../main/engine/decoder/boost';
import type { CtcInput } from '../main/engine/decoder/ctc-decoder';
import type { NgramLm } from '../main/engine/decoder/ngram-lm';
import type { CorpusEntry } from '../main/common/corpus-manifest';
import { loadBeamModel, loadSet } from './posterior-cache';
import { parseCommandLine } from '../main/cli/command-line';

/** What `--help` prints: this file's own description. */
const USAGE = `\`npm run bench:boost\` — does vocabulary boosting help the words it is meant for, and leave the rest
alone? For each set, the "rare words" are the reference words (4+ letters) that the LM has never seen
or saw about once (unigram log-probability ≤ --rare-logprob): names and jargon such as "digium",
"voicemail", "cleveland". The beam decoder then decodes the cached posteriors without boosting, with
the set's own rare-word list, and with the union of every set's lists (mostly words absent from the
set: distractors). Printed per setting: the rare words' recognition rate (reference occurrences
aligned to an identical hypothesis word), overall WER, WER on the utterances that contain none of the
listed words (the "elsewhere" the list must not hurt), and false alarms (listed words in a hypothesis
where the reference has none at that place).

  npm run bench:boost -- [--sets dev,eval-asterisk-test] [--limit 120] [--cache DIR]
      [--weights 1,1.5,2] [--floors=-10] [--lift-caps 0.5,Infinity] [--rare-logprob=-12.2]
      [--lists own,all] [--json FILE]

Tune --weights/--floors/--lift-caps on \`dev\` and \`dev-noisy10\` only (dev + 10 dB noise:
\`python3 training/corpus/generate.py --dev-noisy10\`); the held-out sets report the chosen default.
`;

const DEFAULT_SETS = [
  'dev',
  'dev-noisy10',
  'eval-awb-clean',
  'eval-awb-noisy10',
  'eval-slt-clean',
  'eval-slt-noisy10',
  'eval-asterisk-test',
];

interface SetData {
  set: string;
  entries: CorpusEntry[];
  inputs: CtcInput[];
  audioSec: number;
  rare: string[];
  /** The rare words the LM has never seen. */
  oov: ReadonlySet<string>;
}

interface Result {
  rareHits: number;
  rareTotal: number;
  oovHits: number;
  oovTotal: number;
  wer: number;
  otherWer: number;
  otherUtterances: number;
  falseAlarms: number;
  decodeRtf: number;
}

/** Reference words the LM has never seen or (nearly) never: the names and jargon a user would boost. */
function rareWords(entries: CorpusEntry[], lm: NgramLm, maxLogProb: number): string[] {
  const words = new Set<string>();
  for (const e of entries) {
    for (const w of normalizeForScoring(e.transcript).split(' ')) {
      if (w.length >= 4 && (!lm.has(w) || lm.logProb([], w) <= maxLogProb)) words.add(w);
    }
  }
  return [...words].sort();
}

function evaluate(decoder: BeamCtcDecoder, data: SetData, listed: ReadonlySet<string>): Result {
  const started = performance.now();
  const hyps = data.inputs.map((x) =>
    normalizeForScoring(
      decoder
        .decode(x)
        .map((w) => w.word)
        .join(' '),
    ),
  );
  const decodeRtf = (performance.now() - started) / 1000 / data.audioSec;
  const rare = new Set(data.rare);
  let rareHits = 0;
  let rareTotal = 0;
  let oovHits = 0;
  let oovTotal = 0;
  let falseAlarms = 0;
  const all = [];
  const other = [];
  for (let i = 0; i < data.entries.length; i++) {
    const ref = normalizeForScoring(data.entries[i].transcript).split(' ').filter(Boolean);
    const alignment = align(ref, hyps[i].split(' ').filter(Boolean));
    all.push(alignment);
    if (!ref.some((w) => listed.has(w))) other.push(alignment);
    for (const pair of alignment.pairs) {
      if (pair.ref !== null && rare.has(pair.ref)) {
        rareTotal++;
        if (pair.op === 'match') rareHits++;
        if (data.oov.has(pair.ref)) {
          oovTotal++;
          if (pair.op === 'match') oovHits++;
        }
      }
      if (pair.hyp !== null && listed.has(pair.hyp) && pair.op !== 'match') falseAlarms++;
    }
  }
  return {
    rareHits,
    rareTotal,
    oovHits,
    oovTotal,
    wer: errorRate(sumCounts(all)),
    otherWer: errorRate(sumCounts(other)),
    otherUtterances: other.length,
    falseAlarms,
    decodeRtf,
  };
}

const pct = (x: number) => (x * 100).toFixed(1).padStart(6) + '%';
const list = (s: string) => s.split(',').map(Number);

async function main() {
  const { values } = parseCommandLine({
    command: 'npm run bench:boost --',
    usage: USAGE,
    options: {
      model: { type: 'string', default: 'default' },
      sets: { type: 'string', default: DEFAULT_SETS.join(',') },
      limit: { type: 'string', default: '120' },
      manifests: { type: 'string', default: 'training/work/manifests' },
      cache: { type: 'string' },
      weights: { type: 'string', default: String(DEFAULT_BOOST_WEIGHT) },
      floors: { type: 'string', default: String(DEFAULT_BOOST_LM_FLOOR) },
      'lift-caps': { type: 'string', default: String(DEFAULT_BOOST_LM_LIFT_PER_CHAR) },
      'rare-logprob': { type: 'string', default: '-12.2' },
      lists: { type: 'string', default: 'own,all' },
      json: { type: 'string' },
    },
  });
  const { backend, model, settings, lm, beam } = await loadBeamModel(values.model!);
  const { alpha, beta, beamWidth } = settings;
  console.log(
    `model ${model.manifest.name} (${backend.label}); beam ${beamWidth}, α ${alpha}, β ${beta}; rare words: ` +
      `4+ letters, not in the LM or unigram log P ≤ ${values['rare-logprob']}`,
  );

  const sets: SetData[] = [];
  for (const set of values.sets!.split(',')) {
    const data = await loadSet(model, values.manifests!, set, Number(values.limit), values.cache);
    if (!data) console.log(`${set}: missing manifest in ${values.manifests}`);
    else {
      const rare = rareWords(data.entries, lm, Number(values['rare-logprob']));
      sets.push({ ...data, rare, oov: new Set(rare.filter((w) => !lm.has(w))) });
    }
  }
  model.dispose();
  const union = [...new Set(sets.flatMap((s) => s.rare))].sort();

  const rows: (Result & { set: string; list: string; weight?: number; floor?: number; liftCap?: number })[] =
    [];
  const header =
    `${'set'.padEnd(20)} ${'boost list'.padEnd(36)} ${'rare words'.padStart(16)} ${'not in LM'.padStart(9)} ${'WER'.padStart(7)} ` +
    `${'WER other utts'.padStart(20)} ${'false alarms'.padStart(12)} ${'decode s/s'.padStart(10)}`;
  for (const data of sets) {
    console.log(
      `\n${data.set}: ${data.entries.length} files, ${(data.audioSec / 60).toFixed(1)} min; ${data.rare.length} rare ` +
        `word types (${data.oov.size} not in the LM: ${[...data.oov].join(', ')}), e.g. ${data.rare.slice(0, 8).join(', ')}`,
    );
    console.log(header);
    console.log('-'.repeat(header.length));
    const print = (name: string, r: Result) =>
      console.log(
        `${data.set.padEnd(20)} ${name.padEnd(36)} ${`${r.rareHits}/${r.rareTotal}`.padStart(8)} ${pct(r.rareTotal ? r.rareHits / r.rareTotal : 0)} ` +
          `${`${r.oovHits}/${r.oovTotal}`.padStart(9)} ${pct(r.wer)} ${pct(r.otherWer)} (${String(r.otherUtterances).padStart(3)} utts) ` +
          `${String(r.falseAlarms).padStart(12)} ${r.decodeRtf.toFixed(4).padStart(10)}`,
      );
    const wanted = values.lists!.split(',');
    const lists: [string, string[]][] = [];
    if (wanted.includes('own')) lists.push(['own', data.rare]);
    if (wanted.includes('all')) lists.push([`all sets (${union.length})`, union]);
    const base = new BeamCtcDecoder(beam);
    for (const [name, words] of lists) {
      const listed = new Set(words);
      const r = evaluate(base, data, listed);
      rows.push({ set: data.set, list: `none (vs ${name})`, ...r });
      print(`none (vs ${name} list)`, r);
      for (const liftCap of list(values['lift-caps']!)) {
        for (const floor of list(values.floors!)) {
          for (const weight of list(values.weights!)) {
            const vocabulary: VocabularyBoost = { phrases: words, weight };
            const decoder = new BeamCtcDecoder({
              ...beam,
              vocabulary,
              boostLmFloor: floor,
              boostLmLiftPerChar: liftCap,
            });
            const b = evaluate(decoder, data, listed);
            rows.push({ set: data.set, list: name, weight, floor, liftCap, ...b });
            print(`${name} w=${weight} f=${floor} cap=${liftCap}`, b);
          }
        }
      }
    }
  }
  if (values.json) {
    await writeFile(values.json, JSON.stringify({ model: model.manifest.name, union, rows }, null, 2) + '\n');
  }
}

await main();
