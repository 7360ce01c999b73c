/**
 * Runs fuzz cases through the engine in a child process (worker.ts) and classifies each ending:
 * a transcript or a typed engine error is fine; an untyped error, a transcript with impossible times,
 * a crash (the process dies), a hang (no answer within the case's time bound) or memory above the
 * limit (polled from /proc) is a failure, as is an outcome the case says is wrong. After a crash, hang
 * or memory kill the harness starts a fresh worker and goes on, so one bad input cannot hide the rest.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { processRssMb } from '../../process-memory';
import { DEFAULT_TIMEOUT_SEC, type FuzzCase } from './corpus';
import type { FromFuzzWorker, ToFuzzWorker } from './protocol';

export type CaseOutcome =
  | 'transcript'
  | 'typed-error'
  | 'untyped-error'
  | 'bad-transcript'
  | 'crash'
  | 'hang'
  | 'memory'
  | 'generator-error';

export interface CaseResult {
  name: string;
  outcome: CaseOutcome;
  /** The typed error's code, for typed errors. */
  code?: string;
  detail: string;
  ms: number;
  words?: number;
  /** The worker's peak RSS while it handled this input (its high-water mark, reset before each input). */
  peakRssMb: number;
  /** Set when the outcome is not one the case accepts (or is a failure by nature). */
  failure?: string;
}

/** Per input class (the part of the name before '/'): how many, how many failed, the highest peak RSS. */
export interface ClassSummary {
  inputs: number;
  failures: number;
  peakRssMb: number;
}

export interface FuzzSummary {
  tried: number;
  transcripts: number;
  typedErrors: number;
  byCode: Record<string, number>;
  crashes: number;
  hangs: number;
  untypedErrors: number;
  badTranscripts: number;
  memoryKills: number;
  unexpected: number;
  failures: CaseResult[];
  byClass: Record<string, ClassSummary>;
  /** Highest RSS any worker reached while handling an input. */
  maxRssMb: number;
  /** RSS of a worker right after loading the model, for scale. */
  loadedRssMb: number;
  backend: string;
  model: string;
  seconds: number;
}

export interface HarnessOptions {
  /** Model name or folder. */
  model: string;
  decoder?: string;
  backend?: string;
  /**
   * A worker above this RSS while handling an input fails the input as runaway memory: killed when the
   * 100 ms poll sees it, and judged after each input by the process's high-water mark (reset before it).
   */
  memoryLimitMb?: number;
  /** Multiplies every case's time bound (slow machines, debugging). */
  timeoutScale?: number;
  onResult?: (result: CaseResult, index: number, total: number) => void;
}

const WORKER = path.join(import.meta.dirname, 'worker.ts');
/** The memory budget per input (the issue's bound: the worker stays under it on every input). */
export const DEFAULT_MEMORY_LIMIT_MB = 600;

/** Resets a process's RSS high-water mark (Linux ≥ 4.0); false where that is not possible. */
function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** A process's RSS high-water mark in MB (VmHWM), or null. */
function peakRssMb(pid: number): number | null {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? null : Number(kb) / 1024;
  } catch {
    return null;
  }
}
const POLL_MS = 100;
const LOAD_TIMEOUT_MS = 180_000;

class WorkerProcess {
  readonly child: ChildProcess;
  private listener: ((message: FromFuzzWorker) => void) | null = null;
  private exitListener: ((why: string) => void) | null = null;
  exited: string | null = null;

  constructor() {
    const require = createRequire(import.meta.url);
    this.child = fork(WORKER, [], {
      execArgv: ['--import', pathToFileURL(require.resolve('tsx')).href],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    // The engine prints its backend on stderr; keep only the tail for crash reports.
    let stderr = '';
    this.child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    this.child.on('message', (message: FromFuzzWorker) => this.listener?.(message));
    this.child.on('exit', (code, signal) => {
      this.exited = `exit code ${code ?? '-'}, signal ${signal ?? '-'}${stderr ? `; stderr: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`;
      this.exitListener?.(this.exited);
    });
  }

  /** Sends a message and waits for the answer, the process's death, the deadline or the memory limit. */
  request(
    message: ToFuzzWorker,
    timeoutMs: number,
    memoryLimitMb: number,
  ): Promise<
    | { kind: 'answer'; message: FromFuzzWorker; peakRssMb: number }
    | { kind: 'crash' | 'hang' | 'memory'; detail: string; peakRssMb: number }
  > {
    return new Promise((resolve) => {
      let peak = 0;
      const finish = (value: Parameters<typeof resolve>[0]) => {
        clearInterval(poll);
        clearTimeout(deadline);
        this.listener = null;
        this.exitListener = null;
        resolve(value);
      };
      const poll = setInterval(() => {
        const rss = this.child.pid ? processRssMb(this.child.pid) : null;
        if (rss === null) return;
        peak = Math.max(peak, rss);
        if (rss > memoryLimitMb) {
          this.kill();
          finish({
            kind: 'memory',
            detail: `RSS ${rss.toFixed(0)} MB > limit ${memoryLimitMb} MB`,
            peakRssMb: peak,
          });
        }
      }, POLL_MS);
      const deadline = setTimeout(() => {
        this.kill();
        finish({
          kind: 'hang',
          detail: `no answer within ${(timeoutMs / 1000).toFixed(0)} s`,
          peakRssMb: peak,
        });
      }, timeoutMs);
      const pid = this.child.pid;
      const tracksPeak = pid !== undefined && resetPeakRss(pid);
      this.listener = (answer) => {
        const hwm = tracksPeak ? peakRssMb(pid) : null;
        finish({ kind: 'answer', message: answer, peakRssMb: Math.max(peak, hwm ?? 0) });
      };
      this.exitListener = (why) => finish({ kind: 'crash', detail: `worker died: ${why}`, peakRssMb: peak });
      if (this.exited) finish({ kind: 'crash', detail: `worker died: ${this.exited}`, peakRssMb: peak });
      else this.child.send(message);
    });
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }
}

export async function runFuzz(cases: readonly FuzzCase[], options: HarnessOptions): Promise<FuzzSummary> {
  const started = performance.now();
  const memoryLimitMb = options.memoryLimitMb ?? DEFAULT_MEMORY_LIMIT_MB;
  const scale = options.timeoutScale ?? 1;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'speech-studio-fuzz-'));
  const results: CaseResult[] = [];
  let maxRssMb = 0;
  let loadedRssMb = 0;
  let backend = '';
  let model = '';
  let worker: WorkerProcess | null = null;

  const startWorker = async (): Promise<WorkerProcess> => {
    const fresh = new WorkerProcess();
    const load: ToFuzzWorker = {
      type: 'load',
      model: options.model,
      decoder: options.decoder,
      backend: options.backend,
    };
    const answer = await fresh.request(load, LOAD_TIMEOUT_MS * scale, memoryLimitMb);
    if (answer.kind !== 'answer' || answer.message.type !== 'ready') {
      fresh.kill();
      throw new Error(
        `fuzz worker could not load the model: ${answer.kind === 'answer' ? 'unexpected reply' : answer.detail}`,
      );
    }
    ({ backend, model } = answer.message);
    loadedRssMb = Math.max(loadedRssMb, answer.message.rssMb);
    return fresh;
  };

  try {
    for (const [index, c] of cases.entries()) {
      const file = path.join(dir, `${String(index).padStart(4, '0')}.${c.ext}`);
      const caseStart = performance.now();
      let result: CaseResult;
      try {
        await c.write(file);
      } catch (error) {
        result = { name: c.name, outcome: 'generator-error', detail: String(error), ms: 0, peakRssMb: 0 };
        result.failure = 'the generator failed to write the input';
        results.push(result);
        options.onResult?.(result, index, cases.length);
        continue;
      }
      worker ??= await startWorker();
      const timeoutMs = (c.timeoutSec ?? DEFAULT_TIMEOUT_SEC) * 1000 * scale;
      const answer = await worker.request({ type: 'case', id: index, file }, timeoutMs, memoryLimitMb);
      const peakRssMb = answer.peakRssMb;
      maxRssMb = Math.max(maxRssMb, peakRssMb);
      if (answer.kind === 'answer' && answer.message.type === 'result') {
        const m = answer.message;
        result = {
          name: c.name,
          outcome: m.outcome,
          code: m.code,
          detail: m.detail,
          ms: m.ms,
          words: m.words,
          peakRssMb,
        };
        // A spike between two polls still shows in the high-water mark.
        if (peakRssMb > memoryLimitMb) {
          result = {
            ...result,
            outcome: 'memory',
            detail: `peak RSS ${peakRssMb.toFixed(0)} MB > limit ${memoryLimitMb} MB`,
          };
          worker.kill();
          worker = null;
        }
      } else if (answer.kind === 'answer') {
        result = {
          name: c.name,
          outcome: 'untyped-error',
          detail: 'unexpected worker reply',
          ms: 0,
          peakRssMb,
        };
      } else {
        result = {
          name: c.name,
          outcome: answer.kind,
          detail: answer.detail,
          ms: performance.now() - caseStart,
          peakRssMb,
        };
        worker = null; // killed or dead: the next case gets a fresh one
      }
      result.failure = judge(c, result);
      results.push(result);
      options.onResult?.(result, index, cases.length);
      await rm(file, { recursive: true, force: true });
    }
  } finally {
    worker?.kill();
    await rm(dir, { recursive: true, force: true });
  }

  const count = (outcome: CaseOutcome) => results.filter((r) => r.outcome === outcome).length;
  const byCode: Record<string, number> = {};
  for (const r of results) if (r.code) byCode[r.code] = (byCode[r.code] ?? 0) + 1;
  const failures = results.filter((r) => r.failure);
  const byClass: Record<string, ClassSummary> = {};
  for (const r of results) {
    const summary = (byClass[r.name.split('/')[0]] ??= { inputs: 0, failures: 0, peakRssMb: 0 });
    summary.inputs++;
    if (r.failure) summary.failures++;
    summary.peakRssMb = Math.max(summary.peakRssMb, r.peakRssMb);
  }
  return {
    tried: results.length,
    transcripts: count('transcript'),
    typedErrors: count('typed-error'),
    byCode,
    crashes: count('crash'),
    hangs: count('hang'),
    untypedErrors: count('untyped-error'),
    badTranscripts: count('bad-transcript'),
    memoryKills: count('memory'),
    unexpected: failures.filter((r) => r.outcome === 'transcript' || r.outcome === 'typed-error').length,
    failures,
    byClass,
    maxRssMb,
    loadedRssMb,
    backend,
    model,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Why a case's ending is a failure, or undefined when it is acceptable. */
function judge(c: FuzzCase, r: CaseResult): string | undefined {
  if (r.outcome !== 'transcript' && r.outcome !== 'typed-error') return r.outcome;
  const got = r.outcome === 'transcript' ? 'transcript' : r.code!;
  if (c.expect && !c.expect.includes(got as never)) return `expected ${c.expect.join(' or ')}, got ${got}`;
  return undefined;
}
