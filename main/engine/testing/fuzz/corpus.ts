/**
 * The bad-input corpus: several hundred malformed or extreme audio inputs, generated deterministically
 * from a seed (nothing is committed but this generator). Each case writes its own file when asked, so a
 * run needs disk for one input at a time — the three hours of silence are streamed to disk and deleted
 * after use. `expect` lists the outcomes that are right for a case when there is only one right answer
 * (a valid but extreme file must transcribe; an empty file must say so); cases without it may end in a
 * transcript or any typed error, but never in a crash, a hang, an untyped error or runaway memory.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { EngineErrorCode } from '../../errors';
import { encodeSamples, wavHeader, type WavSpec } from '../../audio/wav-writer';
import { flacBomb, mp3Bomb, opusBomb, vorbisBomb } from '../bombs';
import { seededRandom } from '../seeded-random';

export type FuzzOutcome = 'transcript' | EngineErrorCode;

export interface FuzzCase {
  /** Unique, stable name: `<category>/<detail>`. */
  name: string;
  /** File extension of the input (the engine must not trust it). */
  ext: string;
  /** Creates the input at `file` (a file, or something that is not one). */
  write(file: string): Promise<void>;
  /** The only acceptable outcomes, when there is one right answer. */
  expect?: readonly FuzzOutcome[];
  /** Part of the fast subset that runs in `npm test`. */
  fast?: boolean;
  /** Only in the full run (`npm run fuzz`): too slow or too big for the unit tests. */
  fullOnly?: boolean;
  /** Time bound for this input; the default suits inputs of a few seconds. */
  timeoutSec?: number;
}

export const DEFAULT_TIMEOUT_SEC = 60;
export const FIXTURES_DIR = path.join(import.meta.dirname, '..', '..', '__fixtures__');
const TRANSCRIPT: readonly FuzzOutcome[] = ['transcript'];

// ---- Building blocks --------------------------------------------------------------------------------

/** A RIFF chunk with a declared size that may lie about its body (padded to even length like a writer would). */
export function riffChunk(id: string, body: Buffer, declared = body.length): Buffer {
  const header = Buffer.alloc(8);
  header.write(id.padEnd(4, ' ').slice(0, 4), 0, 'latin1');
  header.writeUInt32LE(declared >>> 0, 4);
  return Buffer.concat([header, body, Buffer.alloc(body.length & 1)]);
}

export interface FmtFields {
  tag?: number;
  channels?: number;
  rate?: number;
  bits?: number;
  blockAlign?: number;
  /** Extra bytes after the 16 standard ones (cbSize and extensible fields). */
  extra?: Buffer;
}

export function fmtBody(f: FmtFields = {}): Buffer {
  const { tag = 1, channels = 1, rate = 16000, bits = 16 } = f;
  const blockAlign = f.blockAlign ?? Math.max(1, Math.ceil(bits / 8) * channels) & 0xffff;
  const body = Buffer.alloc(16);
  body.writeUInt16LE(tag & 0xffff, 0);
  body.writeUInt16LE(channels & 0xffff, 2);
  body.writeUInt32LE(rate >>> 0, 4);
  body.writeUInt32LE((rate * blockAlign) >>> 0, 8);
  body.writeUInt16LE(blockAlign & 0xffff, 12);
  body.writeUInt16LE(bits & 0xffff, 14);
  return f.extra ? Buffer.concat([body, f.extra]) : body;
}

/** WAVE_FORMAT_EXTENSIBLE extra bytes whose sub-format GUID starts with `subTag`. */
function extensible(subTag: number, validBits = 16): Buffer {
  const extra = Buffer.alloc(24);
  extra.writeUInt16LE(22, 0); // cbSize
  extra.writeUInt16LE(validBits, 2);
  extra.writeUInt32LE(0x4, 4); // channel mask
  extra.writeUInt16LE(subTag, 8);
  Buffer.from('000000001000800000aa00389b71', 'hex').copy(extra, 10);
  return extra;
}

export function riff(chunks: Buffer[], options: { magic?: string; form?: string; declared?: number } = {}) {
  const body = Buffer.concat([Buffer.from(options.form ?? 'WAVE', 'latin1'), ...chunks]);
  const header = Buffer.alloc(8);
  header.write(options.magic ?? 'RIFF', 0, 'latin1');
  header.writeUInt32LE((options.declared ?? body.length) >>> 0, 4);
  return Buffer.concat([header, body]);
}

function wav(samples: Float32Array[], spec: WavSpec): Buffer {
  const data = encodeSamples(samples, spec);
  return Buffer.concat([wavHeader(spec, samples.length, data.length), data]);
}

/** Raw little-endian float32/float64 samples, written as is (NaN and Inf included, no clamping). */
function rawFloats(values: ArrayLike<number>, bits: 32 | 64): Buffer {
  const out = Buffer.alloc(values.length * (bits / 8));
  for (let i = 0; i < values.length; i++) {
    if (bits === 32) out.writeFloatLE(values[i], i * 4);
    else out.writeDoubleLE(values[i], i * 8);
  }
  return out;
}

function floatWav(values: ArrayLike<number>, bits: 32 | 64, rate = 16000): Buffer {
  return riff([
    riffChunk('fmt ', fmtBody({ tag: 3, bits, rate })),
    riffChunk('data', rawFloats(values, bits)),
  ]);
}

function signal(length: number, f: (i: number) => number): Float32Array {
  return Float32Array.from({ length }, (_, i) => f(i));
}

const tone = (length: number, rate: number, hz = 440, amplitude = 0.5) =>
  signal(length, (i) => amplitude * Math.sin((2 * Math.PI * hz * i) / rate));

const bytes = (data: Buffer | Uint8Array | string) => async (file: string) => writeFile(file, data);

/** Writes a WAV with a correct header by streaming `frames` of one repeated block, never holding it all. */
async function streamWav(file: string, spec: WavSpec, frames: number, block: Float32Array): Promise<void> {
  const out = createWriteStream(file);
  const bytesPerFrame = spec.bitsPerSample / 8;
  out.write(wavHeader(spec, 1, frames * bytesPerFrame));
  const encoded = encodeSamples([block], spec);
  for (let written = 0; written < frames; written += block.length) {
    const n = Math.min(block.length, frames - written);
    const piece = n === block.length ? encoded : encoded.subarray(0, n * bytesPerFrame);
    if (!out.write(piece)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.end(() => resolve());
  });
}

// ---- Damage applied to valid containers ---------------------------------------------------------------

function truncate(data: Buffer, fraction: number): Buffer {
  return data.subarray(0, Math.max(1, Math.floor(data.length * fraction)));
}

function flipBits(data: Buffer, count: number, seed: number, skip = 0): Buffer {
  const out = Buffer.from(data);
  const random = seededRandom(seed);
  for (let i = 0; i < count; i++) {
    const at = skip + Math.floor(random() * (out.length - skip));
    out[at] ^= 1 << Math.floor(random() * 8);
  }
  return out;
}

function zeroRange(data: Buffer, seed: number, length: number): Buffer {
  const out = Buffer.from(data);
  const random = seededRandom(seed);
  const start = Math.floor(random() * Math.max(1, out.length - length));
  out.fill(0, start, start + length);
  return out;
}

/** Swaps blocks around (pages and frames out of order, as from a bad copy). */
function shuffleBlocks(data: Buffer, seed: number, block = 4096): Buffer {
  const random = seededRandom(seed);
  const blocks: Buffer[] = [];
  for (let i = 0; i < data.length; i += block) blocks.push(data.subarray(i, i + block));
  for (let i = blocks.length - 1; i > 1; i--) {
    const j = 1 + Math.floor(random() * i); // keep the first block, so the container is still recognised
    [blocks[i], blocks[j]] = [blocks[j], blocks[i]];
  }
  return Buffer.concat(blocks);
}

function randomBytes(length: number, seed: number): Buffer {
  const random = seededRandom(seed);
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(random() * 256);
  return out;
}

/** One seeded mixture of damage: flipped bits, a cut, a spliced-in block of another file, repeats, junk. */
function mutate(data: Buffer, other: Buffer, seed: number): Buffer {
  const random = seededRandom(seed);
  const pick = (n: number) => Math.floor(random() * n);
  let out: Buffer = Buffer.from(data);
  const steps = 1 + pick(3);
  for (let s = 0; s < steps; s++) {
    switch (pick(6)) {
      case 0:
        out = flipBits(out, 1 + pick(64), seed + s);
        break;
      case 1:
        out = truncate(out, 0.05 + random() * 0.9);
        break;
      case 2: {
        const at = pick(out.length);
        const from = pick(other.length);
        out = Buffer.concat([
          out.subarray(0, at),
          other.subarray(from, from + 1 + pick(4096)),
          out.subarray(at),
        ]);
        break;
      }
      case 3: {
        const at = pick(out.length);
        const block = out.subarray(at, at + 1 + pick(2048));
        out = Buffer.concat([out.subarray(0, at), block, block, out.subarray(at)]);
        break;
      }
      case 4: {
        const at = pick(out.length);
        out = Buffer.concat([out.subarray(0, at), randomBytes(1 + pick(512), seed + s), out.subarray(at)]);
        break;
      }
      default:
        out = zeroRange(out, seed + s, 1 + pick(1024));
    }
  }
  return out;
}

// ---- The corpus ----------------------------------------------------------------------------------------

export interface CorpusOptions {
  seed?: number;
  fixturesDir?: string;
}

/** All cases; `fuzzCorpus().filter((c) => c.fast)` is the unit-test subset. Fixture files are read lazily. */
export function fuzzCorpus(options: CorpusOptions = {}): FuzzCase[] {
  const seed = options.seed ?? 20_261_127;
  const fixtures = options.fixturesDir ?? FIXTURES_DIR;
  const fixture = (name: string) => readFile(path.join(fixtures, name));
  const cases: FuzzCase[] = [];
  const add = (c: FuzzCase) => cases.push(c);

  // 1. A valid one-second WAV cut at every byte of its header and at a few points in the data.
  const toneWav = wav([tone(16000, 16000)], { sampleRate: 16000, bitsPerSample: 16, encoding: 'int' });
  for (let n = 0; n <= 48; n++) {
    add({
      name: `wav-truncated/${n}-bytes`,
      ext: 'wav',
      write: bytes(toneWav.subarray(0, n)),
      // 0 bytes: nothing at all; 44/45: a header and less than one sample; 46+: real (tiny) audio.
      expect: n === 0 || n === 44 || n === 45 ? ['EMPTY_AUDIO'] : n >= 46 ? TRANSCRIPT : undefined,
      fast: [0, 3, 11, 12, 20, 36, 43, 44, 46].includes(n),
    });
  }
  for (const n of [1001, 8000, 20_001, 31_999]) {
    add({
      name: `wav-truncated/data-${n}`,
      ext: 'wav',
      write: bytes(toneWav.subarray(0, 44 + n)),
      expect: TRANSCRIPT,
    });
  }

  // 2. Chunk sizes that lie.
  const pcm = encodeSamples([tone(8000, 16000)], { sampleRate: 16000, bitsPerSample: 16, encoding: 'int' });
  const fmt16 = riffChunk('fmt ', fmtBody());
  const lyingData: [string, number][] = [
    ['zero', 0],
    ['one', 1],
    ['odd', 4001],
    ['half', pcm.length / 2],
    ['double', pcm.length * 2],
    ['max-signed', 0x7fffffff],
    ['ffff-fffe', 0xfffffffe],
    ['ffff-ffff', 0xffffffff],
  ];
  for (const [label, declared] of lyingData) {
    add({
      name: `wav-lying-size/data-${label}`,
      ext: 'wav',
      write: bytes(riff([fmt16, riffChunk('data', pcm, declared)])),
      // A claim beyond the file is clamped to the bytes present, 0 and ~0 mean "unknown" (streaming
      // writers), a smaller claim is believed: one byte is less than one 16-bit sample.
      expect: label === 'one' ? ['EMPTY_AUDIO'] : TRANSCRIPT,
      fast: label === 'ffff-fffe' || label === 'double',
    });
  }
  for (const declared of [0, 4, 12, 0xffffffff]) {
    add({
      name: `wav-lying-size/riff-${declared}`,
      ext: 'wav',
      write: bytes(riff([fmt16, riffChunk('data', pcm)], { declared })),
      expect: TRANSCRIPT,
    });
  }
  for (const declared of [0, 8, 15]) {
    add({
      name: `wav-lying-size/fmt-${declared}`,
      ext: 'wav',
      write: bytes(riff([riffChunk('fmt ', fmtBody(), declared), riffChunk('data', pcm)])),
      expect: ['CORRUPT_AUDIO'],
    });
  }
  for (const declared of [40, 1_000_000, 0xfffffff0]) {
    add({
      name: `wav-lying-size/fmt-${declared}`,
      ext: 'wav',
      write: bytes(riff([riffChunk('fmt ', fmtBody(), declared), riffChunk('data', pcm)])),
      fast: declared === 0xfffffff0,
    });
  }
  add({
    name: 'wav-lying-size/junk-before-fmt-past-eof',
    ext: 'wav',
    write: bytes(riff([riffChunk('JUNK', Buffer.alloc(10), 0xfffffff0), fmt16, riffChunk('data', pcm)])),
    expect: ['CORRUPT_AUDIO'],
  });
  add({
    name: 'wav-lying-size/list-chunk-into-data',
    ext: 'wav',
    write: bytes(riff([fmt16, riffChunk('LIST', Buffer.alloc(4), 20), riffChunk('data', pcm)])),
  });
  add({
    name: 'wav-lying-size/20000-empty-chunks',
    ext: 'wav',
    write: bytes(riff([...Array.from({ length: 20_000 }, () => riffChunk('junk', Buffer.alloc(0))), fmt16])),
    expect: ['CORRUPT_AUDIO'],
    fast: true,
  });
  add({
    name: 'wav-lying-size/data-before-fmt',
    ext: 'wav',
    write: bytes(riff([riffChunk('data', pcm), fmt16])),
    expect: ['CORRUPT_AUDIO'],
  });
  add({
    name: 'wav-lying-size/no-data-chunk',
    ext: 'wav',
    write: bytes(riff([fmt16, riffChunk('LIST', Buffer.alloc(64))])),
    expect: ['CORRUPT_AUDIO'],
  });
  add({
    name: 'wav-lying-size/two-data-chunks',
    ext: 'wav',
    write: bytes(riff([fmt16, riffChunk('data', pcm), riffChunk('data', pcm)])),
    expect: TRANSCRIPT,
  });

  // 3. Format fields out of range or unsupported.
  const fmtCases: [string, FmtFields, readonly FuzzOutcome[] | undefined][] = [
    ['channels-0', { channels: 0 }, ['CORRUPT_AUDIO']],
    ['channels-65', { channels: 65 }, ['CORRUPT_AUDIO']],
    ['channels-65535', { channels: 65535 }, ['CORRUPT_AUDIO']],
    ['rate-0', { rate: 0 }, ['CORRUPT_AUDIO']],
    ['rate-1', { rate: 1 }, ['CORRUPT_AUDIO']],
    ['rate-999', { rate: 999 }, ['CORRUPT_AUDIO']],
    ['rate-768001', { rate: 768_001 }, ['CORRUPT_AUDIO']],
    ['rate-max-uint32', { rate: 0xffffffff }, ['CORRUPT_AUDIO']],
    ['bits-0', { bits: 0 }, ['UNSUPPORTED_FORMAT']],
    ['bits-4', { bits: 4 }, ['UNSUPPORTED_FORMAT']],
    ['bits-12', { bits: 12 }, ['UNSUPPORTED_FORMAT']],
    ['bits-20', { bits: 20 }, ['UNSUPPORTED_FORMAT']],
    ['bits-48', { bits: 48 }, ['UNSUPPORTED_FORMAT']],
    ['bits-65535', { bits: 65535 }, ['UNSUPPORTED_FORMAT']],
    ['float-16', { tag: 3, bits: 16 }, ['UNSUPPORTED_FORMAT']],
    ['adpcm', { tag: 2, bits: 4 }, ['UNSUPPORTED_FORMAT']],
    ['alaw', { tag: 6, bits: 8 }, ['UNSUPPORTED_FORMAT']],
    ['mulaw', { tag: 7, bits: 8 }, ['UNSUPPORTED_FORMAT']],
    ['mp3-in-wav', { tag: 0x55, bits: 0 }, ['UNSUPPORTED_FORMAT']],
    ['tag-ffff', { tag: 0xffff }, ['UNSUPPORTED_FORMAT']],
    ['extensible-pcm', { tag: 0xfffe, extra: extensible(1) }, TRANSCRIPT],
    ['extensible-unknown', { tag: 0xfffe, extra: extensible(0x1234) }, ['UNSUPPORTED_FORMAT']],
    ['extensible-truncated', { tag: 0xfffe, extra: Buffer.alloc(2) }, ['CORRUPT_AUDIO']],
    ['block-align-0', { blockAlign: 0 }, TRANSCRIPT],
    ['block-align-lies', { blockAlign: 7 }, TRANSCRIPT],
  ];
  for (const [label, fields, expect] of fmtCases) {
    add({
      name: `wav-format/${label}`,
      ext: 'wav',
      write: bytes(riff([riffChunk('fmt ', fmtBody(fields)), riffChunk('data', pcm)])),
      expect,
      fast: ['channels-0', 'rate-max-uint32', 'bits-12', 'extensible-truncated'].includes(label),
    });
  }
  add({
    name: 'wav-format/rifx',
    ext: 'wav',
    write: bytes(riff([fmt16, riffChunk('data', pcm)], { magic: 'RIFX' })),
    expect: ['UNSUPPORTED_FORMAT'],
  });
  add({
    name: 'wav-format/rf64',
    ext: 'wav',
    write: bytes(riff([fmt16, riffChunk('data', pcm)], { magic: 'RF64', declared: 0xffffffff })),
    expect: TRANSCRIPT,
  });
  add({
    name: 'wav-format/riff-avi',
    ext: 'wav',
    write: bytes(riff([fmt16, riffChunk('data', pcm)], { form: 'AVI ' })),
    expect: ['CORRUPT_AUDIO'],
  });

  // 4. Valid files with extreme content: all must transcribe (damaged samples are sanitised, not fatal).
  const rate = 16000;
  const int16: WavSpec = { sampleRate: rate, bitsPerSample: 16, encoding: 'int' };
  const noise = seededRandom(seed + 4);
  const content: [string, () => Buffer, boolean?][] = [
    ['silence', () => wav([new Float32Array(rate * 2)], int16), true],
    ['dc-plus-one-float', () => floatWav(new Float32Array(rate * 2).fill(1), 32), true],
    ['dc-minus-full-int16', () => wav([new Float32Array(rate * 2).fill(-1)], int16)],
    ['dc-half-int16', () => wav([new Float32Array(rate * 2).fill(0.5)], int16)],
    [
      'square-100hz-full-scale',
      () => wav([signal(rate * 2, (i) => (Math.floor(i / 80) % 2 ? 1 : -1))], int16),
      true,
    ],
    ['square-1khz-full-scale', () => wav([signal(rate * 2, (i) => (Math.floor(i / 8) % 2 ? 1 : -1))], int16)],
    ['nyquist-full-scale', () => wav([signal(rate * 2, (i) => (i % 2 ? 1 : -1))], int16)],
    ['white-noise-full-scale', () => wav([signal(rate * 2, () => noise() * 2 - 1)], int16), true],
    ['float-all-nan', () => floatWav(new Float32Array(rate).fill(NaN), 32), true],
    [
      'float-nan-inf-mix',
      () =>
        floatWav(
          signal(rate, (i) => [NaN, Infinity, -Infinity, 0.3][i % 4]),
          32,
        ),
      true,
    ],
    ['float-plus-inf', () => floatWav(new Float32Array(rate).fill(Infinity), 32)],
    ['float-minus-inf', () => floatWav(new Float32Array(rate).fill(-Infinity), 32)],
    [
      'float-1e30',
      () =>
        floatWav(
          signal(rate, (i) => (i % 2 ? 1e30 : -1e30)),
          32,
        ),
    ],
    [
      'float-denormals',
      () =>
        floatWav(
          signal(rate, (i) => (i % 2 ? 1e-40 : -1e-40)),
          32,
        ),
    ],
    ['float64-nan', () => floatWav(new Float64Array(rate).fill(NaN), 64)],
    [
      'float64-huge',
      () =>
        floatWav(
          signal(rate, () => 1e300),
          64,
        ),
    ],
    ['one-sample', () => wav([Float32Array.of(0.5)], int16), true],
    ['two-samples', () => wav([Float32Array.of(0.5, -0.5)], int16)],
    ['511-samples', () => wav([tone(511, rate)], int16)],
    ['512-samples', () => wav([tone(512, rate)], int16)],
    ['513-samples', () => wav([tone(513, rate)], int16)],
    ['one-sample-44k', () => wav([Float32Array.of(0.5)], { ...int16, sampleRate: 44100 }), true],
  ];
  for (const [label, make, fast] of content) {
    add({
      name: `content/${label}`,
      ext: 'wav',
      write: async (file) => writeFile(file, make()),
      expect: TRANSCRIPT,
      fast,
    });
  }

  // 5. Valid files in extreme formats.
  const formats: [string, number, WavSpec['bitsPerSample'], 'int' | 'float', number, number, boolean?][] = [
    // label, rate, bits, encoding, channels, seconds, fast
    ['8khz-8bit', 8000, 8, 'int', 1, 2, true],
    ['8khz-8bit-stereo', 8000, 8, 'int', 2, 1],
    ['11025hz-16bit', 11025, 16, 'int', 1, 1],
    ['22050hz-24bit', 22050, 24, 'int', 1, 1],
    ['44100hz-32bit-int', 44100, 32, 'int', 1, 1],
    ['96khz-float64', 96000, 64, 'float', 1, 1],
    ['192khz-float32', 192000, 32, 'float', 1, 2, true],
    ['192khz-16bit-stereo', 192000, 16, 'int', 2, 1],
    ['48khz-8-channels', 48000, 16, 'int', 8, 2, true],
    ['48khz-64-channels', 48000, 16, 'int', 64, 0.5],
    ['1khz-16bit', 1000, 16, 'int', 1, 2, true],
    ['768khz-float32', 768000, 32, 'float', 1, 0.25],
  ];
  for (const [label, r, bits, encoding, channels, seconds, fast] of formats) {
    add({
      name: `format/${label}`,
      ext: 'wav',
      write: async (file) => {
        const n = Math.round(r * seconds);
        // Different content per channel, so the down-mix is really exercised.
        const data = Array.from({ length: channels }, (_, c) =>
          tone(n, r, 200 + 150 * c, 0.6 / Math.sqrt(channels)),
        );
        await writeFile(file, wav(data, { sampleRate: r, bitsPerSample: bits, encoding }));
      },
      expect: TRANSCRIPT,
      fast,
    });
  }

  // 6. Random bytes dressed as audio: by extension only, and behind each container's magic.
  const extensions = ['wav', 'flac', 'mp3', 'ogg', 'opus', 'm4a', 'webm', 'aac'];
  for (let i = 0; i < 40; i++) {
    const size = [1, 3, 4, 17, 100, 1000, 4096, 65_537, 200_000][i % 9];
    add({
      name: `random/${extensions[i % extensions.length]}-${size}-${i}`,
      ext: extensions[i % extensions.length],
      write: async (file) => writeFile(file, randomBytes(size, seed + 100 + i)),
      fast: i % 10 === 0,
    });
  }
  const magics: [string, string, Buffer][] = [
    ['riff-wave', 'wav', Buffer.from('RIFF\xff\xff\xff\xffWAVE', 'latin1')],
    [
      'riff-wave-fmt',
      'wav',
      Buffer.concat([Buffer.from('RIFF\x00\x00\x00\x00WAVE', 'latin1'), fmt16, Buffer.from('data')]),
    ],
    ['flac', 'flac', Buffer.from('fLaC')],
    ['flac-streaminfo', 'flac', Buffer.from('664c614300000022', 'hex')],
    ['ogg', 'ogg', Buffer.from('OggS\x00\x02', 'latin1')],
    [
      'ogg-opus',
      'opus',
      Buffer.from(
        'OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x13OpusHead',
        'latin1',
      ),
    ],
    [
      'ogg-vorbis',
      'ogg',
      Buffer.from(
        'OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x1e\x01vorbis',
        'latin1',
      ),
    ],
    ['id3', 'mp3', Buffer.from('ID3\x03\x00\x00\x00\x00\x00\x0a', 'latin1')],
    ['mp3-sync', 'mp3', Buffer.from('fffb9064', 'hex')],
    ['mp3-sync-mpeg2', 'mp3', Buffer.from('fff3a0c4', 'hex')],
  ];
  for (const [m, [label, ext, magic]] of magics.entries()) {
    for (const size of [0, 64, 20_000]) {
      add({
        name: `random-behind-magic/${label}-${size}`,
        ext,
        write: async (file) =>
          writeFile(file, Buffer.concat([magic, randomBytes(size, seed + 300 + size + m)])),
        fast: size === 20_000 && ['flac', 'ogg-opus', 'mp3-sync'].includes(label),
      });
    }
  }

  // 7. Valid compressed containers with broken payloads.
  for (const name of ['speech-44k-stereo.flac', 'speech-22k.mp3', 'speech-48k.ogg']) {
    const short = name.split('.').pop()!;
    const damaged = (label: string, damage: (data: Buffer) => Buffer, fast = false) =>
      add({
        name: `${short}-damaged/${label}`,
        ext: short,
        write: async (file) => writeFile(file, damage(await fixture(name))),
        fast,
      });
    for (const fraction of [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99]) {
      damaged(`truncated-${fraction}`, (d) => truncate(d, fraction), fraction === 0.5);
    }
    for (const count of [1, 4, 16, 64, 256]) {
      for (const s of [1, 2, 3]) {
        // Flips anywhere, headers included.
        damaged(
          `bitflip-${count}x-seed${s}`,
          (d) => flipBits(d, count, seed + count * 10 + s),
          count === 16 && s === 1,
        );
      }
    }
    for (const s of [1, 2])
      damaged(`bitflip-payload-1000x-seed${s}`, (d) => flipBits(d, 1000, seed + s, 256));
    for (const s of [1, 2, 3]) damaged(`zeroed-4k-seed${s}`, (d) => zeroRange(d, seed + s, 4096));
    for (const s of [1, 2]) damaged(`shuffled-blocks-seed${s}`, (d) => shuffleBlocks(d, seed + s), s === 1);
    damaged('doubled', (d) => Buffer.concat([d, d]));
    damaged('header-only', (d) => d.subarray(0, 64));
  }
  add({
    name: 'fixture/broken.flac',
    ext: 'flac',
    write: async (f) => writeFile(f, await fixture('broken.flac')),
    expect: ['CORRUPT_AUDIO'],
    fast: true,
  });
  add({
    name: 'fixture/truncated-header.wav',
    ext: 'wav',
    write: async (f) => writeFile(f, await fixture('truncated-header.wav')),
    expect: ['CORRUPT_AUDIO'],
  });
  add({
    name: 'mixed/flac-then-mp3',
    ext: 'flac',
    write: async (f) =>
      writeFile(f, Buffer.concat([await fixture('speech-44k-stereo.flac'), await fixture('speech-22k.mp3')])),
  });
  add({
    name: 'mixed/wav-header-on-mp3',
    ext: 'wav',
    write: async (f) =>
      writeFile(f, Buffer.concat([wavHeader(int16, 1, 0xffffffff), await fixture('speech-22k.mp3')])),
  });

  // 8. Huge declared sizes.
  add({
    name: 'huge/rf64-ds64-2^62',
    ext: 'wav',
    write: bytes(
      riff(
        [
          riffChunk(
            'ds64',
            Buffer.concat([
              Buffer.from('0000000000000040', 'hex'),
              Buffer.from('0000000000000040', 'hex'),
              Buffer.alloc(12),
            ]),
          ),
          fmt16,
          riffChunk('data', pcm, 0xffffffff),
        ],
        { magic: 'RF64', declared: 0xffffffff },
      ),
    ),
    expect: TRANSCRIPT,
  });
  add({
    // Less than one 512-byte frame present, whatever the header claims.
    name: 'huge/float64-64ch-data-ffffffff',
    ext: 'wav',
    write: bytes(
      riff([
        riffChunk('fmt ', fmtBody({ tag: 3, bits: 64, channels: 64, rate: 768000 })),
        riffChunk('data', Buffer.alloc(500), 0xffffffff),
      ]),
    ),
    expect: ['EMPTY_AUDIO'],
    fast: true,
  });
  const patched = (label: string, source: string, ext: string, patch: (d: Buffer) => Buffer, fast = false) =>
    add({
      name: `huge/${label}`,
      ext,
      write: async (f) => writeFile(f, patch(Buffer.from(await fixture(source)))),
      fast,
    });
  patched(
    'flac-streaminfo-max-samples',
    'speech-44k-stereo.flac',
    'flac',
    (d) => {
      // STREAMINFO: total samples are the low 36 bits of bytes 21..25 (after "fLaC" and the block header).
      d[8 + 13] |= 0x0f;
      d.fill(0xff, 8 + 14, 8 + 18);
      return d;
    },
    true,
  );
  patched('flac-streaminfo-max-blocksize', 'speech-44k-stereo.flac', 'flac', (d) => {
    d.fill(0xff, 8, 12); // min and max block size 65535
    d.fill(0xff, 12, 18); // min and max frame size 2^24-1
    return d;
  });
  patched('flac-metadata-block-16mb', 'speech-44k-stereo.flac', 'flac', (d) => {
    d.fill(0xff, 5, 8); // first metadata block claims 16 MB
    return d;
  });
  patched(
    'mp3-id3-256mb',
    'speech-22k.mp3',
    'mp3',
    (d) => Buffer.concat([Buffer.from('ID3\x03\x00\x00\x7f\x7f\x7f\x7f', 'latin1'), d]),
    true,
  );
  patched('ogg-page-255-segments', 'speech-48k.ogg', 'ogg', (d) => {
    const page = Buffer.alloc(27 + 255);
    Buffer.from('OggS', 'latin1').copy(page);
    page[26] = 255;
    page.fill(255, 27);
    return Buffer.concat([d.subarray(0, 58), page, d.subarray(58)]);
  });
  patched('ogg-granule-max', 'speech-48k.ogg', 'ogg', (d) => {
    d.fill(0xff, 6, 14);
    return d;
  });

  // 9. Things that are not regular files.
  add({
    name: 'not-a-file/missing',
    ext: 'wav',
    write: async () => {},
    expect: ['FILE_NOT_FOUND'],
    fast: true,
  });
  add({
    name: 'not-a-file/directory',
    ext: 'wav',
    write: async (f) => mkdir(f),
    expect: ['FILE_NOT_FOUND'],
    fast: true,
  });
  if (process.platform !== 'win32') {
    // Opening a FIFO would block forever; /dev/zero would never end. Both must be refused up front.
    add({
      name: 'not-a-file/fifo',
      ext: 'wav',
      write: async (f) => {
        execFileSync('mkfifo', [f]);
      },
      expect: ['FILE_NOT_FOUND'],
      fast: true,
    });
    add({
      name: 'not-a-file/dev-zero',
      ext: 'wav',
      write: async (f) => symlink('/dev/zero', f),
      expect: ['FILE_NOT_FOUND'],
    });
    add({
      name: 'not-a-file/dangling-symlink',
      ext: 'wav',
      write: async (f) => symlink(`${f}.nowhere`, f),
      expect: ['FILE_NOT_FOUND'],
    });
  }

  // 10. Long inputs (full run only). 3 h of 8 kHz 8-bit silence is 86 MB; 16 kHz 16-bit would be 345 MB.
  add({
    name: 'long/3h-silence-8khz-8bit',
    ext: 'wav',
    write: (f) =>
      streamWav(
        f,
        { sampleRate: 8000, bitsPerSample: 8, encoding: 'int' },
        3 * 3600 * 8000,
        new Float32Array(8000),
      ),
    expect: TRANSCRIPT,
    fullOnly: true,
    timeoutSec: 900,
  });
  add({
    name: 'long/2min-square-44k',
    ext: 'wav',
    write: (f) =>
      streamWav(
        f,
        { sampleRate: 44100, bitsPerSample: 16, encoding: 'int' },
        120 * 44100,
        signal(44100, (i) => (Math.floor(i / 100) % 2 ? 0.9 : -0.9)),
      ),
    expect: TRANSCRIPT,
    fullOnly: true,
    timeoutSec: 300,
  });

  // 11. Decompression bombs of every documented format: small valid files of silence that decode to as
  // much audio per byte as the format allows (an hour from 93 KB). They must transcribe (to nothing) in
  // bounded memory; the largest take a while, so they get a longer time bound.
  const bombSizes: [string, number, boolean][] = [
    ['2kb', 2_000, false],
    ['15kb', 15_000, true],
    ['93kb', 93_000, false],
  ];
  for (const [label, size, fast] of bombSizes) {
    const timeoutSec = size > 20_000 ? 600 : 180;
    add({
      name: `bomb/flac-8ch-65535-${label}`,
      ext: 'flac',
      write: bytes(flacBomb({ bytes: size })),
      expect: TRANSCRIPT,
      fast,
      timeoutSec,
    });
    add({
      name: `bomb/opus-stereo-${label}`,
      ext: 'opus',
      write: bytes(opusBomb({ bytes: size })),
      expect: TRANSCRIPT,
      fast: size === 2_000,
      timeoutSec,
    });
    add({
      name: `bomb/opus-mono-${label}`,
      ext: 'opus',
      write: bytes(opusBomb({ bytes: size, channels: 1 })),
      expect: TRANSCRIPT,
      timeoutSec,
    });
    add({
      name: `bomb/vorbis-7.1-${label}`,
      ext: 'ogg',
      write: async (f) => writeFile(f, await vorbisBomb({ bytes: Math.max(size, 4_000) })),
      expect: TRANSCRIPT,
      fast: size === 2_000,
      timeoutSec,
    });
    add({
      name: `bomb/mp3-layer2-${label}`,
      ext: 'mp3',
      write: bytes(mp3Bomb({ bytes: size })),
      expect: TRANSCRIPT,
      fast: size === 2_000,
      timeoutSec,
    });
  }
  for (const channels of [1, 2, 6]) {
    for (const blockSize of [4608, 65_535]) {
      add({
        name: `bomb/flac-${channels}ch-${blockSize}-8kb`,
        ext: 'flac',
        write: bytes(flacBomb({ channels, blockSize, bytes: 8_000 })),
        expect: TRANSCRIPT,
        timeoutSec: 180,
      });
    }
  }
  add({
    name: 'bomb/opus-255-channels-header',
    ext: 'opus',
    write: async (f) => {
      const bomb = opusBomb({ bytes: 4_000 });
      bomb[28 + 9] = 255;
      await writeFile(f, bomb);
    },
    expect: ['UNSUPPORTED_FORMAT'],
    fast: true,
  });

  // 12. Containers audio-decode could open but we do not document: refused by name, never decoded.
  const mod = Buffer.alloc(2048);
  mod.write('M.K.', 1080, 'latin1');
  const refused: [string, string, Buffer][] = [
    ['protracker-mod', 'mod', mod],
    ['fasttracker-xm', 'xm', Buffer.concat([Buffer.from('Extended Module: ', 'latin1'), Buffer.alloc(400)])],
    [
      'aiff',
      'aiff',
      Buffer.concat([Buffer.from('FORM\x00\x00\x00\x20AIFFCOMM', 'latin1'), Buffer.alloc(40)]),
    ],
    ['aac-adts', 'aac', Buffer.concat([Buffer.from('fff15080', 'hex'), randomBytes(400, seed + 7)])],
    ['m4a', 'm4a', Buffer.concat([Buffer.from('00000020667479704d344120', 'hex'), Buffer.alloc(400)])],
    [
      'webm',
      'webm',
      Buffer.concat([
        Buffer.from('1a45dfa3', 'hex'),
        Buffer.from('4282847765626d', 'hex'),
        Buffer.alloc(200),
      ]),
    ],
    ['wavpack', 'wv', Buffer.concat([Buffer.from('wvpk', 'latin1'), Buffer.alloc(200)])],
    ['midi', 'mid', Buffer.concat([Buffer.from('MThd', 'latin1'), Buffer.alloc(200)])],
  ];
  for (const [label, ext, data] of refused) {
    add({
      name: `refused/${label}`,
      ext,
      write: bytes(data),
      expect: ['UNSUPPORTED_FORMAT'],
      fast: label === 'protracker-mod',
    });
  }

  // 13. Seeded random mutations of every fixture: several kinds of damage combined, hundreds of them.
  const sources = ['speech-16k.wav', 'speech-44k-stereo.flac', 'speech-22k.mp3', 'speech-48k.ogg'];
  const MUTATIONS = 700;
  for (let i = 0; i < MUTATIONS; i++) {
    const source = sources[i % sources.length];
    add({
      name: `mutated/${source.split('.').pop()}-${i}`,
      ext: source.split('.').pop()!,
      write: async (f) =>
        writeFile(
          f,
          mutate(await fixture(source), await fixture(sources[(i + 1) % sources.length]), seed + 1000 + i),
        ),
    });
  }

  const names = new Set(cases.map((c) => c.name));
  if (names.size !== cases.length) throw new Error('fuzz corpus: duplicate case names');
  return cases;
}
