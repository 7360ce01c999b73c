/**
 * `npm run eval -- MANIFEST.tsv|FOLDER|FILE... [options]` — transcribes a set of recordings with reference
 * transcripts and reports WER/CER with substitution/deletion/insertion counts per set and in total.
 * `npm run eval -- --compare A.json B.json` compares two runs written with --out.
 *
 * The report goes to stdout; progress and warnings go to stderr. A failing file is reported and the others
 * still run; the exit status is 0 if any file was transcribed, 1 if none was, 2 for usage or input errors
 * and for results that could not be written.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  asEvalRun,
  compareRuns,
  formatComparison,
  formatFileTable,
  formatSetTable,
  makeRun,
  percent,
  scoreOf,
  sortResults,
  toCsv,
  unscoredNote,
  type EvalRun,
  type FileResult,
  type SortKey,
} from '../common/evaluation';
import { displayName, safeFileStem } from '../common/display-names';
import { ManifestParseError } from '../common/references';
import { DEFAULT_NORMALIZATION, describeNormalization, type ScoringNormalization } from '../common/scoring';
import { EXPORT_FORMATS, formatTranscript, type ExportFormat } from '../common/transcript';
import { DEFAULT_MODEL, type DecoderChoice } from '../engine/engine';
import { evaluateSets } from '../evaluation/evaluate';
import type { BackendPreference } from '../engine/model/backend';
import { loadEvalInputs } from '../evaluation/reference-files';
import { USER_FILE_LIMITS, UserFileError, readUserTextFile } from '../engine/user-text-file';
import { queueOption, queueUsage, type QueueCliOptions } from '../queue/cli-options';
import { UsageError } from './command-line';
import {
  BACKEND_USAGE,
  ENGINE_FLAGS,
  engineChoice,
  isEntryPoint,
  openTranscriber,
  runCommand,
} from './transcriber-cli';

const USAGE = `Usage: npm run eval -- [options] MANIFEST.tsv|FOLDER|FILE...
       npm run eval -- --compare A.json B.json [--top N]

Transcribes recordings and scores them against reference transcripts (WER, CER, S/D/I).

Inputs (each manifest or folder is one set):
  MANIFEST.tsv   lines "audio path<TAB>transcript"; paths relative to the manifest's folder;
                 a header line, # comments and blank lines are allowed
  FOLDER         searched recursively for audio (wav flac mp3 ogg opus m4a …), each with the
                 .txt of the same name beside it as its reference
  FILE           an audio file, with FILE's .txt beside it if there is one

Options:
  --model NAME       model folder name in models/ or a path (default: ${DEFAULT_MODEL})
  --decoder D        greedy | beam (default: the model's own)
  --backend B        ${BACKEND_USAGE} (default: auto)
  --sets             also split each FOLDER into one set per subfolder
  --limit N          at most N files per set
  --out FILE.json    per-file results: reference, hypothesis, words with times, counts, alignment
  --csv FILE.csv     CSV summary: one row per file, then per set and the total
  --sort KEY         wer | cer | name: list every file in that order (worst first), in the report,
                     the JSON and the CSV (default: input order, no per-file list)
  --export DIR       write each transcript into DIR/<set>/ plus DIR/summary.csv (names that clash
                     get -2, -3…)
  --format F[,F…]    formats for --export: txt, srt, vtt, json (default: txt)
  --keep-case        score case differences as errors (default: fold case)
  --keep-punctuation keep punctuation attached to words (default: remove it)
  --numbers M        keep | words: spell out digits in both texts before scoring (default: keep)
  --compare A B      compare two --out files side by side per set, and the files that differ most
  --top N            files listed by --compare (default: 10)
${queueUsage(19)}  --quiet            no progress on stderr
  -h, --help         show this help
`;

export interface EvalCliOptions {
  inputs: string[];
  model: string;
  decoder: DecoderChoice;
  backend: BackendPreference;
  splitSubfolders: boolean;
  limit?: number;
  out?: string;
  csv?: string;
  sort: SortKey;
  exportDir?: string;
  formats: ExportFormat[];
  normalization: ScoringNormalization;
  compare: boolean;
  top: number;
  quiet: boolean;
  queue?: QueueCliOptions;
}

const positiveInt = (value: string | undefined, flag: string) => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag} needs a whole number, got ${value}`);
  return n;
};

export function parseEvalArgs(argv: string[]): EvalCliOptions | 'help' {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...ENGINE_FLAGS,
      sets: { type: 'boolean', default: false },
      limit: { type: 'string' },
      out: { type: 'string' },
      csv: { type: 'string' },
      sort: { type: 'string', default: 'input' },
      export: { type: 'string' },
      format: { type: 'string', default: 'txt' },
      'keep-case': { type: 'boolean', default: false },
      'keep-punctuation': { type: 'boolean', default: false },
      numbers: { type: 'string', default: DEFAULT_NORMALIZATION.numbers },
      compare: { type: 'boolean', default: false },
      top: { type: 'string', default: '10' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      ...queueOption.flags,
    },
  });
  if (values.help) return 'help';
  const queue = queueOption.parse(values);
  const { model, decoder, backend } = engineChoice(values);
  const sort = values.sort as SortKey;
  if (!['input', 'wer', 'cer', 'name'].includes(sort))
    throw new UsageError(`unknown --sort ${sort} (use wer, cer or name)`);
  const formats = values.format!.split(',').map((f) => f.trim()) as ExportFormat[];
  for (const f of formats) {
    if (!EXPORT_FORMATS.includes(f))
      throw new UsageError(`unknown --format ${f} (use ${EXPORT_FORMATS.join(', ')})`);
  }
  if (values.numbers !== 'keep' && values.numbers !== 'words') {
    throw new UsageError(`unknown --numbers ${values.numbers} (use keep or words)`);
  }
  if (values.compare && positionals.length !== 2)
    throw new UsageError('--compare needs exactly two results files');
  if (positionals.length === 0) throw new UsageError('no manifest, folder or file given');
  return {
    inputs: positionals,
    model,
    decoder,
    backend,
    splitSubfolders: values.sets!,
    limit: positiveInt(values.limit, '--limit'),
    out: values.out,
    csv: values.csv,
    sort,
    exportDir: values.export,
    formats,
    normalization: {
      caseFold: !values['keep-case'],
      punctuation: values['keep-punctuation'] ? 'keep' : 'remove',
      numbers: values.numbers,
    },
    compare: values.compare!,
    top: positiveInt(values.top, '--top')!,
    quiet: values.quiet!,
    queue,
  };
}

/**
 * A path inside the export folder for a result, without the format's extension: the set's folder, then
 * the file's own relative path.
 */
function exportBase(dir: string, result: FileResult): string {
  const safeSet = result.set.replace(/[^\w.-]+/g, '_').replace(/^\.+/, '_');
  const normal = path.normalize(result.file);
  const relative =
    path.isAbsolute(normal) || normal.startsWith('..')
      ? path.basename(normal)
      : normal.replace(/^(\.[/\\])+/, '');
  const parsed = path.parse(relative);
  // Each folder and the name made safe: no control characters, separators or leading dots on disk.
  const folders = parsed.dir
    .split(/[/\\]/)
    .filter((part) => part !== '')
    .map(safeFileStem);
  return path.join(dir, safeSet, ...folders, safeFileStem(parsed.name));
}

async function writeExports(dir: string, run: EvalRun, formats: ExportFormat[]) {
  let written = 0;
  let renamed = 0;
  // /x/talk.wav and /y/talk.wav (or talk.wav and talk.mp3) share a name; the later one silently replaced
  // the earlier one's transcript. A suffix keeps both (summary.csv maps every file to its figures).
  const used = new Set<string>();
  for (const r of run.files) {
    if (r.hypothesis === undefined) continue;
    const wanted = exportBase(dir, r);
    let base = wanted;
    for (let n = 2; used.has(base); n++) base = `${wanted}-${n}`;
    used.add(base);
    if (base !== wanted) renamed++;
    const transcript = {
      text: r.hypothesis,
      words: r.words ?? [],
      durationSec: r.durationSec ?? 0,
      backend: run.backend,
      model: run.model,
      rtf: r.rtf ?? 0,
    };
    for (const format of formats) {
      const target = `${base}.${format}`;
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, formatTranscript(transcript, format, r.file));
      written++;
    }
  }
  await writeFile(path.join(dir, 'summary.csv'), toCsv(run.files, run.sets, run.total));
  return { written, renamed };
}

async function compare(options: EvalCliOptions): Promise<number> {
  const [fileA, fileB] = options.inputs;
  const read = async (f: string) =>
    asEvalRun(JSON.parse(await readUserTextFile(f, USER_FILE_LIMITS.manifest)), f);
  const [a, b] = [await read(fileA), await read(fileB)];
  const label = (f: string, r: EvalRun) =>
    `${f} (model ${r.model}, decoder ${r.decoder}, ${r.date.slice(0, 16)})`;
  process.stdout.write(
    formatComparison(compareRuns(a, b), { a: label(fileA, a), b: label(fileB, b) }, { top: options.top }),
  );
  return 0;
}

export function main(argv: string[]): Promise<number> {
  return runCommand('npm run eval --', USAGE, argv, parseEvalArgs, evaluate);
}

async function evaluate(options: EvalCliOptions): Promise<number> {
  if (options.compare) {
    try {
      return await compare(options);
    } catch (error) {
      process.stderr.write(`error: ${(error as Error).message}\n`);
      return 2;
    }
  }
  const log = (line: string) => {
    if (!options.quiet) process.stderr.write(line + '\n');
  };

  let sets;
  try {
    sets = await loadEvalInputs(options.inputs, { splitSubfolders: options.splitSubfolders });
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n`);
    if (
      !(error instanceof ManifestParseError) &&
      !(error instanceof UserFileError) &&
      !/no such manifest/.test((error as Error).message)
    ) {
      process.stderr.write(`${(error as Error).stack}\n`);
    }
    return 2;
  }
  for (const set of sets) {
    if (options.limit !== undefined) set.items = set.items.slice(0, options.limit);
    for (const w of set.warnings) process.stderr.write(`warning: ${w}\n`);
  }

  const audio = sets.flatMap((set) => set.items.map((item) => item.audio));
  const engine = await openTranscriber(options, { files: audio });
  if (typeof engine === 'number') return engine;
  const width = String(sets.reduce((n, s) => n + s.items.length, 0)).length;
  const files = await evaluateSets(engine, sets, {
    normalization: options.normalization,
    onFile: (r, done, total) => {
      const counter = `[${String(done).padStart(width)}/${total}]`;
      const file = displayName(r.file);
      // Warnings say the result may not be what the file should give: shown even with --quiet.
      for (const w of r.warnings ?? []) process.stderr.write(`warning: ${file}: ${w}\n`);
      if (r.error) log(`${counter} ${displayName(r.set)}: ${file}  FAILED: ${r.error}`);
      else {
        const s = scoreOf(r);
        const figures = s
          ? `WER ${percent(s.wer)} (S/D/I ${s.counts.words.substitutions}/${s.counts.words.deletions}/${s.counts.words.insertions})  CER ${percent(s.cer)}`
          : 'no reference';
        log(`${counter} ${displayName(r.set)}: ${file}  ${figures}  RTF ${r.rtf!.toFixed(3)}`);
      }
    },
  });
  await engine.dispose();

  // Sets keep the order they were given in; only the per-file list is sorted.
  const run = makeRun(
    { model: engine.modelName, decoder: engine.decoderName, backend: engine.backend.name },
    options.normalization,
    files,
  );
  run.files = sortResults(files, options.sort);
  const out: string[] = [
    `model: ${run.model} · decoder: ${run.decoder} · backend: ${engine.backend.label}`,
    `normalisation: ${describeNormalization(options.normalization)}`,
    '',
  ];
  if (options.sort !== 'input') out.push(formatFileTable(run.files));
  out.push(formatSetTable(run.sets, run.total));
  const unscored = unscoredNote(run.total);
  if (unscored) out.push(unscored);
  if (run.total.failed) {
    out.push(`${run.total.failed} file(s) failed:`);
    for (const r of run.files.filter((f) => f.error)) out.push(`  ${r.set}: ${r.error}`);
  }
  process.stdout.write(out.join('\n') + (out[out.length - 1].endsWith('\n') ? '' : '\n'));

  // Results are written after a run that may have taken hours: one output that cannot be written is
  // reported on one line and the others are still written.
  let status = run.total.files > run.total.failed ? 0 : 1;
  const save = async (
    flag: string,
    target: string | undefined,
    write: (target: string) => Promise<string>,
  ) => {
    if (target === undefined) return;
    try {
      log(await write(target));
    } catch (error) {
      process.stderr.write(`error: cannot write ${flag} ${target}: ${(error as Error).message}\n`);
      status = 2;
    }
  };
  const writeText = async (file: string, text: string) => {
    await mkdir(path.dirname(path.resolve(file)), { recursive: true });
    await writeFile(file, text);
    return `wrote ${file}`;
  };
  await save('--out', options.out, (file) => writeText(file, JSON.stringify(run, null, 1) + '\n'));
  await save('--csv', options.csv, (file) => writeText(file, toCsv(run.files, run.sets, run.total)));
  await save('--export', options.exportDir, async (dir) => {
    const { written, renamed } = await writeExports(dir, run, options.formats);
    // Even with --quiet: the names differ from what the user will look for.
    if (renamed)
      process.stderr.write(
        `warning: ${renamed} file(s) exported as NAME-2, -3… because their names clashed\n`,
      );
    return `wrote ${written} transcript file(s) and summary.csv into ${dir}`;
  });
  return status;
}

if (isEntryPoint(import.meta.url, 'eval.ts')) {
  process.exitCode = await main(process.argv.slice(2));
}
