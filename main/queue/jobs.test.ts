/** What a queued job's model fingerprint covers: every file that decides the model's output. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { modelFingerprint } from './jobs';

describe('modelFingerprint', () => {
  let dir: string;
  const write = (name: string, text: string) => writeFile(path.join(dir, name), text);

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'fingerprint-'));
    await write(
      'manifest.json',
      JSON.stringify({ decoder: { type: 'beam', lmFile: 'lm.bin', lexiconFile: 'lexicon.txt' } }),
    );
    await write('model.json', JSON.stringify({ weightsManifest: [{ paths: ['weights.bin'] }] }));
    await write('weights.bin', 'weights');
    await write('lm.bin', 'language model');
    await write('lexicon.txt', 'hello\nworld\n');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it.each(['weights.bin', 'lm.bin', 'lexicon.txt'])('changes when %s changes', async (file) => {
    const before = await modelFingerprint(dir);
    expect(await modelFingerprint(dir)).toBe(before);
    await write(file, 'something else');
    expect(await modelFingerprint(dir)).not.toBe(before);
  });
});
