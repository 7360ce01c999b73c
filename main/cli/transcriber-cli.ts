/**
 * What `npm run transcribe` and `npm run eval` share: their start-up (usage errors, --help, exit codes),
 * the engine options (--model, --backend, --decoder) and opening the transcriber (this computer's
 * engine, or a transcription queue with --queue).
 */
import type { VocabularyBoost } from '../engine/decoder/boost';
import { AsrEngine, DECODER_CHOICES, DEFAULT_MODEL, type DecoderChoice } from '../engine/engine';
import { BACKEND_PREFERENCES, type BackendPreference } from '../engine/model/backend';
import { openQueueForCli, type FileTranscriber } from '../queue/client';
import type { QueueCliOptions } from '../queue/cli-options';
import { RedisUrlError } from '../queue/redis-connection';
import { UsageError, usageErrorText } from './command-line';

/** The parseArgs flags of the engine options, with their defaults. */
export const ENGINE_FLAGS = {
  model: { type: 'string', default: DEFAULT_MODEL },
  backend: { type: 'string', default: 'auto' },
  decoder: { type: 'string', default: 'manifest' },
} as const;

/** The usage lines of the engine options. */
export const BACKEND_USAGE = BACKEND_PREFERENCES.join(' | ');

export interface EngineChoice {
  model: string;
  backend: BackendPreference;
  decoder: DecoderChoice;
}

/** Checks the engine options parsed with ENGINE_FLAGS; a UsageError names a bad value. */
export function engineChoice(values: { model?: string; backend?: string; decoder?: string }): EngineChoice {
  const backend = values.backend as BackendPreference;
  if (!BACKEND_PREFERENCES.includes(backend)) throw new UsageError(`unknown --backend ${values.backend}`);
  const decoder = values.decoder as DecoderChoice;
  if (!DECODER_CHOICES.includes(decoder)) throw new UsageError(`unknown --decoder ${values.decoder}`);
  return { model: values.model ?? DEFAULT_MODEL, backend, decoder };
}

/**
 * Runs a command: `parse` reads the arguments (throwing UsageError or parseArgs' errors for bad ones,
 * which print two lines and give exit code 2), `help` prints the usage (exit 0), else `run`'s code.
 */
export async function runCommand<O>(
  command: string,
  usage: string,
  argv: string[],
  parse: (argv: string[]) => O | 'help',
  run: (options: O) => Promise<number>,
): Promise<number> {
  let options: O | 'help';
  try {
    options = parse(argv);
  } catch (error) {
    if (!(error instanceof UsageError) && !(error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))
      throw error;
    process.stderr.write(usageErrorText(command, error));
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(usage);
    return 0;
  }
  return run(options);
}

/**
 * The engine on this computer, or the queue with `--queue`; on failure the error is printed and the
 * exit code returned (2 for a bad queue URL, 1 otherwise).
 */
export async function openTranscriber(
  options: EngineChoice & { queue?: QueueCliOptions; quiet: boolean },
  work: { files: readonly string[]; vocabulary?: VocabularyBoost },
): Promise<FileTranscriber | number> {
  const { model, backend, decoder, queue, quiet } = options;
  try {
    return queue
      ? await openQueueForCli({ model, decoder, quiet, ...queue, ...work })
      : await AsrEngine.load({ model, backend, decoder, vocabulary: work.vocabulary });
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n`);
    return error instanceof RedisUrlError ? 2 : 1;
  }
}

/** Whether this module is the process's entry point (`tsx main/cli/NAME.ts`). */
export function isEntryPoint(moduleUrl: string, name: string): boolean {
  return moduleUrl === `file://${process.argv[1]}` || !!process.argv[1]?.endsWith(name);
}
