/**
 * `npm run bench:wer` — accuracy and speed of the studio's recogniser against pocketsphinx, side by side
 * on the same files: the real-speech dev sets (warzone2100 game voice lines, klettres words; several real
 * speakers), the asterisk test split (real telephone speech), and the held-out synthetic voices clean and
 * at 10 dB SNR. Prints per set WER, CER, the real-time factor and the non-word rate (words a system emits
 * that are in no word list: the model's lexicon.txt, the LM's vocabulary or the user's boost list), then
 * the real dev sets pooled. Missing sets are built first (bench/eval-sets.ts says how and how long).
 * Scoring and the table come from main/common/evaluation.ts, the same code as `npm run eval`.
 *
 *   npm run bench:wer -- [--model NAME] [--decoder greedy|beam] [--sets a,b] [--limit N] [--no-peer]
 *                        [--no-build] [--json FILE]
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { CorpusEntry } from '../main/common/corpus-manifest';
import { aggregate, percent, renderTable, scoreFile, type Column } from '../main/common/evaluation';
import { describeNormalization, normalizeForScoring, type Score } from '../main/common/scoring';
import { encodeWav } from '../main/engine/audio/wav-writer';
import { loadAudioFile } from '../main/engine/audio/load';
import { Lexicon } from '../main/engine/decoder/lexicon';
import { NgramLm } from '../main/engine/decoder/ngram-lm';
import { AsrEngine, resolveModelDir, type DecoderChoice } from '../main/engine/engine';
import { numberOption, parseCommandLine, UsageError } from '../main/cli/command-line';
import { EVAL_SETS, loadEvalSet, REAL_DEV_SETS } from './eval-sets';

const run = promisify(execFile);
// Synthetic dev sets are for tuning (dev, the dev user of bench:learn), not for the model's figures.
const DEFAULT_SETS = EVAL_SETS.filter((s) => s.real || !s.dev).map((s) => s.name);
const SPHINX_MODEL = '/usr/share/pocketsphinx/model/en-us';

interface SystemResult {
  wer: number;
  cer: number;
  rtf: number;
  /** Emitted words in no word list, of all emitted words. */
  nonWords: number;
  emitted: number;
  counts: Score;
}

interface SystemRun {
  hyps: string[];
  seconds: number;
}

async function runStudio(engine: AsrEngine, entries: CorpusEntry[]): Promise<SystemRun> {
  const hyps: string[] = [];
  const started = performance.now();
  for (const entry of entries) hyps.push((await engine.transcribeFile(entry.path)).text);
  return { hyps, seconds: (performance.now() - started) / 1000 };
}

/**
 * pocketsphinx_batch over the set with the stock en-us acoustic model, language model and dictionary.
 * It reads 16 kHz mono WAV only, so other files are decoded and resampled by the studio's own audio
 * loader into a temporary WAV first (outside the timed run: the time is pocketsphinx's decoding alone).
 */
async function runPocketsphinx(entries: CorpusEntry[]): Promise<SystemRun> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'sphinx-'));
  try {
    const ids: string[] = [];
    for (const [i, entry] of entries.entries()) {
      if (entry.path.endsWith('.wav')) {
        ids.push(path.resolve(entry.path).replace(/\.wav$/, ''));
        continue;
      }
      const samples = await loadAudioFile(entry.path, 16000);
      const id = path.join(work, `utt${i}`);
      await writeFile(
        id + '.wav',
        encodeWav([samples], { sampleRate: 16000, bitsPerSample: 16, encoding: 'int' }),
      );
      ids.push(id);
    }
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

/** Every word either system could legitimately say: the model's word list and its LM's vocabulary. */
async function referenceLexicon(modelDir: string): Promise<(word: string) => boolean> {
  const lists: Lexicon[] = [];
  const lexiconFile = path.join(modelDir, 'lexicon.txt');
  if (existsSync(lexiconFile)) lists.push(Lexicon.parse(await readFile(lexiconFile, 'utf8')));
  const lmFile = path.join(modelDir, 'lm.bin');
  if (existsSync(lmFile)) lists.push(Lexicon.fromWords(NgramLm.fromBuffer(await readFile(lmFile)).words));
  if (lists.length === 0)
    throw new Error(`${modelDir} has neither lexicon.txt nor lm.bin to count non-words with`);
  return (word) => lists.some((l) => l.has(word));
}

/** Pooled WER/CER over the entries (the same aggregation as `npm run eval`) and the non-word rate. */
function summarise(
  entries: CorpusEntry[],
  run: SystemRun,
  audioSec: number,
  isWord: (word: string) => boolean,
): SystemResult {
  const set = aggregate(
    'set',
    entries.map((e, i) => ({
      set: 'set',
      file: e.path,
      reference: e.transcript,
      hypothesis: run.hyps[i],
      ...scoreFile(e.transcript, run.hyps[i]),
    })),
  );
  const emitted = run.hyps.flatMap((h) => normalizeForScoring(h).split(' ').filter(Boolean));
  return {
    wer: set.wer,
    cer: set.cer,
    rtf: run.seconds / audioSec,
    nonWords: emitted.length === 0 ? 0 : emitted.filter((w) => !isWord(w)).length / emitted.length,
    emitted: emitted.length,
    counts: { wer: set.words, cer: set.chars },
  };
}

const COLUMNS: Column[] = [
  { header: 'set', align: 'left' },
  { header: 'files' },
  { header: 'hours' },
  { header: 'studio WER', group: true },
  { header: 'CER' },
  { header: 'RTF' },
  { header: 'non-words' },
  { header: 'sphinx WER', group: true },
  { header: 'CER' },
  { header: 'RTF' },
  { header: 'non-words' },
];
const figures = (r: SystemResult | undefined) =>
  r ? [percent(r.wer), percent(r.cer), r.rtf.toFixed(3), percent(r.nonWords)] : ['skipped', '', '', ''];

const USAGE = `npm run bench:wer -- [--model NAME] [--decoder manifest|greedy|beam] [--sets a,b] [--limit N]
                          [--no-peer] [--no-build] [--json FILE]

  --sets       comma-separated, from: ${EVAL_SETS.map((s) => s.name).join(', ')}
               (default: all but the synthetic dev sets, dev and dev-user-machac). Missing sets are
               built first unless --no-build.
  --limit N    the first N files of each set
  --no-peer    skip pocketsphinx
  --json FILE  keep the figures`;

async function main() {
  const { values, limit } = parseCommandLine(
    {
      command: 'npm run bench:wer --',
      usage: USAGE,
      options: {
        model: { type: 'string', default: 'default' },
        decoder: { type: 'string', default: 'manifest' },
        sets: { type: 'string', default: DEFAULT_SETS.join(',') },
        limit: { type: 'string' },
        'no-peer': { type: 'boolean', default: false },
        'no-build': { type: 'boolean', default: false },
        json: { type: 'string' },
      },
    },
    undefined,
    ({ values }) => {
      if (!['manifest', 'greedy', 'beam'].includes(values.decoder)) {
        throw new UsageError(`--decoder must be manifest, greedy or beam, not "${values.decoder}"`);
      }
      for (const set of values.sets.split(',')) {
        if (!EVAL_SETS.some((s) => s.name === set)) throw new UsageError(`unknown set "${set}"`);
      }
      return { values, limit: numberOption('limit', values.limit, { min: 1, integer: true }) ?? Infinity };
    },
  );
  const sets = values.sets.split(',');
  const entriesBySet = new Map<string, CorpusEntry[]>();
  for (const set of sets) {
    const entries = await loadEvalSet(set, { build: !values['no-build'] });
    entriesBySet.set(set, entries.slice(0, limit));
  }

  const engine = await AsrEngine.load({ model: values.model, decoder: values.decoder as DecoderChoice });
  const isWord = await referenceLexicon(resolveModelDir(values.model));
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
  console.log(
    `machine: ${os.cpus().length} cores, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const rows: string[][] = [];
  const results: Record<
    string,
    { files: number; audioSec: number; studio: SystemResult; pocketsphinx?: SystemResult }
  > = {};
  // Kept per set so the real dev sets can be pooled over files (not averaged over sets).
  const runs = new Map<string, { studio: SystemRun; sphinx?: SystemRun }>();
  const row = (name: string, entries: CorpusEntry[], studioRun: SystemRun, sphinxRun?: SystemRun) => {
    const audioSec = entries.reduce((s, e) => s + e.durationSec, 0);
    const studio = summarise(entries, studioRun, audioSec, isWord);
    const sphinx = sphinxRun && summarise(entries, sphinxRun, audioSec, isWord);
    results[name] = { files: entries.length, audioSec, studio, ...(sphinx ? { pocketsphinx: sphinx } : {}) };
    const cells = [
      name,
      String(entries.length),
      (audioSec / 3600).toFixed(3),
      ...figures(studio),
      ...figures(sphinx),
    ];
    console.error(`done: ${cells.join(' ')}`);
    rows.push(cells);
  };
  for (const set of sets) {
    const entries = entriesBySet.get(set)!;
    const studioRun = await runStudio(engine, entries);
    const sphinxRun = peer ? await runPocketsphinx(entries) : undefined;
    runs.set(set, { studio: studioRun, sphinx: sphinxRun });
    row(set, entries, studioRun, sphinxRun);
  }
  const pooled = REAL_DEV_SETS.filter((s) => runs.has(s));
  if (pooled.length > 1) {
    const join = (pick: (r: { studio: SystemRun; sphinx?: SystemRun }) => SystemRun | undefined) => {
      const parts = pooled.map((s) => pick(runs.get(s)!));
      if (parts.some((p) => !p)) return undefined;
      return { hyps: parts.flatMap((p) => p!.hyps), seconds: parts.reduce((s, p) => s + p!.seconds, 0) };
    };
    row(
      `real dev pooled (${pooled.join(' + ')})`,
      pooled.flatMap((s) => entriesBySet.get(s)!),
      join((r) => r.studio)!,
      join((r) => r.sphinx),
    );
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
          loadAverage: os.loadavg(),
          results,
        },
        null,
        2,
      ) + '\n',
    );
  }
}

await main();
