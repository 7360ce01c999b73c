/**
 * Resident memory of a process by pid, for the watchdogs that stop a runaway engine (the studio's
 * supervisor, the fuzz harness). Read from /proc on Linux; null elsewhere, where the worker's V8 heap
 * limit is the only bound.
 */
import { readFileSync } from 'node:fs';

const PAGE_BYTES = 4096;

/** Current RSS in MB, or null when it cannot be read (not Linux, or the process is gone). */
export function processRssMb(pid: number): number | null {
  try {
    const pages = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
    return Number.isFinite(pages) ? (pages * PAGE_BYTES) / 2 ** 20 : null;
  } catch {
    return null;
  }
}
