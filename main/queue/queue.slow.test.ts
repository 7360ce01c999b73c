/**
 * The queue end to end, with real processes: a `redis-server` on a free loopback port (no persistence,
 * a temporary folder), two `npm run worker` processes, and the `transcribe` CLI submitting with
 * `--queue`. One worker is killed with SIGKILL in the middle of a job; every file must still come back
 * once, with the transcript a local run gives.
 */
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { displayName } from '../common/display-names';
import { AsrEngine } from '../engine/engine';
import { createRandomModel } from '../engine/model/random-model';
import { QueueTranscriber } from './client';
import {
  jobIdFor,
  modelFingerprint,
  QUEUE_NAME,
  sha256OfFile,
  type TranscriptionJobData,
  type TranscriptionJobResult,
} from './jobs';
import { parseRedisUrl } from './redis-connection';
import { node, type Proc } from './testing/processes';
import { redisServerMissing, startLocalRedis, type LocalRedis } from './testing/redis-server';
import { fixtureSamples, speechFile } from './testing/speech-audio';

const root = path.join(import.meta.dirname, '..', '..');
const fixtures = path.join(root, 'main', 'engine', '__fixtures__');
const missing = redisServerMissing();
if (missing) console.warn(`skipping the queue tests: ${missing}`);

const jsonl = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { file: string; text?: string; words?: unknown[]; error?: string });

describe.skipIf(missing !== null)('transcription queue with real workers', () => {
  let redis: LocalRedis;
  let work: string;
  let model: string;
  let files: string[];
  let broken: string;
  const expected = new Map<string, string>();
  const workers: Proc[] = [];
  /** `npm run transcribe -- --queue URL --format jsonl …` with the test's model. */
  const submit = (...args: string[]) =>
    node('main/cli/transcribe.ts', ['--queue', redis.url, '--model', model, '--format', 'jsonl', ...args]);

  beforeAll(async () => {
    redis = await startLocalRedis();
    work = await mkdtemp(path.join(os.tmpdir(), 'queue-test-'));
    model = path.join(work, 'model');
    await createRandomModel(model);
    const speech = await fixtureSamples();
    files = [];
    // Long enough (20–40 s of audio) that a worker is still on its job when it is killed.
    for (const [i, [repeats, gap]] of [
      [6, 0.4],
      [8, 0.5],
      [7, 0.6],
      [9, 0.3],
      [6, 0.7],
      [8, 0.2],
    ].entries()) {
      const file = path.join(work, `talk-${i}.wav`);
      await writeFile(file, speechFile(speech, repeats, gap));
      files.push(file);
    }
    broken = path.join(work, 'broken.wav');
    await copyFile(path.join(fixtures, 'truncated-header.wav'), broken);
    // What a local run gives, for comparison.
    const engine = await AsrEngine.load({ model });
    for (const file of files) expected.set(file, (await engine.transcribeFile(file)).text);
    engine.dispose();
  }, 180_000);

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    await redis?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('loses and duplicates nothing when a worker is killed mid-job', async () => {
    // A short lock so the killed worker's job is taken over within seconds, not the default 30 s.
    const workerArgs = ['--redis', redis.url, '--lock-duration', '4000'];
    workers.push(node('main/cli/worker.ts', workerArgs), node('main/cli/worker.ts', workerArgs));
    await Promise.all(workers.map((w) => w.waitForLine(/waiting for jobs/)));

    const submitter = submit(...files, broken);
    const [victim, survivor] = workers;
    const started = await victim.waitForLine(/^\[worker \d+\] start t-/);
    const killedJob = started.split(' ')[3];
    victim.child.kill('SIGKILL');
    expect(await victim.exited).toBe(null);

    expect(await submitter.exited).toBe(0);
    const records = jsonl(submitter.stdout);
    expect(records.map((r) => r.file)).toEqual([...files, broken]);
    for (const r of records.slice(0, files.length)) expect(r.text).toBe(expected.get(r.file));
    expect(records.at(-1)!.error).toMatch(/broken\.wav: corrupt audio data/);

    // The killed worker never finished its job; the survivor finished it, once.
    const done = (w: Proc, job: string) => w.lines.filter((l) => l.includes(`] done ${job} `));
    expect(done(victim, killedJob)).toEqual([]);
    expect(done(survivor, killedJob)).toHaveLength(1);
    // Every job completed exactly once across both workers, and Redis holds one result per file.
    const completions = [...victim.lines, ...survivor.lines].filter((l) => / done t-/.test(l));
    expect(completions).toHaveLength(files.length);
    expect(new Set(completions.map((l) => l.split(' ')[3])).size).toBe(files.length);
    const queue = new Queue(QUEUE_NAME, { connection: { host: '127.0.0.1', port: redis.port } });
    expect(await queue.getJobCounts('completed', 'failed', 'active', 'wait', 'delayed')).toEqual({
      completed: files.length,
      failed: 1,
      active: 0,
      wait: 0,
      delayed: 0,
    });
    // A corrupt file fails at once: another try would meet the same bytes.
    const failed = await queue.getFailed();
    expect(failed.map((j) => j.attemptsMade)).toEqual([1]);
    await queue.close();
  }, 300_000);

  it('reuses the results of a resubmitted file, and reads shared storage by path', async () => {
    const survivor = workers[1];
    const startsBefore = survivor.lines.filter((l) => / start t-/.test(l)).length;
    const copy = path.join(work, 'copy-of-talk-0.wav');
    await copyFile(files[0], copy);
    const again = submit(files[1], copy);
    expect(await again.exited).toBe(0);
    expect(jsonl(again.stdout)).toEqual([
      expect.objectContaining({ file: files[1], text: expected.get(files[1]) }),
      expect.objectContaining({ file: copy, text: expected.get(files[0]) }),
    ]);
    expect(survivor.lines.filter((l) => / start t-/.test(l)).length).toBe(startsBefore);

    const speech = await fixtureSamples();
    const fresh = path.join(work, 'fresh.wav');
    await writeFile(fresh, speechFile(speech, 2, 1));
    const shared = submit('--shared-paths', fresh);
    expect(await shared.exited).toBe(0);
    const engine = await AsrEngine.load({ model });
    const local = await engine.transcribeFile(fresh);
    engine.dispose();
    expect(jsonl(shared.stdout)).toEqual([
      {
        file: fresh,
        text: local.text,
        words: expect.any(Array),
        durationSec: expect.any(Number),
        backend: 'wasm',
        rtf: expect.any(Number),
      },
    ]);
    expect(await survivor.waitForLine(new RegExp(`done t-\\w+ ${fresh} `))).toBeTruthy();
  }, 120_000);

  it('names a file with control characters escaped, in its error and in the worker log', async () => {
    const survivor = workers[1];
    // A newline would forge a line of its own; ESC [31m would turn the terminal red.
    const evil = path.join(work, 'evil\n\u001b[31mname.wav');
    await writeFile(evil, 'no RIFF header here: this is not audio');
    const shown = displayName(evil);
    const run = node('main/cli/transcribe.ts', ['--queue', redis.url, '--model', model, '--quiet', evil]);
    expect(await run.exited).toBe(1);
    expect(run.lines).toEqual([expect.stringMatching(/^error: /)]);
    expect(run.lines[0].startsWith(`error: ${shown}: `)).toBe(true);
    expect(run.lines[0].split(shown).length).toBe(2);
    const failed = await survivor.waitForLine(/\] failed t-\w+ \S+evil/);
    expect(failed).toContain(` ${shown} (attempt 1): ${shown}: `);
    expect(survivor.lines.join('\n')).not.toContain('\u001b');
  }, 120_000);

  it('retries a job that fails for a reason outside the audio, with backoff, then fails it', async () => {
    const queue = new Queue<TranscriptionJobData>(QUEUE_NAME, {
      connection: { host: '127.0.0.1', port: redis.port },
    });
    const events = new QueueEvents(QUEUE_NAME, { connection: { host: '127.0.0.1', port: redis.port } });
    await events.waitUntilReady();
    const ghost = path.join(work, 'on-another-machine.wav');
    const job = await queue.add(
      'transcribe',
      {
        file: ghost,
        audio: { kind: 'path', path: ghost },
        contentSha256: '0'.repeat(64),
        model,
        decoder: 'manifest',
      },
      { jobId: 't-ghost', attempts: 3, backoff: { type: 'exponential', delay: 300 } },
    );
    await expect(job.waitUntilFinished(events)).rejects.toThrow(/on-another-machine\.wav: file not found/);
    const finished = (await queue.getJob('t-ghost'))!;
    expect(finished.attemptsMade).toBe(3);
    // Two waits of the exponential backoff (300 ms, then 600 ms) lie between the first try and the end.
    expect(finished.finishedOn! - finished.timestamp).toBeGreaterThanOrEqual(900);
    await events.close();
    await queue.close();
  }, 60_000);
});

describe.skipIf(missing !== null)('QueueTranscriber against a job that finishes while it looks', () => {
  let redis: LocalRedis;
  let work: string;

  beforeAll(async () => {
    redis = await startLocalRedis();
    work = await mkdtemp(path.join(os.tmpdir(), 'queue-race-'));
  });
  afterAll(async () => {
    await redis?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('takes the result of a job that completes between reading it and reading its state', async () => {
    const connection = { host: '127.0.0.1', port: redis.port };
    const file = path.join(work, 'a.wav');
    await copyFile(path.join(fixtures, 'speech-16k.wav'), file);
    const model = path.join(root, 'models', 'default');
    const data: TranscriptionJobData = {
      file,
      audio: { kind: 'path', path: file },
      contentSha256: await sha256OfFile(file),
      model,
      modelFingerprint: await modelFingerprint(model),
      decoder: 'manifest',
    };
    // Someone else's job for the same file, already running on a (hand-driven) worker.
    const queue = new Queue<TranscriptionJobData>(QUEUE_NAME, { connection });
    await queue.add('transcribe', data, { jobId: jobIdFor(data) });
    const worker = new Worker(QUEUE_NAME, null, { connection, autorun: false });
    const running = (await worker.getNextJob('token'))!;
    const result: TranscriptionJobResult = {
      transcript: {
        text: 'done elsewhere',
        words: [],
        durationSec: 3.4,
        backend: 'wasm',
        model: 'default',
        rtf: 0.1,
      },
      transcribeSec: 0.34,
      worker: 'elsewhere',
      decoder: 'beam',
      backendLabel: 'WebAssembly',
    };

    const client = await QueueTranscriber.open({
      redis: parseRedisUrl(redis.url),
      model,
      decoder: 'manifest',
    });
    // The job completes right after the client has read it, before it reads anything else.
    const clientQueue = (client as unknown as { queue: Queue }).queue;
    const getJob = clientQueue.getJob.bind(clientQueue);
    let completed = false;
    clientQueue.getJob = async (id: string) => {
      const job = await getJob(id);
      if (!completed) {
        completed = true;
        await running.moveToCompleted(result, 'token', false);
      }
      return job;
    };
    // Before the fix the client took the job for completed with the result it read before (null) and
    // threw "Cannot read properties of null".
    expect((await client.transcribeFile(file)).text).toBe('done elsewhere');
    await client.dispose();
    await worker.close();
    await queue.close();
  });
});
