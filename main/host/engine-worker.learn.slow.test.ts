/**
 * Learning from corrections with real processes and a small random model: a round runs in a helper
 * engine process at the lowest priority (stopped while a dictation runs); kept weights
 * are written and the engine worker continues with them (its transcript changes); weights that are not
 * better are not written; "forget" deletes the data and the engine worker is back to the model's own
 * weights (the transcript is the original one again).
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LearningStatus, StudioEvent } from '../common/ipc-contract';
import type { Transcript } from '../common/transcript';
import { loadAudioFile } from '../engine/audio/load';
import { createRandomModel } from '../engine/model/random-model';
import { LearningService } from './correction-learning';
import type { LearnAdaptSettings } from './engine-protocol';
import type { EngineSupervisor } from './engine-supervisor';
import { startRealEngine } from './testing/real-engine';
import { LearningStore } from './learning-store';
import { PROFILE_SAMPLE_RATE } from './profile';

const SPEECH = fileURLToPath(new URL('../../e2e/fixtures/speech.wav', import.meta.url));
let dir: string;
let engine: EngineSupervisor;
let speech: Float32Array;
let jobs = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'engine-worker-learn-'));
  await createRandomModel(path.join(dir, 'base'), { seed: 11 });
  speech = await loadAudioFile(SPEECH, PROFILE_SAMPLE_RATE);
  engine = startRealEngine(path.join(dir, 'base'));
});

afterAll(async () => {
  engine?.dispose();
  await rm(dir, { recursive: true, force: true });
});

const transcribe = (): Promise<Transcript> => engine.run(`job-${++jobs}`, SPEECH, 'speech.wav', () => {});
/** What the model makes of the file, down to the word confidences: changes with the weights. */
const fingerprint = (t: Transcript) =>
  JSON.stringify(t.words.map((w) => [w.word, w.start, w.end, w.confidence]));

/** A service learning after 3 corrections, and the statuses it announces. */
function learningService(profile: string, adapt: LearnAdaptSettings) {
  const statuses: LearningStatus[] = [];
  let helperPid: number | undefined;
  const spying = Object.create(engine) as EngineSupervisor;
  spying.spawnHelper = () => {
    const helper = engine.spawnHelper();
    helperPid = helper.worker.pid;
    return helper;
  };
  const service = new LearningService(new LearningStore(profile), {
    engine: spying,
    audioOf: async () => speech,
    emit: (event: StudioEvent) => {
      if (event.type === 'learning') statuses.push(event.status);
    },
    roundSize: 3,
    adapt,
  });
  return { service, statuses, helperPid: () => helperPid };
}

const TEXTS = ['hello there', 'speech studio', 'one two three'];
const feed = async (service: LearningService) => {
  const span = speech.length / PROFILE_SAMPLE_RATE / 2;
  for (let i = 0; i < TEXTS.length; i++)
    await service.add({ fileId: 'speech', startSec: i * 0.3, endSec: i * 0.3 + span, text: TEXTS[i] });
};
/** A Linux process's state letter (R running, S sleeping, T stopped), from /proc. */
const processState = (pid: number) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];

/** Polls a condition until it holds (the test's own timeout ends a wait that never does). */
const until = async <T>(read: () => T | undefined): Promise<T> => {
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('learning rounds in a helper engine process', () => {
  it('runs at low priority, keeps better weights for the engine, and forgets them again', async () => {
    await until(() => (engine.status.state === 'ready' ? true : undefined));
    const original = fingerprint(await transcribe());
    const { service, statuses, helperPid } = learningService(path.join(dir, 'kept'), {
      // Two epochs: the round must still run when the dictation below starts.
      epochs: 2,
      learningRate: 0.05,
      forceAdapted: true,
    });
    await feed(service);
    const pid = await until(helperPid);
    // The helper lowers its own priority at the start of the round (the engine worker keeps its own).
    await until(() => (statuses.some((s) => s.running && s.running.phase !== 'starting') ? true : undefined));
    expect(os.getPriority(pid)).toBe(19);
    // A dictation stops the round's process (state T) until it ends.
    if (process.platform === 'linux') {
      const started = { deviceName: 'mic', sampleRate: 16000, source: 'native' } as never;
      service.observe({ type: 'dictation-started', started });
      await until(() => (processState(pid) === 'T' ? true : undefined));
      service.observe({ type: 'dictation-ended', reason: 'stopped', result: null, error: null });
      await until(() => (processState(pid) !== 'T' ? true : undefined));
    }

    const done = await until(() => statuses.find((s) => s.rounds.length === 1 && s.running === null));
    expect(done).toMatchObject({ waiting: 0, kept: 3, learnedWeights: true, error: null });
    expect(done.rounds[0]).toMatchObject({ round: 1, kept: 'adapted', newUtterances: 3 });
    await stat(service.store.weightsFile);
    // The engine worker continues with the learned weights (after the job queued behind them).
    const learned = fingerprint(await transcribe());
    expect(learned).not.toBe(original);

    // Forget: the files are gone and the engine worker reloads the model's own weights.
    await service.forget();
    await expect(stat(service.store.weightsFile)).rejects.toThrow();
    expect(fingerprint(await transcribe())).toBe(original);
    service.dispose();
  });

  it('does not keep weights that are not better on the held-back corrections', async () => {
    const before = fingerprint(await transcribe());
    const { service, statuses } = learningService(path.join(dir, 'not-better'), {
      epochs: 1,
      learningRate: 0,
    });
    await feed(service);
    const done = await until(() => statuses.find((s) => s.rounds.length === 1 && s.running === null));
    expect(done.rounds[0]).toMatchObject({ kept: 'base' });
    expect(done.rounds[0].heldBackWerAfter).toBeGreaterThanOrEqual(done.rounds[0].heldBackWerBefore);
    expect(done.learnedWeights).toBe(false);
    await expect(stat(service.store.weightsFile)).rejects.toThrow();
    expect(fingerprint(await transcribe())).toBe(before);
    service.dispose();
  });
});
