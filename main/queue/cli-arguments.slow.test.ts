/**
 * The queue's command-line surface without a Redis server: help; bad arguments and URLs in two lines
 * (the problem, where the options are); a Redis that does not answer in one line; an exit status each,
 * never a hang or a stack.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { jobIdFor, type TranscriptionJobData } from './jobs';
import { parseRedisUrl } from './redis-connection';

const run = promisify(execFile);
const root = path.join(import.meta.dirname, '..', '..');
const audio = path.join(root, 'e2e', 'fixtures', 'speech.wav');

async function cli(script: string, args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: root,
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('parseRedisUrl', () => {
  it('reads host, port, database and credentials, and hides the password when shown', () => {
    expect(parseRedisUrl('redis://queue.lab:6380/2')).toEqual({
      display: 'redis://queue.lab:6380/2',
      options: { host: 'queue.lab', port: 6380, db: 2 },
    });
    expect(parseRedisUrl('rediss://worker:s%40cret@[::1]')).toEqual({
      display: 'rediss://worker:***@[::1]',
      options: {
        host: '::1',
        port: 6379,
        username: 'worker',
        password: 's@cret',
        tls: { servername: '::1' },
      },
    });
  });

  it.each([
    ['localhost:6379', /not a Redis URL/],
    ['http://localhost:6379', /not a Redis URL/],
    ['redis://', /names no host/],
    ['redis://host/abc', /database must be a number/],
    ['redis://host:6379/?x=1', /query or fragment/],
  ])('refuses %s', (url, message) => {
    expect(() => parseRedisUrl(url)).toThrow(message);
  });
});

describe('jobIdFor', () => {
  const data: TranscriptionJobData = {
    file: 'a.wav',
    audio: { kind: 'path', path: '/data/a.wav' },
    contentSha256: 'ab'.repeat(32),
    model: 'default',
    modelFingerprint: 'cd'.repeat(32),
    decoder: 'manifest',
  };

  it('depends on content, model and decoder settings, not on the name or where the audio is', () => {
    const id = jobIdFor(data);
    expect(id).toMatch(/^t-[0-9a-f]{64}$/);
    expect(
      jobIdFor({ ...data, file: 'b.wav', audio: { kind: 'redis', key: 'k', extension: '.wav', bytes: 1 } }),
    ).toBe(id);
    expect(jobIdFor({ ...data, contentSha256: 'ef'.repeat(32) })).not.toBe(id);
    expect(jobIdFor({ ...data, modelFingerprint: 'ef'.repeat(32) })).not.toBe(id);
    expect(jobIdFor({ ...data, decoder: 'greedy' })).not.toBe(id);
    expect(jobIdFor({ ...data, vocabulary: { phrases: ['Zyxel'] } })).not.toBe(id);
    expect(jobIdFor({ ...data, vocabulary: { phrases: ['Zyxel'], weight: 1 } })).not.toBe(
      jobIdFor({ ...data, vocabulary: { phrases: ['Zyxel'] } }),
    );
  });
});

describe('queue command lines', () => {
  it('npm run worker -- --help prints the usage and exits 0', async () => {
    const { code, stdout } = await cli('main/cli/worker.ts', ['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Usage: npm run worker -- --redis URL/);
    expect(stdout).toMatch(/--concurrency N/);
  });

  it.each([
    [[], /^--redis URL is required$/],
    [['--redis', 'localhost'], /^--redis: not a Redis URL: "localhost"/],
    [
      ['--redis', 'redis://h', '--concurrency', '0'],
      /^--concurrency needs a whole number from 1 to 256, got "0"$/,
    ],
    [['--redis', 'redis://h', 'extra'], /^unexpected argument extra/],
  ])('worker %j is a usage error in two lines', async (args, message) => {
    const { code, stdout, stderr } = await cli('main/cli/worker.ts', args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const [problem, hint, ...rest] = stderr.split('\n');
    expect(problem.replace(/^npm run worker --: /, '')).toMatch(message);
    expect(problem).toMatch(/^npm run worker --: /);
    expect(hint).toBe("Run 'npm run worker -- --help' for the options.");
    expect(rest).toEqual(['']);
  });

  it('a Redis that does not answer is one line and exit 2, for the worker, transcribe and eval', async () => {
    const url = `redis://127.0.0.1:${await closedPort()}`;
    for (const [script, args] of [
      ['main/cli/worker.ts', ['--redis', url]],
      ['main/cli/transcribe.ts', ['--queue', url, audio]],
      ['main/cli/eval.ts', ['--queue', url, audio]],
    ] as const) {
      const { code, stderr, stdout } = await cli(script, [...args]);
      expect(code, script).toBe(2);
      expect(stderr.trim().split('\n'), script).toEqual([
        expect.stringMatching(new RegExp(`^error: cannot reach Redis at ${url}: .*ECONNREFUSED`)),
      ]);
      expect(stdout).toBe('');
    }
  }, 120_000);

  it('transcribe and eval refuse a bad --queue URL and --shared-paths alone', async () => {
    for (const [script, command] of [
      ['main/cli/transcribe.ts', 'npm run transcribe --'],
      ['main/cli/eval.ts', 'npm run eval --'],
    ]) {
      const hint = `Run '${command} --help' for the options.`;
      const bad = await cli(script, ['--queue', 'redis//nope', audio]);
      expect(bad.code, script).toBe(2);
      const [problem, badHint] = bad.stderr.split('\n');
      expect(problem).toMatch(new RegExp(`^${command}: --queue: not a Redis URL: "redis//nope"`));
      expect(badHint).toBe(hint);
      const alone = await cli(script, ['--shared-paths', audio]);
      expect(alone.code, script).toBe(2);
      expect(alone.stderr).toBe(`${command}: --shared-paths needs --queue URL\n${hint}\n`);
      const help = await cli(script, ['--help']);
      expect(help.stdout).toMatch(/--queue URL +run on the workers of the queue/);
    }
  }, 120_000);
});
