/**
 * The start every command shares: parse the arguments; `--help` prints the usage on stdout (exit 0); a
 * usage error prints one line and the usage on stderr (exit 2).
 */
export function parseCommandLine<T>(
  argv: string[],
  parse: (argv: string[]) => T | 'help',
  usage: string,
): { options: T } | { exitCode: number } {
  let options: T | 'help';
  try {
    options = parse(argv);
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n\n${usage}`);
    return { exitCode: 2 };
  }
  if (options === 'help') {
    process.stdout.write(usage);
    return { exitCode: 0 };
  }
  return { options };
}
