import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { scoreFile, type EvalRun } from '../common/evaluation';
import {
  DEFAULT_NORMALIZATION,
  describeNormalization,
  errorRate,
  scoreTranscript,
  sumCounts,
} from '../common/scoring';
import { createRandomModel } from '../engine/model/random-model';

const run = promisify(execFile);
const root = path.join(import.meta.dirname, '..', '..');
const fixtures = path.join(root, 'main', 'engine', '__fixtures__');
let work: string;
let model: string;

/** Runs the CLI exactly as `npm run eval` does and never throws on a non-zero exit. */
async function cli(args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'main/cli/eval.ts', ...args], {
      cwd: root,
      env: { ...process.env, SPEECH_STUDIO_BACKEND: '' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const REFERENCE = 'The quick brown fox jumps over the lazy dog.';

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'eval-cli-test-'));
  model = path.join(work, 'model');
  await createRandomModel(model);
  const folder = path.join(work, 'folder');
  await mkdir(path.join(folder, 'sub'), { recursive: true });
  await copyFile(path.join(fixtures, 'speech-16k.wav'), path.join(folder, 'a.wav'));
  await writeFile(path.join(folder, 'a.txt'), REFERENCE + '\n');
  await copyFile(path.join(fixtures, 'speech-22k.mp3'), path.join(folder, 'sub', 'c.mp3'));
  await writeFile(path.join(folder, 'sub', 'c.txt'), 'the quick brown fox');
  await copyFile(path.join(fixtures, 'truncated-header.wav'), path.join(folder, 'broken.wav'));
  await writeFile(path.join(folder, 'broken.txt'), 'never heard');
  const lists = path.join(work, 'lists');
  await mkdir(lists);
  await writeFile(
    path.join(lists, 'set.tsv'),
    `# fixtures\npath\ttranscript\n../folder/a.wav\t${REFERENCE}\n\n${path.join(fixtures, 'speech-48k.ogg')}\tA QUICK FOX\n`,
  );
  await writeFile(path.join(lists, 'bad.tsv'), 'a.wav\tfine\nb.wav has no tab\n');
}, 60_000);

describe('eval CLI', () => {
  let first: EvalRun;

  it('scores a folder and a manifest: JSON numbers equal scoring.ts on the hypothesis and reference', async () => {
    const out = path.join(work, 'a.json');
    const csv = path.join(work, 'a.csv');
    const exportDir = path.join(work, 'export');
    const { code, stdout, stderr } = await cli([
      '--model',
      model,
      '--out',
      out,
      '--csv',
      csv,
      '--export',
      exportDir,
      '--format',
      'srt,json',
      '--sort',
      'wer',
      path.join(work, 'folder'),
      path.join(work, 'lists', 'set.tsv'),
    ]);
    expect(code).toBe(0);
    first = JSON.parse(await readFile(out, 'utf8')) as EvalRun;
    expect(first.normalizationText).toBe(describeNormalization(DEFAULT_NORMALIZATION));
    expect(first.files).toHaveLength(5);
    const failed = first.files.filter((f) => f.error);
    expect(failed.map((f) => f.file)).toEqual(['broken.wav']);
    expect(failed[0].error).toMatch(/broken\.wav: corrupt audio data/);
    const ok = first.files.find((f) => f.set === 'folder' && f.file === 'a.wav')!;
    expect(Object.keys(ok).sort()).toEqual(
      [
        'alignment',
        'cer',
        'counts',
        'durationSec',
        'file',
        'hypothesis',
        'processingSec',
        'reference',
        'rtf',
        'set',
        'wer',
        'words',
      ].sort(),
    );
    expect(ok.reference).toBe(REFERENCE);
    expect(Object.keys(ok.words![0]).sort()).toEqual(['confidence', 'end', 'start', 'word']);
    for (const f of first.files.filter((r) => !r.error)) {
      const expected = scoreTranscript(f.reference!, f.hypothesis!);
      expect(f.counts!.words).toEqual(expected.wer);
      expect(f.counts!.chars).toEqual(expected.cer);
      expect(f.wer!).toBe(errorRate(expected.wer));
      expect(f.cer!).toBe(errorRate(expected.cer));
      expect(f.alignment!).toEqual(expected.alignment.pairs);
      expect(f.words!.map((w) => w.word).join(' ')).toBe(f.hypothesis);
      expect(f.durationSec).toBeGreaterThan(3);
    }
    // Per-set and total figures are the pooled counts of their files.
    expect(first.sets.map((s) => [s.name, s.files, s.scored, s.failed])).toEqual([
      ['folder', 3, 2, 1],
      ['set', 2, 2, 0],
    ]);
    for (const set of [...first.sets, first.total]) {
      const mine = first.files.filter((f) => f.counts && (set === first.total || f.set === set.name));
      const words = sumCounts(mine.map((f) => f.counts!.words));
      expect(set.words).toEqual(words);
      expect(set.wer).toBe(errorRate(words));
      expect(set.cer).toBe(errorRate(sumCounts(mine.map((f) => f.counts!.chars))));
    }
    // Sorted worst first, the failed file last.
    const wers = first.files.filter((f) => f.counts).map((f) => f.wer!);
    expect(wers).toEqual([...wers].sort((x, y) => y - x));
    expect(first.files.at(-1)!.file).toBe('broken.wav');
    // The printed report: header, normalisation, the per-file list and the set table with its total row.
    expect(stdout).toMatch(/^model: model · decoder: greedy · backend: /);
    expect(stdout).toContain(`normalisation: ${describeNormalization(DEFAULT_NORMALIZATION)}`);
    const pct = (x: number) => (x * 100).toFixed(1) + '%';
    const t = first.total;
    expect(stdout).toMatch(
      new RegExp(
        `^total\\s+4\\s+1\\s+\\S+\\s+${t.words.reference} \\|\\s+${pct(t.wer).replace('.', '\\.')}\\s+` +
          `${t.words.substitutions}\\s+${t.words.deletions}\\s+${t.words.insertions} \\|\\s+${pct(t.cer).replace('.', '\\.')}`,
        'm',
      ),
    );
    expect(stdout).toMatch(/1 file\(s\) failed:\n {2}folder: .*broken\.wav: corrupt audio data/);
    // Progress on stderr only.
    expect(stderr).toMatch(/\[1\/5\] folder: a\.wav {2}WER /);
    expect(stderr).toMatch(/\[2\/5\] folder: broken\.wav {2}FAILED: /);
    // CSV: one row per file, then the sets and the total.
    const rows = (await readFile(csv, 'utf8')).trimEnd().split('\r\n');
    expect(rows.map((r) => r.split(',')[0])).toEqual([
      'kind',
      'file',
      'file',
      'file',
      'file',
      'file',
      'set',
      'set',
      'total',
    ]);
    // Exports: every transcribed file in each format, under its set, plus the summary.
    const listing = (await readdir(exportDir, { recursive: true }))
      .map((p) => p.split(path.sep).join('/'))
      .sort();
    expect(listing).toEqual([
      'folder',
      'folder/a.json',
      'folder/a.srt',
      'folder/sub',
      'folder/sub/c.json',
      'folder/sub/c.srt',
      'set',
      'set/a.json',
      'set/a.srt',
      'set/speech-48k.json',
      'set/speech-48k.srt',
      'summary.csv',
    ]);
    const exported = JSON.parse(await readFile(path.join(exportDir, 'folder', 'a.json'), 'utf8'));
    expect(exported.text).toBe(first.files.find((f) => f.set === 'folder' && f.file === 'a.wav')!.hypothesis);
  }, 180_000);

  it('exports both of two files that share a name, the second with -2', async () => {
    const twin = path.join(work, 'twin');
    await mkdir(twin, { recursive: true });
    await copyFile(path.join(fixtures, 'speech-48k.ogg'), path.join(twin, 'a.ogg'));
    const exportDir = path.join(work, 'export-twins');
    const files = [path.join(work, 'folder', 'a.wav'), path.join(twin, 'a.ogg')];
    const { code, stderr } = await cli(['--model', model, '--quiet', '--export', exportDir, ...files]);
    expect(code).toBe(0);
    expect(stderr).toContain('warning: 1 file(s) exported as NAME-2, -3… because their names clashed');
    const exported = (await readdir(exportDir, { recursive: true })).filter((p) => p.endsWith('.txt'));
    expect(exported.map((p) => path.basename(p)).sort()).toEqual(['a-2.txt', 'a.txt']);
    const texts = await Promise.all(exported.map((p) => readFile(path.join(exportDir, p), 'utf8')));
    expect(new Set(texts).size).toBe(2);
  }, 120_000);

  it('compares two runs side by side and lists the files that differ', async () => {
    // The same manifest scored with case kept: the upper-case reference now counts every word as wrong.
    const out = path.join(work, 'b.json');
    const second = await cli([
      '--model',
      model,
      '--keep-case',
      '--quiet',
      '--out',
      out,
      path.join(work, 'lists', 'set.tsv'),
    ]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('normalisation: case kept;');
    const b = JSON.parse(await readFile(out, 'utf8')) as EvalRun;
    const ogg = b.files.find((f) => f.file.endsWith('speech-48k.ogg'))!;
    expect(ogg.wer!).toBe(errorRate(scoreTranscript('A QUICK FOX', ogg.hypothesis!, b.normalization).wer));
    expect(ogg.wer!).toBeGreaterThanOrEqual(1);

    const { code, stdout } = await cli(['--compare', path.join(work, 'a.json'), out]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^A: .*a\.json \(model model, decoder greedy, /);
    expect(stdout).toMatch(/warning: the runs used different normalisations/);
    expect(stdout).toMatch(/^set\s+files\s+words \|\s+A WER\s+S\/D\/I\s+CER\s+RTF \|\s+B WER/m);
    expect(stdout).toMatch(/^set\s+2\s+\d+ \|/m);
    expect(stdout).toMatch(/not compared: 2 file\(s\) scored only in A, 0 only in B/);

    // A run in which one file became perfect: it heads the list of differences with its exact ΔWER.
    const better = structuredClone(first);
    const target = better.files.find((f) => f.set === 'folder' && f.file === 'a.wav')!;
    target.hypothesis = target.reference!;
    Object.assign(target, scoreFile(target.reference!, target.hypothesis));
    await writeFile(path.join(work, 'better.json'), JSON.stringify(better));
    const diff = await cli([
      '--compare',
      path.join(work, 'a.json'),
      path.join(work, 'better.json'),
      '--top',
      '1',
    ]);
    expect(diff.code).toBe(0);
    const before = first.files.find((f) => f.set === 'folder' && f.file === 'a.wav')!.wer!;
    const delta = `−${(before * 100).toFixed(1)}`;
    expect(diff.stdout).toMatch(/1 file\(s\) differ in WER: B better on 1, worse on 0\./);
    expect(diff.stdout).toContain(
      `folder: a.wav  A ${(before * 100).toFixed(1)}%  B 0.0%  Δ ${delta}\n  ref: ${REFERENCE}\n`,
    );
    expect(diff.stdout).not.toMatch(/warning/);
  }, 120_000);

  it('reports an output it cannot write on one line and still writes the others', async () => {
    const csv = path.join(work, 'written.csv');
    const { code, stdout, stderr } = await cli([
      '--model',
      model,
      '--quiet',
      '--out',
      path.join(work, 'folder'),
      '--csv',
      csv,
      path.join(work, 'folder', 'a.wav'),
    ]);
    expect(code).toBe(2);
    expect(stdout).toMatch(/^total\s+1\s+0/m);
    expect(stderr).toMatch(/^error: cannot write --out .*folder: EISDIR/m);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect((await readFile(csv, 'utf8')).split('\r\n')[1]).toMatch(/^file,files,.*a\.wav,/);
  }, 60_000);

  it('stops on a malformed manifest with its line number, and explains usage errors', async () => {
    const bad = await cli(['--model', model, path.join(work, 'lists', 'bad.tsv')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.tsv: 1 malformed line .*\n {2}line 2: no tab .*not spaces/);
    const usage = await cli(['--sort', 'size', 'x.tsv']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/unknown --sort size/);
    const compare = await cli(['--compare', path.join(work, 'a.json')]);
    expect(compare.code).toBe(2);
    expect(compare.stderr).toMatch(/--compare needs exactly two results files/);
  }, 60_000);
});
