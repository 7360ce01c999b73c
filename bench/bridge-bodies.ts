/** What this command does and how to run it: USAGE below (printed by `--help`). */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { numberOption, parseCommandLine } from '../main/cli/command-line';

/** What `--help` prints: this file's own description. */
const USAGE = `\`npm run bench:bridge-bodies -- [--count 10] [--size-mb 60] [--channel studio:update-project]\`

Memory of the browser bridge under large JSON bodies: starts \`npm run web\`'s server (main/bridge/web.ts)
as a child with a throwaway data folder, sends --count requests of --size-mb MB each at once to an
invoke channel (with the token, as a page would), and prints each reply's status and the server's RSS
and peak RSS (VmRSS, VmHWM from /proc: Linux only) before and after. The engine runs in a process of
its own and is not counted.
`;
const { values, count, size } = parseCommandLine(
  {
    command: 'npm run bench:bridge-bodies --',
    usage: USAGE,
    options: {
      count: { type: 'string', default: '10' },
      'size-mb': { type: 'string', default: '60' },
      channel: { type: 'string', default: 'studio:update-project' },
    },
  },
  process.argv.slice(2),
  ({ values }) => ({
    values,
    count: numberOption('count', values.count, { min: 1, integer: true })!,
    size: Math.round(numberOption('size-mb', values['size-mb'], { min: 0.001 })! * 1024 ** 2),
  }),
);

const root = path.join(import.meta.dirname, '..');
const dir = await mkdtemp(path.join(os.tmpdir(), 'bridge-bodies-'));
await mkdir(path.join(dir, 'static'));
await writeFile(path.join(dir, 'static', 'index.html'), '<!doctype html>');
const child = spawn(
  process.execPath,
  ['--import', 'tsx', 'main/bridge/web.ts', '--json', '--data', path.join(dir, 'data')].concat([
    '--static',
    path.join(dir, 'static'),
    '--model',
    path.join(root, 'models', 'default'),
  ]),
  { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
);
const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
const { url, port } = JSON.parse(line) as { url: string; port: number };
const token = new URL(url).searchParams.get('token')!;

async function memory(): Promise<string> {
  const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
  const mb = (key: string) => (Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1]) / 1024).toFixed(0);
  return `RSS ${mb('VmRSS')} MB, peak ${mb('VmHWM')} MB`;
}

/** Posts `size` bytes of spaces (declared in Content-Length) and resolves with the status or the error. */
function post(): Promise<string> {
  const chunk = Buffer.alloc(1024 ** 2, 0x20);
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: `/api/invoke/${values.channel}`,
        headers: { 'x-studio-token': token, 'content-type': 'application/json', 'content-length': size },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(String(res.statusCode)));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    let sent = 0;
    const pump = () => {
      while (sent < size) {
        const part = chunk.subarray(0, Math.min(chunk.length, size - sent));
        sent += part.length;
        if (!req.write(part)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

try {
  process.stdout.write(`server before: ${await memory()}\n`);
  const replies = await Promise.all(Array.from({ length: count }, post));
  process.stdout.write(`${count} × ${values['size-mb']} MB to ${values.channel}: ${replies.join(' ')}\n`);
  process.stdout.write(`server after:  ${await memory()}\n`);
} finally {
  child.kill('SIGTERM');
  await once(child, 'exit');
  await rm(dir, { recursive: true, force: true });
}
