/**
 * The studio's "Run on: queue at URL" against a real `redis-server` and a real worker process: queued
 * files run on the worker (not in the studio's engine), come back as the engine's transcripts with
 * progress, and a bad URL or a Redis that does not answer is a one-line error that changes nothing.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { StudioEvent } from '../common/ipc-contract';
import { AsrEngine } from '../engine/engine';
import { createRandomModel } from '../engine/model/random-model';
import { node, type Proc } from '../queue/testing/processes';
import { redisServerMissing, startLocalRedis, type LocalRedis } from '../queue/testing/redis-server';
import { EngineSupervisor } from './engine-supervisor';
import { StudioService } from './studio-service';
import { fakeWorkers } from './testing/fake-worker';

const fixtures = path.join(import.meta.dirname, '..', 'engine', '__fixtures__');
const missing = redisServerMissing();
if (missing) console.warn(`skipping the studio's queue tests: ${missing}`);

const waitFor = (predicate: () => boolean) =>
  vi.waitFor(
    () => {
      if (!predicate()) throw new Error('not yet');
    },
    { timeout: 120_000, interval: 50 },
  );

describe.skipIf(missing !== null)('StudioService running its batch on a queue', () => {
  let redis: LocalRedis;
  let dir: string;
  let model: string;
  let worker: Proc;

  beforeAll(async () => {
    redis = await startLocalRedis();
    dir = await mkdtemp(path.join(os.tmpdir(), 'studio-queue-'));
    model = path.join(dir, 'model');
    await createRandomModel(model);
    worker = node('main/cli/worker.ts', ['--redis', redis.url]);
    await worker.waitForLine(/waiting for jobs/);
  }, 120_000);

  afterAll(async () => {
    worker?.child.kill('SIGKILL');
    await worker?.exited;
    await redis?.stop();
    if (dir) await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
  });

  function studio() {
    const workers = fakeWorkers({});
    const events: StudioEvent[] = [];
    const engine = new EngineSupervisor({ spawn: workers.spawn, model, modelsDir: null, restartDelayMs: 1 });
    const service = new StudioService({
      mode: 'browser',
      version: '1.2.3',
      engine,
      projectFile: path.join(dir, `project-${Math.random()}.json`),
      recordingsDir: path.join(dir, 'recordings'),
      mediaUrl: (id) => `/media/${id}`,
      emit: (e) => events.push(e),
      mic: null,
      micUnavailable: 'test',
    });
    engine.start();
    return { service, events, workers };
  }

  it('sends queued files to the workers and shows their transcripts', async () => {
    const { service, events, workers } = studio();
    const target = await service.setRunTarget(redis.url);
    expect(target).toEqual({ queueUrl: redis.url, workers: 1 });
    const files = [];
    for (const name of ['speech-16k.wav', 'speech-48k.ogg', 'truncated-header.wav']) {
      files.push(path.join(dir, name));
      await copyFile(path.join(fixtures, name), files.at(-1)!);
    }
    const refs = await service.addPaths(files);
    for (const ref of refs) service.transcribe(ref.id);
    await waitFor(() => events.filter((e) => e.type === 'job-done' || e.type === 'job-failed').length === 3);

    const local = await AsrEngine.load({ model });
    const done = events.filter((e) => e.type === 'job-done');
    expect(done.map((e) => e.fileId)).toEqual([refs[0].id, refs[1].id]);
    for (const [i, e] of done.entries())
      expect(e.transcript.text).toBe((await local.transcribeFile(files[i])).text);
    local.dispose();
    expect(events.find((e) => e.type === 'job-failed')).toMatchObject({
      fileId: refs[2].id,
      error: { message: expect.stringMatching(/^truncated-header\.wav: corrupt audio data/) },
    });
    expect(events.some((e) => e.type === 'job-progress' && e.fileId === refs[0].id)).toBe(true);
    // Nothing ran in the studio's own engine; the worker ran all three.
    expect(workers.transcribed).toEqual([]);
    expect(worker.lines.filter((l) => / start t-/.test(l))).toHaveLength(3);
    // Retrying the failed file gives its job another try on the worker (not the stored failure again).
    service.transcribe(refs[2].id);
    await waitFor(() => events.filter((e) => e.type === 'job-failed').length === 2);
    expect(worker.lines.filter((l) => / start t-/.test(l))).toHaveLength(4);

    // Back on this computer: the next file goes to the studio's engine.
    expect(await service.setRunTarget(null)).toEqual({ queueUrl: null, workers: null });
    service.transcribe(refs[0].id);
    await waitFor(() => workers.transcribed.length === 1);
    service.dispose();
  }, 180_000);

  it('refuses a bad URL and a Redis that does not answer, in one line, and stays where it was', async () => {
    const { service } = studio();
    await expect(service.setRunTarget('localhost:6379')).rejects.toMatchObject({
      code: 'BAD_QUEUE_URL',
      message: expect.stringMatching(/^not a Redis URL: "localhost:6379"/),
    });
    await redis.stop();
    await expect(service.setRunTarget(redis.url)).rejects.toMatchObject({
      code: 'QUEUE_UNREACHABLE',
      message: expect.stringMatching(new RegExp(`^cannot reach Redis at ${redis.url}: .*ECONNREFUSED`)),
    });
    expect(await service.setRunTarget(null)).toEqual({ queueUrl: null, workers: null });
    service.dispose();
  }, 60_000);
});
