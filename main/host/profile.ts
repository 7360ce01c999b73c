/**
 * The user's voice profile on the host: enrollment recordings (one per prompt), corrected transcripts
 * added as further adaptation data, the adapted models (written by the engine worker under `models/`)
 * and which of them is in use. Everything lives in one folder in the host's data directory:
 *
 *   <profileDir>/enrollment/prompts.json   the prompt list and which prompts are recorded
 *   <profileDir>/enrollment/NNN.wav        16 kHz mono 16-bit recordings, NNN = prompt number (001…)
 *   <profileDir>/corrections/index.json    corrections: id, text, duration
 *   <profileDir>/corrections/<id>.wav
 *   <profileDir>/models/<name>/            adapted models (main/engine/adapt/adapt.ts)
 *   <profileDir>/profile.json              { "selected": name | null }
 *
 * Paths never come from the renderer: recordings are copied here from files the host registered.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HostError } from '../common/errors';
import type { AdaptedModelInfo, EnrollmentPrompt } from '../common/ipc-contract';
import {
  adaptedModelDir as modelDirOf,
  deleteAdaptedModel,
  isAdaptedModelName,
  listAdaptedModels,
} from '../engine/adapt/adapted-models';
import { encodeWav } from '../engine/audio/wav-writer';

/**
 * Enrollment prompts written for this app (not taken from any training or evaluation set): short
 * everyday sentences that together cover the English consonants (stops, fricatives incl. /θ ð ʃ ʒ/,
 * affricates, nasals incl. /ŋ/, liquids, glides) and vowels and diphthongs, several times each. None
 * occurs in the corpus text (training/work/text: train, dev, eval) — checked when they were written.
 */
export const ENROLLMENT_PROMPTS: readonly string[] = [
  'The quick brown fox jumps over the lazy dog near the riverbank.',
  'She usually measures the treasure with a beige leather tape.',
  'Thank the other three for bringing those heavy boxes upstairs.',
  'Judge Garcia checked each page of the church budget twice.',
  'A young king sang a long song while the bells were ringing.',
  'Please put the yellow wool towels in the wooden cupboard.',
  'Our new neighbour owns a noisy boat and a joyful puppy.',
  'Few people knew why the huge tower was built so quickly.',
  'My father thinks this weather will be fine through Thursday.',
  'The vivid violet van moved slowly over the frozen valley.',
  'Shirley should share her fresh fish with the hungry sailors.',
  'Zoe zipped her bags and raced to the busy zoo on Tuesday.',
  'Look at the good books the cook put on the kitchen shelf.',
  'Each evening the geese eat seeds beside the green field.',
  'Hot coffee in a large pot is what the doctor ordered.',
  'Paul bought a tall saucer and a small ball of yarn in August.',
  'A mouse found a brown crown on the ground outside the house.',
  'I might try to ride my bike five miles tonight.',
  'The boy enjoyed the toy soil and the oily coins he found.',
  'Wait for the mail train at the gate by eight in May.',
  'The cat sat flat on a black mat and had a nap.',
  'Bread and eggs were left on the red bench by the desk.',
  'Ten pens and a thin tin fell into the pit in the mill.',
  'Pure water flows through the rural areas in early June.',
  'Could you help me find the purple umbrella and a pair of gloves?',
  'We will visit the museum at noon, unless it rains again.',
  'Jack asked whether the radio show starts at half past nine.',
  'Vision and patience matter more than luck in this business.',
  'The youth choir rehearsed the anthem with unusual energy.',
  'Kindly switch off the lamp, close the window and lock the door.',
  // 30 more: bench:adapt measures adaptation with 60 sentences; with about 24 to train on, it overfits
  // sooner. Users may adapt after any number of them.
  'Martha wrote a thoughtful letter to her brother in Scotland.',
  'The engineer measured the bridge again before the storm arrived.',
  'Seven thirsty children shared a jug of cold orange juice.',
  'Grandmother keeps her jewels in a small wooden drawer upstairs.',
  'Please thank Mister Hughes for the lovely vase of roses.',
  'The plumber fixed the leaking pipe under the kitchen sink.',
  'Bright yellow leaves drifted past the old stone fountain.',
  'A cheerful waiter brought us soup, toast and a pot of tea.',
  'Nobody noticed the shy squirrel hiding behind the garage.',
  'Our choir will perform outdoors on the third Sunday of June.',
  'The pilot checked the weather and delayed the flight by an hour.',
  'Heavy rain flooded the village square late on Wednesday night.',
  'Remember to water the tomato plants before you go to work.',
  'The lawyer explained the unusual clause in plain language.',
  'Thousands of birds gather on the shore every autumn morning.',
  'Jenny quietly tiptoed through the hallway carrying her shoes.',
  "The mechanic replaced both worn tyres on my brother's van.",
  'Could you spell your surname and repeat the phone number slowly?',
  'A gentle breeze carried the smell of fresh bread along the street.',
  'We watched the fireworks from the roof of the tallest building.',
  'The museum guide pointed out a rare painting of a sailing ship.',
  'Vegetable soup with barley is perfect on a chilly evening.',
  'He forgot the password twice and had to reset his account.',
  'The twins argued about whose turn it was to feed the goldfish.',
  'Please scan both sides of the contract and email it to Judith.',
  'Oysters, mussels and clams were piled high on the market stall.',
  'The orchestra paused while the violinist changed a broken string.',
  'Leisure time matters, so schedule a proper holiday this year.',
  "Her daughter's science project won first prize at the fair.",
  'Turn left at the bakery, then walk straight past the zoo gate.',
];

/** Recordings kept for adaptation: the engine trains on utterances of a few seconds. */
export const MAX_ENROLLMENT_SEC = 30;
export const MAX_CORRECTION_SEC = 60;
export const MIN_RECORDING_SEC = 0.5;
/** At most this many corrections are kept (oldest first out). */
export const MAX_CORRECTIONS = 200;
/** Rate of the stored recordings (the worker resamples to the model's own rate). */
export const PROFILE_SAMPLE_RATE = 16000;

interface PromptsFile {
  version: 1;
  prompts: { text: string; recordedSec: number | null }[];
}

interface CorrectionsFile {
  version: 1;
  items: { id: string; text: string; durationSec: number }[];
}

export interface AdaptationItem {
  path: string;
  text: string;
}

async function readJson<T>(file: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

/** Writes a temporary file and renames it over the target, so a crash never leaves half a file. */
async function writeJson(file: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(value, null, 2) + '\n');
  await rename(temp, file);
}

async function writeWav(file: string, samples: Float32Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(
    temp,
    encodeWav([samples], { sampleRate: PROFILE_SAMPLE_RATE, bitsPerSample: 16, encoding: 'int' }),
  );
  await rename(temp, file);
}

/** Where the adapted model `name` lives; a ProfileError for names that could leave the folder. */
export function adaptedModelDir(profileDir: string, name: string): string {
  if (!isAdaptedModelName(name)) throw new ProfileError('INVALID_REQUEST', `invalid model name "${name}"`);
  return modelDirOf(profileDir, name);
}

export class ProfileError extends HostError {}

export class VoiceProfileStore {
  /** Serialises writes of the index files. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    readonly dir: string,
    private readonly prompts: readonly string[] = ENROLLMENT_PROMPTS,
  ) {}

  private get enrollmentDir(): string {
    return path.join(this.dir, 'enrollment');
  }

  private get correctionsDir(): string {
    return path.join(this.dir, 'corrections');
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const next = this.chain.then(task, task);
    this.chain = next.catch(() => {});
    return next;
  }

  recordingPath(index: number): string {
    return path.join(this.enrollmentDir, `${String(index + 1).padStart(3, '0')}.wav`);
  }

  private async promptsFile(): Promise<PromptsFile> {
    const saved = await readJson<PromptsFile>(path.join(this.enrollmentDir, 'prompts.json'));
    // The list is the app's; a saved recording stays attached to its prompt while the text is the same.
    return {
      version: 1,
      prompts: this.prompts.map((text, i) => {
        const old = saved?.prompts?.[i];
        return { text, recordedSec: old && old.text === text ? (old.recordedSec ?? null) : null };
      }),
    };
  }

  async enrollment(): Promise<EnrollmentPrompt[]> {
    const file = await this.promptsFile();
    return file.prompts.map((p, index) => ({ index, text: p.text, recordedSec: p.recordedSec }));
  }

  /** Keeps `samples` (mono, PROFILE_SAMPLE_RATE) as the recording of prompt `index`, replacing any. */
  saveRecording(index: number, samples: Float32Array): Promise<EnrollmentPrompt[]> {
    return this.serial(async () => {
      if (!Number.isInteger(index) || index < 0 || index >= this.prompts.length)
        throw new ProfileError('INVALID_REQUEST', `there is no enrollment prompt ${index + 1}`);
      const seconds = checkLength(samples, MAX_ENROLLMENT_SEC);
      await writeWav(this.recordingPath(index), samples);
      const file = await this.promptsFile();
      file.prompts[index].recordedSec = seconds;
      await writeJson(path.join(this.enrollmentDir, 'prompts.json'), file);
      return this.enrollment();
    });
  }

  async corrections(): Promise<CorrectionsFile['items']> {
    const file = await readJson<CorrectionsFile>(path.join(this.correctionsDir, 'index.json'));
    return Array.isArray(file?.items) ? file.items : [];
  }

  addCorrection(samples: Float32Array, text: string): Promise<CorrectionsFile['items']> {
    return this.serial(async () => {
      const clean = text.replace(/\s+/g, ' ').trim();
      if (!/[\p{L}\p{N}]/u.test(clean))
        throw new ProfileError('INVALID_REQUEST', 'the corrected transcript has no words');
      const durationSec = checkLength(samples, MAX_CORRECTION_SEC);
      const id = randomUUID();
      await writeWav(path.join(this.correctionsDir, `${id}.wav`), samples);
      const items = [...(await this.corrections()), { id, text: clean, durationSec }].slice(-MAX_CORRECTIONS);
      await writeJson(path.join(this.correctionsDir, 'index.json'), { version: 1, items });
      return items;
    });
  }

  /** Everything recorded so far, as the engine worker reads it: WAV paths and the texts read. */
  async adaptationItems(): Promise<AdaptationItem[]> {
    const prompts = await this.enrollment();
    const items: AdaptationItem[] = prompts
      .filter((p) => p.recordedSec !== null)
      .map((p) => ({ path: this.recordingPath(p.index), text: p.text }));
    for (const c of await this.corrections())
      items.push({ path: path.join(this.correctionsDir, `${c.id}.wav`), text: c.text });
    return items;
  }

  async models(): Promise<AdaptedModelInfo[]> {
    const names = await listAdaptedModels(this.dir);
    return Promise.all(
      names.map(async (name) => {
        const info = await readJson<{
          before?: { wer?: number };
          after?: { wer?: number };
          createdAt?: string;
        }>(path.join(adaptedModelDir(this.dir, name), 'adaptation.json'));
        const wer = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : null);
        return {
          name,
          beforeWer: wer(info?.before?.wer),
          afterWer: wer(info?.after?.wer),
          createdAt: typeof info?.createdAt === 'string' ? info.createdAt : null,
        };
      }),
    );
  }

  /** Removes an adapted model's folder; false when there is none. */
  async deleteModel(name: string): Promise<boolean> {
    adaptedModelDir(this.dir, name); // the name check, as a ProfileError
    return deleteAdaptedModel(this.dir, name);
  }

  async selected(): Promise<string | null> {
    const file = await readJson<{ selected?: unknown }>(path.join(this.dir, 'profile.json'));
    return typeof file?.selected === 'string' ? file.selected : null;
  }

  setSelected(name: string | null): Promise<void> {
    return this.serial(() => writeJson(path.join(this.dir, 'profile.json'), { selected: name }));
  }

  /** The user's vocabulary: words and phrases the decoder favours (names, jargon). */
  async vocabulary(): Promise<string[]> {
    const file = await readJson<{ phrases?: unknown }>(path.join(this.dir, 'vocabulary.json'));
    const phrases = file?.phrases;
    return Array.isArray(phrases) ? phrases.filter((p): p is string => typeof p === 'string') : [];
  }

  setVocabulary(phrases: readonly string[]): Promise<void> {
    return this.serial(() => writeJson(path.join(this.dir, 'vocabulary.json'), { phrases }));
  }
}

function checkLength(samples: Float32Array, maxSec: number): number {
  const seconds = samples.length / PROFILE_SAMPLE_RATE;
  if (seconds < MIN_RECORDING_SEC)
    throw new ProfileError('RECORDING_TOO_SHORT', `The recording is too short (${seconds.toFixed(1)} s).`);
  if (seconds > maxSec)
    throw new ProfileError(
      'RECORDING_TOO_LONG',
      `The recording is ${Math.round(seconds)} s long; adaptation takes recordings of at most ${maxSec} s.`,
    );
  return Math.round(seconds * 100) / 100;
}
