/**
 * Speaker adaptation in a real engine worker process with a small random model: the worker reads the
 * profile's WAV recordings, reports progress, saves the adapted model into the profile, the supervisor
 * reloads the worker with it (the status names it) and it transcribes; a cancel ends a run with CANCELLED.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAudioFile } from '../engine/audio/load';
import { encodeWav } from '../engine/audio/wav-writer';
import { createRandomModel } from '../engine/model/random-model';
import type { AdaptJobProgress } from './engine-protocol';
import type { EngineSupervisor } from './engine-supervisor';
import { startRealEngine } from './testing/real-engine';

const SPEECH = fileURLToPath(new URL('../../e2e/fixtures/speech.wav', import.meta.url));
let dir: string;
let engine: EngineSupervisor;
let items: { path: string; text: string }[];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'engine-worker-adapt-'));
  await createRandomModel(path.join(dir, 'base'), { seed: 7 });
  // Four "enrollment recordings": parts of the fixture at 48 kHz (the worker resamples), with texts.
  const speech = await loadAudioFile(SPEECH, 48000);
  const texts = ['hello there', 'speech studio', 'one two three', 'good morning'];
  items = [];
  for (let i = 0; i < texts.length; i++) {
    const part = speech.slice(Math.floor((i * speech.length) / 5), Math.floor(((i + 2) * speech.length) / 5));
    const file = path.join(dir, `${i}.wav`);
    await writeFile(file, encodeWav([part], { sampleRate: 48000, bitsPerSample: 16, encoding: 'int' }));
    items.push({ path: file, text: texts[i] });
  }
  engine = startRealEngine(path.join(dir, 'base'));
});

afterAll(async () => {
  engine?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('speaker adaptation in the engine worker process', () => {
  it('adapts, saves into the profile, reloads with the adapted model and transcribes with it', async () => {
    const progress: AdaptJobProgress[] = [];
    const profile = path.join(dir, 'profile');
    const result = await engine.adapt(items, profile, 'me', { epochs: 1, keepAnyway: true }, (p) =>
      progress.push(p),
    );
    expect(result).toMatchObject({ kept: 'adapted', modelName: 'me', utterances: 4 });
    expect(result.modelDir).toBe(path.join(profile, 'models', 'me'));
    // The held-back WERs are measured (finite) and saved with the model as reported.
    expect(Number.isFinite(result.beforeWer) && Number.isFinite(result.afterWer)).toBe(true);
    const adaptation = JSON.parse(await readFile(path.join(result.modelDir!, 'adaptation.json'), 'utf8'));
    expect(adaptation).toMatchObject({ before: { wer: result.beforeWer }, after: { wer: result.afterWer } });
    // Features first, then training steps, ending at the last step of the one epoch.
    expect(progress[0].phase).toBe('features');
    const train = progress.filter((p) => p.phase === 'train');
    expect(train.length).toBeGreaterThan(0);
    expect(train.at(-1)).toMatchObject({ step: train.at(-1)!.total, epoch: 1 });
    expect(train.every((p) => p.loss === null || Number.isFinite(p.loss))).toBe(true);
    const manifest = JSON.parse(await readFile(path.join(result.modelDir!, 'manifest.json'), 'utf8'));
    expect(manifest.name).toBe('me');
    await stat(path.join(result.modelDir!, 'weights.bin'));

    await engine.useModel(result.modelDir);
    expect(engine.status).toMatchObject({ state: 'ready', modelName: 'me', restarts: 0 });
    const transcript = await engine.run('job-1', SPEECH, 'speech.wav', () => {});
    expect(transcript.model).toContain('me');
    expect(transcript.durationSec).toBeCloseTo(2.7, 1);

    await engine.useModel(null);
    expect(engine.status).toMatchObject({ state: 'ready', modelName: 'base' });
  });

  it('is cancelled with CANCELLED and the engine carries on', async () => {
    let cancelled = false;
    const run = engine.adapt(items, path.join(dir, 'profile'), 'cancelled', { epochs: 50 }, () => {
      if (cancelled) return;
      cancelled = true;
      engine.cancelAdapt();
    });
    await expect(run).rejects.toMatchObject({ info: { code: 'CANCELLED' } });
    expect(engine.adapting).toBe(false);
    await expect(stat(path.join(dir, 'profile', 'models', 'cancelled'))).rejects.toThrow();
    // The engine carries on with the model it had: the whole file is transcribed with it.
    const transcript = await engine.run('job-2', SPEECH, 'speech.wav', () => {});
    expect(transcript.model).toContain('base');
    expect(transcript.durationSec).toBeCloseTo(2.7, 1);
    expect(engine.status.restarts).toBe(0);
  });
});
