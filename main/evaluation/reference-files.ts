/**
 * Reads evaluation inputs from disk: a reference manifest (TSV, paths relative to its folder), a folder
 * scanned recursively for audio with a `.txt` reference beside each file, or single audio files. The
 * parsing and pairing rules live in main/common/references.ts (shared with the app); this is the Node side.
 */
import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  isAudioFile,
  pairAudioWithReferences,
  parseReferenceManifest,
  parseReferenceText,
} from '../common/references';
import { USER_FILE_LIMITS, readUserTextFile, type UserFileError } from '../engine/user-text-file';

export interface EvalItem {
  /** The path to open (resolved against the manifest's folder, or inside the scanned folder). */
  audio: string;
  /** The path shown and written to results: as written in the manifest, or relative to the folder. */
  file: string;
  /** The reference transcript, or null when there is none (the file is transcribed, not scored). */
  reference: string | null;
}

export interface EvalSetInput {
  /** Short name shown in tables (the manifest or folder name; the path given if names collide). */
  name: string;
  /** The manifest, folder or file as given on the command line. */
  source: string;
  kind: 'manifest' | 'folder' | 'files';
  items: EvalItem[];
  /** Problems worth telling the user that do not stop the run (missing audio, stray .txt files). */
  warnings: string[];
}

/** Reads a reference manifest; relative audio paths are taken from the manifest's own folder. */
export async function loadManifest(file: string): Promise<EvalSetInput> {
  const text = await readUserTextFile(file, USER_FILE_LIMITS.manifest);
  const entries = parseReferenceManifest(text, file);
  const dir = path.dirname(file);
  const items = entries.map((e) => ({
    audio: path.isAbsolute(e.audio) ? e.audio : path.join(dir, e.audio),
    file: e.audio,
    reference: e.reference,
  }));
  const missing: number[] = [];
  await Promise.all(
    items.map(async (item, i) => {
      const s = await stat(item.audio).catch(() => null);
      if (!s?.isFile()) missing.push(entries[i].line);
    }),
  );
  missing.sort((a, b) => a - b);
  const warnings = missing.length
    ? [
        `${file}: ${missing.length} listed audio file(s) not found, relative to ${dir} ` +
          `(line${missing.length > 1 ? 's' : ''} ${missing.slice(0, 12).join(', ')}${missing.length > 12 ? ', …' : ''})`,
      ]
    : [];
  return { name: path.parse(file).name, source: file, kind: 'manifest', items, warnings };
}

/** Every file under a folder, as paths relative to it with `/` separators, sorted; hidden entries skipped. */
export async function listFilesRecursively(root: string): Promise<string[]> {
  const out: string[] = [];
  const visited = new Set<string>();
  const walk = async (dir: string, prefix: string) => {
    const real = await realpath(dir);
    if (visited.has(real)) return; // a symbolic link loop
    visited.add(real);
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const s = await stat(full).catch(() => null);
        isDir = !!s?.isDirectory();
        isFile = !!s?.isFile();
      }
      if (isDir) await walk(full, rel);
      else if (isFile) out.push(rel);
    }
  };
  await walk(root, '');
  return out.sort();
}

/**
 * Scans a folder recursively and pairs every audio file with the `.txt` of the same base name beside it.
 * With `splitSubfolders`, files directly in the folder form one set and each subfolder another.
 */
export async function scanFolder(
  dir: string,
  options: { splitSubfolders?: boolean } = {},
): Promise<EvalSetInput[]> {
  const files = await listFilesRecursively(dir);
  const { pairs, unmatchedTexts } = pairAudioWithReferences(files);
  const items = await Promise.all(
    pairs.map(async (p) => ({
      audio: path.join(dir, ...p.audio.split('/')),
      file: p.audio,
      reference: p.referenceFile
        ? parseReferenceText(
            await readUserTextFile(path.join(dir, ...p.referenceFile.split('/')), USER_FILE_LIMITS.reference),
          )
        : null,
    })),
  );
  const base = path.basename(path.resolve(dir));
  const groups = new Map<string, EvalItem[]>();
  for (const item of items) {
    const slash = item.file.indexOf('/');
    const group = options.splitSubfolders && slash > 0 ? `${base}/${item.file.slice(0, slash)}` : base;
    groups.set(group, [...(groups.get(group) ?? []), item]);
  }
  if (groups.size === 0) groups.set(base, []);
  return [...groups].map(([name, list], i) => {
    const warnings: string[] = [];
    // Files without a reference are not a problem to warn of before the run: the run's summary counts
    // those it transcribed (unscoredNote), and a file that fails is counted as a failure instead.
    if (i === 0) {
      if (unmatchedTexts.length) {
        const shown = unmatchedTexts.slice(0, 5).join(', ') + (unmatchedTexts.length > 5 ? ', …' : '');
        warnings.push(`${dir}: ${unmatchedTexts.length} .txt file(s) match no audio file: ${shown}`);
      }
      if (items.length === 0) warnings.push(`${dir}: no audio files found`);
    }
    return { name, source: dir, kind: 'folder' as const, items: list, warnings };
  });
}

/** A single audio file given on the command line, with the `.txt` beside it if there is one. */
async function loadAudioFile(file: string): Promise<EvalItem> {
  const txt = path.join(path.dirname(file), path.parse(file).name + '.txt');
  // No reference beside the file is normal; one that cannot be read (a FIFO, too big) is reported.
  const text = await readUserTextFile(txt, USER_FILE_LIMITS.reference).catch((error: UserFileError) => {
    if ((error.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return null;
    throw error;
  });
  return { audio: file, file, reference: text === null ? null : parseReferenceText(text) };
}

/**
 * Turns command-line arguments into evaluation sets: each manifest or folder is a set (each subfolder too
 * with `splitSubfolders`); audio files given directly form one set, "files". Names that collide are
 * replaced by the path as given.
 */
export async function loadEvalInputs(
  inputs: readonly string[],
  options: { splitSubfolders?: boolean } = {},
): Promise<EvalSetInput[]> {
  const sets: EvalSetInput[] = [];
  const loose: EvalItem[] = [];
  for (const input of inputs) {
    const s = await stat(input).catch(() => null);
    if (!s) throw new Error(`${input}: no such manifest, folder or file`);
    if (s.isDirectory()) sets.push(...(await scanFolder(input, options)));
    else if (isAudioFile(input)) loose.push(await loadAudioFile(input));
    else sets.push(await loadManifest(input));
  }
  if (loose.length)
    sets.push({ name: 'files', source: '(files)', kind: 'files', items: loose, warnings: [] });
  const count = new Map<string, number>();
  for (const set of sets) count.set(set.name, (count.get(set.name) ?? 0) + 1);
  for (const set of sets) {
    if (count.get(set.name)! > 1 && set.kind !== 'files') {
      set.name =
        set.kind === 'folder' && set.name.includes('/')
          ? set.source + set.name.slice(set.name.indexOf('/'))
          : set.source;
    }
  }
  return sets;
}
