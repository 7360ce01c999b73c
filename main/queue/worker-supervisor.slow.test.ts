/**
 * `npm run worker -- --concurrency N` runs N engine processes under one supervisor. Stopping it from a
 * terminal must behave like stopping one worker: each process finishes its job, then all exit.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRandomModel } from '../engine/model/random-model';
import { node, Proc } from './testing/processes';
import { redisServerMissing, startLocalRedis } from './testing/redis-server';
import { fixtureSamples, speechFile } from './testing/speech-audio';

const root = path.join(import.meta.dirname, '..', '..');
const missing = redisServerMissing();
if (missing) console.warn(`skipping the worker supervisor test: ${missing}`);

describe.skipIf(missing !== null)('npm run worker -- --concurrency 2', () => {
  it("on a terminal's Ctrl-C finishes the running job, then exits 0", async () => {
    const redis = await startLocalRedis();
    const work = await mkdtemp(path.join(os.tmpdir(), 'queue-supervisor-'));
    const model = path.join(work, 'model');
    await createRandomModel(model);
    const file = path.join(work, 'long.wav');
    await writeFile(file, speechFile(await fixtureSamples(), 10, 0.5));
    // Its own process group, as a terminal gives a command: Ctrl-C signals every process in it.
    const supervisor = new Proc(
      spawn(
        process.execPath,
        ['--import', 'tsx', 'main/cli/worker.ts', '--redis', redis.url, '--concurrency', '2'],
        {
          cwd: root,
          env: { ...process.env, SPEECH_STUDIO_BACKEND: '' },
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: true,
        },
      ),
    );
    const submitter = node('main/cli/transcribe.ts', ['--queue', redis.url, '--model', model, file]);
    try {
      await supervisor.waitForLine(/\] start t-/);
      process.kill(-supervisor.child.pid!, 'SIGINT');
      expect(await supervisor.exited).toBe(0);
      // Before the fix each engine process took the group's SIGINT and the supervisor's copy of it as
      // two Ctrl-Cs, and left in the middle of its job.
      expect(
        supervisor.lines.filter((l) => /\] done t-/.test(l)),
        `the supervisor's output:\n${supervisor.lines.join('\n')}`,
      ).toHaveLength(1);
      expect(await submitter.exited).toBe(0);
    } finally {
      if (submitter.child.exitCode === null) submitter.child.kill('SIGKILL');
      if (supervisor.child.exitCode === null) process.kill(-supervisor.child.pid!, 'SIGKILL');
      await redis.stop();
      await rm(work, { recursive: true, force: true });
    }
  }, 180_000);
});
