import { execFile } from 'node:child_process';
import { mkdtemp, open, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { EmptyAudioError, UnsupportedFormatError } from '../errors';
import { flacBomb, mp3Bomb, opusBomb, vorbisBomb } from '../testing/bombs';
import { riff, riffChunk, fmtBody } from '../testing/fuzz/corpus';
import { DECODE_BUDGET_SAMPLES } from './flac-stream';
import { openAudioFile } from './source';
import { encodeWav } from './wav-writer';

const run = promisify(execFile);
const root = path.join(import.meta.dirname, '..', '..', '..');
const fixture = (name: string) => path.join(import.meta.dirname, '..', '__fixtures__', name);
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bounded-decode-'));
});

async function temp(name: string, bytes: Buffer): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, bytes);
  return file;
}

/** Decodes a file, keeping only counts: total samples, the largest chunk, and the warnings. */
async function measure(file: string) {
  const audio = await openAudioFile(file);
  let samples = 0;
  let largestChunk = 0;
  let sampleRate = 0;
  for await (const chunk of audio.chunks) {
    samples += chunk.samples.length;
    largestChunk = Math.max(largestChunk, chunk.samples.length);
    sampleRate = chunk.sampleRate;
  }
  return { format: audio.format, samples, largestChunk, sampleRate, warnings: audio.warnings };
}

describe('decompression bombs decode in bounded pieces', () => {
  it('FLAC: 15 KB of 8-channel 65,535-sample frames, every frame decoded, one group of frames at a time', async () => {
    const bomb = flacBomb({ bytes: 15_000 });
    const declared = Number(bomb.readBigUInt64BE(18) & 0xfffffffffn); // STREAMINFO's total samples
    const result = await measure(await temp('bomb.flac', bomb));
    expect(result.format).toBe('flac');
    expect(declared % 65_535).toBe(0);
    expect(result.samples).toBe(declared); // 10 minutes of 44.1 kHz silence, nothing lost
    // Each piece comes from one decoder call over frames declaring at most the budget (mono after mixing).
    expect(result.largestChunk).toBeLessThanOrEqual(DECODE_BUDGET_SAMPLES / 8);
    expect(result.warnings).toEqual([]);
  });

  it('Ogg Opus and Ogg Vorbis: one page per decoder call', async () => {
    const opus = await measure(await temp('bomb.opus', opusBomb({ bytes: 15_000 })));
    expect(opus.format).toBe('opus');
    expect(opus.samples / opus.sampleRate).toBeGreaterThan(500);
    expect(opus.largestChunk).toBeLessThanOrEqual(2 * 255 * 5760);
    const vorbis = await measure(await temp('bomb.ogg', await vorbisBomb({ bytes: 15_000 })));
    expect(vorbis.format).toBe('vorbis');
    expect(vorbis.samples / vorbis.sampleRate).toBeGreaterThan(80);
    expect(vorbis.largestChunk).toBeLessThanOrEqual(2 * 255 * 1024);
  });

  it('MP3: at most 16 KB of input per decoder call', async () => {
    const mp3 = await measure(await temp('bomb.mp3', mp3Bomb({ bytes: 64_000 })));
    expect(mp3.format).toBe('mp3');
    expect(mp3.largestChunk).toBeLessThanOrEqual(Math.ceil(16_384 / 96) * 1152 + 1152);
  });

  it('keeps the decoding process small: a 15 KB FLAC bomb took 1.9 GB, now well under 400 MB', async () => {
    const file = await temp('rss.flac', flacBomb({ bytes: 15_000 }));
    const script = `import { openAudioFile } from './main/engine/audio/source.ts';
      const audio = await openAudioFile(${JSON.stringify(file)});
      for await (const chunk of audio.chunks) void chunk;
      console.log(process.resourceUsage().maxRSS / 1024);`;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
    });
    expect(Number(stdout.trim())).toBeLessThan(400);
  }, 60_000);
});

describe('only the documented formats are decoded', () => {
  it('refuses a ProTracker module, AIFF, Ogg FLAC and Ogg Speex by name', async () => {
    const mod = Buffer.alloc(2048);
    mod.write('M.K.', 1080, 'latin1');
    const aiff = Buffer.concat([Buffer.from('FORM\x00\x00\x00\x20AIFFCOMM', 'latin1'), Buffer.alloc(40)]);
    const oggPage = (packet: string) => {
      const page = Buffer.alloc(28 + packet.length);
      page.write('OggS', 0, 'latin1');
      page[5] = 2;
      page[26] = 1;
      page[27] = packet.length;
      page.write(packet, 28, 'latin1');
      return page;
    };
    const cases: [string, Buffer, RegExp][] = [
      [
        'song.mod',
        mod,
        /unsupported audio format: ProTracker module; supported: WAV, FLAC, MP3, Ogg Vorbis, Ogg Opus/,
      ],
      ['sound.aiff', aiff, /unsupported audio format: AIFF/],
      ['lossless.oga', oggPage('\x7fFLAC\x01\x00\x00\x01fLaC' + '\x00'.repeat(40)), /FLAC in Ogg/],
      ['voice.spx', oggPage('Speex   1.2' + '\x00'.repeat(70)), /Ogg Speex/],
    ];
    for (const [name, bytes, message] of cases) {
      const file = await temp(name, bytes);
      await expect(openAudioFile(file)).rejects.toThrow(UnsupportedFormatError);
      await expect(openAudioFile(file)).rejects.toThrow(message);
    }
  });

  it('refuses an Ogg stream with more than 8 channels before decoding', async () => {
    const bomb = opusBomb({ bytes: 2000 });
    bomb[28 + 9] = 255; // OpusHead channel count (family 0 would allow 2; the header is read first)
    await expect(openAudioFile(await temp('wide.opus', bomb))).rejects.toThrow(
      /Ogg Opus with 255 channels \(at most 8\)/,
    );
  });
});

describe('truncated and lying files are said to be so', () => {
  it('warns when a WAV, FLAC or Ogg file holds less than its header declares', async () => {
    const wav = await readFile(fixture('speech-16k.wav'));
    expect((await measure(await temp('cut.wav', wav.subarray(0, 20_000)))).warnings).toEqual([
      'the file is truncated: its header declares 3.44 s of audio, the file holds 0.62 s',
    ]);
    const flac = await readFile(fixture('speech-44k-stereo.flac'));
    expect((await measure(await temp('cut.flac', flac.subarray(0, 100_000)))).warnings).toEqual([
      'the file is truncated: its header declares 3.44 s of audio, the file holds 2.32 s',
    ]);
    const ogg = await readFile(fixture('speech-48k.ogg'));
    expect((await measure(await temp('cut.ogg', ogg.subarray(0, 20_000)))).warnings).toEqual([
      expect.stringMatching(/^the file is truncated: it ends inside a page at 1\.\d\d s$/),
    ]);
    // Whole files: no warning.
    for (const name of ['speech-16k.wav', 'speech-44k-stereo.flac', 'speech-48k.ogg', 'speech-22k.mp3'])
      expect((await measure(fixture(name))).warnings).toEqual([]);
  });

  it('warns when a WAV file shrinks while it is being read', async () => {
    const file = await temp(
      'shrinking.wav',
      encodeWav([new Float32Array(16_000 * 5).fill(0.1)], {
        sampleRate: 16_000,
        bitsPerSample: 16,
        encoding: 'int',
      }),
    );
    const audio = await openAudioFile(file);
    let samples = 0;
    for await (const chunk of audio.chunks) {
      samples += chunk.samples.length;
      if (samples === 16_000) {
        const handle = await open(file, 'r+');
        await handle.truncate(44 + 2 * 16_000 * 2);
        await handle.close();
      }
    }
    expect(samples).toBe(32_000);
    expect(audio.warnings).toEqual([
      'the file ended at 2.00 s of 5.00 s while it was read (truncated or being written?)',
    ]);
  });

  it('does not take the chunk after an empty data chunk for audio', async () => {
    const list = riffChunk(
      'LIST',
      Buffer.concat([
        Buffer.from('INFOISFT', 'latin1'),
        riffChunk('', Buffer.alloc(0)),
        Buffer.alloc(400, 0x41),
      ]),
    );
    const file = await temp(
      'data-zero-then-list.wav',
      riff([riffChunk('fmt ', fmtBody()), riffChunk('data', Buffer.alloc(0)), list]),
    );
    await expect(openAudioFile(file)).rejects.toThrow(EmptyAudioError);
    // A streaming writer's data size 0 followed by samples still reads the samples.
    const pcm = Buffer.alloc(3200, 0x11);
    const streamed = await temp(
      'data-zero-then-samples.wav',
      riff([riffChunk('fmt ', fmtBody()), riffChunk('data', pcm, 0)]),
    );
    expect((await measure(streamed)).samples).toBe(1600);
  });
});
