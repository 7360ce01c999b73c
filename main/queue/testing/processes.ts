/**
 * Child processes for the queue's tests: the repository's own commands run as `npm run` runs them,
 * with their stderr lines kept so a test can wait for one (a worker's "start", "done", …).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const root = path.join(import.meta.dirname, '..', '..', '..');

/** A process whose stderr lines can be waited for. */
export class Proc {
  readonly lines: string[] = [];
  stdout = '';
  private waiters: { test: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcess) {
    let partial = '';
    child.stdout!.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => {
      partial += chunk.toString();
      const parts = partial.split('\n');
      partial = parts.pop()!;
      for (const line of parts) {
        this.lines.push(line);
        this.waiters = this.waiters.filter((w) => !(w.test(line) && (w.resolve(line), true)));
      }
    });
    // 'close', not 'exit': a process's last lines can still be in its pipes when it exits, and a test
    // that reads them once it has exited (a worker's "done" line) saw them missing under load.
    this.exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
  }

  /** Resolves with the first stderr line (already seen or to come) that matches. */
  waitForLine(pattern: RegExp): Promise<string> {
    const seen = this.lines.find((l) => pattern.test(l));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ test: (l) => pattern.test(l), resolve }));
  }
}

/** Runs a repository script (path relative to the root) with tsx, as `npm run` does. */
export function node(script: string, args: string[]): Proc {
  return new Proc(
    spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: root,
      env: { ...process.env, SPEECH_STUDIO_BACKEND: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}
