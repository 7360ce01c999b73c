/**
 * A throwaway `redis-server` for tests and benchmarks: loopback only, a free port, no persistence, its
 * files in a temporary folder that is removed when it stops. Nothing of it outlives the run or leaves
 * the machine.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';

/** Why Redis tests cannot run here, or null when `redis-server` is on the PATH. */
export function redisServerMissing(): string | null {
  const found = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return found.error || found.status !== 0
    ? 'redis-server is not installed (apt-get install redis-server; .ci/run installs it)'
    : null;
}

async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface LocalRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startLocalRedis(): Promise<LocalRedis> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'speech-studio-redis-'));
  const port = await freeLoopbackPort();
  // prettier-ignore
  const server: ChildProcess = spawn('redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'yes',
    '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', '',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  server.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));

  // Ready when it answers PING; a server that exits first (port taken since we looked) is an error.
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, retryStrategy: () => null });
  client.on('error', () => {});
  for (let attempt = 0; ; attempt++) {
    if (server.exitCode !== null) throw new Error(`redis-server exited: ${stderr.trim()}`);
    try {
      await client.connect();
      await client.ping();
      break;
    } catch (error) {
      if (attempt > 200) throw new Error(`redis-server did not answer on port ${port}`, { cause: error });
      client.disconnect();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  client.disconnect();

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      if (server.exitCode === null) {
        server.kill('SIGKILL');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
