/**
 * Loads a whole WAV file as mono samples at a given rate using only the engine's own WAV reader and
 * resampler — no codec libraries — so Electron's main process can use it (the file source for dictation)
 * without bundling the decoders that belong in the engine process.
 */
import { open, stat } from 'node:fs/promises';
import { Resampler } from './resample';
import { concatSamples } from './samples';
import { readWavChunks, readWavInfo } from './wav';

export async function loadWavFile(file: string, sampleRate: number): Promise<Float32Array> {
  const { size } = await stat(file);
  const handle = await open(file, 'r');
  try {
    const info = await readWavInfo(handle, file, size);
    const resampler = new Resampler(info.sampleRate, sampleRate);
    const parts: Float32Array[] = [];
    for await (const samples of readWavChunks(handle, info)) parts.push(resampler.process(samples));
    parts.push(resampler.flush());
    return concatSamples(parts);
  } finally {
    await handle.close();
  }
}
