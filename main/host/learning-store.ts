/**
 * What learning from corrections keeps, in the voice profile's folder:
 *
 *   <profileDir>/learning/index.json    { enabled, items: corrected utterances, rounds: the history }
 *   <profileDir>/learning/<id>.wav      16 kHz mono 16-bit audio of each corrected utterance
 *   <profileDir>/learning/weights.bin   the weights learned so far (weights-file.ts), once a round kept some
 *
 * Bounded: at most LEARNING_LIMITS.utterances utterances and LEARNING_LIMITS.bytes bytes of audio; past
 * either, the oldest utterances already learned from go first, then the oldest waiting ones. The index is
 * written after the audio (temporary file, renamed), so a crash leaves at worst an unlisted WAV, which
 * the next write removes.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LearningLimits, LearningRoundInfo } from '../common/ipc-contract';
import { encodeWav } from '../engine/audio/wav-writer';
import { PROFILE_SAMPLE_RATE, ProfileError } from './profile';

export const LEARNING_LIMITS: LearningLimits = {
  utterances: 400,
  // 48 MiB: about 25 minutes of 16 kHz 16-bit audio.
  bytes: 48 * 1024 * 1024,
  maxSec: 30,
};
/** Shorter spans hold too little speech to learn from. */
export const MIN_LEARNING_SEC = 0.5;
/** The history keeps this many rounds (the chart shows them). */
export const MAX_ROUNDS_KEPT = 200;

export interface LearningItem {
  id: string;
  text: string;
  durationSec: number;
  bytes: number;
  /** Learned from in a round (then only replayed); false while it waits for a round. */
  learned: boolean;
  /**
   * Kept back from training to check rounds on (CorrectionLearner's check): not waiting, not replayed,
   * trained on once newer ones take its place.
   */
  checking?: boolean;
  /** Where it came from (file id and span): a second correction of the same span replaces the first. */
  source: string;
}

interface LearningIndex {
  version: 1;
  enabled: boolean;
  items: LearningItem[];
  rounds: LearningRoundInfo[];
}

const EMPTY: LearningIndex = { version: 1, enabled: true, items: [], rounds: [] };

export class LearningStore {
  /** Serialises changes of the index. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    profileDir: string,
    readonly limits: LearningLimits = LEARNING_LIMITS,
  ) {
    this.dir = path.join(profileDir, 'learning');
  }

  readonly dir: string;

  get weightsFile(): string {
    return path.join(this.dir, 'weights.bin');
  }

  wavPath(id: string): string {
    return path.join(this.dir, `${id}.wav`);
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const next = this.chain.then(task, task);
    this.chain = next.catch(() => {});
    return next;
  }

  async index(): Promise<LearningIndex> {
    // Missing or unreadable (not JSON): nothing kept yet.
    const saved = await readFile(path.join(this.dir, 'index.json'), 'utf8')
      .then((text) => JSON.parse(text) as Partial<LearningIndex>)
      .catch(() => null);
    return {
      version: 1,
      enabled: typeof saved?.enabled === 'boolean' ? saved.enabled : EMPTY.enabled,
      items: Array.isArray(saved?.items) ? saved.items : [],
      rounds: Array.isArray(saved?.rounds) ? saved.rounds : [],
    };
  }

  private async write(index: LearningIndex): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const file = path.join(this.dir, 'index.json');
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(index, null, 2) + '\n');
    await rename(temp, file);
  }

  async hasWeights(): Promise<boolean> {
    return stat(this.weightsFile).then(
      (s) => s.isFile(),
      () => false,
    );
  }

  setEnabled(enabled: boolean): Promise<void> {
    return this.serial(async () => this.write({ ...(await this.index()), enabled }));
  }

  /**
   * Keeps `samples` (mono, PROFILE_SAMPLE_RATE) with its corrected text; a waiting utterance from the
   * same `source` is replaced. Then the bounds are applied. Returns the kept item.
   */
  add(samples: Float32Array, text: string, source: string): Promise<LearningItem> {
    return this.serial(async () => {
      const clean = text.replace(/\s+/g, ' ').trim();
      if (!/[\p{L}\p{N}]/u.test(clean))
        throw new ProfileError('INVALID_REQUEST', 'The corrected text has no words to learn from.');
      const seconds = samples.length / PROFILE_SAMPLE_RATE;
      if (seconds < MIN_LEARNING_SEC)
        throw new ProfileError(
          'RECORDING_TOO_SHORT',
          `The corrected span is too short to learn from (${seconds.toFixed(2)} s; at least ${MIN_LEARNING_SEC} s).`,
        );
      if (seconds > this.limits.maxSec)
        throw new ProfileError(
          'RECORDING_TOO_LONG',
          `The corrected span is ${Math.round(seconds)} s long; at most ${this.limits.maxSec} s are learned from.`,
        );
      const wav = encodeWav([samples], {
        sampleRate: PROFILE_SAMPLE_RATE,
        bitsPerSample: 16,
        encoding: 'int',
      });
      const item: LearningItem = {
        id: randomUUID(),
        text: clean,
        durationSec: Math.round(seconds * 100) / 100,
        bytes: wav.byteLength,
        learned: false,
        source,
      };
      await mkdir(this.dir, { recursive: true });
      const temp = `${this.wavPath(item.id)}.${process.pid}.tmp`;
      await writeFile(temp, wav);
      await rename(temp, this.wavPath(item.id));
      const index = await this.index();
      const items = index.items.filter((i) => i.learned || i.source !== source);
      items.push(item);
      await this.write({ ...index, items: this.bounded(items) });
      await this.removeUnlisted();
      return item;
    });
  }

  /** The items within the limits: the oldest learned ones dropped first, then the oldest waiting ones. */
  private bounded(items: LearningItem[]): LearningItem[] {
    const kept = [...items];
    const total = () => kept.reduce((n, i) => n + i.bytes, 0);
    const over = () => kept.length > this.limits.utterances || total() > this.limits.bytes;
    for (const learned of [true, false]) {
      for (let k = 0; k < kept.length && over();) {
        if (kept[k].learned === learned) kept.splice(k, 1);
        else k++;
      }
    }
    return kept;
  }

  /** Deletes audio files the index does not list (dropped by the bounds, or left by a crash). */
  private async removeUnlisted(): Promise<void> {
    const listed = new Set((await this.index()).items.map((i) => `${i.id}.wav`));
    for (const name of await readdir(this.dir).catch(() => [] as string[])) {
      if (name.endsWith('.wav') && !listed.has(name)) await rm(path.join(this.dir, name), { force: true });
      else if (name.endsWith('.tmp')) await rm(path.join(this.dir, name), { force: true });
    }
  }

  /**
   * Marks the round's new utterances as learned from, those of `checkIds` as kept back for the next
   * round's check (no others), and adds the round to the history.
   */
  recordRound(
    round: Omit<LearningRoundInfo, 'round'>,
    learnedIds: readonly string[],
    checkIds: readonly string[] = [],
  ): Promise<void> {
    return this.serial(async () => {
      const index = await this.index();
      const ids = new Set(learnedIds);
      const check = new Set(checkIds);
      const items = index.items.map((i) => {
        const learned = i.learned || ids.has(i.id);
        const item: LearningItem = { ...i, learned };
        if (learned && check.has(i.id)) item.checking = true;
        else delete item.checking;
        return item;
      });
      const number = (index.rounds.at(-1)?.round ?? 0) + 1;
      const rounds = [...index.rounds, { round: number, ...round }].slice(-MAX_ROUNDS_KEPT);
      await this.write({ ...index, items, rounds });
    });
  }

  /** Deletes every kept utterance, the history and the learned weights; the on/off setting stays. */
  forget(): Promise<void> {
    return this.serial(async () => {
      const { enabled } = await this.index();
      await rm(this.dir, { recursive: true, force: true });
      await this.write({ ...EMPTY, enabled });
    });
  }
}
