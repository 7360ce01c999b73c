import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CorruptAudioError, EmptyAudioError, UnsupportedFormatError } from '../errors';
import { openAudioFile } from './source';
import { encodeWav, wavHeader, type WavSpec } from './wav-writer';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'wav-test-'));
});

async function writeTemp(name: string, bytes: Buffer): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, bytes);
  return file;
}

async function readAll(file: string) {
  const audio = await openAudioFile(file);
  const parts: Float32Array[] = [];
  let sampleRate = 0;
  for await (const chunk of audio.chunks) {
    parts.push(chunk.samples);
    sampleRate = chunk.sampleRate;
  }
  const samples = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    samples.set(p, o);
    o += p.length;
  }
  return { samples, sampleRate, format: audio.format, durationSec: audio.durationSec };
}

const ramp = (n: number, scale: number) =>
  Float32Array.from({ length: n }, (_, i) => scale * Math.sin(i / 7));

describe('WAV reader', () => {
  const layouts: [string, WavSpec, number][] = [
    ['8-bit int', { sampleRate: 8000, bitsPerSample: 8, encoding: 'int' }, 1 / 64],
    ['16-bit int', { sampleRate: 16000, bitsPerSample: 16, encoding: 'int' }, 1e-4],
    ['24-bit int', { sampleRate: 22050, bitsPerSample: 24, encoding: 'int' }, 1e-6],
    ['32-bit int', { sampleRate: 44100, bitsPerSample: 32, encoding: 'int' }, 1e-6],
    ['32-bit float', { sampleRate: 48000, bitsPerSample: 32, encoding: 'float' }, 1e-7],
    ['64-bit float', { sampleRate: 96000, bitsPerSample: 64, encoding: 'float' }, 1e-7],
  ];
  for (const [label, spec, tolerance] of layouts) {
    it(`decodes ${label} stereo and downmixes to mono`, async () => {
      const left = ramp(3000, 0.5);
      const right = ramp(3000, -0.25);
      const file = await writeTemp(`${label}.wav`, encodeWav([left, right], spec));
      const { samples, sampleRate, format, durationSec } = await readAll(file);
      expect(format).toBe('wav');
      expect(sampleRate).toBe(spec.sampleRate);
      expect(durationSec).toBeCloseTo(3000 / spec.sampleRate, 9);
      expect(samples.length).toBe(3000);
      for (let i = 0; i < 3000; i += 37)
        expect(samples[i]).toBeCloseTo((left[i] + right[i]) / 2, -Math.log10(tolerance) - 0.5);
    });
  }

  it('averages any number of channels', async () => {
    const channels = Array.from({ length: 8 }, (_, c) =>
      Float32Array.from({ length: 100 }, () => (c - 3.5) / 10),
    );
    const file = await writeTemp(
      '8ch.wav',
      encodeWav(channels, { sampleRate: 16000, bitsPerSample: 16, encoding: 'int' }),
    );
    const { samples } = await readAll(file);
    expect(Math.abs(samples[50])).toBeLessThan(1e-4);
  });

  it('replaces NaN and infinite float samples by silence and clamps overs', async () => {
    const data = Float32Array.from([NaN, Infinity, -Infinity, 3, -3, 0.5]);
    const file = await writeTemp(
      'nan.wav',
      encodeWav([data], { sampleRate: 16000, bitsPerSample: 32, encoding: 'float' }),
    );
    const { samples } = await readAll(file);
    expect(Array.from(samples)).toEqual([0, 1, -1, 1, -1, 0.5]);
  });

  it('reads what is there when the data chunk claims more than the file holds', async () => {
    const full = encodeWav([ramp(1000, 0.3)], { sampleRate: 16000, bitsPerSample: 16, encoding: 'int' });
    const file = await writeTemp('truncated.wav', full.subarray(0, 44 + 600 + 1)); // 300 frames and a stray byte
    const { samples } = await readAll(file);
    expect(samples.length).toBe(300);
  });

  it('skips unknown chunks, including odd-sized ones with a pad byte', async () => {
    const spec: WavSpec = { sampleRate: 16000, bitsPerSample: 16, encoding: 'int' };
    const wav = encodeWav([ramp(200, 0.3)], spec);
    const junk = Buffer.concat([
      Buffer.from('LIST', 'latin1'),
      Buffer.from([3, 0, 0, 0]),
      Buffer.from('abc\0', 'latin1'),
    ]);
    const file = await writeTemp('list.wav', Buffer.concat([wav.subarray(0, 36), junk, wav.subarray(36)]));
    expect((await readAll(file)).samples.length).toBe(200);
  });

  it('takes the rest of the file when a streaming writer left the data size at 0', async () => {
    const spec: WavSpec = { sampleRate: 16000, bitsPerSample: 16, encoding: 'int' };
    const wav = encodeWav([ramp(400, 0.3)], spec);
    wav.writeUInt32LE(0, 40);
    expect((await readAll(await writeTemp('zero-size.wav', wav))).samples.length).toBe(400);
  });

  it('rejects headers it cannot trust with a typed error naming the file', async () => {
    const spec: WavSpec = { sampleRate: 16000, bitsPerSample: 16, encoding: 'int' };
    const noChannels = wavHeader(spec, 0, 100);
    const file = await writeTemp('zero-channels.wav', Buffer.concat([noChannels, Buffer.alloc(100)]));
    await expect(openAudioFile(file)).rejects.toThrow(CorruptAudioError);
    await expect(openAudioFile(file)).rejects.toThrow(/zero-channels\.wav.*0 channels/);

    const badRate = wavHeader({ ...spec, sampleRate: 10 }, 1, 100);
    await expect(
      openAudioFile(await writeTemp('rate.wav', Buffer.concat([badRate, Buffer.alloc(100)]))),
    ).rejects.toThrow(/sample rate of 10 Hz/);

    const adpcm = wavHeader(spec, 1, 100);
    adpcm.writeUInt16LE(2, 20); // MS ADPCM
    await expect(
      openAudioFile(await writeTemp('adpcm.wav', Buffer.concat([adpcm, Buffer.alloc(100)]))),
    ).rejects.toThrow(UnsupportedFormatError);

    await expect(openAudioFile(await writeTemp('header-only.wav', wavHeader(spec, 1, 0)))).rejects.toThrow(
      EmptyAudioError,
    );
    await expect(openAudioFile(await writeTemp('empty.wav', Buffer.alloc(0)))).rejects.toThrow(
      EmptyAudioError,
    );
    await expect(openAudioFile(await writeTemp('tiny.wav', Buffer.from('RIFF')))).rejects.toThrow(
      CorruptAudioError,
    );
  });
});
