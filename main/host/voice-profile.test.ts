/**
 * The voice profile through the studio service with a scripted engine worker: enrollment recordings
 * recorded through the dictation session without live recognition and kept once, in the profile folder
 * (normalised to 16 kHz WAV, redo replaces), corrections, adaptation with
 * progress/done/failed/cancel events, model selection (the worker is restarted with the adapted model's
 * folder and the choice survives a restart), deletion, and the refusals.
 */
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StudioEvent } from '../common/ipc-contract';
import { loadAudioFile } from '../engine/audio/load';
import { encodeWav } from '../engine/audio/wav-writer';
import { EngineSupervisor } from './engine-supervisor';
import { ENROLLMENT_PROMPTS } from './profile';
import { StudioService } from './studio-service';
import { fakeWorkers } from './testing/fake-worker';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'voice-profile-'));
});
// Retries: a service disposed at the end of a test may still be finishing an atomic save in the folder.
afterEach(() => rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }));

async function service(behaviour: Parameters<typeof fakeWorkers>[0] = {}) {
  const workers = fakeWorkers(behaviour);
  const events: StudioEvent[] = [];
  const engine = new EngineSupervisor({
    spawn: workers.spawn,
    model: 'base',
    modelsDir: null,
    restartDelayMs: 1,
  });
  const studio = new StudioService({
    mode: 'browser',
    version: '1.0.0',
    engine,
    projectFile: path.join(dir, 'project.json'),
    recordingsDir: path.join(dir, 'recordings'),
    mediaUrl: (id) => `/media/${id}`,
    emit: (e) => events.push(e),
  });
  await studio.startEngine();
  await vi.waitFor(() => expect(engine.status.state).toBe('ready'));
  return { studio, events, workers, engine };
}

/** A WAV of `seconds` of a 220 Hz tone at `rate`. */
async function wav(name: string, seconds: number, rate = 48000): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(
    file,
    encodeWav([tone(seconds, rate)], { sampleRate: rate, bitsPerSample: 16, encoding: 'int' }),
  );
  return file;
}

const profileDir = () => path.join(dir, 'profile');

/** A 220 Hz tone of `seconds` at `rate`. */
function tone(seconds: number, rate: number): Float32Array {
  const samples = new Float32Array(Math.round(seconds * rate));
  for (let i = 0; i < samples.length; i++) samples[i] = 0.3 * Math.sin((2 * Math.PI * 220 * i) / rate);
  return samples;
}

/** Records prompt `index` as the voice profile view does: a stream session that only records, then saved. */
async function record(studio: StudioService, index: number, seconds: number, rate = 48000) {
  await studio.startDictation({ source: 'stream', sampleRate: rate, enrollPrompt: index });
  const audio = tone(seconds, rate);
  for (let i = 0; i < audio.length; i += 2048) studio.pushDictationAudio(audio.subarray(i, i + 2048));
  return studio.saveEnrollment(index);
}

/** Every file under `folder`, relative to it. */
async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(folder, path.join(e.parentPath, e.name)))
    .sort();
}

describe('voice profile', () => {
  it('keeps enrollment recordings in the profile as 16 kHz WAV; a redo replaces the recording', async () => {
    const { studio, events, workers } = await service();
    const initial = await studio.getVoiceProfile();
    expect(initial.prompts).toHaveLength(ENROLLMENT_PROMPTS.length);
    expect(initial.prompts.length).toBeGreaterThanOrEqual(30);
    expect(initial.prompts.every((p) => p.recordedSec === null)).toBe(true);
    expect(initial).toMatchObject({ baseModel: 'base', models: [], selected: null, adapting: false });

    let profile = await record(studio, 2, 2);
    expect(profile.prompts[2].recordedSec).toBeCloseTo(2, 1);
    const saved = path.join(profileDir(), 'enrollment', '003.wav');
    expect((await loadAudioFile(saved, 16000)).length).toBeCloseTo(32000, -2);
    expect((await readFile(saved)).readUInt32LE(24)).toBe(16000); // the header's sample rate

    profile = await record(studio, 2, 3);
    expect(profile.prompts[2].recordedSec).toBeCloseTo(3, 1);
    expect(profile.prompts.filter((p) => p.recordedSec !== null)).toHaveLength(1);
    // Every window hears that the microphone is taken and free again; no dictation result goes out.
    expect(events.filter((e) => e.type === 'dictation-started')).toHaveLength(2);
    expect(events.filter((e) => e.type === 'dictation-ended')).toEqual([
      { type: 'dictation-ended', reason: 'stopped', result: null, error: null },
      { type: 'dictation-ended', reason: 'stopped', result: null, error: null },
    ]);
    // Persisted: a new service over the same folder sees it.
    studio.dispose();
    const again = await service();
    expect((await again.studio.getVoiceProfile()).prompts[2].recordedSec).toBeCloseTo(3, 1);
    again.studio.dispose();
    // Recorded only: the engine never started a live recogniser for it, and the take was written once,
    // into the profile (not also to recordings/ as a dictation).
    expect(workers.workers.flatMap((w) => w.received).filter((m) => m.type.startsWith('live-'))).toEqual([]);
    expect(await filesUnder(dir)).toEqual([
      path.join('profile', 'enrollment', '003.wav'),
      path.join('profile', 'enrollment', 'prompts.json'),
    ]);
  });

  it('refuses prompts out of range, a save of another prompt or of none, and recordings too short, long or empty', async () => {
    const { studio, events } = await service();
    await expect(studio.saveEnrollment(0)).rejects.toMatchObject({ code: 'DICTATION_IDLE' });
    await expect(record(studio, ENROLLMENT_PROMPTS.length, 1)).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
    await studio.startDictation({ source: 'stream', sampleRate: 16000, enrollPrompt: 0 });
    await expect(studio.saveEnrollment(1)).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    // The take goes on after a refused save.
    studio.pushDictationAudio(tone(1, 16000));
    expect((await studio.saveEnrollment(0)).prompts[0].recordedSec).toBeCloseTo(1, 1);
    await expect(record(studio, 1, 0.2)).rejects.toMatchObject({ code: 'RECORDING_TOO_SHORT' });
    await expect(record(studio, 1, 31, 16000)).rejects.toMatchObject({ code: 'RECORDING_TOO_LONG' });
    await expect(record(studio, 1, 0)).rejects.toMatchObject({ code: 'DICTATION_EMPTY' });
    await expect(
      studio.startDictation({
        source: 'stream',
        sampleRate: 16000,
        enrollPrompt: 1,
        typeInto: 'focused-app',
      }),
    ).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    // Stop from elsewhere (another window, the status bar) ends the take without keeping it, and says so.
    await studio.startDictation({ source: 'stream', sampleRate: 16000, enrollPrompt: 1 });
    studio.pushDictationAudio(tone(1, 16000));
    await expect(studio.stopDictation()).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(events.at(-1)).toMatchObject({
      type: 'dictation-ended',
      result: null,
      error: { code: 'CANCELLED', message: expect.stringContaining('prompt 2') },
    });
    expect(studio.getInfo().dictation).toBeNull();
    const profile = await studio.getVoiceProfile();
    expect(profile.prompts.filter((p) => p.recordedSec !== null).map((p) => p.index)).toEqual([0]);
    studio.dispose();
  });

  it('refuses unknown files and wordless corrections, and names an undecodable file by its name', async () => {
    const { studio } = await service();
    await expect(studio.addCorrection('nope', 'hello')).rejects.toMatchObject({ code: 'UNKNOWN_FILE' });
    const [ok] = await studio.addPaths([await wav('ok.wav', 1)]);
    await expect(studio.addCorrection(ok.id, ' ?! ')).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await writeFile(path.join(dir, 'corrupt.wav'), 'RIFFxxxxWAVE');
    const [corrupt] = await studio.addPaths([path.join(dir, 'corrupt.wav')]);
    const failure = await studio.addCorrection(corrupt.id, 'hello').catch((e: unknown) => e as Error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toContain('corrupt.wav');
    expect((failure as Error).message).not.toContain(dir); // named by its name, not its path
    expect((await studio.getVoiceProfile()).corrections).toEqual([]);
    studio.dispose();
  });

  it('adapts in the engine process with progress, then the model can be selected, survives a restart, and removed', async () => {
    const { studio, events, workers, engine } = await service();
    await expect(studio.startAdaptation({ name: 'me' })).rejects.toMatchObject({ code: 'NOT_ENOUGH_DATA' });
    for (const i of [0, 1]) {
      await record(studio, i, 1.5);
    }
    const [corr] = await studio.addPaths([await wav('corr.wav', 2)]);
    const withCorrection = await studio.addCorrection(corr.id, '  hello   there  world ');
    expect(withCorrection.corrections).toEqual([expect.objectContaining({ text: 'hello there world' })]);

    await studio.startAdaptation({ name: 'me', epochs: 1 });
    await vi.waitFor(() => expect(events.some((e) => e.type === 'adapt-done')).toBe(true));
    const start = workers.workers[0].received.find((m) => m.type === 'adapt-start');
    expect(start).toMatchObject({
      type: 'adapt-start',
      name: 'me',
      profileDir: profileDir(),
      options: { epochs: 1 },
      items: [
        { path: path.join(profileDir(), 'enrollment', '001.wav'), text: ENROLLMENT_PROMPTS[0] },
        { path: path.join(profileDir(), 'enrollment', '002.wav'), text: ENROLLMENT_PROMPTS[1] },
        { path: expect.stringMatching(/corrections/), text: 'hello there world' },
      ],
    });
    const progress = events.filter((e) => e.type === 'adapt-progress');
    expect(progress.map((e) => e.type === 'adapt-progress' && e.phase)).toEqual(['features', 'train']);
    expect(events.find((e) => e.type === 'adapt-done')).toMatchObject({
      summary: { kept: 'adapted', modelName: 'me', beforeWer: 0.5, afterWer: 0.25, utterances: 3 },
    });
    let profile = await studio.getVoiceProfile();
    expect(profile.models).toEqual([expect.objectContaining({ name: 'me', beforeWer: 0.5, afterWer: 0.25 })]);
    expect(profile.selected).toBeNull();
    await expect(studio.startAdaptation({ name: 'me' })).rejects.toMatchObject({ code: 'MODEL_EXISTS' });

    profile = await studio.selectModel('me');
    expect(profile.selected).toBe('me');
    expect(workers.workers).toHaveLength(2); // restarted, not crashed
    expect(workers.workers[1].received[0]).toMatchObject({
      type: 'load',
      model: path.join(profileDir(), 'models', 'me'),
    });
    expect(engine.status).toMatchObject({ state: 'ready', modelName: 'me', restarts: 0 });
    const statusEvents = events.filter((e) => e.type === 'adapt-failed');
    expect(statusEvents).toEqual([]);
    studio.dispose();

    // The choice is remembered: the next start loads the adapted model directly.
    const next = await service();
    expect(next.engine.status.modelName).toBe('me');
    expect(next.workers.workers[0].received[0]).toMatchObject({
      model: path.join(profileDir(), 'models', 'me'),
    });
    await expect(next.studio.selectModel('other')).rejects.toMatchObject({ code: 'UNKNOWN_MODEL' });
    // Removing the model in use goes back to the base model first.
    profile = await next.studio.deleteModel('me');
    expect(profile).toMatchObject({ models: [], selected: null });
    expect(next.engine.status.modelName).toBe('fake-model');
    await expect(stat(path.join(profileDir(), 'models', 'me'))).rejects.toThrow();
    await expect(next.studio.deleteModel('me')).rejects.toMatchObject({ code: 'UNKNOWN_MODEL' });
    next.studio.dispose();
  });

  it('keeps the base model when adaptation does not help, and reports failures and cancellation', async () => {
    const { studio, events } = await service({ adapt: { kept: 'base' } });
    for (const i of [0, 1]) {
      await record(studio, i, 1);
    }
    await studio.startAdaptation({ name: 'nothing' });
    await vi.waitFor(() => expect(events.some((e) => e.type === 'adapt-done')).toBe(true));
    expect(events.find((e) => e.type === 'adapt-done')).toMatchObject({
      summary: { kept: 'base', modelName: null },
    });
    expect((await studio.getVoiceProfile()).models).toEqual([]);
    studio.dispose();

    const held = await service({ adapt: { manual: true } });
    await held.studio.startAdaptation({ name: 'x' });
    expect((await held.studio.getVoiceProfile()).adapting).toBe(true);
    await expect(held.studio.startAdaptation({ name: 'y' })).rejects.toMatchObject({ code: 'ADAPT_BUSY' });
    // The engine is busy: no model switch under a running adaptation.
    await expect(held.studio.selectModel(null)).rejects.toMatchObject({ info: { code: 'ENGINE_BUSY' } });
    held.studio.cancelAdaptation();
    await vi.waitFor(() => expect(held.events.some((e) => e.type === 'adapt-failed')).toBe(true));
    expect(held.events.find((e) => e.type === 'adapt-failed')).toMatchObject({
      error: { code: 'CANCELLED' },
    });
    expect((await held.studio.getVoiceProfile()).adapting).toBe(false);
    held.studio.dispose();

    const crashing = await service({ adapt: { crash: true } });
    await crashing.studio.startAdaptation({ name: 'z' });
    await vi.waitFor(() => expect(crashing.events.some((e) => e.type === 'adapt-failed')).toBe(true));
    expect(crashing.events.find((e) => e.type === 'adapt-failed')).toMatchObject({
      error: { code: 'ENGINE_CRASHED' },
    });
    crashing.studio.dispose();
  });

  it('falls back to the base model when the selected adapted model does not load', async () => {
    const first = await service();
    for (const i of [0, 1]) {
      await record(first.studio, i, 1);
    }
    await first.studio.startAdaptation({ name: 'broken' });
    await vi.waitFor(() => expect(first.events.some((e) => e.type === 'adapt-done')).toBe(true));
    await first.studio.selectModel('broken');
    first.studio.dispose();

    const next = await service({ loadFailsFor: (model) => model.endsWith('broken') });
    expect(next.engine.status).toMatchObject({ state: 'ready', modelName: 'fake-model' });
    expect((await next.studio.getVoiceProfile()).selected).toBeNull();
    await expect(next.studio.selectModel('broken')).rejects.toMatchObject({
      info: { code: 'ENGINE_UNAVAILABLE', message: expect.stringContaining('broken') },
    });
    expect(next.engine.status).toMatchObject({ state: 'ready', modelName: 'fake-model' });
    next.studio.dispose();
  });
});
