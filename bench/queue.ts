/**
 * `npm run bench:queue` — what the transcription queue costs and what it scales: the same clips
 * transcribed by a local batch (one engine in this process, as `npm run transcribe` does), then through
 * a private `redis-server` by 1 and by 2 worker processes (`npm run worker`), in audio hours per hour of
 * wall clock; then the queue's overhead per job, from jobs submitted one at a time to one warm worker
 * (round trip minus the worker's own transcription time).
 *
 *   npm run bench:queue -- [--count 60] [--overhead-jobs 30] [--model NAME] [--decoder greedy|beam] [--work DIR]
 *
 * The load average is printed beside each run: on a shared machine other work takes cores from the
 * workers, and the figures are only comparable under similar load.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { parseReferenceManifest } from '../main/common/references';
import { AsrEngine, type DecoderChoice } from '../main/engine/engine';
import { QueueTranscriber } from '../main/queue/client';
import { QUEUE_NAME, type TranscriptionJobData, type TranscriptionJobResult } from '../main/queue/jobs';
import { parseRedisUrl } from '../main/queue/redis-connection';
import { redisServerMissing, startLocalRedis } from '../main/queue/testing/redis-server';
import { numberOption, parseCommandLine, UsageError } from '../main/cli/command-line';
import { ensureClips } from './espeak-clips';

const root = path.join(import.meta.dirname, '..');
const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

interface RunResult {
  label: string;
  wallSec: number;
  audioSec: number;
  loadBefore: string;
  loadAfter: string;
  /** Per worker: jobs run and seconds spent transcribing them. */
  workers?: string;
}

/** How the run's jobs were shared out: a worker that sat idle (or loaded its model late) shows here. */
async function jobsPerWorker(queue: Queue<TranscriptionJobData, TranscriptionJobResult>, files: string[]) {
  const wanted = new Set(files);
  const byWorker = new Map<string, { jobs: number; busySec: number }>();
  for (const job of await queue.getCompleted(0, -1)) {
    if (!wanted.has(job.data.file)) continue;
    const entry = byWorker.get(job.returnvalue.worker) ?? { jobs: 0, busySec: 0 };
    entry.jobs++;
    entry.busySec += job.returnvalue.transcribeSec;
    byWorker.set(job.returnvalue.worker, entry);
  }
  return [...byWorker.values()].map((w) => `${w.jobs} jobs / ${w.busySec.toFixed(1)} s busy`).join(', ');
}

/**
 * How much the machine can run in parallel right now: the work 2 busy-loop processes get done in a few
 * seconds over what 1 gets done alone (2.0 on 2 idle cores). On a shared machine this, not the queue,
 * bounds what 2 workers can reach.
 */
async function parallelCapacity(seconds = 3): Promise<number> {
  const loop = `let n=0,x=0;const end=Date.now()+${seconds * 1000};while(Date.now()<end){for(let i=0;i<1e5;i++)x+=Math.sqrt(i);n++}console.log(n)`;
  const spin = async () => Number((await promisify(execFile)(process.execPath, ['-e', loop])).stdout);
  const one = await spin();
  const two = (await Promise.all([spin(), spin()])).reduce((a, b) => a + b, 0);
  return two / one;
}

function startWorker(redisUrl: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'main/cli/worker.ts', '--redis', redisUrl, '--quiet'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function waitForWorkers(client: QueueTranscriber, count: number) {
  // Workers register with Redis once connected; poll that condition (model loading comes later).
  while ((await client.workerCount()) < count) await new Promise((r) => setTimeout(r, 200));
}

const USAGE = `Usage: npm run bench:queue -- [options]

Transcribes the same espeak-ng clips with a local batch, then through a private redis-server (loopback,
temporary) with 1 and 2 worker processes; prints audio hours per hour, the queue's overhead per job and
the machine's parallel capacity at the time.

Options:
  --count N           clips for throughput (default 60)
  --overhead-jobs N   further clips sent one at a time to measure the overhead per job (default 30)
  --model NAME        model folder name in models/ or a path (default: default)
  --decoder D         greedy | beam (default: the model's own)
  --work DIR          where the clips are made and kept (default training/work/batch)
  --manifests DIR     evaluation manifests whose sentences are spoken (default training/work/manifests;
                      a built-in list without them)
  -h, --help          show this help
`;

interface BenchOptions {
  count: number;
  overheadJobs: number;
  model: string;
  decoder: DecoderChoice;
  work: string;
  manifests: string;
}

function parseBenchArgs(argv: string[]): BenchOptions {
  return parseCommandLine(
    {
      command: 'npm run bench:queue --',
      usage: USAGE,
      options: {
        count: { type: 'string', default: '60' },
        'overhead-jobs': { type: 'string', default: '30' },
        model: { type: 'string', default: 'default' },
        decoder: { type: 'string', default: 'manifest' },
        work: { type: 'string', default: 'training/work/batch' },
        manifests: { type: 'string', default: 'training/work/manifests' },
      },
    },
    argv,
    ({ values }) => {
      const decoder = values.decoder as DecoderChoice;
      if (!['manifest', 'greedy', 'beam'].includes(decoder))
        throw new UsageError(`unknown --decoder ${decoder} (use greedy or beam)`);
      const clips = { min: 1, max: 100_000, integer: true };
      return {
        count: numberOption('count', values.count, clips)!,
        overheadJobs: numberOption('overhead-jobs', values['overhead-jobs'], clips)!,
        model: values.model!,
        decoder,
        work: values.work!,
        manifests: values.manifests!,
      };
    },
  );
}

async function main(): Promise<number> {
  const options = parseBenchArgs(process.argv.slice(2));
  const missing = redisServerMissing();
  if (missing) {
    process.stderr.write(`error: ${missing}\n`);
    return 2;
  }
  const { count, overheadJobs, decoder, ...values } = options;
  // Twice the clips: the first half for throughput, the second (unseen by the queue) for overhead, so no
  // job is answered from an earlier result.
  const dir = path.join(values.work, `espeak-${count + overheadJobs}`);
  const manifest = await ensureClips(dir, count + overheadJobs, values.manifests);
  const all = parseReferenceManifest(await readFile(manifest, 'utf8'), manifest).map((e) =>
    path.join(dir, e.audio),
  );
  const files = all.slice(0, count);
  const overheadFiles = all.slice(count);
  const warmup = path.join(root, 'main', 'engine', '__fixtures__', 'speech-16k.wav');
  const warmups = [warmup, path.join(root, 'main', 'engine', '__fixtures__', 'speech-48k.ogg')];

  console.log(`machine: ${os.cpus().length} cores, load average ${loadAverage()}`);
  const results: RunResult[] = [];

  // Local batch: one engine, files in turn, as the CLI runs them.
  const engine = await AsrEngine.load({ model: values.model, decoder });
  console.log(`model ${engine.modelName} · decoder ${engine.decoderName} · backend ${engine.backend.label}`);
  await engine.transcribeFile(warmup);
  {
    const loadBefore = loadAverage();
    const started = performance.now();
    let audioSec = 0;
    for (const file of files) audioSec += (await engine.transcribeFile(file)).durationSec;
    results.push({
      label: 'local batch (1 engine)',
      wallSec: (performance.now() - started) / 1000,
      audioSec,
      loadBefore,
      loadAfter: loadAverage(),
    });
    console.log(`local batch: ${files.length} files, ${(audioSec / 60).toFixed(1)} min of audio`);
  }
  engine.dispose();

  const redis = await startLocalRedis();
  const target = parseRedisUrl(redis.url);
  const admin = new Redis(target.options);
  const workers: ChildProcess[] = [];
  const open = () => QueueTranscriber.open({ redis: target, model: values.model, decoder });
  let overheadMs: number[] = [];
  let capacity = NaN;
  try {
    for (const n of [1, 2]) {
      while (workers.length < n) workers.push(startWorker(redis.url));
      // Every run starts from an empty queue: results of the previous run must not be reused.
      await admin.flushdb();
      const client = await open();
      await waitForWorkers(client, n);
      // Warm every worker (model loaded): as many distinct warm-up jobs as workers, all at once.
      client.submitAll(warmups.slice(0, n));
      await Promise.all(warmups.slice(0, n).map((f) => client.transcribeFile(f)));

      if (n === 2) capacity = await parallelCapacity();
      const loadBefore = loadAverage();
      const started = performance.now();
      client.submitAll(files);
      let audioSec = 0;
      for (const file of files) audioSec += (await client.transcribeFile(file)).durationSec;
      const wallSec = (performance.now() - started) / 1000;
      const loadAfter = loadAverage();
      const inspect = new Queue<TranscriptionJobData, TranscriptionJobResult>(QUEUE_NAME, {
        connection: target.options,
      });
      const shares = await jobsPerWorker(inspect, files);
      await inspect.close();
      results.push({
        label: `queue, ${n} worker${n > 1 ? 's' : ''}`,
        wallSec,
        audioSec,
        loadBefore,
        loadAfter,
        workers: shares,
      });
      console.log(`queue with ${n} worker(s): ${shares}`);

      if (n === 1) {
        // Overhead: one job at a time, so nothing overlaps; what is not the worker's transcription is
        // the queue's (hashing, Redis, pick-up, audio transfer, completion event).
        for (const file of overheadFiles) {
          const t0 = performance.now();
          const transcript = await client.transcribeFile(file);
          const roundTripMs = performance.now() - t0;
          overheadMs.push(roundTripMs - transcript.rtf * transcript.durationSec * 1000);
        }
        overheadMs = overheadMs.sort((a, b) => a - b);
      }
      await client.dispose();
    }
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(
      workers.map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : w.on('exit', r)))),
    );
    admin.disconnect();
    await redis.stop();
  }

  const local = results[0];
  const one = results[1];
  const rate = (r: RunResult) => r.audioSec / r.wallSec; // audio hours per hour
  console.log('');
  console.log('| run | files | audio | wall | audio h/h | × local | × 1 worker | load avg before → after |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(
      `| ${r.label} | ${files.length} | ${(r.audioSec / 60).toFixed(1)} min | ${r.wallSec.toFixed(1)} s | ` +
        `${rate(r).toFixed(2)} | ${(rate(r) / rate(local)).toFixed(2)} | ` +
        `${r === local ? '—' : (rate(r) / rate(one)).toFixed(2)} | ${r.loadBefore} → ${r.loadAfter} |`,
    );
  }
  const median = overheadMs[Math.floor(overheadMs.length / 2)];
  const mean = overheadMs.reduce((a, b) => a + b, 0) / overheadMs.length;
  const p95 = overheadMs[Math.min(overheadMs.length - 1, Math.floor(overheadMs.length * 0.95))];
  console.log('');
  console.log(
    `queue overhead per job (${overheadMs.length} jobs one at a time, 1 warm worker): ` +
      `median ${median.toFixed(1)} ms, mean ${mean.toFixed(1)} ms, 95th percentile ${p95.toFixed(1)} ms`,
  );
  console.log(
    `batch overhead per job (1 worker against the local batch): ` +
      `${(((one.wallSec - local.wallSec) / files.length) * 1000).toFixed(1)} ms`,
  );
  console.log(
    `parallel capacity just before the 2-worker run: 2 busy loops did ${capacity.toFixed(2)}× the work of 1 ` +
      `(2.00 on 2 idle cores); 2 workers reached ${(rate(results[2]) / rate(one)).toFixed(2)}× 1 worker`,
  );
  console.log(`load average at the end: ${loadAverage()}`);
  return 0;
}

process.exitCode = await main();
