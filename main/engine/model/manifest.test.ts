import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelMismatchError } from '../errors';
import { validateManifest, type ModelManifest } from './manifest';

const shipped = path.join(import.meta.dirname, '..', '..', '..', 'models', 'default');
const load = (): ModelManifest => JSON.parse(readFileSync(path.join(shipped, 'manifest.json'), 'utf8'));

describe('model manifest: decoder confidence calibration', () => {
  it('accepts the shipped manifest and a beam decoder without calibration', () => {
    expect(() => validateManifest(load(), shipped)).not.toThrow();
    const manifest = load();
    if (manifest.decoder.type === 'beam') delete manifest.decoder.confidence;
    expect(() => validateManifest(manifest, shipped)).not.toThrow();
  });

  it('rejects a calibration with a missing or non-finite field, or a scale ≤ 0, naming the field', () => {
    const good = { posteriorScale: 0.5, posteriorWeight: 1, acousticWeight: 0.2, bias: -0.1 };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...good, bias: undefined }, /decoder\.confidence\.bias must be a finite number/],
      [{ ...good, posteriorWeight: Number.NaN }, /confidence\.posteriorWeight/],
      [{ ...good, acousticWeight: '1' }, /confidence\.acousticWeight/],
      [{ ...good, posteriorScale: 0 }, /posteriorScale must be > 0/],
    ];
    for (const [confidence, message] of cases) {
      const manifest = load();
      if (manifest.decoder.type !== 'beam') throw new Error('the shipped model decodes with beam search');
      (manifest.decoder as { confidence: unknown }).confidence = confidence;
      expect(() => validateManifest(manifest, shipped)).toThrow(ModelMismatchError);
      expect(() => validateManifest(manifest, shipped)).toThrow(message);
    }
  });
});

describe('model manifest: normalisation', () => {
  it('accepts the training or the utterance mean, and rejects anything else by name', () => {
    for (const meanFrom of ['training', 'utterance'] as const) {
      const manifest = load();
      manifest.normalization.meanFrom = meanFrom;
      // (A prior of the training mean belongs to the utterance mean only: next test.)
      if (meanFrom === 'training') delete manifest.normalization.meanPriorFrames;
      expect(() => validateManifest(manifest, shipped)).not.toThrow();
    }
    const manifest = load();
    delete manifest.normalization.meanPriorFrames;
    (manifest.normalization as { meanFrom: unknown }).meanFrom = 'running';
    expect(() => validateManifest(manifest, shipped)).toThrow(
      /normalization\.meanFrom must be "training" or "utterance", not "running"/,
    );
  });

  it('accepts meanPriorFrames only with the utterance mean, as a number of frames ≥ 0', () => {
    const manifest = load();
    manifest.normalization.meanFrom = 'utterance';
    manifest.normalization.meanPriorFrames = 50;
    expect(() => validateManifest(manifest, shipped)).not.toThrow();
    for (const [meanFrom, prior] of [
      ['utterance', -1],
      ['utterance', Number.NaN],
      ['training', 50],
    ] as const) {
      const bad = load();
      bad.normalization.meanFrom = meanFrom;
      bad.normalization.meanPriorFrames = prior;
      expect(() => validateManifest(bad, shipped)).toThrow(/meanPriorFrames must be a number ≥ 0/);
    }
  });
});

describe('model manifest: file names', () => {
  it('takes only names of files in the model folder, so a shared model cannot reach outside it', () => {
    const good = load();
    for (const name of ['lm.bin', 'my words.txt', 'lexicon.v2.txt']) {
      const manifest = load();
      if (manifest.decoder.type !== 'beam') throw new Error('the shipped model decodes with beam search');
      manifest.decoder.lmFile = name;
      expect(() => validateManifest(manifest, shipped)).not.toThrow();
    }
    const bad = ['../../etc/passwd', '/etc/passwd', 'sub/lm.bin', '..\\lm.bin', '..', '.', '', 'lm\0.bin', 7];
    for (const key of ['lmFile', 'lexiconFile', 'pronunciationsFile', 'letterToSoundFile'] as const) {
      for (const name of bad) {
        const manifest = load();
        (manifest.decoder as Record<string, unknown>)[key] = name;
        expect(() => validateManifest(manifest, shipped), `${key} ${JSON.stringify(name)}`).toThrow(
          new RegExp(`decoder\\.${key} must be the name of a file in the model folder`),
        );
      }
    }
    for (const name of bad) {
      const manifest = { ...good, modelFile: name as string };
      expect(() => validateManifest(manifest, shipped)).toThrow(/modelFile must be the name of a file/);
    }
    // The letter-to-sound model serves a phone model's dictionary only.
    const manifest = load();
    if (manifest.decoder.type !== 'beam') throw new Error('the shipped model decodes with beam search');
    delete manifest.decoder.pronunciationsFile;
    expect(() => validateManifest(manifest, shipped)).toThrow(/letterToSoundFile needs a pronunciationsFile/);
  });
});
