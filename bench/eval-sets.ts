/**
 * The evaluation sets every benchmark measures on, and how each is built. A benchmark asks for a set by
 * name; a set that is missing is built first (or, with `build: false`, the error says the one command that
 * builds it and how long it takes), so a fresh clone runs `npm run bench:wer` without preparation.
 *
 * - Generated sets (training/corpus/generate.py, paths relative to the repository root): the held-out
 *   voices flite awb and festival slt, clean and at 10 dB SNR, and the asterisk test split (real speech,
 *   one speaker, telephone band). Held out of training by the generator.
 * - A simulated dev user for learning from corrections (training/corpus/dev-user.py): an accented voice
 *   no model was trained on, reading dev sentences; the learner's settings are tuned on it, not on awb.
 * - Real-speech dev sets (../shared/data/real-speech/prepare.sh, paths relative to the manifest): game
 *   voice lines of several speakers (warzone2100) and single words of two speakers (klettres). Measure
 *   and tune on them, never train on them.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseCorpusManifest, type CorpusEntry } from '../main/common/corpus-manifest';
import { parseReferenceManifest } from '../main/common/references';
import { loadAudioFile } from '../main/engine/audio/load';

const run = promisify(execFile);
const WORK = 'training/work';
const REAL_SPEECH_SOURCE = '../shared/data/real-speech';

export interface EvalSet {
  name: string;
  /** Recorded human speech (not synthesised). */
  real: boolean;
  /** A dev set: settings may be tuned on it (never trained on). */
  dev: boolean;
  manifest: string;
  /** The command that builds the set, as a user would type it, and roughly how long it takes. */
  buildCommand: string;
  buildTime: string;
}

const GENERATED = (name: string, real = false): EvalSet => ({
  name,
  real,
  dev: false,
  manifest: path.join(WORK, 'manifests', `${name}.tsv`),
  buildCommand: 'python3 training/corpus/generate.py --no-train',
  buildTime: 'about 10 minutes on 2 cores, all five generated sets and dev at once',
});

const REAL_DEV = (name: string): EvalSet => ({
  name,
  real: true,
  dev: true,
  manifest: path.join(WORK, 'real-speech', `${name}.tsv`),
  buildCommand: `bash ${REAL_SPEECH_SOURCE}/prepare.sh ${WORK}/real-speech`,
  buildTime: 'about 15 s (downloads two Debian packages with apt-get download)',
});

export const EVAL_SETS: readonly EvalSet[] = [
  GENERATED('eval-awb-clean'),
  GENERATED('eval-awb-noisy10'),
  GENERATED('eval-slt-clean'),
  GENERATED('eval-slt-noisy10'),
  GENERATED('eval-asterisk-test', true),
  REAL_DEV('warzone2100'),
  REAL_DEV('klettres-words'),
  { ...GENERATED('dev'), dev: true },
  // The simulated dev user of learning from corrections (bench:learn's settings are chosen on it).
  {
    ...GENERATED('dev-user-machac'),
    dev: true,
    buildCommand: 'python3 training/corpus/dev-user.py',
    buildTime: 'about 2 minutes on 2 cores (needs festlex-cmu and festvox-czech-machac)',
  },
];

/** The real-speech dev sets, whose pooled figures are the model's headline on real voices. */
export const REAL_DEV_SETS = EVAL_SETS.filter((s) => s.real && s.dev).map((s) => s.name);

export function evalSet(name: string): EvalSet {
  const set = EVAL_SETS.find((s) => s.name === name);
  if (!set) {
    throw new Error(`unknown set "${name}"; known sets: ${EVAL_SETS.map((s) => s.name).join(', ')}`);
  }
  return set;
}

async function build(set: EvalSet, log: (line: string) => void): Promise<void> {
  log(`${set.name}: building it with \`${set.buildCommand}\` (${set.buildTime})`);
  if (set.real && !existsSync(REAL_SPEECH_SOURCE)) {
    throw new Error(`${set.name}: ${REAL_SPEECH_SOURCE} is missing (the project's shared notes and data)`);
  }
  const [command, ...args] = set.buildCommand.split(' ');
  await run(command, args, { maxBuffer: 64 << 20 });
  if (!existsSync(set.manifest))
    throw new Error(`${set.name}: \`${set.buildCommand}\` did not write ${set.manifest}`);
}

/** Audio durations of a real-speech manifest's files, decoded once and kept beside the manifest. */
async function durations(manifest: string, files: string[]): Promise<number[]> {
  const cache = manifest + '.durations.json';
  const known: Record<string, number> = existsSync(cache) ? JSON.parse(await readFile(cache, 'utf8')) : {};
  let added = false;
  for (const file of files) {
    if (known[file] !== undefined) continue;
    known[file] = (await loadAudioFile(file, 16000)).length / 16000;
    added = true;
  }
  if (added) await writeFile(cache, JSON.stringify(known, null, 1) + '\n');
  return files.map((f) => known[f]);
}

/**
 * The entries of a set, building it first when it is missing (unless `build` is false: then the error
 * names the command). Paths come back relative to the working directory (the repository root).
 */
export async function loadEvalSet(
  name: string,
  options: { build?: boolean; log?: (line: string) => void } = {},
): Promise<CorpusEntry[]> {
  const set = evalSet(name);
  if (!existsSync(set.manifest)) {
    if (options.build === false) {
      throw new Error(
        `${set.name}: ${set.manifest} not found; build it with \`${set.buildCommand}\` (${set.buildTime})`,
      );
    }
    await build(set, options.log ?? ((line) => console.error(line)));
  }
  const text = await readFile(set.manifest, 'utf8');
  if (!set.real || !set.dev) return parseCorpusManifest(text);
  const references = parseReferenceManifest(text, set.manifest);
  const files = references.map((r) => path.join(path.dirname(set.manifest), r.audio));
  const seconds = await durations(set.manifest, files);
  return references.map((r, i) => ({
    path: files[i],
    transcript: r.reference,
    durationSec: seconds[i],
    voice: 'real',
    split: set.name,
  }));
}
