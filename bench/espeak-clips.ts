/**
 * Short spoken clips for the batch benchmarks (`bench:batch`, `bench:queue`): espeak-ng reads evaluation
 * sentences in several accents, voice variants and rates. Generated once into a folder and reused.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { formatReferenceManifest, parseReferenceManifest } from '../main/common/references';
import { seededRandom } from '../main/engine/testing/seeded-random';
const run = promisify(execFile);

const VOICES = [
  'en-us',
  'en-gb',
  'en-gb-scotland',
  'en-gb-x-rp',
  'en-gb-x-gbclan',
  'en-gb-x-gbcwmd',
  'en-029',
];
const VARIANTS = ['', '+m1', '+m2', '+m3', '+m4', '+f1', '+f2', '+f3'];
const FALLBACK_SENTENCES = [
  'the quick brown fox jumps over the lazy dog',
  'please call me back after the meeting',
  'the weather will be cold and windy tomorrow',
  'she left the keys on the kitchen table',
  'we need more paper for the printer',
  'the train to the city leaves at noon',
  'turn left at the second traffic light',
  'my brother plays the guitar every evening',
  'the museum is closed on mondays',
  'he forgot to water the plants again',
];

/** Evaluation sentences of up to `maxWords` words from the corpus manifests, or the built-in list. */
async function sentences(
  manifestsDir: string,
  maxWords: number,
): Promise<{ list: string[]; source: string }> {
  const found = new Set<string>();
  for (const set of ['eval-slt-clean', 'eval-awb-clean', 'eval-asterisk-test']) {
    const file = path.join(manifestsDir, `${set}.tsv`);
    if (!existsSync(file)) continue;
    for (const e of parseReferenceManifest(await readFile(file, 'utf8'), file)) {
      const words = e.reference.split(' ').filter(Boolean).length;
      if (words > 0 && words <= maxWords) found.add(e.reference);
    }
  }
  return found.size >= 50
    ? { list: [...found].sort(), source: `${found.size} evaluation sentences from ${manifestsDir}` }
    : { list: FALLBACK_SENTENCES, source: `${FALLBACK_SENTENCES.length} built-in sentences` };
}

/** Makes (or reuses) `count` clips and their manifest in `dir`; returns the manifest path. */
export async function ensureClips(dir: string, count: number, manifestsDir: string): Promise<string> {
  const manifest = path.join(dir, 'manifest.tsv');
  if (existsSync(manifest)) {
    const entries = parseReferenceManifest(await readFile(manifest, 'utf8'), manifest);
    if (entries.length === count && entries.every((e) => existsSync(path.join(dir, e.audio)))) {
      console.log(`clips: ${count} cached in ${dir}`);
      return manifest;
    }
  }
  const { list, source } = await sentences(manifestsDir, 14);
  console.log(`clips: generating ${count} with espeak-ng from ${source} into ${dir}`);
  await mkdir(path.join(dir, 'clips'), { recursive: true });
  const random = seededRandom(500);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  const jobs = Array.from({ length: count }, (_, i) => ({
    audio: `clips/clip_${String(i).padStart(4, '0')}.wav`,
    reference: list[i % list.length],
    voice: pick(VOICES) + pick(VARIANTS),
    rate: 140 + Math.floor(random() * 46),
  }));
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++];
      const target = path.join(dir, job.audio);
      if (existsSync(target)) continue;
      // prettier-ignore
      await run('espeak-ng', ['-v', job.voice, '-s', String(job.rate), '-w', target + '.part', job.reference]);
      await rename(target + '.part', target);
    }
  };
  await Promise.all([worker(), worker()]);
  await writeFile(manifest, formatReferenceManifest(jobs));
  console.log(`clips: generated in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return manifest;
}
