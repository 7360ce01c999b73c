/** What this command does and how to run it: USAGE below (printed by `--help`). */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { aggregate, percent, renderTable, scoreFile, type Column } from '../main/common/evaluation';
import { describeNormalization, type Score } from '../main/common/scoring';
import { AsrEngine, type DecoderChoice } from '../main/engine/engine';
import { readCorpusManifest, type CorpusEntry } from '../training/features/dump-features';
import { parseCommandLine } from '../main/cli/command-line';

/** What `--help` prints: this file's own description. */
const USAGE = `\`npm run bench:wer\` — accuracy and speed of the studio's recogniser against pocketsphinx, side by side
on the same evaluation sets (the held-out voices clean and at 10 dB SNR, and the asterisk test split).
Prints WER/CER per set and the real-time factor of each system; \`--json FILE\` keeps the numbers. Scoring
and the table come from main/common/evaluation.ts, the same code as \`npm run eval\`.

  npm run bench:wer -- [--model NAME] [--decoder greedy|beam] [--sets a,b] [--limit N] [--manifests DIR] [--no-peer] [--json FILE]

The sets are made by training/corpus/generate.py (manifests in training/work/manifests/).
`;

const run = promisify(execFile);
const DEFAULT_SETS = [
  'eval-awb-clean',
  'eval-awb-noisy10',
  'eval-slt-clean',
  'eval-slt-noisy10',
  'eval-asterisk-test',
];
const SPHINX_MODEL = '/usr/share/pocketsphinx/model/en-us';

interface SystemResult {
  wer: number;
  cer: number;
  rtf: number;
  counts: Score;
}

async function runStudio(
  engine: AsrEngine,
  entries: CorpusEntry[],
): Promise<{ hyps: string[]; seconds: number }> {
  const hyps: string[] = [];
  const started = performance.now();
  for (const entry of entries) hyps.push((await engine.transcribeFile(entry.path)).text);
  return { hyps, seconds: (performance.now() - started) / 1000 };
}

/** pocketsphinx_batch over the set with the stock en-us acoustic model, language model and dictionary. */
async function runPocketsphinx(entries: CorpusEntry[]): Promise<{ hyps: string[]; seconds: number }> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'sphinx-'));
  try {
    const ids = entries.map((e) => path.resolve(e.path).replace(/\.wav$/, ''));
    await writeFile(path.join(work, 'list.ctl'), ids.join('\n') + '\n');
    const hypFile = path.join(work, 'out.hyp');
    const started = performance.now();
    // prettier-ignore
    await run('pocketsphinx_batch', [
      '-adcin', 'yes', '-cepdir', '/', '-cepext', '.wav', '-ctl', path.join(work, 'list.ctl'), '-hyp', hypFile,
      '-hmm', path.join(SPHINX_MODEL, 'en-us'), '-lm', path.join(SPHINX_MODEL, 'en-us.lm.bin'),
      '-dict', path.join(SPHINX_MODEL, 'cmudict-en-us.dict'), '-logfn', '/dev/null',
    ], { maxBuffer: 64 << 20 });
    const seconds = (performance.now() - started) / 1000;
    // Each line: "words of the hypothesis (utterance-id score)".
    const byId = new Map<string, string>();
    for (const line of (await readFile(hypFile, 'utf8')).split('\n')) {
      const m = /^(.*?)\s*\((\S+)(?:\s+-?\d+)?\)\s*$/.exec(line);
      if (m) byId.set(m[2], m[1]);
    }
    return {
      hyps: ids.map((id) => byId.get(path.basename(id)) ?? byId.get(id) ?? byId.get(id.slice(1)) ?? ''),
      seconds,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Pooled WER/CER over the set (the same aggregation as `npm run eval`). */
function summarise(entries: CorpusEntry[], hyps: string[], seconds: number, audioSec: number): SystemResult {
  const set = aggregate(
    'set',
    entries.map((e, i) => ({
      set: 'set',
      file: e.path,
      reference: e.transcript,
      hypothesis: hyps[i],
      ...scoreFile(e.transcript, hyps[i]),
    })),
  );
  return { wer: set.wer, cer: set.cer, rtf: seconds / audioSec, counts: { wer: set.words, cer: set.chars } };
}

const COLUMNS: Column[] = [
  { header: 'set', align: 'left' },
  { header: 'files' },
  { header: 'hours' },
  { header: 'studio WER', group: true },
  { header: 'CER' },
  { header: 'RTF' },
  { header: 'sphinx WER', group: true },
  { header: 'CER' },
  { header: 'RTF' },
];
const figures = (r: SystemResult | undefined) =>
  r ? [percent(r.wer), percent(r.cer), r.rtf.toFixed(3)] : ['skipped', '', ''];

async function main() {
  const { values } = parseCommandLine({
    command: 'npm run bench:wer --',
    usage: USAGE,
    options: {
      model: { type: 'string', default: 'default' },
      decoder: { type: 'string', default: 'manifest' },
      sets: { type: 'string', default: DEFAULT_SETS.join(',') },
      limit: { type: 'string' },
      manifests: { type: 'string', default: 'training/work/manifests' },
      'no-peer': { type: 'boolean', default: false },
      json: { type: 'string' },
    },
  });
  const engine = await AsrEngine.load({ model: values.model, decoder: values.decoder as DecoderChoice });
  const sphinxInstalled = existsSync(path.join(SPHINX_MODEL, 'en-us.lm.bin'));
  const peer = !values['no-peer'] && sphinxInstalled;
  console.log(
    `studio: model ${engine.modelName}, decoder ${engine.decoderName}, backend ${engine.backend.label}`,
  );
  console.log(
    peer
      ? 'peer: pocketsphinx (en-us acoustic model + en-us LM)'
      : `peer: pocketsphinx skipped (${sphinxInstalled ? '--no-peer' : 'not installed: apt-get install pocketsphinx pocketsphinx-en-us'})`,
  );
  console.log(`normalisation: ${describeNormalization()}`);
  const rows: string[][] = [];
  const results: Record<
    string,
    { files: number; audioSec: number; studio: SystemResult; pocketsphinx?: SystemResult }
  > = {};
  for (const set of values.sets!.split(',')) {
    const manifest = path.join(values.manifests!, `${set}.tsv`);
    if (!existsSync(manifest)) {
      console.error(`${set}: missing ${manifest} (run training/corpus/generate.py)`);
      rows.push([set, 'missing']);
      continue;
    }
    let entries = await readCorpusManifest(manifest);
    if (values.limit) entries = entries.slice(0, Number(values.limit));
    const audioSec = entries.reduce((s, e) => s + e.durationSec, 0);
    const studioRun = await runStudio(engine, entries);
    const studio = summarise(entries, studioRun.hyps, studioRun.seconds, audioSec);
    let sphinx: SystemResult | undefined;
    if (peer) {
      const sphinxRun = await runPocketsphinx(entries);
      sphinx = summarise(entries, sphinxRun.hyps, sphinxRun.seconds, audioSec);
    }
    results[set] = { files: entries.length, audioSec, studio, ...(sphinx ? { pocketsphinx: sphinx } : {}) };
    const row = [
      set,
      String(entries.length),
      (audioSec / 3600).toFixed(3),
      ...figures(studio),
      ...figures(sphinx),
    ];
    console.error(`done: ${row.join(' ')}`);
    rows.push(row);
  }
  process.stdout.write(renderTable(COLUMNS, rows));
  engine.dispose();
  if (values.json) {
    await writeFile(
      values.json,
      JSON.stringify(
        {
          model: engine.modelName,
          decoder: engine.decoderName,
          backend: engine.backend.name,
          date: new Date().toISOString(),
          results,
        },
        null,
        2,
      ) + '\n',
    );
  }
}

await main();
