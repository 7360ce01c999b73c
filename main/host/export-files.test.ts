import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeExportBundle } from './export-files';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'export-files-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('writeExportBundle', () => {
  it('writes every file into the folder', async () => {
    const written = await writeExportBundle(path.join(dir, 'new'), {
      files: [
        { name: 'a.txt', content: 'first' },
        { name: 'b.srt', content: '1' },
      ],
    });
    expect(written).toEqual({ names: ['a.txt', 'b.srt'], renamed: 0 });
    expect(await readFile(path.join(dir, 'new', 'a.txt'), 'utf8')).toBe('first');
  });

  it('never replaces a file that is there: a taken name gets -2, -3, … before its extension', async () => {
    await writeFile(path.join(dir, 'talk.txt'), 'the user’s own notes');
    await writeFile(path.join(dir, 'talk-2.txt'), 'more notes');
    const written = await writeExportBundle(dir, {
      files: [
        { name: 'talk.txt', content: 'transcript' },
        { name: 'talk.txt', content: 'another transcript' },
        { name: 'README', content: 'no extension' },
      ],
    });
    expect(written).toEqual({ names: ['talk-3.txt', 'talk-4.txt', 'README'], renamed: 2 });
    expect(await readFile(path.join(dir, 'talk.txt'), 'utf8')).toBe('the user’s own notes');
    expect(await readFile(path.join(dir, 'talk-2.txt'), 'utf8')).toBe('more notes');
    expect(await readFile(path.join(dir, 'talk-4.txt'), 'utf8')).toBe('another transcript');
  });

  it('refuses hidden files and names with a folder in them, and writes nothing for them', async () => {
    for (const name of ['.bashrc', '..', 'a/b.txt', '../escape.txt']) {
      await expect(writeExportBundle(dir, { files: [{ name, content: 'x' }] })).rejects.toThrow(
        /not a plain, visible file name/,
      );
    }
    expect(await readdir(dir)).toEqual([]);
  });
});
