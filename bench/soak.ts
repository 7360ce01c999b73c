/** What this command does and how to run it: USAGE below (printed by `--help`). */
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadAudioFile } from '../main/engine/audio/load';
import { encodeWav } from '../main/engine/audio/wav-writer';
import { AsrEngine, DEFAULT_MODEL, type DecoderChoice } from '../main/engine/engine';
import { isEngineError } from '../main/engine/errors';
import { parseCommandLine } from '../main/cli/command-line';

/** What `--help` prints: this file's own description. */
const USAGE = `\`npm run bench:soak -- [--count 1000] [--model NAME|DIR] [--decoder greedy|beam] [--every 100] [--json FILE]\`

Leak check: transcribes short clips \`--count\` times in a row with one engine (the default model,
whatever backend is picked — wasm on the build machines) and prints RSS, V8 heap, tf.memory() tensors
and bytes before, at intervals and after, then a verdict. The clips cycle through WAV at 8, 16 and
44.1 kHz (so the resampler runs) and the FLAC, MP3 and OGG fixtures (so every WASM decoder runs);
every 20th transcription is followed by a corrupt file, so the error paths are soaked too.

Verdict: tensors must be exactly as many at the end as after warm-up, and RSS (read after a full GC)
must not grow by more than RSS_GROWTH_LIMIT_MB from the first reading after warm-up to the end.
Runs under \`node --expose-gc\` (the npm script passes it) so readings show retained memory, not garbage.
`;

/**
 * Why 48 MB: a leak of one short clip's samples per transcription (≥ 64 KB) would add ≥ 58 MB over the
 * 900 transcriptions after warm-up, and a leaked output tensor far more; allocator and JIT noise after
 * a full GC stays well under this on the build machines.
 */
const RSS_GROWTH_LIMIT_MB = 48;
const WARM_UP = 20;
const FIXTURES = path.join(import.meta.dirname, '..', 'main', 'engine', '__fixtures__');

const { values } = parseCommandLine({
  command: 'npm run bench:soak --',
  usage: USAGE,
  options: {
    count: { type: 'string', default: '1000' },
    model: { type: 'string', default: DEFAULT_MODEL },
    decoder: { type: 'string', default: 'manifest' },
    every: { type: 'string', default: '100' },
    json: { type: 'string' },
  },
});
const count = Number(values.count);
const every = Number(values.every);

interface Reading {
  after: number;
  rssMb: number;
  heapMb: number;
  tensors: number;
  tfMb: number;
  msPerTranscription: number;
}

const mb = (bytes: number) => bytes / 2 ** 20;
function read(after: number, msPerTranscription: number): Reading {
  global.gc?.();
  global.gc?.();
  const memory = process.memoryUsage();
  const tfMemory = tf.memory();
  return {
    after,
    rssMb: mb(memory.rss),
    heapMb: mb(memory.heapUsed),
    tensors: tfMemory.numTensors,
    tfMb: mb(tfMemory.numBytes),
    msPerTranscription,
  };
}

function print(label: string, r: Reading): void {
  console.log(
    `${label.padEnd(12)} after ${String(r.after).padStart(5)}  RSS ${r.rssMb.toFixed(1).padStart(7)} MB  ` +
      `heap ${r.heapMb.toFixed(1).padStart(6)} MB  tensors ${String(r.tensors).padStart(4)}  ` +
      `tf ${r.tfMb.toFixed(1).padStart(6)} MB  ${r.msPerTranscription.toFixed(0).padStart(5)} ms/transcription`,
  );
}

if (!global.gc) console.warn('soak: run with node --expose-gc for meaningful RSS readings');
const work = await mkdtemp(path.join(os.tmpdir(), 'soak-'));
try {
  // Short clips: the first ~1–1.7 s of the fixture utterance at three sample rates.
  const clips: string[] = [];
  for (const [rate, seconds] of [
    [16000, 1.0],
    [8000, 1.3],
    [44100, 1.7],
    [16000, 1.5],
  ]) {
    const samples = await loadAudioFile(path.join(FIXTURES, 'speech-16k.wav'), rate);
    const file = path.join(work, `clip-${rate}-${seconds}.wav`);
    const spec = { sampleRate: rate, bitsPerSample: 16, encoding: 'int' } as const;
    await writeFile(file, encodeWav([samples.subarray(0, Math.round(rate * seconds))], spec));
    clips.push(file);
  }
  for (const name of ['speech-44k-stereo.flac', 'speech-22k.mp3', 'speech-48k.ogg']) {
    await copyFile(path.join(FIXTURES, name), path.join(work, name));
    clips.push(path.join(work, name));
  }
  const broken = path.join(work, 'broken.flac');
  await copyFile(path.join(FIXTURES, 'broken.flac'), broken);

  const engine = await AsrEngine.load({ model: values.model, decoder: values.decoder as DecoderChoice });
  console.log(
    `soak: ${count} transcriptions, model ${engine.modelName}, backend ${engine.backend.name}, ` +
      `decoder ${engine.decoderName}, ${clips.length} clips in rotation`,
  );
  const readings: Reading[] = [];
  const before = read(0, 0);
  print('before', before);
  readings.push(before);

  let words = 0;
  let expectedFailures = 0;
  let unexpected = 0;
  let windowStart = performance.now();
  let windowCount = 0;
  let baseline: Reading | null = null;
  const started = performance.now();
  for (let i = 1; i <= count; i++) {
    words += (await engine.transcribeFile(clips[i % clips.length])).words.length;
    windowCount++;
    if (i % 20 === 0) {
      try {
        await engine.transcribeFile(broken);
        unexpected++;
      } catch (error) {
        if (isEngineError(error)) expectedFailures++;
        else throw error;
      }
    }
    if (i === WARM_UP || i % every === 0 || i === count) {
      const r = read(i, (performance.now() - windowStart) / windowCount);
      windowStart = performance.now();
      windowCount = 0;
      readings.push(r);
      if (i === WARM_UP) {
        baseline = r;
        print('warmed up', r);
      } else print(i === count ? 'after' : 'progress', r);
    }
  }
  const after = readings.at(-1)!;
  const reference = baseline ?? before;
  // The reading after 100 transcriptions: allocators, caches and JIT have settled by then.
  const settled = readings.find((r) => r.after >= Math.min(count, 100)) ?? reference;
  const tensorDelta = after.tensors - reference.tensors;
  const rssGrowth = after.rssMb - settled.rssMb;
  const seconds = (performance.now() - started) / 1000;
  engine.dispose();

  const passed = tensorDelta === 0 && rssGrowth <= RSS_GROWTH_LIMIT_MB && unexpected === 0;
  console.log('\nsoak summary');
  console.log(
    `  transcriptions:   ${count} (${words} words), plus ${expectedFailures} corrupt inputs rejected`,
  );
  console.log(
    `  tensors:          before ${before.tensors}, after warm-up ${reference.tensors}, after ${after.tensors} (Δ ${tensorDelta})`,
  );
  console.log(
    `  RSS:              before ${before.rssMb.toFixed(1)} MB, after ${settled.after} ${settled.rssMb.toFixed(1)} MB, ` +
      `after ${count} ${after.rssMb.toFixed(1)} MB (growth ${rssGrowth.toFixed(1)} MB, limit ${RSS_GROWTH_LIMIT_MB} MB)`,
  );
  console.log(
    `  V8 heap:          before ${before.heapMb.toFixed(1)} MB, after ${after.heapMb.toFixed(1)} MB`,
  );
  console.log(
    `  time:             ${seconds.toFixed(0)} s (${((seconds * 1000) / count).toFixed(0)} ms per transcription)`,
  );
  console.log(
    `  verdict:          ${passed ? 'PASS — tensors and RSS flat' : 'FAIL — memory grows with use'}`,
  );
  if (values.json) {
    await writeFile(
      values.json,
      JSON.stringify({ count, tensorDelta, rssGrowthMb: rssGrowth, passed, readings }, null, 2) + '\n',
    );
  }
  process.exitCode = passed ? 0 : 1;
} finally {
  await rm(work, { recursive: true, force: true });
}
