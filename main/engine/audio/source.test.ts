import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CorruptAudioError, FileNotFoundError, UnsupportedFormatError } from '../errors';
import { openAudioFile } from './source';

const fixture = (name: string) => path.join(import.meta.dirname, '..', '__fixtures__', name);

async function decodeAll(file: string) {
  const audio = await openAudioFile(file);
  let length = 0;
  let sampleRate = 0;
  let peak = 0;
  let lastProgress = 0;
  for await (const chunk of audio.chunks) {
    length += chunk.samples.length;
    sampleRate = chunk.sampleRate;
    for (const x of chunk.samples) peak = Math.max(peak, Math.abs(x));
    expect(chunk.progress).toBeGreaterThanOrEqual(lastProgress);
    lastProgress = chunk.progress;
  }
  return { format: audio.format, length, sampleRate, peak, lastProgress };
}

describe('openAudioFile', () => {
  // The same 3.44 s utterance in four containers (see __fixtures__/README.md).
  it.each([
    ['speech-16k.wav', 'wav', 16000],
    ['speech-44k-stereo.flac', 'flac', 44100],
    ['speech-22k.mp3', 'mp3', 22050],
    ['speech-48k.ogg', 'vorbis', 48000],
  ])('decodes %s', async (name, format, rate) => {
    const result = await decodeAll(fixture(name));
    expect(result.format).toBe(format);
    expect(result.sampleRate).toBe(rate);
    // MP3 adds encoder delay and padding; allow 0.1 s.
    expect(Math.abs(result.length / rate - 3.438)).toBeLessThan(0.1);
    expect(result.peak).toBeGreaterThan(0.1);
    expect(result.lastProgress).toBeCloseTo(1, 5);
  });

  it('names the file and the problem for bad input', async () => {
    await expect(openAudioFile(fixture('does-not-exist.wav'))).rejects.toThrow(FileNotFoundError);
    await expect(openAudioFile(fixture('does-not-exist.wav'))).rejects.toThrow(
      /file not found or not readable/,
    );
    await expect(openAudioFile(import.meta.dirname)).rejects.toThrow(FileNotFoundError);
    await expect(openAudioFile(import.meta.dirname)).rejects.toThrow(/is a folder, not an audio file/);
    await expect(openAudioFile(import.meta.filename)).rejects.toThrow(UnsupportedFormatError);
    await expect(decodeAll(fixture('broken.flac'))).rejects.toThrow(CorruptAudioError);
    await expect(decodeAll(fixture('broken.flac'))).rejects.toThrow(/broken\.flac/);
    await expect(openAudioFile(fixture('truncated-header.wav'))).rejects.toThrow(
      /truncated-header\.wav.*no fmt chunk/,
    );
  });
});
