import { Resampler } from './resample';
import { concatSamples } from './samples';
import { openAudioFile } from './source';

/**
 * Decodes a whole file to mono samples at `sampleRate`. For short audio (utterances, fixtures, training
 * data); long files go through the engine's streaming path instead.
 */
export async function loadAudioFile(file: string, sampleRate: number): Promise<Float32Array> {
  const audio = await openAudioFile(file);
  const parts: Float32Array[] = [];
  let resampler: Resampler | null = null;
  for await (const chunk of audio.chunks) {
    resampler ??= new Resampler(chunk.sampleRate, sampleRate);
    parts.push(resampler.process(chunk.samples));
  }
  if (resampler) parts.push(resampler.flush());
  return concatSamples(parts);
}
