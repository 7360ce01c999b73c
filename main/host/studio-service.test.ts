import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StudioEvent } from '../common/ipc-contract';
import { utteranceText } from '../common/display-text';
import { applyUtterance, EMPTY_DICTATION } from '../common/spoken-commands';
import { EngineSupervisor } from './engine-supervisor';
import type { MicCapture, MicHandlers } from './native-mic';
import { StudioService } from './studio-service';
import { fakeWorkers } from './testing/fake-worker';
import { TextInsertion } from './text-insertion';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'studio-service-'));
});
// Retries: a service disposed at the end of a test may still be finishing an atomic save in the folder.
afterEach(() => rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }));

function service(
  behaviour: Parameters<typeof fakeWorkers>[0] = {},
  mic: MicCapture | null = null,
  textInsertion?: TextInsertion,
) {
  const workers = fakeWorkers(behaviour);
  const events: StudioEvent[] = [];
  const engine = new EngineSupervisor({
    spawn: workers.spawn,
    model: 'm',
    modelsDir: null,
    restartDelayMs: 1,
  });
  const studio = new StudioService({
    mode: 'browser',
    version: '1.2.3',
    engine,
    projectFile: path.join(dir, 'project.json'),
    recordingsDir: path.join(dir, 'recordings'),
    mediaUrl: (id) => `/media/${id}`,
    emit: (e) => events.push(e),
    mic,
    micUnavailable: mic ? null : 'test',
    textInsertion,
  });
  engine.start();
  return { studio, events, workers, engine };
}

async function audioFile(name: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, 'RIFF');
  return file;
}

const waitFor = (predicate: () => boolean) =>
  vi.waitFor(() => {
    if (!predicate()) throw new Error('not yet');
  });

describe('StudioService', () => {
  it('transcribes queued files one at a time, in order, with progress and ETA', async () => {
    const { studio, events, workers } = service({ manual: true });
    const [a, b] = await studio.addPaths([await audioFile('a.wav'), await audioFile('b.wav')]);
    const ta = studio.transcribe(a.id);
    const tb = studio.transcribe(b.id);
    await waitFor(() => workers.transcribed.length === 1);
    expect(workers.transcribed).toEqual([path.join(dir, 'a.wav')]);
    workers.workers[0].pending.shift()!();
    await waitFor(() => workers.transcribed.length === 2);
    workers.workers[0].pending.shift()!();
    await waitFor(() => events.filter((e) => e.type === 'job-done').length === 2);
    const types = events.map((e) => `${e.type}:${'fileId' in e ? (e.fileId === a.id ? 'a' : 'b') : ''}`);
    expect(types).toEqual([
      'job-queued:a',
      'job-queued:b',
      'job-progress:a',
      'job-done:a',
      'job-progress:b',
      'job-done:b',
    ]);
    const progress = events.find((e) => e.type === 'job-progress');
    expect(progress).toMatchObject({ jobId: ta.jobId, fraction: 0.5 });
    expect(progress?.type === 'job-progress' && progress.etaSec).toBeGreaterThanOrEqual(0);
    expect(tb.fileId).toBe(b.id);
    studio.dispose();
  });

  it('names files by their name, not their path, in error messages', async () => {
    const { studio, events } = service({ failOn: () => true });
    const [ref] = await studio.addPaths([await audioFile('broken.wav')]);
    studio.transcribe(ref.id);
    await waitFor(() => events.some((e) => e.type === 'job-failed'));
    const failed = events.find((e) => e.type === 'job-failed');
    expect(failed).toMatchObject({
      error: { code: 'CORRUPT_AUDIO', message: 'broken.wav: corrupt audio data (test)' },
    });
    studio.dispose();
  });

  it('cancels a queued job without running it', async () => {
    const { studio, events, workers } = service({ manual: true });
    const [a, b] = await studio.addPaths([await audioFile('a.wav'), await audioFile('b.wav')]);
    studio.transcribe(a.id);
    const tb = studio.transcribe(b.id);
    studio.cancel(tb.jobId);
    expect(events.at(-1)).toMatchObject({ type: 'job-failed', fileId: b.id, error: { code: 'CANCELLED' } });
    await waitFor(() => workers.transcribed.length === 1);
    workers.workers[0].pending.shift()!();
    await waitFor(() => events.some((e) => e.type === 'job-done'));
    expect(workers.transcribed).toHaveLength(1);
    studio.dispose();
  });

  it('refuses unknown file ids and paths that are not files', async () => {
    const { studio } = service();
    expect(() => studio.transcribe('nope')).toThrow(/no file with id nope/);
    await expect(studio.addPaths([path.join(dir, 'missing.wav')])).rejects.toThrow(/file not found/);
    await expect(studio.addPaths([dir])).rejects.toThrow(/not a regular file/);
    studio.dispose();
  });

  it('saves the project with paths and restores it in a new session', async () => {
    const first = service();
    const [ref] = await first.studio.addPaths([await audioFile('talk.wav')]);
    await first.studio.updateProject([
      { type: 'add-files', files: [{ fileId: ref.id }] },
      { type: 'select', fileId: ref.id },
      { type: 'edit-word', fileId: ref.id, word: { index: 0, start: 0, end: 0 }, text: 'fixed' },
    ]);
    const stored = JSON.parse(await readFile(path.join(dir, 'project.json'), 'utf8'));
    expect(stored.items[0].path).toBe(path.join(dir, 'talk.wav'));
    first.studio.dispose();

    const second = service();
    const project = await second.studio.loadProject();
    expect(project.items).toHaveLength(1);
    expect(project.items[0]).toMatchObject({ file: { name: 'talk.wav' }, edits: { '0': 'fixed' } });
    expect(project.selectedId).toBe(project.items[0].file.id);
    // The restored id works for transcription again.
    second.studio.transcribe(project.items[0].file.id);
    await waitFor(() => second.events.some((e) => e.type === 'job-done'));
    second.studio.dispose();
  });

  it('refuses to add files it never registered', async () => {
    const { studio } = service();
    await expect(
      studio.updateProject([{ type: 'add-files', files: [{ fileId: 'forged' }] }]),
    ).rejects.toThrow(/file forged was never opened/);
    studio.dispose();
  });

  it('streams dictation to the live engine: partials and finals reach the renderer, the recording is kept', async () => {
    const { studio, events, workers } = service();
    const started = await studio.startDictation({ source: 'stream', sampleRate: 48000 });
    expect(started).toMatchObject({ source: 'stream', sampleRate: 48000 });
    await expect(studio.startDictation({ source: 'stream', sampleRate: 48000 })).rejects.toThrow(
      /already running/,
    );
    studio.pushDictationAudio(new Float32Array(4800).fill(0.25));
    studio.pushDictationAudio(new Float32Array(4800).fill(-0.25));
    await waitFor(() => events.some((e) => e.type === 'dictation-partial'));
    const result = await studio.stopDictation();
    // The final arrived before stop resolved, and the transcript is the session's finals.
    // The engine's punctuated text travels beside the words as recognised
    expect(events.find((e) => e.type === 'dictation-final')).toMatchObject({
      text: 'hello',
      displayText: 'hello.',
      segment: 1,
    });
    expect(result.transcript.text).toBe('hello');
    expect(result.transcript.durationSec).toBeCloseTo(0.2, 6);
    expect(workers.workers[0].liveSamples).toBe(9600);
    expect(workers.transcribed).toEqual([]); // no file job: the live results were complete
    expect(result.file.name).toMatch(/^dictation-.*\.wav$/);
    const wav = await readFile(studio.files.get(result.file.id)!.path);
    expect(wav.toString('latin1', 0, 4)).toBe('RIFF');
    expect(wav.readUInt32LE(24)).toBe(48000);
    expect(wav.length).toBe(44 + 9600 * 2);
    // A second session can start once the first has stopped.
    await studio.startDictation({ source: 'stream', sampleRate: 16000 });
    studio.cancelDictation();
    studio.dispose();
  });

  it('keeps the recording when the engine crashes mid-dictation, and transcribes it as a file at stop', async () => {
    const { studio, events, workers } = service({ crashLiveAfterSamples: 3200 });
    await studio.startDictation({ source: 'stream', sampleRate: 16000 });
    studio.pushDictationAudio(new Float32Array(1600).fill(0.1));
    studio.pushDictationAudio(new Float32Array(1600).fill(0.1));
    await waitFor(() => events.some((e) => e.type === 'dictation-error'));
    expect(events.find((e) => e.type === 'dictation-error')).toMatchObject({
      error: { code: 'ENGINE_CRASHED', message: expect.stringMatching(/recording so far is kept/) },
    });
    studio.pushDictationAudio(new Float32Array(1600).fill(0.1)); // still recording
    const result = await studio.stopDictation();
    // The restarted engine transcribed the whole recording (4800 samples) as a file.
    expect(workers.workers).toHaveLength(2);
    expect(workers.transcribed).toHaveLength(1);
    const wav = await readFile(workers.transcribed[0]);
    expect(wav.length).toBe(44 + 4800 * 2);
    expect(result.transcript.text).toBe('hello world');
    studio.dispose();
  });

  it('plays an opened file as the microphone, at real-time pace, and finishes by itself when it ends', async () => {
    const { studio, events, workers } = service();
    const source = path.join(dir, 'speech.wav');
    const { encodeWav } = await import('../engine/audio/wav-writer');
    await writeFile(
      source,
      encodeWav([new Float32Array(3200).fill(0.2)], {
        sampleRate: 16000,
        bitsPerSample: 16,
        encoding: 'int',
      }),
    );
    const [ref] = await studio.addPaths([source]);
    const started = await studio.startDictation({ source: 'file', fileId: ref.id });
    expect(started).toEqual({ source: 'file', deviceName: 'file: speech.wav', sampleRate: 16000 });
    expect(events).toContainEqual({ type: 'dictation-started', started });
    expect(studio.getInfo().dictation).toEqual(started);
    // The file's 3200 samples, then the session ends on its own: no "Listening…" for ever.
    await waitFor(() => events.some((e) => e.type === 'dictation-ended'));
    const ended = events.find((e) => e.type === 'dictation-ended')!;
    expect(ended).toMatchObject({ reason: 'source-ended', error: null });
    const result = (ended as Extract<StudioEvent, { type: 'dictation-ended' }>).result!;
    expect(workers.workers[0].liveSamples).toBe(3200);
    expect(events.some((e) => e.type === 'mic-level')).toBe(true);
    expect(events.some((e) => e.type === 'dictation-final')).toBe(true); // the last utterance was finalised
    expect(studio.getInfo().dictation).toBeNull();
    await expect(studio.stopDictation()).rejects.toThrow(/not running/);
    const recording = await readFile(studio.files.get(result.file.id)!.path);
    expect((recording.length - 44) / 2).toBe(3200);
    expect(result.transcript.durationSec).toBeCloseTo(0.2, 6);
    expect(recording.readInt16LE(44)).toBe(Math.round(0.2 * 32767));
    await expect(studio.startDictation({ source: 'file', fileId: 'nope' })).rejects.toThrow(/opened file/);
    studio.dispose();
  });

  it('types finals into the focused application when asked, and says what to install when it cannot', async () => {
    const typed: string[][] = [];
    const linux = (tools: string[]) => ({
      platform: 'linux' as const,
      env: { DISPLAY: ':9' },
      findTool: async (name: string) => (tools.includes(name) ? `/usr/bin/${name}` : null),
    });
    const run = async (_file: string, args: string[]) => {
      typed.push(args);
      return args[0] === 'getwindowfocus' || args[0] === 'getactivewindow' ? '4242\n' : '';
    };
    const { studio, events } = service({}, null, new TextInsertion({ environment: linux(['xdotool']), run }));
    expect(await studio.getTextInsertion()).toEqual({ method: 'xdotool', hint: null });
    const started = await studio.startDictation({
      source: 'stream',
      sampleRate: 16000,
      typeInto: 'focused-app',
    });
    expect(started.typeInto).toBe('focused-app');
    studio.pushDictationAudio(new Float32Array(16000).fill(0.1));
    await studio.stopDictation();
    const final = events.find((e) => e.type === 'dictation-final');
    expect(final).toBeDefined();
    // The final (from the fake engine, as the studio's document shows it: punctuated where the engine
    // punctuates) went to the window that had focus at the start.
    await waitFor(() => typed.some((args) => args[0] === 'type'));
    const shown = final as { text: string; displayText?: string };
    expect(typed.find((args) => args[0] === 'type')!.at(-1)).toBe(
      applyUtterance(EMPTY_DICTATION, utteranceText('', shown, true)).text,
    );
    studio.dispose();

    const none = service({}, null, new TextInsertion({ environment: linux([]), run }));
    expect(await none.studio.getTextInsertion()).toEqual({
      method: 'none',
      hint: expect.stringMatching(/install xdotool/),
    });
    await expect(
      none.studio.startDictation({ source: 'stream', sampleRate: 16000, typeInto: 'focused-app' }),
    ).rejects.toMatchObject({
      code: 'TEXT_INSERTION_UNAVAILABLE',
      message: expect.stringMatching(/install xdotool/),
    });
    // Nothing was started: a plain dictation still can be.
    expect(none.studio.getInfo().dictation).toBeNull();
    await none.studio.startDictation({ source: 'stream', sampleRate: 16000 });
    none.studio.cancelDictation();
    none.studio.dispose();
  });

  it('tells every window when dictation starts and ends, and how', async () => {
    const { studio, events } = service();
    const started = await studio.startDictation({ source: 'stream', sampleRate: 16000 });
    expect(events.filter((e) => e.type === 'dictation-started')).toEqual([
      { type: 'dictation-started', started },
    ]);
    studio.cancelDictation();
    expect(events.at(-1)).toEqual({
      type: 'dictation-ended',
      reason: 'cancelled',
      result: null,
      error: null,
    });
    await studio.startDictation({ source: 'stream', sampleRate: 16000 });
    await expect(studio.stopDictation('client-gone')).rejects.toThrow(/No audio/);
    expect(events.at(-1)).toMatchObject({
      type: 'dictation-ended',
      reason: 'client-gone',
      result: null,
      error: { code: 'DICTATION_EMPTY' },
    });
    await studio.startDictation({ source: 'stream', sampleRate: 16000 });
    studio.pushDictationAudio(new Float32Array(1600).fill(0.1));
    const result = await studio.stopDictation();
    expect(events.at(-1)).toEqual({ type: 'dictation-ended', reason: 'stopped', result, error: null });
    studio.dispose();
  });

  it('names a file that cannot stand in for the microphone by its name, not its path', async () => {
    const { studio } = service();
    const [ref] = await studio.addPaths([await audioFile('broken.wav')]);
    const error = (await studio
      .startDictation({ source: 'file', fileId: ref.id })
      .catch((e: unknown) => e)) as {
      code: string;
      message: string;
    };
    expect(error.code).toBe('CORRUPT_AUDIO');
    expect(error.message).toMatch(/^broken\.wav: corrupt audio data/);
    expect(error.message).not.toContain(dir);
    studio.dispose();
  });

  it('refuses to transcribe an empty dictation', async () => {
    const { studio } = service();
    await studio.startDictation({ source: 'stream', sampleRate: 16000 });
    await expect(studio.stopDictation()).rejects.toThrow(/No audio was recorded/);
    await expect(studio.stopDictation()).rejects.toThrow(/not running/);
    // The engine's live session was released: a new one starts.
    await studio.startDictation({ source: 'stream', sampleRate: 16000 });
    studio.dispose();
  });

  it('uses the native microphone when there is one; a lost device keeps what was recorded', async () => {
    let handlers: MicHandlers | null = null;
    const mic: MicCapture = {
      listDevices: () => [{ index: 0, name: 'USB mic' }],
      start: (_index, h) => {
        handlers = h;
        return { deviceName: 'USB mic', sampleRate: 16000 };
      },
      stop: vi.fn(),
    };
    const { studio, events } = service({}, mic);
    expect(studio.getInfo().mic).toEqual({
      source: 'native',
      devices: [{ index: 0, name: 'USB mic' }],
      nativeUnavailable: null,
    });
    expect(await studio.startDictation({ source: 'native', deviceIndex: 0 })).toEqual({
      source: 'native',
      deviceName: 'USB mic',
      sampleRate: 16000,
    });
    handlers!.onFrame(new Float32Array(1600).fill(0.5));
    expect(events.some((e) => e.type === 'mic-level' && e.level > 0.5)).toBe(true);
    handlers!.onError(
      Object.assign(new Error('Microphone "USB mic" stopped delivering audio.'), { code: 'MIC_LOST' }),
    );
    expect(events.at(-1)).toMatchObject({
      type: 'dictation-error',
      error: { code: 'MIC_LOST', message: expect.stringMatching(/recorded so far is kept/) },
    });
    const result = await studio.stopDictation();
    expect(result.transcript.durationSec).toBeCloseTo(0.1, 6);
    expect(mic.stop).toHaveBeenCalled();
    studio.dispose();
  });

  it('makes every dictation frame finite, whatever its source, so one bad sample cannot empty the transcript', async () => {
    let handlers: MicHandlers | null = null;
    const mic: MicCapture = {
      listDevices: () => [],
      start: (_index, h) => {
        handlers = h;
        return { deviceName: 'odd device', sampleRate: 16000 };
      },
      stop: vi.fn(),
    };
    const { studio, workers } = service({}, mic);
    await studio.startDictation({ source: 'native' });
    handlers!.onFrame(new Float32Array([0.5, NaN, Infinity, -Infinity, 1e30, -1e30, -0.25]));
    await waitFor(() => workers.workers[0].liveSamples === 7);
    const sent = workers.workers[0].received.flatMap((m) => (m.type === 'live-audio' ? [...m.samples] : []));
    expect(sent).toEqual([0.5, 0, 1, -1, 1, -1, -0.25]);
    const result = await studio.stopDictation();
    const recording = await readFile(studio.files.get(result.file.id)!.path);
    expect(recording.readInt16LE(44 + 2)).toBe(0); // the NaN is silence in the recording too
    studio.dispose();
  });

  it('saves the boosted vocabulary in the profile, sends it to the engine, and again after a restart', async () => {
    const { studio, workers } = service();
    const profile = await studio.setVocabulary(['  Kowalski ', 'tensor  processing unit', '', 'Kowalski']);
    expect(profile.vocabulary).toEqual(['Kowalski', 'tensor processing unit']);
    const sent = () =>
      workers.workers
        .at(-1)!
        .received.filter((m) => m.type === 'set-vocabulary')
        .map((m) => m.type === 'set-vocabulary' && m.phrases);
    await waitFor(() => sent().length === 1);
    expect(sent()).toEqual([['Kowalski', 'tensor processing unit']]);
    // A crashed engine gets it again with its model.
    workers.workers[0].crash(70);
    await waitFor(() => workers.workers.length === 2 && sent().length === 1);
    expect(sent()).toEqual([['Kowalski', 'tensor processing unit']]);
    studio.dispose();
    // The next start reads it from the profile and gives it to the engine before any job.
    const next = service();
    expect((await next.studio.getVoiceProfile()).vocabulary).toEqual(['Kowalski', 'tensor processing unit']);
    next.engine.dispose();
    const fresh = fakeWorkers();
    const supervisor = new EngineSupervisor({ spawn: fresh.spawn, model: 'm', modelsDir: null });
    const restarted = new StudioService({
      mode: 'browser',
      version: '1',
      engine: supervisor,
      projectFile: path.join(dir, 'project.json'),
      recordingsDir: path.join(dir, 'recordings'),
      mediaUrl: (id) => `/media/${id}`,
      emit: () => {},
    });
    await restarted.startEngine();
    await waitFor(() => fresh.workers.length === 1 && fresh.workers[0].received.length >= 2);
    expect(fresh.workers[0].received.slice(0, 2).map((m) => m.type)).toEqual(['load', 'set-vocabulary']);
    await expect(restarted.setVocabulary(Array.from({ length: 5001 }, (_, i) => `w${i}`))).rejects.toThrow(
      /at most 5000/,
    );
    restarted.dispose();
  });

  it('explains when native capture is unavailable', async () => {
    const { studio } = service();
    expect(studio.getInfo().mic).toEqual({ source: 'stream', devices: [], nativeUnavailable: 'test' });
    await expect(studio.startDictation({ source: 'native' })).rejects.toThrow(/not available \(test\)/);
    studio.dispose();
  });
});

describe('StudioService: the batch queue across restarts', () => {
  const storedProject = async () =>
    JSON.parse(await readFile(path.join(dir, 'project.json'), 'utf8').catch(() => '{}')) as {
      items?: { path: string; transcript: { text: string } | null }[];
      queue?: { paused: boolean; pending: { path: string }[] };
    };

  it('restarted mid-batch, resumes the files still to do and does not redo finished ones', async () => {
    const first = service({ manual: true });
    const files = await first.studio.addPaths([
      await audioFile('one.wav'),
      await audioFile('two.wav'),
      await audioFile('three.wav'),
    ]);
    for (const f of files) first.studio.transcribe(f.id);
    await waitFor(() => first.workers.transcribed.length === 1);
    first.workers.workers[0].pending.shift()!(); // one.wav finishes
    await waitFor(() => first.workers.transcribed.length === 2); // two.wav is running
    const done = first.events.find((e) => e.type === 'job-done');
    expect(done).toMatchObject({ fileId: files[0].id, seq: 1 });
    // The host recorded the outcome and the rest of the queue itself: the renderer never saved.
    await vi.waitFor(async () => {
      const stored = await storedProject();
      expect(stored.queue?.pending.map((f) => path.basename(f.path))).toEqual(['two.wav', 'three.wav']);
      expect(stored.items?.map((i) => [path.basename(i.path), i.transcript?.text])).toEqual([
        ['one.wav', 'hello world'],
      ]);
    });
    first.studio.dispose(); // quit with two.wav half done

    const second = service();
    const queued = second.studio.getQueue();
    expect(queued.jobs).toEqual([]); // nothing runs before the saved queue is restored
    const project = await second.studio.loadProject();
    expect(project.items[0]).toMatchObject({
      file: { name: 'one.wav' },
      transcript: { text: 'hello world' },
    });
    await waitFor(() => second.events.filter((e) => e.type === 'job-done').length === 2);
    expect(second.workers.transcribed.map((f) => path.basename(f))).toEqual(['two.wav', 'three.wav']);
    const after = await second.studio.loadProject();
    expect(after.items.map((i) => [i.file.name, i.transcript?.text])).toEqual([
      ['one.wav', 'hello world'],
      ['two.wav', 'hello world'],
      ['three.wav', 'hello world'],
    ]);
    await vi.waitFor(async () => expect((await storedProject()).queue?.pending).toEqual([]));
    // Restoring again (a page reload) queues nothing twice.
    await second.studio.restore();
    expect(second.studio.getQueue().jobs).toEqual([]);
    second.studio.dispose();
  });

  it('pauses after the running file, resumes, and keeps the paused state over a restart', async () => {
    const first = service({ manual: true });
    const [a, b] = await first.studio.addPaths([await audioFile('p1.wav'), await audioFile('p2.wav')]);
    first.studio.transcribe(a.id);
    first.studio.transcribe(b.id);
    await waitFor(() => first.workers.transcribed.length === 1);
    await first.studio.pauseQueue(true);
    expect(first.events.at(-1)).toEqual({ type: 'queue-paused', paused: true });
    first.workers.workers[0].pending.shift()!(); // p1 finishes; p2 must wait
    await waitFor(() => first.events.some((e) => e.type === 'job-done'));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(first.workers.transcribed).toHaveLength(1);
    expect(first.studio.getQueue()).toMatchObject({
      paused: true,
      jobs: [{ fileId: b.id, state: 'queued' }],
    });
    await vi.waitFor(async () => expect((await storedProject()).queue?.paused).toBe(true));
    first.studio.dispose();

    const second = service({ manual: true });
    await second.studio.loadProject();
    const queue = second.studio.getQueue();
    expect(queue.paused).toBe(true);
    expect(queue.jobs).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(second.workers.transcribed).toEqual([]);
    await second.studio.pauseQueue(false);
    await waitFor(() => second.workers.transcribed.length === 1);
    expect(path.basename(second.workers.transcribed[0])).toBe('p2.wav');
    second.studio.dispose();
  });

  it('keeps the transcripts it recorded: the page sends only what the user did', async () => {
    const { studio, events } = service();
    const [ref] = await studio.addPaths([await audioFile('race.wav')]);
    studio.transcribe(ref.id);
    // The page adds the file with its reference after the host has already recorded its transcript.
    await waitFor(() => events.some((e) => e.type === 'job-done'));
    await studio.updateProject([
      { type: 'add-files', files: [{ fileId: ref.id, reference: 'hello there', set: 's' }] },
    ]);
    let project = await studio.loadProject();
    expect(project.items).toHaveLength(1);
    expect(project.items[0]).toMatchObject({ transcript: { text: 'hello world' }, reference: 'hello there' });
    await studio.updateProject([{ type: 'remove-file', fileId: ref.id }]);
    project = await studio.loadProject();
    expect(project.items).toEqual([]);
    studio.dispose();
  });

  it('adds a stopped dictation’s recording with the transcript the host made of it', async () => {
    const { studio } = service();
    await studio.startDictation({ source: 'stream', sampleRate: 16000 });
    studio.pushDictationAudio(new Float32Array(16000).fill(0.1));
    const result = await studio.stopDictation();
    await studio.updateProject([{ type: 'add-files', files: [{ fileId: result.file.id }] }]);
    const project = await studio.loadProject();
    expect(project.items.map((i) => [i.file.id, i.transcript])).toEqual([
      [result.file.id, result.transcript],
    ]);
    studio.dispose();
  });
});

describe('StudioService: folders and manifests (Electron dialogs)', () => {
  it('adds a folder recursively with the .txt references beside the audio, as npm run eval does', async () => {
    const { studio, events } = service();
    const root = path.join(dir, 'corpus');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(path.join(root, 'sub'), { recursive: true });
    await writeFile(path.join(root, 'sub', 'a.wav'), 'RIFF');
    await writeFile(path.join(root, 'sub', 'a.txt'), 'Hello\r\nthere ');
    await writeFile(path.join(root, 'b.flac'), 'fLaC');
    await writeFile(path.join(root, 'stray.txt'), 'no audio');
    await writeFile(path.join(root, '.hidden.wav'), 'RIFF');
    const added = await studio.addFolder(root);
    expect(added.set).toBe('corpus');
    expect(added.files.map((f) => [f.path, f.reference, f.file.name])).toEqual([
      ['b.flac', null, 'b.flac'],
      ['sub/a.wav', 'Hello there', 'a.wav'],
    ]);
    // b.flac has no reference: the app counts it once transcribed (as the CLI does), not when it is added.
    expect(added.warnings).toEqual([expect.stringMatching(/stray\.txt/)]);
    // The files are registered: they can be transcribed (waited for, so no save is left in flight).
    const ticket = studio.transcribe(added.files[1].file.id);
    await waitFor(() => events.some((e) => e.type === 'job-done' && e.jobId === ticket.jobId));
    await studio.loadProject();
    studio.dispose();
  });

  it('adds the files a manifest lists, relative to its folder, and warns about missing ones', async () => {
    const { studio } = service();
    await audioFile('m1.wav');
    await writeFile(path.join(dir, 'refs.tsv'), 'path\ttranscript\nm1.wav\tone two\nmissing.wav\tthree\n');
    const added = await studio.addManifest(path.join(dir, 'refs.tsv'));
    expect(added.set).toBe('refs');
    expect(added.files.map((f) => [f.path, f.reference])).toEqual([['m1.wav', 'one two']]);
    expect(added.warnings.join('\n')).toMatch(/1 listed audio file\(s\) not found/);
    await writeFile(path.join(dir, 'bad.tsv'), 'a.wav one two\n');
    await expect(studio.addManifest(path.join(dir, 'bad.tsv'))).rejects.toThrow(/line 1: no tab/);
    studio.dispose();
  });
});
