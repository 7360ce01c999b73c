import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { loadAudioFile } from './audio/load';
import { encodeWav } from './audio/wav-writer';
import { AsrEngine } from './engine';
import { CancelledError, CorruptAudioError, ModelMismatchError, ModelMissingError } from './errors';
import { createRandomModel } from './model/random-model';

const fixture = (name: string) => path.join(import.meta.dirname, '__fixtures__', name);
let work: string;
let modelDir: string;
let engine: AsrEngine;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'engine-test-'));
  modelDir = path.join(work, 'tiny');
  await createRandomModel(modelDir, { units: 16 });
  engine = await AsrEngine.load({ model: modelDir });
});
afterAll(() => engine?.dispose());

describe('AsrEngine', () => {
  it('reports the backend it chose (wasm on machines without tfjs-node)', () => {
    expect(['tensorflow', 'wasm', 'cpu']).toContain(engine.backend.name);
    expect(tf.getBackend()).toBe(engine.backend.name);
  });

  it.each(['speech-16k.wav', 'speech-44k-stereo.flac', 'speech-22k.mp3', 'speech-48k.ogg'])(
    'transcribes %s into ordered, word-timed words inside the audio',
    async (name) => {
      const transcript = await engine.transcribeFile(fixture(name));
      expect(Math.abs(transcript.durationSec - 3.438)).toBeLessThan(0.1);
      expect(transcript.words.length).toBeGreaterThan(0);
      expect(transcript.text).toBe(transcript.words.map((w) => w.word).join(' '));
      let previousEnd = 0;
      for (const w of transcript.words) {
        expect(w.word).toMatch(/^[a-z']+$/);
        expect(w.start).toBeGreaterThanOrEqual(previousEnd - 1e-9);
        expect(w.end).toBeGreaterThan(w.start);
        expect(w.end).toBeLessThanOrEqual(transcript.durationSec);
        expect(w.confidence).toBeGreaterThan(0);
        expect(w.confidence).toBeLessThanOrEqual(1);
        previousEnd = w.end;
      }
      expect(transcript.rtf).toBeGreaterThan(0);
    },
  );

  it('keeps timestamps absolute across segments (speech after 25 s of silence)', async () => {
    // Segments of exactly 5 s: the silent ones are skipped and the speech segment starts at 25 s, so its
    // words must be the words of the speech alone, shifted by exactly 25 s.
    const options = { model: modelDir, segmenter: { minSegmentSec: 5, maxSegmentSec: 5 } };
    const segmented = await AsrEngine.load(options);
    const speech = await loadAudioFile(fixture('speech-16k.wav'), 16000);
    const padded = new Float32Array(25 * 16000 + speech.length);
    padded.set(speech, 25 * 16000);
    const file = path.join(work, 'late.wav');
    await writeFile(file, encodeWav([padded], { sampleRate: 16000, bitsPerSample: 32, encoding: 'float' }));
    const alone = path.join(work, 'alone.wav');
    await writeFile(alone, encodeWav([speech], { sampleRate: 16000, bitsPerSample: 32, encoding: 'float' }));

    const late = await segmented.transcribeFile(file);
    const reference = await segmented.transcribeFile(alone);
    expect(late.words.length).toBe(reference.words.length);
    late.words.forEach((w, i) => {
      expect(w.word).toBe(reference.words[i].word);
      expect(w.start).toBeCloseTo(reference.words[i].start + 25, 6);
      expect(w.end).toBeCloseTo(reference.words[i].end + 25, 6);
    });
    expect(late.durationSec).toBeCloseTo(25 + speech.length / 16000, 6);
  });

  it('never lets a word end after the audio, and gives audio too short for speech an empty transcript', async () => {
    // Noisy clips whose length is not a whole number of model steps: the last step overhangs the audio.
    let words = 0;
    for (const ms of [100, 130, 170, 210, 333, 517]) {
      const n = Math.round((ms / 1000) * 16000);
      const noise = Float32Array.from({ length: n }, (_, i) => 0.8 * Math.sin(i * 1.7) * Math.sin(i / 31));
      const file = path.join(work, `noise-${ms}.wav`);
      await writeFile(file, encodeWav([noise], { sampleRate: 16000, bitsPerSample: 16, encoding: 'int' }));
      const t = await engine.transcribeFile(file);
      words += t.words.length;
      for (const w of t.words) expect(w.end).toBeLessThanOrEqual(t.durationSec);
    }
    expect(words).toBeGreaterThan(0); // the check above was not vacuous
    const click = path.join(work, 'one-sample.wav');
    await writeFile(
      click,
      encodeWav([Float32Array.of(0.5)], { sampleRate: 16000, bitsPerSample: 16, encoding: 'int' }),
    );
    const t = await engine.transcribeFile(click);
    expect(t.words).toEqual([]);
    expect(t.text).toBe('');
    expect(t.warnings).toEqual([
      '0.1 ms of audio is too short to hold speech (at least 100 ms); nothing was transcribed',
    ]);
  });

  it('reports monotonic progress ending at 1', async () => {
    const fractions: number[] = [];
    await engine.transcribeFile(fixture('speech-44k-stereo.flac'), {
      onProgress: (p) => fractions.push(p.fraction),
    });
    expect(fractions.length).toBeGreaterThan(0);
    expect(fractions.at(-1)).toBe(1);
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]).toBeGreaterThanOrEqual(fractions[i - 1]);
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      engine.transcribeFile(fixture('speech-16k.wav'), { signal: controller.signal }),
    ).rejects.toThrow(CancelledError);
  });

  it('does not leak tensors over many transcriptions', async () => {
    await engine.transcribeFile(fixture('speech-16k.wav'));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 25; i++) await engine.transcribeFile(fixture('speech-16k.wav'));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('fails with a typed error naming the file for corrupt input, and keeps working', async () => {
    await expect(engine.transcribeFile(fixture('broken.flac'))).rejects.toThrow(CorruptAudioError);
    expect((await engine.transcribeFile(fixture('speech-16k.wav'))).words.length).toBeGreaterThan(0);
  });
});

describe('model loading', () => {
  it('reports a missing model folder', async () => {
    await expect(AsrEngine.load({ model: path.join(work, 'nope') })).rejects.toThrow(ModelMissingError);
    await expect(AsrEngine.load({ model: path.join(work, 'nope') })).rejects.toThrow(/nope.*manifest\.json/);
  });

  it('reports missing weights', async () => {
    const dir = path.join(work, 'no-weights');
    await createRandomModel(dir);
    await writeFile(path.join(dir, 'weights.bin'), '');
    await expect(AsrEngine.load({ model: dir })).rejects.toThrow(ModelMismatchError);
  });

  it('rejects a manifest that does not match the weights', async () => {
    const dir = path.join(work, 'mismatch');
    await createRandomModel(dir);
    const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'));
    manifest.alphabet = manifest.alphabet.slice(0, 10);
    await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
    await expect(AsrEngine.load({ model: dir })).rejects.toThrow(/model has 29 outputs, alphabet has 10/);

    const other = path.join(work, 'mismatch-mfcc');
    await createRandomModel(other);
    await copyFile(path.join(other, 'manifest.json'), path.join(work, 'm.json'));
    const m2 = JSON.parse(await readFile(path.join(work, 'm.json'), 'utf8'));
    m2.frontend.mfccCoefficients = 13;
    m2.normalization = { mean: Array(13).fill(0), std: Array(13).fill(1) };
    await writeFile(path.join(other, 'manifest.json'), JSON.stringify(m2));
    await expect(AsrEngine.load({ model: other })).rejects.toThrow(
      /takes 60 inputs per step, manifest implies 39/,
    );
  });
});

describe('decoder selection', () => {
  async function beamModel(name: string, withLm: boolean): Promise<string> {
    const dir = path.join(work, name);
    await createRandomModel(dir, {
      units: 16,
      beam: withLm ? { lm: ['the quick brown fox', 'the lazy dog', 'a quick dog'] } : {},
    });
    return dir;
  }

  it("uses the manifest's beam search with its language model, or greedy when asked", async () => {
    const dir = await beamModel('beam', true);
    const beam = await AsrEngine.load({ model: dir });
    const greedy = await AsrEngine.load({ model: dir, decoder: 'greedy' });
    try {
      expect(beam.decoderName).toBe('beam');
      expect(greedy.decoderName).toBe('greedy');
      const transcript = await beam.transcribeFile(fixture('speech-16k.wav'));
      for (const w of transcript.words) {
        expect(w.end).toBeGreaterThan(w.start);
        expect(w.confidence).toBeGreaterThan(0);
      }
      expect(transcript.text).toBe(transcript.words.map((w) => w.word).join(' '));
    } finally {
      beam.dispose();
      greedy.dispose();
    }
    expect(engine.decoderName).toBe('greedy'); // the random model's manifest says greedy
  });

  it('explains a missing language model and a beam request the model cannot honour', async () => {
    await expect(AsrEngine.load({ model: await beamModel('beam-no-lm', false) })).rejects.toThrow(
      /cannot load the language model lm\.bin/,
    );
    await expect(AsrEngine.load({ model: modelDir, decoder: 'beam' })).rejects.toThrow(ModelMismatchError);
  });

  it('decodes a phone model through its pronunciations, and refuses greedy decoding for it', async () => {
    const dir = await beamModel('phones', true);
    const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'));
    // The random model's 29 outputs relabelled as phones (enough of them to spell the LM's words).
    const phones = ['DH', 'AH', 'K', 'W', 'IH', 'B', 'R', 'AW', 'N', 'F', 'AA', 'S', 'L', 'EY', 'Z', 'IY'];
    manifest.alphabet = ['<blank>', ' ', ...phones, ...Array.from({ length: 11 }, (_, i) => `X${i}`)];
    manifest.decoder.pronunciationsFile = 'pronunciations.txt';
    await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
    const dictionary = [
      'the DH AH0',
      'the(2) DH IY0',
      'quick K W IH1 K',
      'brown B R AW1 N',
      'fox F AA1 K S',
      'lazy L EY1 Z IY0',
      'dog D AO1 G',
    ];
    // A dictionary with a phone the model lacks ('D', 'AO', 'G') is refused as a whole.
    await writeFile(path.join(dir, 'pronunciations.txt'), dictionary.join('\n'));
    await expect(AsrEngine.load({ model: dir })).rejects.toThrow(/cannot load the pronunciations/);

    await writeFile(path.join(dir, 'pronunciations.txt'), dictionary.slice(0, 6).join('\n'));
    const engine = await AsrEngine.load({ model: dir });
    try {
      const transcript = await engine.transcribeFile(fixture('speech-16k.wav'));
      expect(transcript.words.length).toBeGreaterThan(0);
      for (const w of transcript.words) expect(['the', 'quick', 'brown', 'fox', 'lazy']).toContain(w.word);
    } finally {
      engine.dispose();
    }
    await expect(AsrEngine.load({ model: dir, decoder: 'greedy' })).rejects.toThrow(
      /phone model says words only through its pronunciations/,
    );
    // A word the dictionary lacks is pronounced by the letter-to-sound model the manifest names.
    expect(engine.phoneSpeller?.keysOf('siz')).toEqual([]);
    manifest.decoder.letterToSoundFile = 'letter-to-sound.txt';
    await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
    await writeFile(path.join(dir, 'letter-to-sound.txt'), 'letter-to-sound 1 0:0\n0s S\n0i IY\n0z QQ\n');
    await expect(AsrEngine.load({ model: dir })).rejects.toThrow(/cannot load the letter-to-sound model/);
    await writeFile(path.join(dir, 'letter-to-sound.txt'), 'letter-to-sound 1 0:0\n0s S\n0i IY\n0z Z\n');
    const guessing = await AsrEngine.load({ model: dir });
    const speller = guessing.phoneSpeller!;
    expect(
      speller.keysOf('siz').map((key) => speller.pronunciations.describe(key, manifest.alphabet)),
    ).toEqual(['S IY Z']);
    guessing.dispose();
  });
});
