import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.join(import.meta.dirname, '..', '..');
const scripts = (
  JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;

/** Scripts that run no command line of their own (build steps, the Electron launch). */
const NOT_COMMANDS = new Set(['start']);

/** Every npm script that runs a TypeScript command: its name and file. */
const commands = Object.entries(scripts)
  .filter(([name]) => !NOT_COMMANDS.has(name))
  .flatMap(([name, line]) => {
    const file = /(?:tsx|--import tsx) (\S+\.ts)\b/.exec(line)?.[1];
    return file ? [{ name, file }] : [];
  });

async function command(file: string, args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', file, ...args], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('every command', () => {
  it('is found in package.json', () => {
    expect(commands.map((c) => c.name)).toEqual(
      expect.arrayContaining(['transcribe', 'eval', 'fuzz', 'web', 'bench:wer', 'bench:soak', 'bench:adapt']),
    );
  });

  it.each(commands)(
    'npm run $name answers --help and refuses an unknown option in two lines',
    async ({ name, file }) => {
      const help = await command(file, ['--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/npm run|Usage/);
      expect(help.stderr).not.toMatch(/\n\s+at /);
      const bad = await command(file, ['--no-such-option']);
      expect(bad.code).toBe(2);
      expect(bad.stdout).toBe('');
      expect(bad.stderr).toBe(
        `npm run ${name} --: unknown option --no-such-option\nRun 'npm run ${name} -- --help' for the options.\n`,
      );
    },
    60_000,
  );
});
