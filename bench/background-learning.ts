/**
 * Learning from corrections beside live dictation, through the app's own LearningService: corrections
 * go into a learning store in a temporary profile, a round starts in a helper engine process each time
 * 20 have gathered, and the service is told when each dictation starts and ends, as the studio tells it
 * (main/host/studio-service.ts), so a running round is stopped while anyone dictates. For bench:latency's
 * `--while-learning`. Each finished round is followed by 20 more corrections, so rounds go on until
 * the measurement ends.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { LearningStatus } from '../main/common/ipc-contract';
import { LearningService } from '../main/host/correction-learning';
import type { EngineSupervisor } from '../main/host/engine-supervisor';
import { LearningStore } from '../main/host/learning-store';
import { PROFILE_SAMPLE_RATE } from '../main/host/profile';

/** A sentence the simulated user corrects: its audio at PROFILE_SAMPLE_RATE and what was said. */
export interface CorrectedSentence {
  id: string;
  samples: Float32Array;
  text: string;
}

export interface LearningOutcome {
  /** Rounds finished, their durations (s) and whether their weights were kept. */
  rounds: { seconds: number; kept: 'adapted' | 'base' }[];
  failures: string[];
}

export interface BackgroundLearning {
  /** What the studio tells the service when a dictation session starts and ends. */
  dictationStarted(): void;
  dictationEnded(): void;
  /** Whether a round's process exists now (running or stopped). */
  readonly roundRunning: boolean;
  /** Ends the running round, if any (its process exits), and deletes the temporary profile. */
  stop(): Promise<LearningOutcome>;
}

export async function startBackgroundLearning(
  engine: EngineSupervisor,
  sentences: CorrectedSentence[],
): Promise<BackgroundLearning> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-learning-'));
  const audio = new Map(sentences.map((s) => [s.id, s.samples]));
  const outcome: LearningOutcome = { rounds: [], failures: [] };
  const started = performance.now();
  let stopped = false;
  let next = 0;
  let latest: LearningStatus | null = null;
  const service: LearningService = new LearningService(new LearningStore(dir), {
    engine,
    audioOf: async (fileId) => audio.get(fileId)!,
    emit: (event) => {
      if (event.type !== 'learning') return;
      const { status } = event;
      if (status.error && status.error !== latest?.error)
        outcome.failures.push(
          `${status.error} (after ${((performance.now() - started) / 1000).toFixed(0)} s)`,
        );
      const finished = status.rounds.slice(outcome.rounds.length);
      for (const round of finished) outcome.rounds.push({ seconds: round.seconds, kept: round.kept });
      latest = status;
      if (finished.length > 0 && !stopped) void correct(service.roundSize);
    },
  });
  /** The user corrects `count` more sentences (in turn, starting again after the last). */
  const correct = async (count: number) => {
    for (let k = 0; k < count && !stopped; k++) {
      const s = sentences[next++ % sentences.length];
      await service.add({
        fileId: s.id,
        startSec: 0,
        endSec: s.samples.length / PROFILE_SAMPLE_RATE,
        text: s.text,
      });
    }
  };
  await correct(service.roundSize);
  return {
    dictationStarted: () => service.dictationStarted(),
    dictationEnded: () => service.dictationEnded(),
    get roundRunning() {
      return latest?.running != null;
    },
    async stop() {
      stopped = true;
      // Switching learning off ends the round and waits for its process to exit.
      await service.setEnabled(false);
      service.dispose();
      await rm(dir, { recursive: true, force: true });
      return outcome;
    },
  };
}
