/**
 * Dumps training features with the app's own front end (main/engine/frontend/mfcc.ts) — there is no
 * second MFCC implementation. Output, read by training/train/train.py:
 *
 *   OUT/stats.json                     per-coefficient mean/std, quantisation scale, front-end config
 *   OUT/<split>/index-<part>.jsonl     {"id","text","frames","shard","offset"} per utterance
 *   OUT/<split>/shard-<part>-NNNN.i8   int8 frames, row-major [frames × dim], q = round((x−mean)/std·scale)
 *
 * The mean is the training set's, or with --mean-from utterance each utterance's own (the runtime's
 * normalizeFeatures does the normalising here, so the model ships a manifest that matches).
 *
 * Incremental and resumable: utterances already in an index are skipped, so it can be rerun while the
 * corpus generator is still adding audio. Run several parts in parallel with --part k --parts n, then
 * `--merge` to write index.jsonl per split.
 *
 *   npx tsx training/features/dump-features.ts --manifest training/work/manifests/train.tsv \
 *       --split train --out training/work/features [--part 0 --parts 2] [--mean-from utterance]
 *       [--mean-prior-frames 50] [--stats-from-model models/default] [--speed 0.9] [--trim-edges 0.5]
 *       [--noise-floor 0.5] [--band-limit 0.5]
 *
 * --speed F is speed perturbation (Ko et al., 2015): each recording is resampled to 16 kHz / F and read
 * as 16 kHz, so it plays F times as fast with pitch and formants F times as high — another speaker's
 * vocal tract length, more or less. The utterance ids stay the recordings' paths, so a perturbed copy
 * goes to its own --out directory (stats.json records the factor and refuses another).
 *
 * --trim-edges P cuts a share P of the recordings (chosen by a hash of the id) down to their speech, so
 * the model also learns clips that start and stop at the recording's edge (trim-edges.ts says why).
 *
 * --noise-floor P mixes a quiet white, pink or brown floor 35–65 dB below the speech under a share P of
 * the recordings (chosen by a hash of the id), as every microphone has one and clean synthesis has
 * digital silence instead (noise-floor.ts says why).
 *
 * --band-limit P low-passes a share P of the recordings (chosen by a hash of the id) at 4–7 kHz, as
 * 11 kHz files, cheap microphones and lossy codecs are (band-limit.ts says why).
 */
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadAudioFile } from '../../main/engine/audio/load';
import { parseCorpusManifest, type CorpusEntry } from '../../main/common/corpus-manifest';
import {
  computeMfcc,
  DEFAULT_FRONT_END,
  normalizeFeatures,
  type FrontEndConfig,
  type Normalization,
} from '../../main/engine/frontend/mfcc';
import { readManifest } from '../../main/engine/model/manifest';
import { bandLimit } from './band-limit';
import { addNoiseFloor } from './noise-floor';
import { trimEdges } from './trim-edges';
import { numberOption, parseCommandLine, UsageError } from '../../main/cli/command-line';

export const QUANT_SCALE = 32;

const USAGE = `dump-features.ts — training features with the app's own front end (MFCC from meyda, the
runtime's normalisation), int8 shards + an index per split, read by training/train/train.py. Incremental
and resumable: utterances already in the output are skipped.

  npx tsx training/features/dump-features.ts --manifest FILE [--manifest FILE…] --split train|dev
      [--out training/work/features] [--root .] [--part K --parts N]
      [--stats-from-model models/default | --stats-utterances 1500]
      [--mean-from training|utterance] [--mean-prior-frames K] [--speed F] [--trim-edges P]
      [--noise-floor P] [--band-limit P]
  npx tsx training/features/dump-features.ts --merge [--out DIR]     # after parallel parts: index.jsonl

--stats-from-model takes the mean and spread from a model's manifest (for a warm start); otherwise they
are computed from --stats-utterances utterances of the train split. --mean-from utterance subtracts each
utterance's own mean, with --mean-prior-frames K frames of the training mean mixed in. --speed F
(0.5–2) dumps the recordings sped up by F (pitch and formants too: speed perturbation); use its own --out.
--trim-edges P (0–1) cuts that share of the recordings, chosen by a hash of the id, to their loud part
with 0–30 ms of margin (real clips are often trimmed so; the train split only: dev stays as recorded);
stats.json records P and refuses another. --noise-floor P (0–1) mixes a white, pink or brown noise floor
35–65 dB below the speech under that share of the recordings, chosen by a hash of the id (the train split
only, after any trimming); stats.json records P and refuses another. --band-limit P (0–1) low-passes
that share of the recordings, chosen by a hash of the id, at a cutoff of 4–7 kHz (the train split only,
after any trimming, before any noise floor); stats.json records P and refuses another.
`;
const SHARD_BYTES = 32 * 1024 * 1024;

/** How the recordings are perturbed before the front end (--speed, --trim-edges, --noise-floor, --band-limit). */
interface Perturbations {
  speed: number;
  trimEdges: number;
  noiseFloor: number;
  bandLimit: number;
}
/** Each perturbation's value when unused (then absent from stats.json), and how a directory holding
 * another value is described when it refuses this one. */
const PERTURBATIONS: Record<keyof Perturbations, { neutral: number; holds: (value: number) => string }> = {
  speed: { neutral: 1, holds: (v) => `holds audio at speed ${v}` },
  trimEdges: { neutral: 0, holds: (v) => `trims ${v} of the recordings` },
  noiseFloor: { neutral: 0, holds: (v) => `gives ${v} of the recordings a noise floor` },
  bandLimit: { neutral: 0, holds: (v) => `band-limits ${v} of the recordings` },
};
const PERTURBATION_KEYS = Object.keys(PERTURBATIONS) as (keyof Perturbations)[];

export type { CorpusEntry };

/** Reads a corpus manifest file (see main/common/corpus-manifest.ts). */
export async function readCorpusManifest(file: string): Promise<CorpusEntry[]> {
  return parseCorpusManifest(await readFile(file, 'utf8'));
}

interface Stats {
  dim: number;
  mean: number[];
  std: number[];
  /** As the manifest's normalization.meanFrom (absent: 'training'); export.py copies it there. */
  meanFrom?: Normalization['meanFrom'];
  /** As the manifest's normalization.meanPriorFrames (with meanFrom 'utterance'). */
  meanPriorFrames?: number;
  /** Speed perturbation factor of every utterance in this directory (absent: 1). */
  speed?: number;
  /** Share of the recordings cut to their speech (--trim-edges); absent when none. */
  trimEdges?: number;
  /** Share of the recordings given a noise floor (--noise-floor); absent when none. */
  noiseFloor?: number;
  /** Share of the recordings low-passed at 4–7 kHz (--band-limit); absent when none. */
  bandLimit?: number;
  scale: number;
  frontend: FrontEndConfig;
  utterances: number;
  frames: number;
}

async function computeStats(
  entries: CorpusEntry[],
  root: string,
  frontend: FrontEndConfig,
  limit: number,
  loadRate: number,
): Promise<Stats> {
  const dim = frontend.mfccCoefficients;
  const sum = new Float64Array(dim);
  const sumSq = new Float64Array(dim);
  let frames = 0;
  // Spread the sample over the whole list so every voice and augmentation contributes.
  const step = Math.max(1, Math.floor(entries.length / limit));
  let used = 0;
  for (let i = 0; i < entries.length && used < limit; i += step, used++) {
    const features = computeMfcc(await loadAudioFile(path.join(root, entries[i].path), loadRate), frontend);
    for (let j = 0; j < features.length; j++) {
      sum[j % dim] += features[j];
      sumSq[j % dim] += features[j] * features[j];
    }
    frames += features.length / dim;
  }
  const mean = Array.from(sum, (s) => s / frames);
  const std = Array.from(sumSq, (s, d) => Math.sqrt(Math.max(s / frames - mean[d] ** 2, 1e-6)));
  return { dim, mean, std, scale: QUANT_SCALE, frontend, utterances: used, frames };
}

/** Normalises with the runtime's own function (so training sees what the app computes), then int8. */
export function quantize(
  features: Float32Array,
  stats: Pick<Stats, 'mean' | 'std' | 'meanFrom' | 'meanPriorFrames' | 'scale'>,
): Int8Array {
  const normalized = normalizeFeatures(features, stats);
  const q = new Int8Array(normalized.length);
  for (let i = 0; i < normalized.length; i++) {
    const v = Math.round(normalized[i] * stats.scale);
    q[i] = v > 127 ? 127 : v < -127 ? -127 : v;
  }
  return q;
}

async function readDoneIds(indexFile: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const line of (await readFile(indexFile, 'utf8')).split('\n')) {
    if (!line.trim()) continue;
    try {
      ids.add((JSON.parse(line) as { id: string }).id);
    } catch {
      // A line cut by a kill is dropped; its utterance is redone.
    }
  }
  return ids;
}

async function merge(out: string): Promise<void> {
  for (const split of await readdir(out, { withFileTypes: true })) {
    if (!split.isDirectory()) continue;
    const dir = path.join(out, split.name);
    const parts = (await readdir(dir)).filter((f) => /^index-\d+\.jsonl$/.test(f)).sort();
    const stats = JSON.parse(await readFile(path.join(out, 'stats.json'), 'utf8')) as Stats;
    const shardSizes = new Map<string, number>();
    const lines: string[] = [];
    for (const part of parts) {
      for (const line of (await readFile(path.join(dir, part), 'utf8')).split('\n')) {
        let record: { shard: string; offset: number; frames: number };
        try {
          if (!line.trim()) continue;
          record = JSON.parse(line);
        } catch {
          continue; // a line torn by a kill
        }
        if (!shardSizes.has(record.shard))
          shardSizes.set(record.shard, (await stat(path.join(dir, record.shard))).size);
        // Index and shard are separate streams: after a kill an entry may point past the written data.
        if (record.offset + record.frames * stats.dim > shardSizes.get(record.shard)!) continue;
        lines.push(JSON.stringify(record));
      }
    }
    await writeFile(path.join(dir, 'index.jsonl'), lines.join('\n') + '\n');
    console.log(`${split.name}: ${lines.length} utterances`);
  }
}

async function main() {
  const { values, part, parts, meanFrom, meanPriorFrames, statsUtterances, wanted } = parseCommandLine(
    {
      command: 'npx tsx training/features/dump-features.ts',
      usage: USAGE,
      options: {
        manifest: { type: 'string', multiple: true },
        split: { type: 'string' },
        out: { type: 'string', default: 'training/work/features' },
        root: { type: 'string', default: '.' },
        part: { type: 'string', default: '0' },
        parts: { type: 'string', default: '1' },
        'stats-utterances': { type: 'string', default: '1500' },
        'stats-from-model': { type: 'string' },
        'mean-from': { type: 'string', default: 'training' },
        'mean-prior-frames': { type: 'string', default: '0' },
        speed: { type: 'string', default: '1' },
        'trim-edges': { type: 'string', default: '0' },
        'noise-floor': { type: 'string', default: '0' },
        'band-limit': { type: 'string', default: '0' },
        merge: { type: 'boolean', default: false },
      },
    },
    undefined,
    ({ values }) => {
      if (!values.merge && (!values.manifest?.length || !values.split))
        throw new UsageError('needs --manifest FILE and --split NAME (or --merge)');
      const meanFrom = values['mean-from'];
      if (meanFrom !== 'training' && meanFrom !== 'utterance')
        throw new UsageError(`--mean-from must be training or utterance, not ${meanFrom}`);
      const parts = numberOption('parts', values.parts, { min: 1, integer: true })!;
      const part = numberOption('part', values.part, { min: 0, max: parts - 1, integer: true })!;
      // As the manifest validates it (main/engine/model/manifest.ts): a finite number of frames ≥ 0.
      const meanPriorFrames = numberOption('mean-prior-frames', values['mean-prior-frames'], { min: 0 })!;
      if (meanPriorFrames > 0 && meanFrom !== 'utterance')
        throw new UsageError('--mean-prior-frames needs --mean-from utterance');
      const statsUtterances = numberOption('stats-utterances', values['stats-utterances'], {
        min: 1,
        integer: true,
      })!;
      const wanted: Perturbations = {
        speed: numberOption('speed', values.speed, { min: 0.5, max: 2 })!,
        trimEdges: numberOption('trim-edges', values['trim-edges'], { min: 0, max: 1 })!,
        noiseFloor: numberOption('noise-floor', values['noise-floor'], { min: 0, max: 1 })!,
        bandLimit: numberOption('band-limit', values['band-limit'], { min: 0, max: 1 })!,
      };
      return {
        values,
        part,
        parts,
        meanFrom: meanFrom as Normalization['meanFrom'],
        meanPriorFrames,
        statsUtterances,
        wanted,
      };
    },
  );
  const out = values.out!;
  if (values.merge) return merge(out);
  const entries = (await Promise.all(values.manifest!.map(readCorpusManifest))).flat();
  const frontend = DEFAULT_FRONT_END;
  // Written only when used, so stats.json of plain utterance-mean features stays as it was.
  const prior = meanPriorFrames > 0 ? { meanPriorFrames } : {};
  // Likewise only the perturbations used.
  const perturbation = Object.fromEntries(
    PERTURBATION_KEYS.filter((key) => wanted[key] !== PERTURBATIONS[key].neutral).map((key) => [
      key,
      wanted[key],
    ]),
  );
  // Read at this rate and analysed as frontend.sampleRate: F times as fast (see --speed).
  const loadRate = Math.round(frontend.sampleRate / wanted.speed);

  await mkdir(out, { recursive: true });
  const statsFile = path.join(out, 'stats.json');
  let stats: Stats;
  if (existsSync(statsFile)) {
    stats = JSON.parse(await readFile(statsFile, 'utf8')) as Stats;
    if (JSON.stringify(stats.frontend) !== JSON.stringify(frontend)) {
      throw new Error(`${statsFile} was made with another front-end configuration; use a new --out`);
    }
    if ((stats.meanFrom ?? 'training') !== meanFrom) {
      throw new Error(`${statsFile} subtracts the ${stats.meanFrom ?? 'training'} mean; use a new --out`);
    }
    if ((stats.meanPriorFrames ?? 0) !== meanPriorFrames) {
      throw new Error(`${statsFile} mixes in ${stats.meanPriorFrames ?? 0} prior frames; use a new --out`);
    }
    for (const key of PERTURBATION_KEYS) {
      const held = stats[key] ?? PERTURBATIONS[key].neutral;
      if (held !== wanted[key])
        throw new Error(`${statsFile} ${PERTURBATIONS[key].holds(held)}; use a new --out`);
    }
  } else if (values['stats-from-model']) {
    // Warm starts (train.py --init-from) need the features normalised exactly as that model's inputs.
    const manifest = await readManifest(values['stats-from-model']);
    if (JSON.stringify(manifest.frontend) !== JSON.stringify(frontend)) {
      throw new Error(`${values['stats-from-model']} was made with another front-end configuration`);
    }
    const { mean, std } = manifest.normalization;
    stats = {
      dim: mean.length,
      mean,
      std,
      meanFrom,
      ...prior,
      ...perturbation,
      scale: QUANT_SCALE,
      frontend,
      utterances: 0,
      frames: 0,
    };
    await writeFile(statsFile, JSON.stringify(stats, null, 2) + '\n');
    console.log(`stats from ${values['stats-from-model']}/manifest.json`);
  } else {
    if (values.split !== 'train') throw new Error('compute stats from the train split first');
    // The std is the training features' spread either way: utterance means remove the channel's
    // offset, and dividing by the global spread keeps one scale for every recording.
    stats = {
      ...(await computeStats(entries, values.root!, frontend, statsUtterances, loadRate)),
      meanFrom,
      ...prior,
      ...perturbation,
    };
    await writeFile(statsFile, JSON.stringify(stats, null, 2) + '\n');
    console.log(`stats from ${stats.utterances} utterances, ${stats.frames} frames`);
  }

  const dir = path.join(out, values.split!);
  await mkdir(dir, { recursive: true });
  const indexFile = path.join(dir, `index-${part}.jsonl`);
  // Skip what any part has done, so the number of parts may change between runs.
  const done = new Set<string>();
  for (const file of (await readdir(dir)).filter((f) => /^index-\d+\.jsonl$/.test(f))) {
    for (const id of await readDoneIds(path.join(dir, file))) done.add(id);
  }
  const index = createWriteStream(indexFile, { flags: 'a' });
  // Each run starts a fresh shard so a shard torn by a kill is never appended to.
  let shardNo = 0;
  while (existsSync(path.join(dir, `shard-${part}-${String(shardNo).padStart(4, '0')}.i8`))) shardNo++;
  let shard: WriteStream | null = null;
  let shardName = '';
  let shardOffset = 0;
  let written = 0;
  let seconds = 0;
  const started = Date.now();

  for (let i = part; i < entries.length; i += parts) {
    const entry = entries[i];
    const id = entry.path;
    if (done.has(id)) continue;
    let q: Int8Array;
    try {
      let samples = await loadAudioFile(path.join(values.root!, entry.path), loadRate);
      // The dev split stays as recorded, so model selection compares runs on the same inputs.
      if (values.split === 'train') {
        const rate = frontend.sampleRate;
        samples = trimEdges(samples, rate, id, wanted.trimEdges);
        samples = bandLimit(samples, rate, id, wanted.bandLimit);
        samples = addNoiseFloor(samples, rate, id, wanted.noiseFloor);
      }
      q = quantize(computeMfcc(samples, frontend), stats);
      seconds += samples.length / frontend.sampleRate;
    } catch (error) {
      console.error(`skip ${entry.path}: ${(error as Error).message}`);
      continue;
    }
    if (!shard || shardOffset + q.length > SHARD_BYTES) {
      if (shard) await new Promise<void>((resolve) => shard!.end(() => resolve()));
      shardName = `shard-${part}-${String(shardNo++).padStart(4, '0')}.i8`;
      shard = createWriteStream(path.join(dir, shardName));
      shardOffset = 0;
    }
    shard.write(Buffer.from(q.buffer, q.byteOffset, q.length));
    // The index line is written after the data, so an index entry always points at written bytes.
    const record = {
      id,
      text: entry.transcript,
      frames: q.length / stats.dim,
      shard: shardName,
      offset: shardOffset,
    };
    shardOffset += q.length;
    index.write(JSON.stringify(record) + '\n');
    written++;
    if (written % 500 === 0) {
      const rate = seconds / ((Date.now() - started) / 1000);
      console.log(
        `${values.split} part ${part}: ${written} new utterances, ${(seconds / 3600).toFixed(2)} h, ${rate.toFixed(0)}× real time`,
      );
    }
  }
  if (shard) await new Promise<void>((resolve) => shard!.end(() => resolve()));
  await new Promise<void>((resolve) => index.end(() => resolve()));
  console.log(
    `${values.split} part ${part}: done, ${written} new utterances, ${(seconds / 3600).toFixed(2)} h`,
  );
}

if (process.argv[1]?.endsWith('dump-features.ts')) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
