/**
 * Learning from corrections on the host: each correction the user makes (a corrected segment in the file
 * editor, a corrected sentence of a dictation) keeps that span's audio and text in the voice profile
 * (learning-store.ts); once `roundSize` new ones have gathered, a round runs in a helper engine process
 * at low priority (learning-round.ts) while the engine worker goes on dictating and transcribing. When
 * the round's weights are better on the corrections kept back to check it, the engine worker continues with
 * them (and loads them again after every restart); otherwise nothing changes.
 *
 * Nothing is lost to a crash or cancel: corrections are marked learned only when a round has finished,
 * so an interrupted round's corrections wait for the next, which starts with the next correction (or
 * at the host's next start).
 */
import type { LearningCorrection, LearningStatus, StudioEvent } from '../common/ipc-contract';
import { evenlySpread } from '../engine/adapt/replay';
import type { FromWorker, LearnAdaptSettings, LearnRoundResult } from './engine-protocol';
import type { EngineSupervisor, EngineWorkerHandle } from './engine-supervisor';
import { HostError } from './errors';
import type { LearningItem, LearningStore } from './learning-store';
import { PROFILE_SAMPLE_RATE } from './profile';

/**
 * Test-only: a smaller round size (the e2e test learns after 2 corrections instead of 20). Never set in
 * use; the value must be an integer from 2 to 1000.
 */
export const LEARN_ROUND_SIZE_ENV = 'SPEECH_STUDIO_LEARN_ROUND_SIZE';
export const DEFAULT_ROUND_SIZE = 20;
/** Earlier corrections trained on again in each round (CorrectionLearner's replay). */
export const DEFAULT_REPLAY = 12;

export function roundSizeFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[LEARN_ROUND_SIZE_ENV];
  if (raw === undefined || raw === '') return DEFAULT_ROUND_SIZE;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 2 || value > 1000)
    throw new Error(`${LEARN_ROUND_SIZE_ENV} must be an integer from 2 to 1000, got "${raw}"`);
  return value;
}

export interface LearningDeps {
  engine: EngineSupervisor;
  /** The audio of an opened file at PROFILE_SAMPLE_RATE (a HostError for unknown or unreadable files). */
  audioOf: (fileId: string) => Promise<Float32Array>;
  emit: (event: StudioEvent) => void;
  roundSize?: number;
  replay?: number;
  /** Adaptation settings for rounds (tests: 1 epoch, keep weights that are not better). */
  adapt?: LearnAdaptSettings;
  /** Sends a signal to a process (default process.kill; tests record instead). */
  signal?: (pid: number, signal: NodeJS.Signals) => void;
}

/**
 * Whether a running round can be paused by stopping its process (SIGSTOP/SIGCONT): POSIX systems. On
 * Windows the round runs on at its low priority while dictating.
 */
const CAN_PAUSE = process.platform !== 'win32';

interface RunningRound {
  roundId: string;
  worker: EngineWorkerHandle;
  progress: LearningStatus['running'];
  exited: Promise<void>;
  /** Stopped on purpose (switched off, forgotten, shut down): its end is no failure. */
  stopped: boolean;
  /** Its process has been told to end. */
  killed: boolean;
  /** Stops the round's memory watchdog. */
  stopWatchdog?: () => void;
}

let roundCounter = 0;

export class LearningService {
  private round: RunningRound | null = null;
  /** A dictation is running: rounds wait (a running one is paused, a due one does not start). */
  private dictating = false;
  private error: string | null = null;
  private disposed = false;
  readonly roundSize: number;

  constructor(
    readonly store: LearningStore,
    private readonly deps: LearningDeps,
  ) {
    this.roundSize = deps.roundSize ?? DEFAULT_ROUND_SIZE;
  }

  /** At the host's start: the engine uses the weights learned so far; a round that was due runs now. */
  async start(): Promise<void> {
    if (await this.store.hasWeights()) this.deps.engine.setLearnedWeights(this.store.weightsFile);
    await this.startRoundIfDue();
  }

  async status(): Promise<LearningStatus> {
    const [index, learnedWeights] = await Promise.all([this.store.index(), this.store.hasWeights()]);
    return {
      enabled: index.enabled,
      kept: index.items.length,
      waiting: index.items.filter((i) => !i.learned).length,
      bytes: index.items.reduce((n, i) => n + i.bytes, 0),
      roundSize: this.roundSize,
      limits: this.store.limits,
      running: this.round?.progress ?? null,
      paused: this.round !== null && this.dictating && CAN_PAUSE,
      rounds: index.rounds,
      learnedWeights,
      error: this.error,
    };
  }

  private async announce(): Promise<LearningStatus> {
    const status = await this.status();
    if (!this.disposed) this.deps.emit({ type: 'learning', status });
    return status;
  }

  async setEnabled(enabled: boolean): Promise<LearningStatus> {
    await this.store.setEnabled(enabled);
    if (!enabled) await this.stopRound();
    else await this.startRoundIfDue();
    return this.announce();
  }

  /** Keeps the corrected span for learning (nothing is kept while learning is off). */
  async add(correction: LearningCorrection): Promise<LearningStatus> {
    const { fileId, startSec, endSec, text } = correction;
    if (!(endSec > startSec))
      throw new HostError(
        'INVALID_REQUEST',
        `The corrected span ends (${endSec} s) before it starts (${startSec} s).`,
      );
    // Checked before the file is decoded: the store checks the cut audio again.
    const { maxSec } = this.store.limits;
    if (endSec - startSec > maxSec + 1)
      throw new HostError(
        'RECORDING_TOO_LONG',
        `The corrected span is ${Math.round(endSec - startSec)} s long; at most ${maxSec} s are learned from.`,
      );
    if (!(await this.store.index()).enabled) return this.status();
    const audio = await this.deps.audioOf(fileId);
    const first = Math.floor(startSec * PROFILE_SAMPLE_RATE);
    const last = Math.min(audio.length, Math.ceil(endSec * PROFILE_SAMPLE_RATE));
    if (first >= audio.length)
      throw new HostError(
        'INVALID_REQUEST',
        `The corrected span starts at ${startSec.toFixed(2)} s, after the end of the file (${(audio.length / PROFILE_SAMPLE_RATE).toFixed(2)} s).`,
      );
    const source = `${fileId}@${startSec.toFixed(2)}-${endSec.toFixed(2)}`;
    await this.store.add(audio.slice(first, last), text, source);
    await this.startRoundIfDue();
    return this.announce();
  }

  /** Deletes the kept utterances, the history and the learned weights; the engine goes back to its own. */
  async forget(): Promise<LearningStatus> {
    await this.stopRound();
    await this.store.forget();
    this.error = null;
    this.deps.engine.setLearnedWeights(null);
    return this.announce();
  }

  /**
   * Follows dictation sessions (every window's): while one runs, the round's process is stopped, so the
   * dictating engine has the CPU to itself — a low priority alone still delayed finals (bench:latency
   * `--while-learning --no-pause`); it continues when the session ends.
   */
  observe(event: StudioEvent): void {
    if (event.type === 'dictation-started') this.dictationStarted();
    else if (event.type === 'dictation-ended') this.dictationEnded();
  }

  /** A dictation began: the running round's process is stopped until it ends. */
  dictationStarted(): void {
    if (this.dictating) return;
    this.dictating = true;
    this.signalRound('SIGSTOP');
    void this.announce();
  }

  /** The dictation ended: the round continues, or one that became due meanwhile starts. */
  dictationEnded(): void {
    if (!this.dictating) return;
    this.dictating = false;
    this.signalRound('SIGCONT');
    if (this.round) void this.announce();
    else void this.startRoundIfDue();
  }

  private signalRound(signal: 'SIGSTOP' | 'SIGCONT', round = this.round): void {
    const pid = round?.worker.pid;
    if (!CAN_PAUSE || pid === undefined) return;
    try {
      (this.deps.signal ?? process.kill)(pid, signal);
    } catch {
      // Already gone: its exit is handled there.
    }
  }

  /** Ends the round's process; a paused one is continued first, or it would not act on the signal. */
  private killRound(round: RunningRound): void {
    round.stopWatchdog?.();
    if (round.killed) return;
    round.killed = true;
    if (this.dictating) this.signalRound('SIGCONT', round);
    round.worker.kill();
  }

  private async startRoundIfDue(): Promise<void> {
    if (this.round || this.disposed || this.dictating) return;
    const index = await this.store.index();
    const waiting = index.items.filter((i) => !i.learned);
    if (!index.enabled || waiting.length < this.roundSize || this.round) return;
    this.runRound(
      waiting.slice(0, this.roundSize),
      index.items.filter((i) => i.learned && !i.checking),
      index.items.filter((i) => i.learned && i.checking),
    );
  }

  private runRound(fresh: LearningItem[], learned: LearningItem[], check: LearningItem[]): void {
    const { worker, model, modelsDir } = this.deps.engine.spawnHelper();
    const roundId = `learn-${++roundCounter}`;
    let exit!: () => void;
    const exited = new Promise<void>((resolve) => (exit = resolve));
    const round: RunningRound = {
      roundId,
      worker,
      progress: { phase: 'starting' },
      exited,
      stopped: false,
      killed: false,
    };
    this.round = round;
    this.error = null;
    const replay = this.deps.replay ?? DEFAULT_REPLAY;
    const item = (i: LearningItem) => ({ id: i.id, path: this.store.wavPath(i.id), text: i.text });
    let settled = false;
    const finish = async (outcome: { result: LearnRoundResult } | { error: string }) => {
      if (settled) return;
      settled = true;
      this.killRound(round);
      if (this.round === round) this.round = null;
      if (this.disposed || round.stopped) return;
      if ('error' in outcome) this.error = outcome.error;
      else {
        this.error = null;
        const { result } = outcome;
        await this.store.recordRound(
          {
            at: new Date().toISOString(),
            newUtterances: result.newUtterances,
            replayed: result.replayed,
            kept: result.kept,
            heldBackWerBefore: result.heldBackWerBefore,
            heldBackWerAfter: result.heldBackWerAfter,
            seconds: result.seconds,
          },
          fresh.map((i) => i.id),
          result.checkIds,
        );
        if (result.weightsFile) this.deps.engine.setLearnedWeights(result.weightsFile);
      }
      await this.announce();
      // Corrections that came in during the round may make the next one due (not after a failure: it
      // would fail again at once; the next correction tries again).
      if ('result' in outcome) await this.startRoundIfDue();
    };
    worker.onMessage((message: FromWorker) => {
      if (!('roundId' in message) || message.roundId !== roundId) return;
      if (message.type === 'learn-progress') {
        round.progress = message.progress;
        void this.announce();
      } else if (message.type === 'learn-done') void finish({ result: message.result });
      else if (message.type === 'learn-failed') void finish({ error: message.error.message });
    });
    worker.onExit((code) => {
      exit();
      void finish({ error: `The learning process stopped unexpectedly (exit code ${code ?? 'unknown'}).` });
    });
    // The round's process holds a second copy of the model and trains: it gets the engine worker's
    // memory ceiling too, so a runaway round cannot take the machine down. Its corrections stay waiting,
    // as after a crash.
    round.stopWatchdog = this.deps.engine.memoryWatchdog(worker, (_rssMb, limitMb) => {
      void finish({
        error: `The learning round used more than ${limitMb} MB of memory and was stopped; your corrections are kept.`,
      });
    });
    worker.send({
      type: 'learn-round',
      request: {
        roundId,
        model,
        modelsDir,
        weightsIn: this.store.weightsFile,
        weightsOut: this.store.weightsFile,
        fresh: fresh.map(item),
        // Only the ones a round replays are read: the learner picks the same evenly spread sample.
        learned: evenlySpread(learned, replay).map(item),
        check: check.map(item),
        replay,
        adapt: this.deps.adapt,
      },
    });
    void this.announce();
  }

  /** Stops the running round, if any, and waits until its process has exited (its data stays). */
  private async stopRound(): Promise<void> {
    const round = this.round;
    if (!round) return;
    this.round = null;
    round.stopped = true;
    this.killRound(round);
    await round.exited;
  }

  dispose(): void {
    this.disposed = true;
    if (this.round) {
      this.round.stopped = true;
      this.killRound(this.round);
    }
    this.round = null;
  }
}
