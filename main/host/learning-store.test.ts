import { readdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LEARNING_LIMITS, LearningStore } from './learning-store';
import { PROFILE_SAMPLE_RATE } from './profile';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'learning-store-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const seconds = (s: number) => new Float32Array(Math.round(s * PROFILE_SAMPLE_RATE)).fill(0.1);
const wavs = async (store: LearningStore) =>
  (await readdir(store.dir)).filter((name) => name.endsWith('.wav')).sort();
const round = {
  at: '2026-01-01T00:00:00.000Z',
  newUtterances: 2,
  replayed: 0,
  kept: 'adapted' as const,
  heldBackWerBefore: 0.5,
  heldBackWerAfter: 0.25,
  seconds: 3,
};

describe('LearningStore', () => {
  it('keeps audio and text, replaces a waiting correction of the same span, and refuses bad spans', async () => {
    const store = new LearningStore(dir);
    const first = await store.add(seconds(1), '  hello   world ', 'f1@0-1');
    expect(first).toMatchObject({ text: 'hello world', durationSec: 1, learned: false });
    expect((await stat(store.wavPath(first.id))).size).toBe(first.bytes);
    const again = await store.add(seconds(1), 'hello word', 'f1@0-1');
    const index = await store.index();
    expect(index.items.map((i) => i.text)).toEqual(['hello word']);
    expect(await wavs(store)).toEqual([`${again.id}.wav`]);

    await expect(store.add(seconds(0.2), 'too short', 'x')).rejects.toThrow(/too short to learn from/);
    await expect(store.add(seconds(LEARNING_LIMITS.maxSec + 1), 'long', 'y')).rejects.toThrow(
      /at most 30 s are learned from/,
    );
    await expect(store.add(seconds(1), ' ?! ', 'z')).rejects.toThrow(/no words/);
    expect((await store.index()).items).toHaveLength(1);
  });

  it('stays within its count and byte bounds, dropping the oldest learned utterances first', async () => {
    const oneSecondBytes = 44 + 2 * PROFILE_SAMPLE_RATE;
    const store = new LearningStore(dir, { utterances: 4, bytes: 3 * oneSecondBytes, maxSec: 30 });
    const a = await store.add(seconds(1), 'a', 'a');
    const b = await store.add(seconds(1), 'b', 'b');
    await store.recordRound(round, [a.id, b.id]);
    await store.add(seconds(1), 'c', 'c');
    // Byte bound: 4 seconds is over 3 seconds' worth, so the oldest learned one (a) goes.
    await store.add(seconds(1), 'd', 'd');
    expect((await store.index()).items.map((i) => i.text)).toEqual(['b', 'c', 'd']);
    // Then b (learned) before any waiting one.
    await store.add(seconds(1), 'e', 'e');
    expect((await store.index()).items.map((i) => i.text)).toEqual(['c', 'd', 'e']);
    // Only waiting ones left: the oldest waiting goes.
    await store.add(seconds(1), 'f', 'f');
    const items = (await store.index()).items;
    expect(items.map((i) => i.text)).toEqual(['d', 'e', 'f']);
    expect(items.reduce((n, i) => n + i.bytes, 0)).toBeLessThanOrEqual(3 * oneSecondBytes);
    // Dropped utterances' audio is deleted too.
    expect(await wavs(store)).toEqual(items.map((i) => `${i.id}.wav`).sort());

    const counted = new LearningStore(path.join(dir, 'count'), { utterances: 2, bytes: 1e9, maxSec: 30 });
    for (const t of ['x', 'y', 'z']) await counted.add(seconds(0.5), t, t);
    expect((await counted.index()).items.map((i) => i.text)).toEqual(['y', 'z']);
  });

  it('records rounds, and forgets everything but the setting', async () => {
    const store = new LearningStore(dir);
    expect((await store.index()).enabled).toBe(true);
    await store.setEnabled(false);
    const a = await store.add(seconds(1), 'a', 'a');
    await store.add(seconds(1), 'b', 'b');
    await store.recordRound(round, [a.id]);
    const index = await store.index();
    expect(index.items.map((i) => i.learned)).toEqual([true, false]);
    expect(index.rounds).toEqual([{ round: 1, ...round }]);
    await writeFile(store.weightsFile, 'weights');
    expect(await store.hasWeights()).toBe(true);

    await store.forget();
    expect(await readdir(store.dir)).toEqual(['index.json']);
    expect(await store.hasWeights()).toBe(false);
    expect(await store.index()).toMatchObject({ enabled: false, items: [], rounds: [] });
  });
});
