/**
 * Command-line parsing shared by every command (transcribe, eval, fuzz, web, the benchmarks): `--help`
 * prints the usage and exits 0; an unknown option or a bad value prints one line saying what is wrong
 * and one hint line, and exits 2 — never a stack trace, never the whole help after an error.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/** A mistake in the command line, worded for the user (the caller's own checks throw it too). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** node:util parseArgs errors reworded to one short line. */
export function usageMessage(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const option = /'([^']+)'/.exec(message)?.[1];
    return option ? `unknown option ${option}` : 'unknown option';
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const option = /'(-[^' ]+)/.exec(message)?.[1];
    if (/argument missing/.test(message)) return `${option ?? 'an option'} needs a value`;
    if (/does not take an argument/.test(message)) return `${option ?? 'an option'} takes no value`;
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const argument = /'([^']*)'/.exec(message)?.[1];
    return `unexpected argument ${argument ?? ''}`.trim() + ' (this command takes options only)';
  }
  return message.split('\n')[0];
}

/** The two lines a usage error prints: what is wrong, and where the options are listed. */
export function usageErrorText(command: string, error: unknown): string {
  return `${command}: ${usageMessage(error)}\nRun '${command} --help' for the options.\n`;
}

export interface CommandSpec<O extends Options> {
  /** How the user runs it, e.g. `npm run bench:wer --`. */
  command: string;
  /** The full help text printed by --help. */
  usage: string;
  options: O;
  allowPositionals?: boolean;
}

/**
 * Parses `argv` (default: this process's arguments). `--help`/`-h` prints the usage and exits 0; a
 * usage error prints two lines on stderr and exits 2. `check` runs the command's own validation, whose
 * UsageError is reported the same way.
 */
export function parseCommandLine<
  O extends Options,
  R = ReturnType<typeof parseArgs<{ options: O; allowPositionals: boolean }>>,
>(
  spec: CommandSpec<O>,
  argv: string[] = process.argv.slice(2),
  check?: (parsed: ReturnType<typeof parseArgs<{ options: O; allowPositionals: boolean }>>) => R,
): R {
  const options = { ...spec.options, help: { type: 'boolean', short: 'h' } } as O;
  try {
    const parsed = parseArgs({ args: argv, options, allowPositionals: spec.allowPositionals ?? false });
    if ((parsed.values as { help?: boolean }).help) {
      process.stdout.write(spec.usage.endsWith('\n') ? spec.usage : `${spec.usage}\n`);
      process.exit(0);
    }
    return check ? check(parsed) : (parsed as R);
  } catch (error) {
    if (!(error instanceof UsageError) && !(error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))
      throw error;
    process.stderr.write(usageErrorText(spec.command, error));
    process.exit(2);
  }
}

/** A number option: a finite number within [min, max], else a UsageError naming the option. */
export function numberOption(
  name: string,
  value: string | undefined,
  options: { min?: number; max?: number; integer?: boolean } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  const { min = -Infinity, max = Infinity, integer = false } = options;
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    const range =
      min > -Infinity && max < Infinity ? ` from ${min} to ${max}` : min > -Infinity ? ` ≥ ${min}` : '';
    throw new UsageError(
      `--${name} needs ${integer ? 'a whole number' : 'a number'}${range}, got ${JSON.stringify(value)}`,
    );
  }
  return n;
}
