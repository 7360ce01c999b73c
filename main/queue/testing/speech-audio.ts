/**
 * Test audio with real speech and seconds of work in it: the engine's 3.4 s fixture repeated, so each
 * file has distinct content (its own job) and a worker is still busy with it when a test interrupts it.
 */
import path from 'node:path';
import { openAudioFile } from '../../engine/audio/source';
import { encodeWav } from '../../engine/audio/wav-writer';

const fixture = path.join(import.meta.dirname, '..', '..', 'engine', '__fixtures__', 'speech-16k.wav');

/** The fixture's samples (16 kHz mono). */
export async function fixtureSamples(): Promise<Float32Array> {
  const parts: Float32Array[] = [];
  for await (const chunk of (await openAudioFile(fixture)).chunks) parts.push(chunk.samples);
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) out.set(p, (o += p.length) - p.length);
  return out;
}

/** The utterance `repeats` times with `gapSec` of silence between, as a 16-bit WAV. */
export function speechFile(speech: Float32Array, repeats: number, gapSec: number): Buffer {
  const gap = Math.round(gapSec * 16000);
  const samples = new Float32Array(repeats * (speech.length + gap));
  for (let i = 0; i < repeats; i++) samples.set(speech, i * (speech.length + gap));
  return encodeWav([samples], { sampleRate: 16000, bitsPerSample: 16, encoding: 'int' });
}
