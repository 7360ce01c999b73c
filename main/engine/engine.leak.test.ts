/**
 * Leaks on every path, not just the happy one (engine.test.ts checks 25 clean WAV transcriptions): the
 * tensor count must come back to the same number after transcriptions of every container, after
 * corrupt inputs that fail part-way through decoding, and after jobs cancelled in the middle — on both
 * inference paths (our fast kernel, which runs partly outside tf.tidy, and the tfjs LayersModel).
 * The 1,000-transcription version with RSS readings is `npm run bench:soak`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAudioFile } from './audio/load';
import { encodeWav } from './audio/wav-writer';
import { AsrEngine } from './engine';
import { CancelledError, isEngineError } from './errors';
import { createRandomModel } from './model/random-model';

const fixture = (name: string) => path.join(import.meta.dirname, '__fixtures__', name);
let work: string;
let modelDir: string;
let long: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'engine-leak-'));
  modelDir = path.join(work, 'model');
  await createRandomModel(modelDir, { units: 16 });
  // 40 s of speech and pauses: several segments, so a cancellation can land between them.
  const speech = await loadAudioFile(fixture('speech-16k.wav'), 16000);
  const samples = new Float32Array(40 * 16000);
  for (let at = 0; at + speech.length < samples.length; at += speech.length + 8000) samples.set(speech, at);
  long = path.join(work, 'long.wav');
  await writeFile(long, encodeWav([samples], { sampleRate: 16000, bitsPerSample: 16, encoding: 'int' }));
});
afterAll(() => rm(work, { recursive: true, force: true }));

const CLIPS = ['speech-16k.wav', 'speech-44k-stereo.flac', 'speech-22k.mp3', 'speech-48k.ogg'];
/** Inputs that fail after the decoder has started (not just at the header). */
const BROKEN = ['broken.flac', 'truncated-header.wav'];
const ROUNDS = 3;

describe.each(['fast', 'layers'])('tensor count on the %s inference path', (inference) => {
  let engine: AsrEngine;
  beforeAll(async () => {
    const saved = process.env.SPEECH_STUDIO_LSTM;
    process.env.SPEECH_STUDIO_LSTM = inference;
    try {
      engine = await AsrEngine.load({ model: modelDir });
    } finally {
      if (saved === undefined) delete process.env.SPEECH_STUDIO_LSTM;
      else process.env.SPEECH_STUDIO_LSTM = saved;
    }
  });
  afterAll(() => engine?.dispose());

  it('stays flat over transcriptions, failures and cancellations of every kind', async () => {
    // Warm up every path once: backends and decoders may allocate their first (kept) buffers lazily.
    for (const clip of CLIPS) await engine.transcribeFile(fixture(clip));
    const before = tf.memory().numTensors;

    let cancelled = 0;
    let failed = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const clip of CLIPS) {
        expect((await engine.transcribeFile(fixture(clip))).durationSec).toBeGreaterThan(3);
      }
      for (const name of BROKEN) {
        await engine.transcribeFile(fixture(name)).catch((error: unknown) => {
          expect(isEngineError(error)).toBe(true);
          failed++;
        });
      }
      // Cancel once the first segment has been decoded, while the rest of the file is still to come.
      const controller = new AbortController();
      await engine
        .transcribeFile(long, {
          signal: controller.signal,
          onProgress: ({ processedSec }) => {
            if (processedSec > 0) controller.abort();
          },
        })
        .catch((error: unknown) => {
          expect(error).toBeInstanceOf(CancelledError);
          cancelled++;
        });
      expect(tf.memory().numTensors).toBe(before);
    }
    expect(failed).toBe(ROUNDS * BROKEN.length);
    expect(cancelled).toBe(ROUNDS);
  }, 240_000);
});
