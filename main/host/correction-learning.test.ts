/**
 * LearningService with a scripted helper process: when a round starts, what it is sent, what its outcome
 * does (kept weights go to the engine; weights that are not better change nothing), and that a crash,
 * a switch-off or "forget" loses nothing it should keep.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LearningStatus, StudioEvent } from '../common/ipc-contract';
import {
  DEFAULT_ROUND_SIZE,
  LEARN_ROUND_SIZE_ENV,
  LearningService,
  roundSizeFromEnv,
} from './correction-learning';
import type { FromWorker, LearnRoundRequest, LearnRoundResult, ToWorker } from './engine-protocol';
import { EngineSupervisor, type EngineWorkerHandle } from './engine-supervisor';
import { HostError } from './errors';
import { LearningStore } from './learning-store';
import { PROFILE_SAMPLE_RATE } from './profile';

/** A helper process that does nothing by itself: the test answers for it. */
class ScriptedHelper implements EngineWorkerHandle {
  readonly pid = 4242;
  readonly sent: ToWorker[] = [];
  killed = false;
  private messageListeners: ((message: FromWorker) => void)[] = [];
  private exitListeners: ((code: number | null) => void)[] = [];
  send(message: ToWorker): void {
    this.sent.push(message);
  }
  onMessage(listener: (message: FromWorker) => void): void {
    this.messageListeners.push(listener);
  }
  onExit(listener: (code: number | null) => void): void {
    this.exitListeners.push(listener);
  }
  kill(): void {
    if (this.killed) return;
    this.killed = true;
    queueMicrotask(() => this.exit(null));
  }
  reply(message: FromWorker): void {
    for (const l of this.messageListeners) l(message);
  }
  exit(code: number | null): void {
    const listeners = this.exitListeners;
    this.exitListeners = [];
    for (const l of listeners) l(code);
  }
  get request(): LearnRoundRequest {
    const message = this.sent.find((m) => m.type === 'learn-round');
    if (message?.type !== 'learn-round') throw new Error('no round was sent');
    return message.request;
  }
}

let dir: string;
let helpers: ScriptedHelper[];
let learnedWeights: (string | null)[];
let events: LearningStatus[];
let signals: [number, string][];
/** What the scripted helper's memory reads (MB). */
let helperRssMb: number;
let rssReads: number;
let service: LearningService;

/** A supervisor that never starts a worker: its memory watchdog, reading the scripted helper's RSS. */
const watchdogs = new EngineSupervisor({
  spawn: () => new ScriptedHelper(),
  model: 'default',
  modelsDir: null,
  memoryLimitMb: 2048,
  memoryPollMs: 5,
  readRssMb: () => {
    rssReads++;
    return helperRssMb;
  },
});

const engine = {
  spawnHelper: () => {
    const worker = new ScriptedHelper();
    helpers.push(worker);
    return { worker, model: 'default', modelsDir: '/models' };
  },
  setLearnedWeights: (file: string | null) => learnedWeights.push(file),
  memoryWatchdog: watchdogs.memoryWatchdog.bind(watchdogs),
} as unknown as EngineSupervisor;

/** Ten seconds of "audio" per file id. */
const audioOf = async (fileId: string) => {
  if (fileId === 'missing') throw new HostError('UNKNOWN_FILE', 'no file with id missing was opened');
  return new Float32Array(10 * PROFILE_SAMPLE_RATE).fill(0.1);
};

const correction = (i: number) => ({ fileId: 'f1', startSec: i, endSec: i + 1, text: `sentence ${i}` });
const result = (
  kept: 'adapted' | 'base',
  weightsFile: string | null,
  checkIds: string[] = [],
): LearnRoundResult => ({
  kept,
  checkIds,
  heldBackWerBefore: 0.4,
  heldBackWerAfter: kept === 'adapted' ? 0.3 : 0.5,
  newUtterances: 3,
  replayed: 0,
  seconds: 12,
  weightsFile,
});
/** Resolves once an event says the round has finished (or failed). */
const roundEnded = () =>
  new Promise<LearningStatus>((resolve) => {
    const check = setInterval(() => {
      const last = events.at(-1);
      if (last && last.running === null && (last.rounds.length > 0 || last.error)) {
        clearInterval(check);
        resolve(last);
      }
    }, 5);
  });

/** Three corrections, and a round whose weights the helper says were better (and wrote). */
async function keptRound(): Promise<{ weights: string; status: LearningStatus }> {
  for (let i = 0; i < 3; i++) await service.add(correction(i));
  const ended = roundEnded();
  const weights = helpers[0].request.weightsOut;
  await writeFile(weights, 'weights');
  helpers[0].reply({
    type: 'learn-done',
    roundId: helpers[0].request.roundId,
    result: result('adapted', weights),
  });
  return { weights, status: await ended };
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'correction-learning-'));
  helpers = [];
  learnedWeights = [];
  events = [];
  signals = [];
  helperRssMb = 300;
  rssReads = 0;
  service = new LearningService(new LearningStore(dir), {
    signal: (pid, signal) => signals.push([pid, signal]),
    engine,
    audioOf,
    emit: (event: StudioEvent) => {
      if (event.type === 'learning') events.push(event.status);
    },
    roundSize: 3,
  });
});
afterEach(async () => {
  service.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('learning from corrections on the host', () => {
  it('starts a round in a helper process once roundSize corrections have gathered', async () => {
    await service.add(correction(0));
    const second = await service.add(correction(1));
    expect(second).toMatchObject({ kept: 2, waiting: 2, roundSize: 3, running: null, enabled: true });
    expect(helpers).toHaveLength(0);
    const third = await service.add(correction(2));
    expect(third.running).toEqual({ phase: 'starting' });
    expect(helpers).toHaveLength(1);
    const request = helpers[0].request;
    expect(request).toMatchObject({ model: 'default', modelsDir: '/models', learned: [], replay: 12 });
    expect(request.fresh.map((f) => f.text)).toEqual(['sentence 0', 'sentence 1', 'sentence 2']);
    expect(request.weightsOut).toBe(path.join(dir, 'learning', 'weights.bin'));
    // A fourth correction during the round waits for the next one; no second process.
    await service.add(correction(3));
    expect(helpers).toHaveLength(1);

    helpers[0].reply({
      type: 'learn-progress',
      roundId: request.roundId,
      progress: { phase: 'train', step: 2, total: 8, loss: 1.5, etaSec: 30, epoch: 1 },
    });
    expect((await service.status()).running).toMatchObject({ phase: 'train', step: 2, total: 8 });
  });

  it('gives the engine the new weights when they were kept, and records every round', async () => {
    const { weights, status } = await keptRound();
    expect(learnedWeights).toEqual([weights]);
    expect(helpers[0].killed).toBe(true);
    expect(status).toMatchObject({ waiting: 0, kept: 3, learnedWeights: true, error: null });
    expect(status.rounds).toEqual([
      expect.objectContaining({ round: 1, kept: 'adapted', heldBackWerBefore: 0.4, heldBackWerAfter: 0.3 }),
    ]);
    // The next round replays what was learned.
    for (let i = 3; i < 6; i++) await service.add(correction(i));
    expect(helpers[1].request.learned.map((l) => l.text)).toEqual(['sentence 0', 'sentence 1', 'sentence 2']);
  });

  it('sends the corrections kept back for the check apart from the replay, until a round trains on them', async () => {
    for (let i = 0; i < 3; i++) await service.add(correction(i));
    const finish = (helper: ScriptedHelper, checkIds: string[]) =>
      helper.reply({
        type: 'learn-done',
        roundId: helper.request.roundId,
        result: result('base', null, checkIds),
      });
    const [, , third] = helpers[0].request.fresh;
    finish(helpers[0], [third.id]);
    await expect.poll(async () => (await service.status()).waiting).toBe(0);
    for (let i = 3; i < 6; i++) await service.add(correction(i));
    expect(helpers[1].request.check.map((c) => c.text)).toEqual(['sentence 2']);
    expect(helpers[1].request.learned.map((l) => l.text)).toEqual(['sentence 0', 'sentence 1']);
    // The round trained on it (it is not in the new check): replayed from then on.
    const sixth = helpers[1].request.fresh[2];
    finish(helpers[1], [sixth.id]);
    await expect.poll(async () => (await service.status()).waiting).toBe(0);
    for (let i = 6; i < 9; i++) await service.add(correction(i));
    expect(helpers[2].request.check.map((c) => c.text)).toEqual(['sentence 5']);
    expect(helpers[2].request.learned.map((l) => l.text)).toEqual(
      [0, 1, 2, 3, 4].map((i) => `sentence ${i}`),
    );
  });

  it('sends only the evenly spread sample a round replays, not every earlier correction', async () => {
    const few = new LearningService(new LearningStore(path.join(dir, 'few')), {
      engine,
      audioOf,
      emit: () => {},
      roundSize: 2,
      replay: 2,
    });
    const finishRound = (helper: ScriptedHelper) =>
      helper.reply({ type: 'learn-done', roundId: helper.request.roundId, result: result('base', null) });
    for (let i = 0; i < 6; i += 2) {
      await few.add(correction(i));
      await few.add(correction(i + 1));
      finishRound(helpers.at(-1)!);
      await expect.poll(async () => (await few.status()).waiting).toBe(0);
    }
    await few.add(correction(6));
    await few.add(correction(7));
    // Six learned (0–5): the 1st and 4th of them ((i + 0.5) · 6 / 2), as CorrectionLearner picks them.
    expect(helpers.at(-1)!.request.learned.map((l) => l.text)).toEqual(['sentence 1', 'sentence 4']);
    few.dispose();
  });

  it('keeps the weights in use when a round is not better (nothing goes to the engine)', async () => {
    for (let i = 0; i < 3; i++) await service.add(correction(i));
    const ended = roundEnded();
    helpers[0].reply({
      type: 'learn-done',
      roundId: helpers[0].request.roundId,
      result: result('base', null),
    });
    const status = await ended;
    expect(learnedWeights).toEqual([]);
    expect(status).toMatchObject({ learnedWeights: false, waiting: 0 });
    expect(status.rounds[0]).toMatchObject({ kept: 'base', heldBackWerAfter: 0.5 });
  });

  it('loses no correction when the round crashes or is switched off, and starts again later', async () => {
    for (let i = 0; i < 3; i++) await service.add(correction(i));
    const ended = roundEnded();
    helpers[0].exit(134);
    const failed = await ended;
    expect(failed.error).toMatch(/stopped unexpectedly \(exit code 134\)/);
    expect(failed).toMatchObject({ waiting: 3, rounds: [] });
    // The next correction tries again, with all four.
    await service.add(correction(3));
    expect(helpers).toHaveLength(2);
    expect(helpers[1].request.fresh).toHaveLength(3);

    // Switched off mid-round: the process is stopped, nothing is learned or lost, and no new ones are kept.
    const off = await service.setEnabled(false);
    expect(helpers[1].killed).toBe(true);
    expect(off).toMatchObject({ enabled: false, running: null, waiting: 4, error: null });
    expect(await service.add(correction(5))).toMatchObject({ kept: 4 });
    // On again: the waiting corrections are due, so a round starts.
    await service.setEnabled(true);
    expect(helpers).toHaveLength(3);
  });

  it('stops a round whose process grows past the memory ceiling, and keeps its corrections waiting', async () => {
    for (let i = 0; i < 3; i++) await service.add(correction(i));
    const ended = roundEnded();
    // Within the ceiling the round runs on (the watchdog has looked three times); past it, it is stopped.
    const seen = rssReads;
    await expect.poll(() => rssReads).toBeGreaterThanOrEqual(seen + 3);
    expect(helpers[0].killed).toBe(false);
    helperRssMb = 2100;
    const failed = await ended;
    expect(helpers[0].killed).toBe(true);
    expect(failed.error).toBe(
      'The learning round used more than 2048 MB of memory and was stopped; your corrections are kept.',
    );
    expect(failed).toMatchObject({ waiting: 3, kept: 3, rounds: [], running: null });
  });

  it('forgets: stops the round, deletes audio, text, history and weights, and the engine drops them', async () => {
    const { weights } = await keptRound();
    for (let i = 3; i < 6; i++) await service.add(correction(i));
    expect(helpers).toHaveLength(2);
    const learning = path.join(dir, 'learning');
    expect((await readdir(learning)).filter((f) => f.endsWith('.wav'))).toHaveLength(6);

    const forgotten = await service.forget();
    expect(helpers[1].killed).toBe(true);
    expect(await readdir(learning)).toEqual(['index.json']);
    expect(forgotten).toMatchObject({
      kept: 0,
      waiting: 0,
      rounds: [],
      learnedWeights: false,
      running: null,
    });
    expect(learnedWeights).toEqual([weights, null]);
  });

  it.skipIf(process.platform === 'win32')(
    'pauses the round while anyone dictates, and starts a due one only after the dictation',
    async () => {
      for (let i = 0; i < 3; i++) await service.add(correction(i));
      const started = { deviceName: 'mic', sampleRate: 16000, source: 'native' } as never;
      service.observe({ type: 'dictation-started', started });
      expect(signals).toEqual([[4242, 'SIGSTOP']]);
      expect(await service.status()).toMatchObject({ paused: true });
      const ended = { type: 'dictation-ended', reason: 'stopped', result: null, error: null } as const;
      service.observe(ended);
      expect(signals).toEqual([
        [4242, 'SIGSTOP'],
        [4242, 'SIGCONT'],
      ]);
      expect(await service.status()).toMatchObject({ paused: false });

      // Switched off while paused: continued first, or the stopped process would ignore its end.
      service.observe({ type: 'dictation-started', started });
      await service.setEnabled(false);
      expect(signals.slice(2)).toEqual([
        [4242, 'SIGSTOP'],
        [4242, 'SIGCONT'],
      ]);
      expect(helpers[0].killed).toBe(true);
      // Due during a dictation: the round waits for its end.
      await service.setEnabled(true);
      expect(helpers).toHaveLength(1);
      service.observe(ended);
      await expect.poll(() => helpers.length).toBe(2);
    },
  );

  it('refuses spans outside the file or backwards, and unknown files, with a one-line reason', async () => {
    await expect(service.add({ fileId: 'f1', startSec: 2, endSec: 1, text: 'x' })).rejects.toThrow(
      /ends \(1 s\) before it starts \(2 s\)/,
    );
    await expect(service.add({ fileId: 'f1', startSec: 12, endSec: 13, text: 'x' })).rejects.toThrow(
      /after the end of the file \(10\.00 s\)/,
    );
    await expect(service.add({ fileId: 'f1', startSec: 0, endSec: 3600, text: 'x' })).rejects.toThrow(
      /3600 s long; at most 30 s/,
    );
    await expect(service.add({ ...correction(0), fileId: 'missing' })).rejects.toThrow(
      /no file with id missing/,
    );
    expect((await service.status()).kept).toBe(0);
  });

  it('takes the round size from the test-only environment variable, and refuses nonsense there', () => {
    expect(roundSizeFromEnv({})).toBe(DEFAULT_ROUND_SIZE);
    expect(roundSizeFromEnv({ [LEARN_ROUND_SIZE_ENV]: '2' })).toBe(2);
    expect(() => roundSizeFromEnv({ [LEARN_ROUND_SIZE_ENV]: 'two' })).toThrow(
      /integer from 2 to 1000, got "two"/,
    );
    expect(() => roundSizeFromEnv({ [LEARN_ROUND_SIZE_ENV]: '1' })).toThrow(LEARN_ROUND_SIZE_ENV);
  });
});
