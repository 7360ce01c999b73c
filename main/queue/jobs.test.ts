/** What a queued job's model fingerprint covers: every file that decides the transcript. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { modelFingerprint } from './jobs';

describe('modelFingerprint', () => {
  let dir: string;
  let punctuation: string;
  const write = (name: string, text: string) => writeFile(path.join(dir, name), text);
  const fingerprint = () => modelFingerprint(dir, punctuation);

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'fingerprint-'));
    await write(
      'manifest.json',
      JSON.stringify({
        decoder: {
          type: 'beam',
          lmFile: 'lm.bin',
          lexiconFile: 'lexicon.txt',
          pronunciationsFile: 'pronunciations.txt',
          letterToSoundFile: 'letter-to-sound.txt',
        },
      }),
    );
    await write('model.json', JSON.stringify({ weightsManifest: [{ paths: ['weights.bin'] }] }));
    await write('weights.bin', 'weights');
    await write('lm.bin', 'language model');
    await write('lexicon.txt', 'hello\nworld\n');
    await write('pronunciations.txt', 'hello HH AH0 L OW1\n');
    await write('letter-to-sound.txt', 'a rule\n');
    // The punctuation model beside it (its own folder, as models/punct).
    punctuation = path.join(dir, 'punct');
    await mkdir(punctuation);
    await write(
      'punct/manifest.json',
      JSON.stringify({ modelFile: 'model.json', vocabFile: 'vocab.txt', caseLexiconFile: 'case.txt' }),
    );
    await write('punct/model.json', JSON.stringify({ weightsManifest: [{ paths: ['weights.bin'] }] }));
    await write('punct/weights.bin', 'punctuation weights');
    await write('punct/vocab.txt', 'the\nof\n');
    await write('punct/case.txt', 'London\n');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it.each([
    'weights.bin',
    'lm.bin',
    'lexicon.txt',
    'pronunciations.txt',
    'letter-to-sound.txt',
    'punct/manifest.json',
    'punct/weights.bin',
    'punct/vocab.txt',
    'punct/case.txt',
  ])('changes when %s changes', async (file) => {
    const before = await fingerprint();
    expect(await fingerprint()).toBe(before);
    await write(file, file.endsWith('.json') ? '{"modelFile":"model.json"}' : 'something else');
    expect(await fingerprint()).not.toBe(before);
  });

  it('covers the shipped punctuation model by default', async () => {
    const shipped = await modelFingerprint(dir);
    expect(shipped).toMatch(/^[0-9a-f]{64}$/);
    expect(await fingerprint()).not.toBe(shipped);
  });
});
