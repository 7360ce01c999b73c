/**
 * `npm run worker -- --redis URL [--concurrency N]` — an engine worker on the transcription queue, which
 * `npm run transcribe -- --queue URL` and `npm run eval -- --queue URL` submit to. Run any number of them,
 * on any number of machines. Logs go to stderr; Ctrl-C finishes the running job, then stops.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { BackendPreference } from '../engine/model/backend';
import { numberOption, parseCommandLine, UsageError } from './command-line';
import {
  checkRedisReachable,
  parseRedisUrl,
  RedisUrlError,
  type RedisTarget,
} from '../queue/redis-connection';
import { startTranscriptionWorker } from '../queue/worker';

const USAGE = `Usage: npm run worker -- --redis URL [options]

Takes transcription jobs from the queue in Redis at URL and runs them with the local engine. Each job
names its model; models are loaded from this machine's models/ folder (or the path the job gives).

Options:
  --redis URL          redis://[user:password@]host[:port][/db] (rediss:// for TLS)
  --concurrency N      jobs at once, each in its own engine process (default 1; one per core)
  --backend B          auto | tensorflow-gpu | tensorflow | wasm | cpu (default: auto)
  --lock-duration MS   a job whose worker stops answering for this long is given to another worker
                       (default 30000)
  --quiet              log nothing but errors
  -h, --help           show this help
`;

interface WorkerCliOptions {
  redis: RedisTarget;
  concurrency: number;
  backend: BackendPreference;
  lockDurationMs: number;
  quiet: boolean;
}

/**
 * The worker's options from its command line. `--help` prints the usage and exits 0; a mistake prints
 * two lines (what is wrong, where the options are) and exits 2.
 */
export function parseWorkerArgs(argv: string[]): WorkerCliOptions {
  return parseCommandLine(
    {
      command: 'npm run worker --',
      usage: USAGE,
      options: {
        redis: { type: 'string' },
        concurrency: { type: 'string', default: '1' },
        backend: { type: 'string', default: 'auto' },
        'lock-duration': { type: 'string', default: '30000' },
        quiet: { type: 'boolean', default: false },
      },
    },
    argv,
    ({ values }) => {
      if (values.redis === undefined) throw new UsageError('--redis URL is required');
      const backend = values.backend as BackendPreference;
      if (!['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'].includes(backend))
        throw new UsageError(`unknown --backend ${values.backend}`);
      let redis: RedisTarget;
      try {
        redis = parseRedisUrl(values.redis);
      } catch (error) {
        throw new UsageError(`--redis: ${(error as Error).message}`);
      }
      return {
        redis,
        concurrency: numberOption('concurrency', values.concurrency, { min: 1, max: 256, integer: true })!,
        backend,
        lockDurationMs: numberOption('lock-duration', values['lock-duration'], {
          min: 1000,
          max: 3_600_000,
          integer: true,
        })!,
        quiet: values.quiet!,
      };
    },
  );
}

/** One worker in this process, until a signal. */
async function runWorker(options: WorkerCliOptions): Promise<number> {
  const log = (line: string) => {
    if (!options.quiet || line.startsWith('error')) process.stderr.write(`[worker ${process.pid}] ${line}\n`);
  };
  // Set once started; the signal handlers below exist before it does.
  const running: { worker?: Awaited<ReturnType<typeof startTranscriptionWorker>> } = {};
  let stopping = false;
  let stopped!: () => void;
  const finished = new Promise<void>((resolve) => (stopped = resolve));
  const finish = () => {
    void running.worker!.close().then(() => {
      // The supervisor's IPC channel would keep this process alive after its work is done.
      process.off('disconnect', stop);
      if (process.connected) process.disconnect();
      stopped();
    });
  };
  const stop = () => {
    if (stopping) {
      // A second Ctrl-C: leave now; the running job goes back to the queue when its lock expires.
      process.exit(130);
    }
    stopping = true;
    log('finishing the running job, then stopping (Ctrl-C again to stop at once)');
    if (running.worker) finish();
  };
  // The handlers come first: the worker may take a job before startTranscriptionWorker returns (it
  // starts fetching, then waits for its connection), and a Ctrl-C then must let that job finish, not
  // end the process by default (seen under load: "start" printed, the process gone, no "done").
  if (process.env[SUPERVISED] === '1') {
    // Under `--concurrency N`, a terminal's Ctrl-C reaches every process of the group, and the
    // supervisor passes it on as SIGTERM: heeding both would count as the second Ctrl-C at once.
    process.on('SIGINT', () => {});
    // A supervisor that is gone (killed) cannot restart or stop us: finish the job and stop.
    process.on('disconnect', stop);
  } else {
    process.on('SIGINT', stop);
  }
  process.on('SIGTERM', stop);
  running.worker = await startTranscriptionWorker({
    redis: options.redis,
    backend: options.backend,
    lockDurationMs: options.lockDurationMs,
    log,
  });
  if (stopping) finish();
  else log(`waiting for jobs on ${options.redis.display}`);
  await finished;
  return 0;
}

/** Set in the environment of the processes a `--concurrency N` supervisor starts. */
const SUPERVISED = 'SPEECH_STUDIO_SUPERVISED_WORKER';

/**
 * N engine processes (the engine keeps one core busy, so jobs in parallel need processes). A process that
 * dies is started again; its job is not lost (another worker takes it over once its lock expires).
 */
async function superviseWorkers(options: WorkerCliOptions, argv: string[]): Promise<number> {
  const childArgs = [...argv.filter((_, i) => !isConcurrencyArg(argv, i)), '--concurrency', '1'];
  const children = new Set<ChildProcess>();
  const restarts: number[] = [];
  let stopping = false;
  let status = 0;
  return new Promise<number>((resolve) => {
    const start = () => {
      const child = fork(process.argv[1], childArgs, {
        stdio: 'inherit',
        env: { ...process.env, [SUPERVISED]: '1' },
      });
      children.add(child);
      child.on('exit', (code, signal) => {
        children.delete(child);
        if (stopping) {
          if (children.size === 0) resolve(status);
          return;
        }
        const now = Date.now();
        restarts.push(now);
        while (restarts[0] < now - 60_000) restarts.shift();
        process.stderr.write(
          `worker process ${child.pid} stopped (${signal ?? `exit ${code}`}); ` +
            (restarts.length > 5 ? 'more than 5 in a minute, not restarting\n' : 'starting another\n'),
        );
        if (restarts.length <= 5) start();
        else if (children.size === 0) resolve(1);
        else status = 1;
      });
    };
    for (let i = 0; i < options.concurrency; i++) start();
    // First Ctrl-C or SIGTERM: each process finishes its job; a second one stops them at once.
    const stop = () => {
      const signal = stopping ? 'SIGKILL' : 'SIGTERM';
      stopping = true;
      for (const child of children) child.kill(signal);
      if (children.size === 0) resolve(status);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

function isConcurrencyArg(argv: string[], i: number): boolean {
  return (
    argv[i] === '--concurrency' ||
    argv[i].startsWith('--concurrency=') ||
    (i > 0 && argv[i - 1] === '--concurrency')
  );
}

export async function main(argv: string[]): Promise<number> {
  const options = parseWorkerArgs(argv);
  try {
    await checkRedisReachable(options.redis);
  } catch (error) {
    if (!(error instanceof RedisUrlError)) throw error;
    process.stderr.write(`error: ${error.message}\n`);
    return 2;
  }
  return options.concurrency > 1 ? superviseWorkers(options, argv) : runWorker(options);
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('worker.ts')) {
  process.exitCode = await main(process.argv.slice(2));
}
