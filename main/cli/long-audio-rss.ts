/** What this command does and how to run it: USAGE below (printed by `--help`). */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadAudioFile } from '../engine/audio/load';
import { encodeSamples, wavHeader, type WavSpec } from '../engine/audio/wav-writer';
import { AsrEngine } from '../engine/engine';
import { initBackend } from '../engine/model/backend';
import { createRandomModel } from '../engine/model/random-model';
import { parseCommandLine } from './command-line';

/** What `--help` prints: this file's own description. */
const USAGE = `Memory check for long inputs: writes a long WAV (speech fixture repeated with pauses and a noise
floor, 44.1 kHz so the resampler runs), transcribes it with the streaming engine and prints one JSON
line with the RSS before and at its peak. Used by engine.memory.test.ts and runnable by hand:

  node --expose-gc --import tsx main/engine/testing/long-audio-rss.ts --minutes 30 --model DIR
`;

const { values } = parseCommandLine({
  command: 'npx tsx main/engine/testing/long-audio-rss.ts',
  usage: USAGE,
  options: { minutes: { type: 'string', default: '30' }, model: { type: 'string' } },
});
const minutes = Number(values.minutes);
const spec: WavSpec = { sampleRate: 44100, bitsPerSample: 16, encoding: 'int' };
const work = await mkdtemp(path.join(os.tmpdir(), 'long-audio-'));
const file = path.join(work, 'long.wav');

try {
  const speech = await loadAudioFile(
    path.join(import.meta.dirname, '..', 'engine', '__fixtures__', 'speech-16k.wav'),
    spec.sampleRate,
  );
  const totalFrames = Math.round(minutes * 60 * spec.sampleRate);
  const out = createWriteStream(file);
  out.write(wavHeader(spec, 1, totalFrames * 2));
  let seed = 1;
  const block = new Float32Array(spec.sampleRate); // one second at a time keeps the writer small too
  for (let written = 0; written < totalFrames; written += block.length) {
    for (let i = 0; i < block.length; i++) {
      const t = (written + i) % (speech.length + spec.sampleRate); // speech, then one second of pause
      seed = (seed * 16807) % 2147483647;
      block[i] = (t < speech.length ? speech[t] : 0) + (seed / 2147483647 - 0.5) * 0.002;
    }
    const n = Math.min(block.length, totalFrames - written);
    if (!out.write(encodeSamples([block.subarray(0, n)], spec)))
      await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));

  await initBackend();
  let modelDir = values.model;
  if (!modelDir) {
    modelDir = path.join(work, 'model');
    await createRandomModel(modelDir, { units: 16 });
  }
  const engine = await AsrEngine.load({ model: modelDir });
  global.gc?.();
  const baselineRss = process.memoryUsage().rss;
  let peakRss = baselineRss;
  let firstHalfPeakRss = baselineRss;
  let progressEvents = 0;
  const transcript = await engine.transcribeFile(file, {
    onProgress: ({ fraction }) => {
      progressEvents++;
      // Collect first (node --expose-gc) so the reading reflects memory the engine holds on to, not
      // garbage V8 has not got round to collecting yet.
      global.gc?.();
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      if (fraction <= 0.5) firstHalfPeakRss = peakRss;
    },
  });
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const lastEnd = transcript.words.at(-1)?.end ?? 0;
  engine.dispose();
  console.log(
    JSON.stringify({
      minutes,
      fileMb: (totalFrames * 2) / 2 ** 20,
      durationSec: transcript.durationSec,
      words: transcript.words.length,
      lastWordEndSec: lastEnd,
      progressEvents,
      baselineRssMb: baselineRss / 2 ** 20,
      firstHalfPeakRssMb: firstHalfPeakRss / 2 ** 20,
      peakRssMb: peakRss / 2 ** 20,
      rtf: transcript.rtf,
      backend: transcript.backend,
    }),
  );
} finally {
  await rm(work, { recursive: true, force: true });
}
