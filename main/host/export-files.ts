/**
 * "Export all" in Electron: every transcript written into the folder the user chose. The names come from
 * the renderer (validated as bare names without a leading dot: no hidden files, nothing outside the
 * folder), and an existing file is never replaced: a name that is taken gets `-2`, `-3`, … before its
 * extension, as `npm run eval --export` does, and the result says how many were renamed.
 */
import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import type { ExportBundle } from '../common/ipc-contract';
import { syncDirectory } from './project-store';

export interface ExportWritten {
  /** The names the files were written under, in order. */
  names: string[];
  /** How many of them were renamed because the folder already had a file of that name. */
  renamed: number;
}

/** How many other names are tried before giving up on a file (a folder with 1,000 `a-N.txt` is odd). */
const MAX_NAME_TRIES = 1000;

function candidate(name: string, n: number): string {
  if (n === 1) return name;
  const ext = path.extname(name);
  return `${name.slice(0, name.length - ext.length)}-${n}${ext}`;
}

/** Creates `name` in `dir` (or the first free `name-N`) and writes `content`; never replaces a file. */
async function writeNew(dir: string, name: string, content: string): Promise<string> {
  if (name.startsWith('.') || name !== path.basename(name))
    throw Object.assign(new Error(`${name}: not a plain, visible file name`), { code: 'REFUSED' });
  for (let n = 1; n <= MAX_NAME_TRIES; n++) {
    const chosen = candidate(name, n);
    let handle;
    try {
      handle = await open(path.join(dir, chosen), 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    return chosen;
  }
  throw Object.assign(new Error(`${name}: ${MAX_NAME_TRIES} files of that name are already there`), {
    code: 'REFUSED',
  });
}

export async function writeExportBundle(dir: string, bundle: ExportBundle): Promise<ExportWritten> {
  await mkdir(dir, { recursive: true });
  const names: string[] = [];
  for (const file of bundle.files) names.push(await writeNew(dir, file.name, file.content));
  await syncDirectory(dir);
  return { names, renamed: names.filter((name, i) => name !== bundle.files[i].name).length };
}
