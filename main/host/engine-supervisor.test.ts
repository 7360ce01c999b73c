import { describe, expect, it, vi } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { EngineStatus } from '../common/ipc-contract';
import { loadAudioFile } from '../engine/audio/load';
import { EngineJobError, EngineSupervisor } from './engine-supervisor';
import { fakeWorkers } from './testing/fake-worker';

function until(predicate: () => boolean): Promise<void> {
  return vi.waitFor(() => {
    if (!predicate()) throw new Error('not yet');
  });
}

function supervisor(
  behaviour: Parameters<typeof fakeWorkers>[0] = {},
  options: Partial<Omit<ConstructorParameters<typeof EngineSupervisor>[0], 'spawn'>> = {},
) {
  const workers = fakeWorkers(behaviour);
  const statuses: EngineStatus[] = [];
  const engine = new EngineSupervisor({
    spawn: workers.spawn,
    model: 'default',
    modelsDir: null,
    restartDelayMs: 1,
    onStatus: (s) => statuses.push(s),
    ...options,
  });
  return { engine, workers, statuses };
}

describe('EngineSupervisor', () => {
  it('loads the model and transcribes with progress', async () => {
    const { engine, statuses } = supervisor();
    engine.start();
    const progress = vi.fn();
    const transcript = await engine.run('job-1', '/audio/a.wav', 'a.wav', progress);
    expect(transcript.words).toHaveLength(2);
    expect(progress).toHaveBeenCalledWith(0.5, 0.5);
    expect(statuses.at(-1)).toMatchObject({
      state: 'ready',
      modelName: 'fake-model',
      backend: { kind: 'wasm' },
    });
    engine.dispose();
  });

  it('waits for the model before sending a job', async () => {
    const { engine } = supervisor();
    const job = engine.run('job-1', '/a.wav', 'a.wav', () => {});
    engine.start();
    await expect(job).resolves.toMatchObject({ text: 'hello world' });
    engine.dispose();
  });

  it('reports an engine error for the job and stays ready', async () => {
    const { engine } = supervisor({ failOn: (f) => f.includes('bad') });
    engine.start();
    await expect(engine.run('j1', '/bad.wav', 'bad.wav', () => {})).rejects.toMatchObject({
      info: { code: 'CORRUPT_AUDIO' },
    });
    await expect(engine.run('j2', '/good.wav', 'good.wav', () => {})).resolves.toBeTruthy();
    expect(engine.status.state).toBe('ready');
    engine.dispose();
  });

  it('survives a crash: the running job fails with a clear message, the worker restarts, the next job works', async () => {
    const { engine, workers, statuses } = supervisor({ crashOn: (f) => f.includes('crash') });
    engine.start();
    const failed = engine.run('j1', '/audio/crash.wav', 'crash.wav', () => {});
    await expect(failed).rejects.toBeInstanceOf(EngineJobError);
    await expect(failed).rejects.toMatchObject({ info: { code: 'ENGINE_CRASHED' } });
    await expect(failed).rejects.toThrow(/stopped unexpectedly while transcribing crash\.wav/);
    expect(statuses.some((s) => s.state === 'crashed' && s.restarts === 1)).toBe(true);

    await until(() => engine.status.state === 'ready');
    expect(workers.workers).toHaveLength(2);
    await expect(engine.run('j2', '/audio/fine.wav', 'fine.wav', () => {})).resolves.toMatchObject({
      text: 'hello world',
    });
    engine.dispose();
  });

  it('decodes files in the worker, and a crash fails the decodes in flight', async () => {
    const { engine, workers } = supervisor();
    engine.start();
    const file = fileURLToPath(new URL('../engine/__fixtures__/speech-22k.mp3', import.meta.url));
    const decoded = await engine.decodeAudio(file, 16000);
    expect(decoded).toEqual(await loadAudioFile(file, 16000));
    // Sent, then the worker dies before answering.
    const lost = engine.decodeAudio(file, 16000);
    workers.workers[0].crash(70);
    await expect(lost).rejects.toMatchObject({ info: { code: 'ENGINE_CRASHED' } });
    await expect(lost).rejects.toThrow(/while decoding the file/);
    engine.dispose();
    await expect(engine.decodeAudio(file, 16000)).rejects.toMatchObject({
      info: { code: 'ENGINE_UNAVAILABLE' },
    });
  });

  it('gives up after repeated crashes and says so', async () => {
    const { engine, workers } = supervisor({ crashOn: () => true }, { maxCrashes: 2 });
    engine.start();
    for (let i = 0; i < 3; i++) {
      await until(() => engine.status.state === 'ready');
      await expect(engine.run(`j${i}`, '/x.wav', 'x.wav', () => {})).rejects.toMatchObject({
        info: { code: 'ENGINE_CRASHED' },
      });
    }
    expect(engine.status.state).toBe('failed');
    expect(engine.status.message).toMatch(/crashed 3 times/);
    await expect(engine.run('j9', '/x.wav', 'x.wav', () => {})).rejects.toMatchObject({
      info: { code: 'ENGINE_UNAVAILABLE' },
    });
    expect(workers.workers).toHaveLength(3);
  });

  it('does not restart when the model cannot load', async () => {
    const { engine, workers } = supervisor({ loadError: 'model /models/default: manifest.json not found' });
    engine.start();
    await until(() => engine.status.state === 'failed');
    expect(engine.status.message).toContain('manifest.json not found');
    await expect(engine.run('j', '/a.wav', 'a.wav', () => {})).rejects.toMatchObject({
      info: { code: 'ENGINE_UNAVAILABLE' },
    });
    expect(workers.workers).toHaveLength(1);
  });

  it('dispose kills the worker and fails waiting jobs', async () => {
    const { engine, workers } = supervisor({ manual: true });
    engine.start();
    await until(() => engine.status.state === 'ready');
    const job = engine.run('j', '/a.wav', 'a.wav', () => {});
    engine.dispose();
    await expect(job).rejects.toMatchObject({ info: { code: 'ENGINE_STOPPED' } });
    expect(workers.workers[0].exited).toBe(true);
    engine.dispose();
  });

  it('stops a worker past its memory limit: that job fails with ENGINE_OUT_OF_MEMORY, the queue goes on', async () => {
    let hungry = false;
    const { engine, workers } = supervisor(
      { manual: true },
      // maxCrashes 0: one crash would fail the engine for good; a memory stop is not a crash.
      { maxCrashes: 0, memoryLimitMb: 100, memoryPollMs: 5, readRssMb: () => (hungry ? 5000 : 50) },
    );
    engine.start();
    for (let i = 0; i < 3; i++) {
      hungry = true;
      const bomb = engine.run(`bomb-${i}`, '/bomb.flac', 'bomb.flac', () => {});
      await expect(bomb).rejects.toMatchObject({
        info: {
          code: 'ENGINE_OUT_OF_MEMORY',
          message: expect.stringMatching(
            /^Transcribing bomb\.flac needed more than 100 MB of memory \(5000 MB\) and was stopped; .* the other files go on\.$/,
          ),
        },
      });
      hungry = false;
    }
    const good = engine.run('good', '/good.wav', 'good.wav', () => {});
    await until(() => (workers.workers.at(-1)?.pending.length ?? 0) > 0);
    workers.workers.at(-1)!.pending.shift()!();
    await expect(good).resolves.toMatchObject({ text: 'hello world' });
    expect(workers.workers).toHaveLength(4);
    expect(engine.status.state).toBe('ready');
    engine.dispose();
  });
});
