/**
 * One studio per data folder. Two servers on the same folder would each keep the project in memory and
 * save it over the other's edits, so the folder is locked: a `studio.lock` file, created exclusively,
 * holding the owner's pid. A lock whose process no longer runs (a crash, a kill -9) is stale and is taken
 * over; a live owner's lock is refused with a message that says which process holds it.
 */
import { link, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { HostError } from '../common/errors';

export const LOCK_FILE = 'studio.lock';

export class DataFolderLockedError extends HostError {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(
      'DATA_FOLDER_LOCKED',
      `${dir} is in use by another Speech Studio (process ${pid}): stop it or use another data folder ` +
        `(--data DIR); if process ${pid} is not a Speech Studio, remove ${path.join(dir, LOCK_FILE)}`,
    );
  }
}

export interface DataFolderLock {
  readonly file: string;
  /** Removes the lock (idempotent); only a lock that is still ours is removed. */
  release(): Promise<void>;
}

/** Whether a process exists (signal 0 checks without sending anything). */
export function isProcessAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function ownerOf(file: string): Promise<number | null> {
  const text = await readFile(file, 'utf8').catch(() => null);
  const pid = Number(text?.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** Creates the lock file if there is none; false when one exists. */
async function create(file: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(`${process.pid}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

/** Lock files this process holds: a second server in the same process is refused too. */
const heldHere = new Set<string>();

/** Locks `dir` (which must exist) for this process, or throws DataFolderLockedError. */
export async function lockDataFolder(dir: string): Promise<DataFolderLock> {
  const file = path.resolve(dir, LOCK_FILE);
  if (heldHere.has(file)) throw new DataFolderLockedError(dir, process.pid);
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await create(file)) return heldLock(file);
    const owner = await ownerOf(file);
    // Our own pid in a lock this process does not hold is a previous process's that had the same pid.
    if (owner !== null && owner !== process.pid && isProcessAlive(owner))
      throw new DataFolderLockedError(dir, owner);
    // Stale (its process is gone) or unreadable (a crash while writing it). Moved aside by rename, which
    // one process wins; if what was moved turns out to be a live owner's fresh lock (it replaced the stale
    // one in between), it is put back, and that owner keeps the folder.
    const aside = `${file}.${process.pid}.stale`;
    try {
      await rename(file, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // another process moved it
      throw error;
    }
    const moved = await ownerOf(aside);
    if (moved !== null && moved !== owner && moved !== process.pid && isProcessAlive(moved)) {
      await link(aside, file).catch(() => {});
      await rm(aside, { force: true });
      throw new DataFolderLockedError(dir, moved);
    }
    await rm(aside, { force: true });
  }
  const owner = (await ownerOf(file)) ?? 0;
  throw new DataFolderLockedError(dir, owner);
}

function heldLock(file: string): DataFolderLock {
  heldHere.add(file);
  let released = false;
  return {
    file,
    release: async () => {
      if (released) return;
      released = true;
      if ((await ownerOf(file)) === process.pid) await rm(file, { force: true });
      heldHere.delete(file);
    },
  };
}
