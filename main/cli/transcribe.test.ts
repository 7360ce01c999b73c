import { execFile } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { copyFile, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRandomModel } from '../engine/model/random-model';
import { parseBoostList } from '../common/boost-list';
import { parseCliArgs } from './transcribe';

const run = promisify(execFile);
const root = path.join(import.meta.dirname, '..', '..');
const fixtures = path.join(root, 'main', 'engine', '__fixtures__');
let work: string;
let model: string;

/** Runs the CLI exactly as `npm run transcribe` does and never throws on a non-zero exit. */
async function cli(args: string[]) {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', 'main/cli/transcribe.ts', ...args],
      {
        cwd: root,
        env: { ...process.env, SPEECH_STUDIO_BACKEND: '' },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'cli-test-'));
  model = path.join(work, 'model');
  await createRandomModel(model);
  for (const [from, to] of [
    ['speech-16k.wav', 'a.wav'],
    ['speech-44k-stereo.flac', 'b.flac'],
    ['speech-22k.mp3', 'c.mp3'],
    ['truncated-header.wav', 'broken.wav'],
    ['speech-48k.ogg', 'd.ogg'],
  ]) {
    await copyFile(path.join(fixtures, from), path.join(work, to));
  }
}, 60_000);

describe('transcribe CLI', () => {
  it('prints one JSON object per input, in order, with errors in place, and exits 0', async () => {
    const files = ['a.wav', 'b.flac', 'c.mp3', 'broken.wav', 'd.ogg'].map((f) => path.join(work, f));
    const { code, stdout, stderr } = await cli(['--format', 'jsonl', '--model', model, ...files]);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(5);
    const records = lines.map((l) => JSON.parse(l));
    expect(records.map((r) => r.file)).toEqual(files);
    for (const r of [records[0], records[1], records[2], records[4]]) {
      expect(Object.keys(r).sort()).toEqual(
        ['backend', 'durationSec', 'file', 'rtf', 'text', 'words'].sort(),
      );
      expect(r.words.length).toBeGreaterThan(0);
      expect(Object.keys(r.words[0]).sort()).toEqual(['confidence', 'end', 'start', 'word']);
      expect(r.backend).toBe('wasm');
    }
    expect(records[3]).toEqual({
      file: files[3],
      error: expect.stringMatching(/broken\.wav: corrupt audio data/),
    });
    // Progress goes to stderr only.
    expect(stderr).toMatch(/100%/);
    expect(stdout).not.toMatch(/%/);
  }, 120_000);

  it('exits 1 when every file fails', async () => {
    const { code, stdout } = await cli([
      '--format',
      'jsonl',
      '--model',
      model,
      path.join(work, 'broken.wav'),
      path.join(work, 'missing.wav'),
    ]);
    expect(code).toBe(1);
    expect(
      stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).error),
    ).toEqual([expect.stringMatching(/corrupt/), expect.stringMatching(/missing\.wav: file not found/)]);
  }, 60_000);

  it('writes srt, vtt, txt and json files into --out', async () => {
    const out = path.join(work, 'out');
    for (const format of ['srt', 'vtt', 'txt', 'json']) {
      const { code } = await cli([
        '--format',
        format,
        '--model',
        model,
        '--out',
        out,
        '--quiet',
        path.join(work, 'a.wav'),
      ]);
      expect(code).toBe(0);
    }
    expect((await readdir(out)).sort()).toEqual(['a.json', 'a.srt', 'a.txt', 'a.vtt']);
    // Punctuation and capitals (models/punct) by default: the first cue starts a sentence
    expect(await readFile(path.join(out, 'a.srt'), 'utf8')).toMatch(
      /^1\n00:00:\d\d,\d{3} --> 00:00:\d\d,\d{3}\n[A-Z][A-Za-z'.,? ]*\n/,
    );
    expect(await readFile(path.join(out, 'a.vtt'), 'utf8')).toMatch(/^WEBVTT\n\n00:00:\d\d\.\d{3} --> /);
  }, 120_000);

  it('--no-punctuation prints the words as recognised; the default adds marks and capitals only', async () => {
    const args = ['--model', model, '--quiet', path.join(work, 'a.wav')];
    const plain = await cli(['--no-punctuation', ...args]);
    const punctuated = await cli(args);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^[a-z' \n]+$/);
    expect(punctuated.stdout).toMatch(/^[A-Z]/);
    expect(punctuated.stdout.trim()).toMatch(/[.?]$/);
    expect(punctuated.stdout.toLowerCase().replace(/[.,?]/g, '')).toBe(plain.stdout);
  }, 120_000);

  it('--max-line and --max-cps set the subtitle limits', async () => {
    const a = path.join(work, 'a.wav');
    expect(parseCliArgs([a])).toMatchObject({ subtitles: { maxLineChars: 42, maxCharsPerSec: 17 } });
    expect(parseCliArgs(['--max-line', '32', '--max-cps', '15.5', a])).toMatchObject({
      subtitles: { maxLineChars: 32, maxCharsPerSec: 15.5, maxLines: 2 },
    });
    for (const bad of ['0', '12.5', 'wide', '-3'])
      expect(() => parseCliArgs([`--max-line=${bad}`, a])).toThrow(
        `--max-line must be a whole number ≥ 1, got ${bad}`,
      );
    for (const bad of ['0', 'fast', 'Infinity', '-1'])
      expect(() => parseCliArgs([`--max-cps=${bad}`, a])).toThrow(
        `--max-cps must be a number > 0, got ${bad}`,
      );

    const { code, stdout } = await cli([
      '--model',
      model,
      '--format',
      'srt',
      '--max-line',
      '12',
      '--quiet',
      a,
    ]);
    expect(code).toBe(0);
    const lines = stdout.split('\n').filter((l) => l && !/^\d+$/.test(l) && !l.includes(' --> '));
    expect(lines.length).toBeGreaterThan(0);
    // Only a single word longer than the limit may make a longer line.
    for (const line of lines) expect(line.length <= 12 || !line.includes(' '), line).toBe(true);
  }, 60_000);

  it('explains usage errors and a missing model', async () => {
    const usage = await cli(['--format', 'doc', 'x.wav']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/unknown --format doc/);
    const missing = await cli(['--model', path.join(work, 'no-model'), path.join(work, 'a.wav')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no-model: no manifest\.json found/);
  }, 60_000);

  it('explains an --out that is not a folder instead of crashing', async () => {
    const notFolder = path.join(work, 'a.wav');
    const { code, stdout, stderr } = await cli(['--model', model, '--out', notFolder, notFolder]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^error: cannot create the --out folder .*a\.wav: EEXIST/m);
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('refuses --out when two inputs would write the same file', async () => {
    const out = path.join(work, 'clash');
    const [a, b] = [path.join(work, 'a.wav'), path.join(work, 'out', 'a.mp3')];
    const { code, stderr } = await cli(['--model', model, '--format', 'srt', '--out', out, a, b]);
    expect(code).toBe(2);
    expect(stderr).toContain(
      `npm run transcribe --: ${a} and ${b} would both be written to ${path.join(out, 'a.srt')}`,
    );
    // jsonl goes to stdout, so the same names are fine there.
    expect(parseCliArgs(['--format', 'jsonl', '--out', out, a, b])).toMatchObject({ files: [a, b] });
  }, 60_000);

  it('refuses several files as srt, vtt or json on stdout, where the documents would run together', async () => {
    const [a, b] = [path.join(work, 'a.wav'), path.join(work, 'b.flac')];
    const { code, stdout, stderr } = await cli(['--model', model, '--format', 'vtt', a, b]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('npm run transcribe --: vtt output of several files needs --out DIR');
    for (const format of ['srt', 'json'])
      expect(() => parseCliArgs(['--format', format, a, b])).toThrow(/needs --out DIR/);
    // One file, lines of text, one object per line, or one file each: all fine.
    for (const args of [
      ['--format', 'srt', a],
      ['--format', 'txt', a, b],
      ['--format', 'jsonl', a, b],
      ['--format', 'srt', '--out', work, a, b],
    ])
      expect(parseCliArgs(args)).toMatchObject({ files: args.filter((x) => x === a || x === b) });
  }, 60_000);

  it('reads a --boost list and refuses it where it cannot apply', async () => {
    expect(parseBoostList('# names\nKowalski\r\n\n  new york  \n')).toEqual(['Kowalski', 'new york']);
    const a = path.join(work, 'a.wav');
    const greedy = await cli(['--decoder', 'greedy', '--boost', 'list.txt', a]);
    expect(greedy.code).toBe(2);
    expect(greedy.stderr).toMatch(/--boost needs the beam decoder/);
    const unreadable = await cli(['--model', model, '--boost', path.join(work, 'no-list.txt'), a]);
    expect(unreadable.code).toBe(2);
    expect(unreadable.stderr).toMatch(/cannot read the boost list: .*no-list\.txt: file not found/);
    const weight = await cli(['--boost', 'list.txt', '--boost-weight', 'lots', a]);
    expect(weight.code).toBe(2);
    expect(weight.stderr).toMatch(/--boost-weight must be a number/);
  }, 60_000);

  it('answers a usage error in two lines: the problem and where the options are, no help text', async () => {
    const { code, stdout, stderr } = await cli(['--bogus', 'x.wav']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      "npm run transcribe --: unknown option --bogus\nRun 'npm run transcribe -- --help' for the options.\n",
    );
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: npm run transcribe/);
  }, 60_000);

  it('heads each of several txt transcripts on stdout with its file name, also with --quiet', async () => {
    const [a, b] = [path.join(work, 'a.wav'), path.join(work, 'b.flac')];
    const { code, stdout, stderr } = await cli(['--model', model, '--quiet', a, b]);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const headings = stdout.split('\n').filter((line) => line.startsWith('==> '));
    expect(headings).toEqual([`==> ${a} <==`, `==> ${b} <==`]);
    // One file: just its text, as before.
    const one = await cli(['--model', model, '--quiet', a]);
    expect(one.stdout).not.toMatch(/==>/);
  }, 60_000);

  it('refuses a --boost list that is a device or a FIFO at once, and one over 1 MB', async () => {
    const a = path.join(work, 'a.wav');
    const zero = await cli(['--model', model, '--boost', '/dev/zero', a]);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/boost list: \/dev\/zero: is not a regular file/);
    const fifo = path.join(work, 'boost.fifo');
    execFileSync('mkfifo', [fifo]);
    const blocked = await cli(['--model', model, '--boost', fifo, a]);
    expect(blocked.code).toBe(2);
    expect(blocked.stderr).toMatch(/boost\.fifo: is not a regular file/);
    const big = path.join(work, 'big-boost.txt');
    await writeFile(big, 'word\n'.repeat(300_000));
    const large = await cli(['--model', model, '--boost', big, a]);
    expect(large.code).toBe(2);
    expect(large.stderr).toMatch(/big-boost\.txt: is 1\.43 MB; at most 1\.00 MB is read/);
  }, 60_000);

  it('prints file names with control characters escaped and writes --out names without them', async () => {
    const evil = path.join(work, 'evil\n\u001b[31mred.wav');
    await copyFile(path.join(fixtures, 'speech-16k.wav'), evil);
    const out = path.join(work, 'evil-out');
    const { code, stderr } = await cli([
      '--model',
      model,
      '--out',
      out,
      evil,
      path.join(work, 'gone\u001b[2J.wav'),
    ]);
    expect(code).toBe(0);
    expect(stderr).not.toContain('\u001b');
    expect(stderr).toContain('evil\\n\\u001b[31mred.wav');
    expect(stderr).toMatch(/gone\\u001b\[2J\.wav: file not found/);
    expect(await readdir(out)).toEqual(['evil__[31mred.txt']);
  }, 60_000);

  it('warns on stderr when a file is truncated, even with --quiet', async () => {
    const whole = await readFile(path.join(fixtures, 'speech-16k.wav'));
    const cut = path.join(work, 'cut.wav');
    await writeFile(cut, whole.subarray(0, 1000));
    const { code, stdout, stderr } = await cli(['--model', model, '--quiet', '--format', 'jsonl', cut]);
    expect(code).toBe(0);
    expect(stderr).toMatch(
      /^warning: .*cut\.wav: the file is truncated: its header declares 3\.44 s of audio, the file holds 0\.03 s$/m,
    );
    const record = JSON.parse(stdout);
    expect(record.warnings).toEqual(
      expect.arrayContaining([expect.stringMatching(/truncated/), expect.stringMatching(/too short/)]),
    );
    // 30 ms cannot hold a word: nothing is made up.
    expect(record.words).toEqual([]);
  }, 60_000);
});
