/**
 * The engine worker as a real process (the same code Electron's utility process and the bridge run),
 * with a small random model: transcription, a crash while transcribing, and recovery.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadAudioFile } from '../engine/audio/load';
import { createRandomModel } from '../engine/model/random-model';
import type { ForwardedLiveEvent } from './engine-protocol';
import { CRASH_TEST_ENV } from './engine-protocol';
import { EngineSupervisor } from './engine-supervisor';
import { spawnNodeWorker } from './node-worker';

const SPEECH = fileURLToPath(new URL('../../e2e/fixtures/speech.wav', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../engine/__fixtures__/', import.meta.url));
let dir: string;
let engine: EngineSupervisor;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'engine-worker-'));
  await createRandomModel(path.join(dir, 'model'), { seed: 7 });
  await copyFile(SPEECH, path.join(dir, 'speech.wav'));
  await copyFile(SPEECH, path.join(dir, 'crash-me.wav'));
  // Inherited by the worker: it exits abruptly when asked to transcribe this file name.
  process.env[CRASH_TEST_ENV] = 'crash-me.wav';
  engine = new EngineSupervisor({
    spawn: spawnNodeWorker(),
    model: path.join(dir, 'model'),
    modelsDir: null,
    restartDelayMs: 10,
  });
  engine.start();
});

afterAll(async () => {
  engine?.dispose();
  delete process.env[CRASH_TEST_ENV];
  await rm(dir, { recursive: true, force: true });
});

describe('engine worker process', () => {
  it('loads the model and transcribes a file with word times', async () => {
    const transcript = await engine.run('job-1', path.join(dir, 'speech.wav'), 'speech.wav', () => {});
    expect(engine.status).toMatchObject({ state: 'ready', modelName: 'model' });
    expect(transcript.words.length).toBeGreaterThan(0);
    expect(transcript.durationSec).toBeCloseTo(2.7, 1);
    for (const w of transcript.words) expect(w.end).toBeGreaterThan(w.start);
  });

  it('runs live dictation: audio in (as Float32Array over IPC), partials and a final out, stats on request', async () => {
    const speech = await loadAudioFile(SPEECH, 16000);
    const events: ForwardedLiveEvent[] = [];
    const failures: unknown[] = [];
    await engine.startLive(
      16000,
      (e) => events.push(e),
      (error) => failures.push(error),
    );
    const silence = new Float32Array(16000);
    for (const part of [silence, speech, silence]) {
      for (let i = 0; i < part.length; i += 320) engine.liveAudio(part.slice(i, i + 320));
    }
    await engine.stopLive();
    const finals = events.filter((e) => e.type === 'final');
    expect(finals.length).toBeGreaterThanOrEqual(1);
    expect(finals[0].words.length).toBeGreaterThan(0);
    expect(finals[0].startSec).toBeGreaterThan(0.5);
    expect(failures).toEqual([]);
    const stats = await engine.stats();
    expect(stats?.tensors).toBeGreaterThan(0);
    expect(stats?.rssBytes).toBeGreaterThan(10e6);
  });

  it('decodes every documented format for the host (MP3, FLAC, Ogg), as the engine reads them itself', async () => {
    for (const name of ['speech-22k.mp3', 'speech-44k-stereo.flac', 'speech-48k.ogg']) {
      const file = path.join(FIXTURES, name);
      const decoded = await engine.decodeAudio(file, 16000);
      expect(decoded).toBeInstanceOf(Float32Array);
      expect(decoded).toEqual(await loadAudioFile(file, 16000));
      expect(decoded.length / 16000).toBeGreaterThan(1);
    }
    await expect(engine.decodeAudio(path.join(FIXTURES, 'broken.flac'), 16000)).rejects.toMatchObject({
      info: { code: 'CORRUPT_AUDIO' },
    });
    await expect(engine.decodeAudio(path.join(dir, 'missing.mp3'), 16000)).rejects.toMatchObject({
      info: { code: 'FILE_NOT_FOUND' },
    });
  });

  it('reports engine errors by code', async () => {
    await expect(
      engine.run('job-2', path.join(dir, 'missing.wav'), 'missing.wav', () => {}),
    ).rejects.toMatchObject({
      info: { code: 'FILE_NOT_FOUND' },
    });
  });

  it('survives a crash of the process and transcribes again after the restart', async () => {
    await expect(
      engine.run('job-3', path.join(dir, 'crash-me.wav'), 'crash-me.wav', () => {}),
    ).rejects.toMatchObject({
      info: { code: 'ENGINE_CRASHED' },
    });
    expect(['crashed', 'starting', 'ready']).toContain(engine.status.state);
    await vi.waitFor(() => expect(engine.status.state).toBe('ready'), { timeout: 30_000, interval: 100 });
    expect(engine.status.restarts).toBe(1);
    const transcript = await engine.run('job-4', path.join(dir, 'speech.wav'), 'speech.wav', () => {});
    expect(transcript.words.length).toBeGreaterThan(0);
  });
});
