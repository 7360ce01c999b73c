import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManifestParseError } from '../common/references';
import { listFilesRecursively, loadEvalInputs, loadManifest, scanFolder } from './reference-files';

let work: string;

async function put(rel: string, content = '') {
  const file = path.join(work, rel);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
}

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'refs-test-'));
  await put('corpus/a.wav');
  await put('corpus/a.txt', 'Alpha one\n');
  await put('corpus/B.FLAC');
  await put('corpus/B.txt', 'bravo\r\ntwo\r\n');
  await put('corpus/clean/c.mp3');
  await put('corpus/clean/c.txt', 'charlie');
  await put('corpus/noisy/deep/d.ogg');
  await put('corpus/noisy/deep/d.txt', 'delta');
  await put('corpus/noisy/e.opus'); // no reference
  await put('corpus/noisy/stray.txt', 'orphan');
  await put('corpus/.hidden/x.wav');
  await put('corpus/.hidden/x.txt', 'hidden');
  await put('corpus/notes.md', 'not audio');
  await symlink(path.join(work, 'corpus'), path.join(work, 'corpus', 'noisy', 'loop'));
  await put(
    'lists/refs.tsv',
    '# header next\npath\ttranscript\n../corpus/a.wav\tAlpha one\nmissing.wav\tgone\n',
  );
  await put('lists/bad.tsv', 'a.wav\tok\nb.wav  spaces\n');
  await put('loose.wav');
  await put('loose.txt', 'loose words');
  await put('bare.wav');
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('folder scanning', () => {
  it('lists files recursively, sorted, skipping hidden entries and symbolic link loops', async () => {
    expect(await listFilesRecursively(path.join(work, 'corpus'))).toEqual([
      'B.FLAC',
      'B.txt',
      'a.txt',
      'a.wav',
      'clean/c.mp3',
      'clean/c.txt',
      'noisy/deep/d.ogg',
      'noisy/deep/d.txt',
      'noisy/e.opus',
      'noisy/stray.txt',
      'notes.md',
    ]);
  });

  it('pairs each audio file with the .txt beside it and reads the reference as one line', async () => {
    const [set] = await scanFolder(path.join(work, 'corpus'));
    expect(set.name).toBe('corpus');
    expect(set.items.map((i) => [i.file, i.reference])).toEqual([
      ['B.FLAC', 'bravo two'],
      ['a.wav', 'Alpha one'],
      ['clean/c.mp3', 'charlie'],
      ['noisy/deep/d.ogg', 'delta'],
      ['noisy/e.opus', null],
    ]);
    expect(set.items[2].audio).toBe(path.join(work, 'corpus', 'clean', 'c.mp3'));
    // noisy/e.opus has no reference: the run's summary counts it once transcribed, not a warning before.
    expect(set.warnings).toEqual([
      expect.stringMatching(/1 \.txt file\(s\) match no audio file: noisy\/stray\.txt/),
    ]);
  });

  it('splits a folder into one set per subfolder with splitSubfolders', async () => {
    const sets = await scanFolder(path.join(work, 'corpus'), { splitSubfolders: true });
    expect(sets.map((s) => [s.name, s.items.map((i) => i.file)])).toEqual([
      ['corpus', ['B.FLAC', 'a.wav']],
      ['corpus/clean', ['clean/c.mp3']],
      ['corpus/noisy', ['noisy/deep/d.ogg', 'noisy/e.opus']],
    ]);
  });
});

describe('manifests and mixed inputs', () => {
  it('resolves manifest paths against the manifest folder and reports missing audio by line', async () => {
    const set = await loadManifest(path.join(work, 'lists', 'refs.tsv'));
    expect(set.name).toBe('refs');
    expect(set.items).toEqual([
      { audio: path.join(work, 'corpus', 'a.wav'), file: '../corpus/a.wav', reference: 'Alpha one' },
      { audio: path.join(work, 'lists', 'missing.wav'), file: 'missing.wav', reference: 'gone' },
    ]);
    expect(set.warnings).toEqual([
      expect.stringMatching(/1 listed audio file\(s\) not found, .* \(line 4\)$/),
    ]);
  });

  it('rejects a malformed manifest with line numbers', async () => {
    await expect(loadManifest(path.join(work, 'lists', 'bad.tsv'))).rejects.toThrow(ManifestParseError);
    await expect(loadManifest(path.join(work, 'lists', 'bad.tsv'))).rejects.toThrow(/line 2: no tab/);
  });

  it('takes manifests, folders and single files in one call, one set each, loose files together', async () => {
    const sets = await loadEvalInputs([
      path.join(work, 'lists', 'refs.tsv'),
      path.join(work, 'corpus', 'clean'),
      path.join(work, 'loose.wav'),
      path.join(work, 'bare.wav'),
    ]);
    expect(sets.map((s) => [s.name, s.kind, s.items.length])).toEqual([
      ['refs', 'manifest', 2],
      ['clean', 'folder', 1],
      ['files', 'files', 2],
    ]);
    expect(sets[2].items.map((i) => i.reference)).toEqual(['loose words', null]);
    await expect(loadEvalInputs([path.join(work, 'nope')])).rejects.toThrow(
      /nope: no such manifest, folder or file/,
    );
  });

  it('names colliding sets by the path given', async () => {
    await put('other/clean/z.wav');
    const a = path.join(work, 'corpus', 'clean');
    const b = path.join(work, 'other', 'clean');
    expect((await loadEvalInputs([a, b])).map((s) => s.name)).toEqual([a, b]);
  });
});
