/**
 * "Run on: queue at URL" in browser mode: a real `redis-server` (loopback, temporary) and a real worker
 * process (`npm run worker`); a folder added to the studio is transcribed by the worker, not by the
 * studio's engine, and the transcripts are those of a local run. A bad URL is refused in one line.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { node, type Proc } from '../main/queue/testing/processes';
import { redisServerMissing, startLocalRedis, type LocalRedis } from '../main/queue/testing/redis-server';
import { expect, FIXTURES, test } from './support/fixtures';

const missing = redisServerMissing();

test.describe('running the batch on a transcription queue', () => {
  test.skip(missing !== null, `skipped: ${missing}`);
  let redis: LocalRedis;
  let worker: Proc;

  test.beforeAll(async ({ bridge }) => {
    redis = await startLocalRedis();
    // Jobs name the bridge's model by its path, which this worker (same machine) can read.
    void bridge;
    worker = node('main/cli/worker.ts', ['--redis', redis.url]);
    await worker.waitForLine(/waiting for jobs/);
  });

  test.afterAll(async () => {
    worker?.child.kill('SIGKILL');
    await worker?.exited;
    await redis?.stop();
  });

  test('a folder runs on the worker; a bad URL is refused; back to this computer', async ({
    studio,
  }, testInfo) => {
    test.setTimeout(180_000);
    await studio.removeAllFiles();
    const page = studio.page;
    const runOn = page.getByTestId('run-on');
    await page.getByRole('combobox', { name: 'Run on' }).selectOption('queue');
    const url = page.getByRole('textbox', { name: 'Queue URL' });

    await url.fill('localhost:6379');
    await page.getByRole('button', { name: 'Connect' }).click();
    await expect(runOn.getByRole('alert')).toHaveText(/not a Redis URL: "localhost:6379"/);
    await expect(runOn).toHaveAttribute('data-target', 'local');

    await url.fill(redis.url);
    await page.getByRole('button', { name: 'Connect' }).click();
    await expect(runOn).toHaveAttribute('data-target', redis.url);
    await expect(page.getByTestId('run-on-status')).toContainText('1 worker(s)');

    try {
      const root = testInfo.outputPath('queued-set');
      await mkdir(root, { recursive: true });
      for (const name of ['one.wav', 'two.wav'])
        await copyFile(path.join(FIXTURES, 'speech.wav'), path.join(root, name));
      await studio.addFolder(root);
      await studio.waitForBatchDone(2, 120_000);
      await expect(studio.batch).toHaveAttribute('data-failed', '0');
      // The same audio twice is one job: the worker ran it once, and both files show its transcript.
      expect(worker.lines.filter((l) => / done t-/.test(l))).toHaveLength(1);
    } finally {
      // The bridge is shared with the other tests: leave it on this computer.
      await page.getByRole('combobox', { name: 'Run on' }).selectOption('local');
      await expect(runOn).toHaveAttribute('data-target', 'local');
    }
  });
});
