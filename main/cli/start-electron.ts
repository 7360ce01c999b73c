/**
 * `npm start`'s last step: runs the built app in Electron, and when Electron cannot start (its binary is
 * downloaded on first use, which fails without access to its release servers; or the binary cannot run
 * here) says so in two lines and points to `npm run web`, instead of leaving the user with Electron's own
 * fetch error and stack.
 */
import { spawn, spawnSync } from 'node:child_process';

const WEB_HINT = 'The same studio runs in a browser: npm run web';

function fail(what: string, detail: string): never {
  process.stderr.write(`Speech Studio: ${what}${detail ? ` (${detail})` : ''}.\n${WEB_HINT}\n`);
  process.exit(1);
}

/**
 * The line of a tool's output that says what went wrong, for the one-line detail: the first error line
 * (the download's own, e.g. "TypeError: fetch failed") rather than Electron's generic advice after it.
 */
function errorLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('at ') && !/^node:internal|^\^|^Node\.js v|^\/.*:\d+$/.test(l));
  return (lines.find((l) => /error/i.test(l)) ?? lines.at(-1) ?? '').slice(0, 300);
}

// The electron package resolves (and on first use downloads) its binary when required: done in a child
// so its download output and stack can be summed up instead of printed raw.
const resolved = spawnSync(process.execPath, ['-e', "process.stdout.write(require('electron'))"], {
  encoding: 'utf8',
  env: process.env,
});
if (resolved.status !== 0 || !resolved.stdout)
  fail(
    'Electron could not be started: its binary is missing and could not be downloaded',
    errorLine(resolved.stderr),
  );

const child = spawn(resolved.stdout, process.argv.slice(2), { stdio: ['inherit', 'inherit', 'pipe'] });
let stderr = '';
child.stderr.on('data', (chunk: Buffer) => {
  process.stderr.write(chunk);
  stderr = (stderr + chunk.toString()).slice(-4000);
});
child.on('error', (error: NodeJS.ErrnoException) =>
  fail(
    'Electron could not be started',
    error.code === 'ENOENT' ? `no binary at ${resolved.stdout}` : error.message,
  ),
);
child.on('close', (code, signal) => {
  if (code === 0) process.exit(0);
  fail(`Electron stopped with ${signal ? `signal ${signal}` : `exit code ${code}`}`, errorLine(stderr));
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
