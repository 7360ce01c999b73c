/**
 * `npm run transcribe -- [--format txt|json|jsonl|srt|vtt] [--model NAME] [--boost FILE] [--max-line N]
 *   [--max-cps R] [--out DIR] FILE...`
 *
 * Results go to stdout (or one file per input in --out); progress and diagnostics go to stderr only, so
 * stdout can be piped. A failing file does not stop the others; the exit code is 0 if any file succeeded.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseBoostList } from '../common/boost-list';
import { displayName, safeFileStem } from '../common/display-names';
import {
  EXPORT_FORMATS,
  formatTranscript,
  roundedWord,
  roundTo,
  type ExportFormat,
  type Transcript,
} from '../common/transcript';
import { DEFAULT_SUBTITLE_OPTIONS, type SubtitleOptions } from '../common/subtitles';
import { withoutDisplayText } from '../common/display-text';
import { MAX_BOOST_PHRASES, type VocabularyBoost } from '../engine/decoder/boost';
import { DEFAULT_MODEL, type DecoderChoice } from '../engine/engine';
import { SUPPORTED_FORMATS, isEngineError } from '../engine/errors';
import type { BackendPreference } from '../engine/model/backend';
import { USER_FILE_LIMITS, readUserTextFile } from '../engine/user-text-file';
import { QueuedFileError } from '../queue/client';
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

type CliFormat = ExportFormat | 'jsonl';
const CLI_FORMATS: readonly CliFormat[] = [...EXPORT_FORMATS, 'jsonl'];

const USAGE = `Usage: npm run transcribe -- [options] FILE...

Transcribes audio files (${SUPPORTED_FORMATS}) with word times and confidences.

Options:
  --format FMT   txt | json | jsonl | srt | vtt   (default: txt)
  --model NAME   model folder name in models/ or a path (default: ${DEFAULT_MODEL})
  --out DIR      write one file per input (NAME.FMT) into DIR instead of stdout; inputs that share
                 a NAME are refused; needed for several files in json, srt or vtt. Several files as
                 txt on stdout are each headed by a "==> FILE <==" line
  --decoder D    greedy | beam (default: the model's own, beam search with its language model if it has one)
  --boost FILE   favour the words and phrases in FILE (one per line, # starts a comment): names, jargon;
                 needs the beam decoder; a regular file of at most 1 MB
  --boost-weight W  bonus per matched character in nats (default 0.5)
  --max-line N   srt/vtt: characters per subtitle line at most (default ${DEFAULT_SUBTITLE_OPTIONS.maxLineChars})
  --max-cps R    srt/vtt: reading speed, characters a second at most (default ${DEFAULT_SUBTITLE_OPTIONS.maxCharsPerSec})
  --no-punctuation  the words as recognised: no full stops, commas, question marks or capitals from the
                 punctuation model (models/punct; on by default)
  --backend B    ${BACKEND_USAGE} (default: auto)
${queueUsage(15)}  --quiet        no progress on stderr (warnings and errors are still printed)
  -h, --help     show this help
`;

/** Formats whose output is one whole document per file. */
const DOCUMENT_FORMATS: readonly CliFormat[] = ['json', 'srt', 'vtt'];

interface CliOptions {
  format: CliFormat;
  model: string;
  out?: string;
  backend: BackendPreference;
  decoder: DecoderChoice;
  boost?: string;
  boostWeight?: number;
  subtitles: SubtitleOptions;
  quiet: boolean;
  /** Show the punctuation model's display text (Word.display). */
  punctuation: boolean;
  files: string[];
  queue?: QueueCliOptions;
}

export function parseCliArgs(argv: string[]): CliOptions | 'help' {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'txt' },
      ...ENGINE_FLAGS,
      out: { type: 'string' },
      boost: { type: 'string' },
      'boost-weight': { type: 'string' },
      'max-line': { type: 'string' },
      'max-cps': { type: 'string' },
      quiet: { type: 'boolean', default: false },
      'no-punctuation': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      ...queueOption.flags,
    },
  });
  if (values.help) return 'help';
  const queue = queueOption.parse(values);
  const format = values.format as CliFormat;
  if (!CLI_FORMATS.includes(format))
    throw new UsageError(`unknown --format ${values.format} (use ${CLI_FORMATS.join(', ')})`);
  const { model, backend, decoder } = engineChoice(values);
  if (decoder === 'greedy' && values.boost !== undefined)
    throw new UsageError('--boost needs the beam decoder (not --decoder greedy)');
  const boostWeight = values['boost-weight'] === undefined ? undefined : Number(values['boost-weight']);
  if (boostWeight !== undefined && !(boostWeight >= 0 && Number.isFinite(boostWeight)))
    throw new UsageError(`--boost-weight must be a number ≥ 0, got ${values['boost-weight']}`);
  const maxLine = Number(values['max-line'] ?? DEFAULT_SUBTITLE_OPTIONS.maxLineChars);
  if (!(Number.isInteger(maxLine) && maxLine >= 1))
    throw new UsageError(`--max-line must be a whole number ≥ 1, got ${values['max-line']}`);
  const maxCps = Number(values['max-cps'] ?? DEFAULT_SUBTITLE_OPTIONS.maxCharsPerSec);
  if (!(maxCps > 0 && Number.isFinite(maxCps)))
    throw new UsageError(`--max-cps must be a number > 0, got ${values['max-cps']}`);
  if (positionals.length === 0) throw new UsageError('no input files');
  // Two SRT/VTT/JSON documents run together on stdout are neither one valid document nor separable.
  if (values.out === undefined && positionals.length > 1 && DOCUMENT_FORMATS.includes(format))
    throw new UsageError(
      `${format} output of several files needs --out DIR (one file each), or use --format jsonl`,
    );
  // x/talk.wav and y/talk.flac would both become DIR/talk.FMT: the later one silently overwrote the other.
  if (values.out !== undefined && format !== 'jsonl') {
    const seen = new Map<string, string>();
    for (const file of positionals) {
      const target = outputPath(values.out, file, format);
      const earlier = seen.get(target);
      if (earlier !== undefined)
        throw new UsageError(
          `${displayName(earlier)} and ${displayName(file)} would both be written to ${displayName(target)}`,
        );
      seen.set(target, file);
    }
  }
  return {
    format,
    punctuation: !values['no-punctuation'],
    model,
    out: values.out,
    backend,
    decoder,
    boost: values.boost,
    boostWeight,
    subtitles: { ...DEFAULT_SUBTITLE_OPTIONS, maxLineChars: maxLine, maxCharsPerSec: maxCps },
    quiet: values.quiet!,
    files: positionals,
    queue,
  };
}

/** Where --out puts the transcript of `file`: its name made safe (no controls, separators or leading dots). */
function outputPath(out: string, file: string, format: ExportFormat): string {
  return path.join(out, `${safeFileStem(path.parse(file).name)}.${format}`);
}

/** A stderr progress line that redraws in place on a terminal and prints every 10% otherwise. */
function progressReporter(file: string, quiet: boolean) {
  let lastDecile = -1;
  return (fraction: number) => {
    if (quiet) return;
    const percent = Math.floor(fraction * 100);
    if (process.stderr.isTTY) {
      const width = 30;
      const filled = Math.round((percent / 100) * width);
      process.stderr.write(
        `\r${displayName(path.basename(file))} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${percent}%`,
      );
    } else if (Math.floor(percent / 10) > lastDecile) {
      lastDecile = Math.floor(percent / 10);
      process.stderr.write(`${displayName(file)}: ${percent}%\n`);
    }
  };
}

function jsonlRecord(file: string, transcript: Transcript): string {
  return JSON.stringify({
    file,
    text: transcript.text,
    words: transcript.words.map(roundedWord),
    durationSec: roundTo(transcript.durationSec, 3),
    backend: transcript.backend,
    rtf: roundTo(transcript.rtf, 4),
    ...(transcript.warnings?.length ? { warnings: transcript.warnings } : {}),
  });
}

export function main(argv: string[]): Promise<number> {
  return runCommand('npm run transcribe --', USAGE, argv, parseCliArgs, transcribe);
}

async function transcribe(options: CliOptions): Promise<number> {
  let vocabulary: VocabularyBoost | undefined;
  if (options.boost !== undefined) {
    try {
      vocabulary = {
        phrases: parseBoostList(await readUserTextFile(options.boost, USER_FILE_LIMITS.boostList)),
        weight: options.boostWeight,
      };
    } catch (error) {
      process.stderr.write(`error: cannot read the boost list: ${(error as Error).message}\n`);
      return 2;
    }
    if (vocabulary.phrases.length > MAX_BOOST_PHRASES && !options.quiet) {
      process.stderr.write(`warning: only the first ${MAX_BOOST_PHRASES} boost entries are used\n`);
    }
  }

  // Before the model loads, so a bad --out is reported at once and not as a crash.
  if (options.out) {
    try {
      await mkdir(options.out, { recursive: true });
    } catch (error) {
      process.stderr.write(
        `error: cannot create the --out folder ${displayName(options.out)}: ${(error as Error).message}\n`,
      );
      return 2;
    }
  }

  const engine = await openTranscriber(options, { files: options.files, vocabulary });
  if (typeof engine === 'number') return engine;
  // Workers check a queued job's decoder themselves, and the queue's line replaces the model line.
  if (vocabulary && !options.queue && engine.decoderName !== 'beam') {
    process.stderr.write(
      `error: --boost needs the beam decoder; model ${engine.modelName} decodes greedily\n`,
    );
    engine.dispose();
    return 2;
  }
  if (!options.quiet && !options.queue) {
    process.stderr.write(
      `model: ${engine.modelName} · decoder: ${engine.decoderName} · backend: ${engine.backend.label}` +
        (vocabulary ? ` · boosting ${vocabulary.phrases.length} words/phrases` : '') +
        '\n',
    );
  }

  let succeeded = 0;
  // Several plain-text transcripts on stdout would run together unattributed (even with --quiet).
  const headed = options.format === 'txt' && !options.out && options.files.length > 1;
  for (const file of options.files) {
    const report = progressReporter(file, options.quiet);
    try {
      const transcribed = await engine.transcribeFile(file, { onProgress: (p) => report(p.fraction) });
      const transcript = options.punctuation ? transcribed : withoutDisplayText(transcribed);
      report(1);
      if (process.stderr.isTTY && !options.quiet) process.stderr.write('\n');
      for (const warning of transcript.warnings ?? [])
        process.stderr.write(`warning: ${displayName(file)}: ${warning}\n`);
      succeeded++;
      const text =
        options.format === 'jsonl'
          ? jsonlRecord(file, transcript) + '\n'
          : formatTranscript(transcript, options.format, file, options.subtitles);
      if (options.out && options.format !== 'jsonl') {
        const target = outputPath(options.out, file, options.format);
        await writeFile(target, text);
        if (!options.quiet) process.stderr.write(`wrote ${displayName(target)}\n`);
      } else {
        process.stdout.write(headed ? `==> ${displayName(file)} <==\n${text}` : text);
      }
    } catch (error) {
      if (process.stderr.isTTY && !options.quiet) process.stderr.write('\n');
      const message = (error as Error).message;
      if (!isEngineError(error) && !(error instanceof QueuedFileError))
        process.stderr.write(`${displayName(file)}: unexpected error: ${(error as Error).stack}\n`);
      if (options.format === 'jsonl') process.stdout.write(JSON.stringify({ file, error: message }) + '\n');
      else process.stderr.write(`error: ${message}\n`);
    }
  }
  await engine.dispose();
  return succeeded > 0 ? 0 : 1;
}

if (isEntryPoint(import.meta.url, 'transcribe.ts')) {
  process.exitCode = await main(process.argv.slice(2));
}
