/**
 * Opens any common audio file as a stream of mono float chunks at the file's own sample rate.
 * WAV goes through our own streaming reader; FLAC, MP3, OGG (Vorbis/Opus) and the other containers that
 * `audio-decode` knows are decoded chunk by chunk with its WASM decoders, so memory stays bounded for
 * files of any length.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import decode from 'audio-decode';
import audioType from 'audio-type';
import { CorruptAudioError, EmptyAudioError, FileNotFoundError, UnsupportedFormatError } from '../errors';
import { readWavChunks, readWavInfo } from './wav';

/** Enough to skip a typical ID3 tag in front of an MP3 and still see the first frame. */
const SNIFF_BYTES = 64 * 1024;
const READ_CHUNK_BYTES = 64 * 1024;

export interface AudioChunk {
  /** Mono samples in [-1, 1]; non-finite samples from damaged files are replaced by 0. */
  samples: Float32Array;
  sampleRate: number;
  /** Fraction of the file consumed so far, 0..1, for progress reporting. */
  progress: number;
}

export interface AudioFileStream {
  /** Detected container/codec ("wav", "flac", "mp3", "oga", "opus", …). */
  format: string;
  /** Duration in seconds when the header tells it (WAV), else null until decoded. */
  durationSec: number | null;
  chunks: AsyncGenerator<AudioChunk>;
}

/** Replaces NaN/±Inf by 0 and clamps to [-1, 1], in place, so damaged files cannot poison features. */
export function sanitizeSamples(samples: Float32Array): Float32Array {
  for (let i = 0; i < samples.length; i++) {
    const x = samples[i];
    if (!(x >= -1 && x <= 1)) samples[i] = x > 1 ? 1 : x < -1 ? -1 : 0;
  }
  return samples;
}

export function downmix(channelData: readonly Float32Array[]): Float32Array {
  if (channelData.length === 1) return channelData[0];
  const length = Math.min(...channelData.map((c) => c.length));
  const out = new Float32Array(length);
  for (const channel of channelData) for (let i = 0; i < length; i++) out[i] += channel[i];
  for (let i = 0; i < length; i++) out[i] /= channelData.length;
  return out;
}

export async function openAudioFile(file: string): Promise<AudioFileStream> {
  const info = await stat(file).catch((cause: unknown) => {
    throw new FileNotFoundError(file, { cause });
  });
  // Said plainly: a folder among the inputs (a drop, a CLI glob) is not "not found".
  if (info.isDirectory()) throw new FileNotFoundError(file, { problem: 'is a folder, not an audio file' });
  if (!info.isFile()) throw new FileNotFoundError(file, { problem: 'is not a regular file' });
  const size = info.size;
  let head: Buffer;
  try {
    const handle = await open(file, 'r');
    try {
      head = Buffer.alloc(Math.min(SNIFF_BYTES, size));
      await handle.read(head, 0, head.length, 0);
    } finally {
      await handle.close();
    }
  } catch (cause) {
    throw new FileNotFoundError(file, { cause });
  }
  if (size === 0) throw new EmptyAudioError(file);

  const format = head.length >= 4 ? audioType(new Uint8Array(head)) : undefined;
  // Anything that starts like RIFF goes to our WAV reader, which explains what is wrong with it.
  if (format === 'wav' || ['RIFF', 'RIFX', 'RF64'].includes(head.toString('latin1', 0, 4)))
    return openWav(file, size);
  if (!format) throw new UnsupportedFormatError(file, 'not a recognised audio container');
  const codecs = decode as unknown as Record<string, unknown>;
  if (typeof codecs[format] !== 'function') throw new UnsupportedFormatError(file, `${format} files`);
  return { format, durationSec: null, chunks: decodeCompressed(file, format, size) };
}

async function openWav(file: string, size: number): Promise<AudioFileStream> {
  const handle = await open(file, 'r');
  try {
    const info = await readWavInfo(handle, file, size);
    async function* chunks(): AsyncGenerator<AudioChunk> {
      try {
        let frames = 0;
        for await (const samples of readWavChunks(handle, info)) {
          frames += samples.length;
          yield {
            samples: sanitizeSamples(samples),
            sampleRate: info.sampleRate,
            progress: frames / info.frames,
          };
        }
      } finally {
        await handle.close();
      }
    }
    return { format: 'wav', durationSec: info.frames / info.sampleRate, chunks: chunks() };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

async function* decodeCompressed(file: string, format: string, size: number): AsyncGenerator<AudioChunk> {
  let bytesRead = 0;
  const stream = createReadStream(file, { highWaterMark: READ_CHUNK_BYTES });
  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytesRead += chunk.length;
      yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
    }
  }
  let samplesOut = 0;
  let sampleRate = 0;
  try {
    for await (const data of decode(counted(), format as Parameters<typeof decode>[1])) {
      if (data.channelData.length === 0) continue;
      if (!(data.sampleRate >= 1000 && data.sampleRate <= 768_000)) {
        throw new CorruptAudioError(file, `decoder reported a sample rate of ${data.sampleRate} Hz`);
      }
      if (sampleRate && data.sampleRate !== sampleRate) {
        throw new CorruptAudioError(
          file,
          `sample rate changes mid-stream (${sampleRate} → ${data.sampleRate} Hz)`,
        );
      }
      sampleRate = data.sampleRate;
      const samples = sanitizeSamples(Float32Array.from(downmix(data.channelData)));
      if (samples.length === 0) continue;
      samplesOut += samples.length;
      yield { samples, sampleRate, progress: Math.min(1, bytesRead / size) };
    }
  } catch (cause) {
    if (cause instanceof CorruptAudioError) throw cause;
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new CorruptAudioError(file, `${format} decoder failed: ${detail}`, { cause });
  } finally {
    stream.destroy();
  }
  // A compressed container that decodes to nothing is damaged, not merely empty.
  if (samplesOut === 0) throw new CorruptAudioError(file, `the ${format} stream decoded to no audio samples`);
}
