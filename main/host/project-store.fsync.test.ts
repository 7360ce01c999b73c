/**
 * A save is durable only once the folder holding the renamed project is on disk: the store syncs the
 * temporary file before the rename and the folder after it. The file system calls are observed through
 * a wrapper around node:fs/promises (the real calls still run).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type * as FsPromises from 'node:fs/promises';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';

const calls: string[] = [];

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof FsPromises>();
  const open: typeof fs.open = async (file, ...rest) => {
    const handle = await fs.open(file, ...rest);
    const sync = handle.sync.bind(handle);
    handle.sync = async () => {
      calls.push(`sync ${String(file)}`);
      return sync();
    };
    return handle;
  };
  const rename: typeof fs.rename = async (from, to) => {
    calls.push(`rename ${String(from)} -> ${String(to)}`);
    return fs.rename(from, to);
  };
  return { ...fs, default: { ...fs, open, rename }, open, rename };
});

const { ProjectStore } = await import('./project-store');
const { FileRegistry } = await import('./file-registry');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'project-fsync-'));
  calls.length = 0;
});
afterEach(() => rm(dir, { recursive: true, force: true }));

it('syncs the temporary file, renames it over the project, then syncs the folder', async () => {
  const file = path.join(dir, 'project.json');
  const store = new ProjectStore(file, new FileRegistry((id) => `/media/${id}`));
  await store.apply([{ type: 'select', fileId: null }]);
  const temp = `${file}.${process.pid}.tmp`;
  expect(calls).toEqual(
    process.platform === 'win32'
      ? [`sync ${temp}`, `rename ${temp} -> ${file}`]
      : [`sync ${temp}`, `rename ${temp} -> ${file}`, `sync ${dir}`],
  );
});
