/**
 * The fast subset of the bad-input corpus (the full corpus runs in `npm run fuzz`), through the real
 * engine in a child process with a small random model: every input must end in a transcript or a typed
 * error within its time bound. The harness itself is tested too: a crash, a hang, an untyped error and
 * runaway memory in the worker must each be caught and reported, and the run must go on after them.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRandomModel } from '../../model/random-model';
import { fuzzCorpus, type FuzzCase } from './corpus';
import { DEFAULT_MEMORY_LIMIT_MB, runFuzz } from './harness';
import { SELF_TEST_ENV } from './protocol';

let dir: string;
let model: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'fuzz-test-'));
  model = path.join(dir, 'model');
  await createRandomModel(model, { units: 16, seed: 3 });
});

afterAll(async () => {
  delete process.env[SELF_TEST_ENV];
  await rm(dir, { recursive: true, force: true });
});

describe('bad-input corpus', () => {
  const corpus = fuzzCorpus();

  it('has at least 1,000 distinct inputs covering every kind the issues name', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(1000);
    expect(new Set(corpus.map((c) => c.name)).size).toBe(corpus.length);
    const names = corpus.map((c) => c.name).join('\n');
    for (const kind of [
      /wav-truncated\/0-bytes/, // zero-length
      /wav-truncated\/2\d-bytes/, // truncated header
      /wav-lying-size\/data-ffff-ffff/, // lying chunk sizes
      /content\/one-sample/,
      /content\/float-nan-inf-mix/,
      /content\/dc-/,
      /content\/square-.*full-scale/,
      /format\/8khz-8bit/,
      /format\/192khz/,
      /format\/48khz-8-channels/,
      /long\/3h-silence/,
      /random\/mp3-/, // random bytes with audio extensions
      /flac-damaged\/truncated/,
      /mp3-damaged\/bitflip/,
      /ogg-damaged\/bitflip/,
      /huge\//,
      // A decompression bomb of every documented format, and formats we refuse.
      /bomb\/flac-8ch-65535-93kb/,
      /bomb\/opus-stereo-93kb/,
      /bomb\/vorbis-7\.1-93kb/,
      /bomb\/mp3-layer2-93kb/,
      /refused\/protracker-mod/,
      /mutated\/ogg-/,
    ]) {
      expect(names).toMatch(kind);
    }
    // The 3-hour file is never part of the unit tests.
    expect(corpus.filter((c) => c.fast && c.fullOnly)).toEqual([]);
  });

  it('is the same on every run (deterministic from the seed)', async () => {
    const again = fuzzCorpus();
    const sample = [3, 150, 200, 280].map((i) => [corpus[i], again[i]]);
    for (const [a, b] of sample) {
      const fa = path.join(dir, 'a');
      const fb = path.join(dir, 'b');
      await a.write(fa);
      await b.write(fb);
      expect((await readFile(fa)).equals(await readFile(fb))).toBe(true);
      await rm(fa, { force: true });
      await rm(fb, { force: true });
    }
  });

  it('fast subset: every input ends in a transcript or a typed error, none crashes or hangs', async () => {
    const fast = corpus.filter((c) => c.fast);
    expect(fast.length).toBeGreaterThanOrEqual(40);
    const summary = await runFuzz(fast, { model });
    const { failures, ...totals } = summary;
    console.log('fuzz (fast subset):', totals);
    // Every class, decompression bombs included, within the per-input memory budget.
    for (const [name, c] of Object.entries(summary.byClass))
      expect(c.peakRssMb, name).toBeLessThanOrEqual(DEFAULT_MEMORY_LIMIT_MB);
    expect(summary.byClass.bomb.inputs).toBeGreaterThanOrEqual(5);
    expect(failures.map((f) => `${f.name}: ${f.failure} — ${f.detail}`)).toEqual([]);
    expect(summary.tried).toBe(fast.length);
    expect(summary.transcripts + summary.typedErrors).toBe(fast.length);
    expect(summary.transcripts).toBeGreaterThan(10);
    expect(summary.typedErrors).toBeGreaterThan(10);
  }, 300_000);
});

describe('fuzz harness', () => {
  it('catches a crash, a hang, an untyped error and runaway memory, and carries on after each', async () => {
    process.env[SELF_TEST_ENV] = '1';
    const ok: FuzzCase = {
      name: 'self/ok',
      ext: 'wav',
      write: (file) => writeFile(file, Buffer.alloc(0)),
      expect: ['EMPTY_AUDIO'],
    };
    const bad = (what: string, timeoutSec?: number): FuzzCase => ({
      name: `self/${what}`,
      ext: `selftest-${what}`,
      write: (file) => writeFile(file, 'x'),
      timeoutSec,
    });
    const wrong: FuzzCase = { ...ok, name: 'self/wrong-expectation', expect: ['transcript'] };
    const summary = await runFuzz(
      [ok, bad('crash'), ok, bad('hang', 3), ok, bad('untyped'), bad('memory'), ok, wrong],
      // Well above the loaded worker (~150 MB with this model), far below what the leak would reach.
      { model, memoryLimitMb: 600 },
    );
    expect(summary.failures.map((f) => [f.name, f.failure])).toEqual([
      ['self/crash', 'crash'],
      ['self/hang', 'hang'],
      ['self/untyped', 'untyped-error'],
      ['self/memory', 'memory'],
      ['self/wrong-expectation', 'expected transcript, got EMPTY_AUDIO'],
    ]);
    expect(summary).toMatchObject({ tried: 9, crashes: 1, hangs: 1, untypedErrors: 1, memoryKills: 1 });
    expect(summary.byCode.EMPTY_AUDIO).toBe(5);
  }, 120_000);
});
