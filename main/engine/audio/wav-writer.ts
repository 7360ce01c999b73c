/**
 * Minimal WAV writer for fixtures, tests, benchmarks and recordings: PCM 8/16/24/32-bit integer or
 * 32/64-bit float, interleaved channels.
 */
import type { SampleEncoding } from './wav';

export interface WavSpec {
  sampleRate: number;
  bitsPerSample: 8 | 16 | 24 | 32 | 64;
  encoding: SampleEncoding;
}

export function wavHeader(spec: WavSpec, channels: number, dataBytes: number): Buffer {
  const header = Buffer.alloc(44);
  const blockAlign = (spec.bitsPerSample / 8) * channels;
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE((36 + dataBytes) >>> 0, 4);
  header.write('WAVEfmt ', 8, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(spec.encoding === 'float' ? 3 : 1, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(spec.sampleRate, 24);
  header.writeUInt32LE(spec.sampleRate * blockAlign, 28);
  header.writeUInt16LE(blockAlign, 32);
  header.writeUInt16LE(spec.bitsPerSample, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(dataBytes >>> 0, 40);
  return header;
}

/** Encodes channel-major float samples in [-1, 1] as interleaved little-endian sample bytes. */
export function encodeSamples(channelData: readonly Float32Array[], spec: WavSpec): Buffer {
  const channels = channelData.length;
  const frames = channelData[0]?.length ?? 0;
  const bytes = spec.bitsPerSample / 8;
  const out = Buffer.alloc(frames * channels * bytes);
  let o = 0;
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < channels; c++, o += bytes) {
      const x = channelData[c][f];
      const clamped = Math.max(-1, Math.min(1, x));
      if (spec.encoding === 'float') {
        if (spec.bitsPerSample === 32) out.writeFloatLE(x, o);
        else out.writeDoubleLE(x, o);
      } else if (spec.bitsPerSample === 8) {
        out[o] = Math.round(clamped * 127) + 128;
      } else if (spec.bitsPerSample === 16) {
        out.writeInt16LE(Math.round(clamped * 32767), o);
      } else if (spec.bitsPerSample === 24) {
        out.writeIntLE(Math.round(clamped * 8388607), o, 3);
      } else {
        out.writeInt32LE(Math.round(clamped * 2147483647), o);
      }
    }
  }
  return out;
}

export function encodeWav(channelData: readonly Float32Array[], spec: WavSpec): Buffer {
  const data = encodeSamples(channelData, spec);
  return Buffer.concat([wavHeader(spec, channelData.length, data.length), data]);
}
