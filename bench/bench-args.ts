/**
 * Argument handling shared by the benchmarks: `--help` prints the usage and exits 0; an unknown option,
 * a missing value or a bad value is one line on stderr and exit status 2 (not a parseArgs stack trace).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A bad command line: reported on one line by `runBench`. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseBenchArgs<T extends Options>(usage: string, options: T) {
  type Values = ReturnType<typeof parseArgs<{ options: T }>>['values'];
  let values: Values & { help?: boolean };
  try {
    values = parseArgs({ options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true })
      .values as Values & { help?: boolean };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  return values;
}

/** Runs a benchmark's main; a UsageError becomes one line and exit status 2. */
export async function runBench(main: () => Promise<void>, usage: string): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n${usage.split('\n')[0]} (--help for more)`);
    process.exit(2);
  }
}
