/**
 * Opens an audio file as a stream of mono float chunks at the file's own sample rate. Only the formats
 * the README documents and the tests cover are accepted: WAV (our own streaming reader), native FLAC,
 * MP3, Ogg Vorbis and Ogg Opus. Everything else `audio-decode` could open (tracker modules, AAC, WMA,
 * video containers …) is refused by name, so a 2 KB module cannot become ten minutes of audio.
 *
 * Memory is bounded by construction whatever the file declares: WAV is read 1 MB at a time; FLAC is
 * split into frames and decoded in groups of at most DECODE_BUDGET_SAMPLES declared samples; Ogg is
 * decoded one page (≤ 255 packets) per call, with at most MAX_CHANNELS channels; MP3 (at most ~100
 * decoded samples per byte) 16 KB of input per call.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import decode from 'audio-decode';
import audioType from 'audio-type';
import { CorruptAudioError, EmptyAudioError, FileNotFoundError, UnsupportedFormatError } from '../errors';
import { decodeFlac } from './flac-stream';
import { oggCodec, oggPages } from './ogg-pages';
import { readWavChunks, readWavInfo } from './wav';

/** Enough to skip a typical ID3 tag in front of an MP3 and still see the first frame. */
const SNIFF_BYTES = 64 * 1024;
const READ_CHUNK_BYTES = 64 * 1024;
/** MP3 input per decoder call: a frame of ≥ 20 bytes decodes to ≤ 1,152 × 2 samples. */
const MP3_SLICE_BYTES = 16 * 1024;
/** Compressed streams with more channels are refused (everything is mixed down to mono anyway). */
export const MAX_CHANNELS = 8;

/** Names of the containers audio-type recognises that we refuse, for the error message. */
const REFUSED_FORMAT_NAMES: Record<string, string> = {
  aiff: 'AIFF',
  aac: 'AAC (ADTS)',
  m4a: 'MPEG-4 audio (M4A/MP4/MOV)',
  tta: 'True Audio (TTA)',
  qoa: 'QOA',
  mid: 'MIDI',
  caf: 'Core Audio (CAF)',
  wma: 'Windows Media (WMA/ASF)',
  amr: 'AMR',
  wv: 'WavPack',
  mpc: 'Musepack',
  ape: "Monkey's Audio (APE)",
  dsf: 'DSD (DSF)',
  dff: 'DSD (DFF)',
  eac3: 'E-AC-3',
  ac3: 'AC-3',
  dts: 'DTS',
  it: 'Impulse Tracker module',
  s3m: 'Scream Tracker module',
  xm: 'FastTracker module',
  mod: 'ProTracker module',
  mkv: 'Matroska (MKV)',
  webm: 'WebM',
  avi: 'AVI',
};
const OGG_CODEC_NAMES: Record<string, string> = {
  flac: 'FLAC in Ogg',
  speex: 'Ogg Speex',
  theora: 'Ogg Theora video',
  unknown: 'Ogg with an unknown codec',
};

export interface AudioChunk {
  /** Mono samples in [-1, 1]; non-finite samples from damaged files are replaced by 0. */
  samples: Float32Array;
  sampleRate: number;
  /** Fraction of the file consumed so far, 0..1, for progress reporting. */
  progress: number;
}

export interface AudioFileStream {
  /** Detected format: "wav", "flac", "mp3", "vorbis" or "opus". */
  format: string;
  /** Duration in seconds when the header tells it (WAV), else null until decoded. */
  durationSec: number | null;
  chunks: AsyncGenerator<AudioChunk>;
  /**
   * What the user should know about the file (truncated, damaged parts skipped). Filled while the
   * chunks are read; complete once they end.
   */
  warnings: string[];
}

/** Collects warnings without repeating one (a damaged file can report the same thing thousands of times). */
function warningList(): { list: string[]; add: (message: string) => void } {
  const list: string[] = [];
  const seen = new Set<string>();
  return {
    list,
    add: (message) => {
      if (seen.has(message) || seen.size >= 8) return;
      seen.add(message);
      list.push(message);
    },
  };
}

const seconds = (value: number) => `${value < 10 ? value.toFixed(2) : value.toFixed(1)} s`;

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

  const magic = head.toString('latin1', 0, 4);
  // Anything that starts like RIFF goes to our WAV reader, which explains what is wrong with it.
  if (['RIFF', 'RIFX', 'RF64'].includes(magic)) return openWav(file, size);
  const type = head.length >= 4 ? audioType(new Uint8Array(head)) : undefined;
  if (type === 'flac' && magic === 'OggS') throw new UnsupportedFormatError(file, OGG_CODEC_NAMES.flac);
  if (type === 'flac' || type === 'mp3') return openCompressed(file, type, size);
  if (type === 'oga' || type === 'opus') {
    const codec = oggCodec(new Uint8Array(head));
    if (!codec || (codec.codec !== 'vorbis' && codec.codec !== 'opus'))
      throw new UnsupportedFormatError(file, OGG_CODEC_NAMES[codec?.codec ?? 'unknown']);
    if (codec.channels < 1 || codec.channels > MAX_CHANNELS)
      throw new UnsupportedFormatError(
        file,
        `Ogg ${codec.codec === 'vorbis' ? 'Vorbis' : 'Opus'} with ${codec.channels} channels (at most ${MAX_CHANNELS})`,
      );
    return openCompressed(file, codec.codec, size);
  }
  if (type) throw new UnsupportedFormatError(file, REFUSED_FORMAT_NAMES[type] ?? type);
  throw new UnsupportedFormatError(file, 'not a recognised audio container');
}

async function openWav(file: string, size: number): Promise<AudioFileStream> {
  const handle = await open(file, 'r');
  const warnings = warningList();
  try {
    const info = await readWavInfo(handle, file, size);
    const { sampleRate, frames, declaredFrames } = info;
    if (declaredFrames !== null && declaredFrames > frames)
      warnings.add(
        `the file is truncated: its header declares ${seconds(declaredFrames / sampleRate)} of audio, the file holds ${seconds(frames / sampleRate)}`,
      );
    const shrank = (framesRead: number) =>
      warnings.add(
        `the file ended at ${seconds(framesRead / sampleRate)} of ${seconds(frames / sampleRate)} while it was read (truncated or being written?)`,
      );
    async function* chunks(): AsyncGenerator<AudioChunk> {
      try {
        let read = 0;
        for await (const samples of readWavChunks(handle, info, 1, shrank)) {
          read += samples.length;
          yield { samples: sanitizeSamples(samples), sampleRate, progress: read / frames };
        }
      } finally {
        await handle.close();
      }
    }
    return { format: 'wav', durationSec: frames / sampleRate, chunks: chunks(), warnings: warnings.list };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

type CompressedFormat = 'flac' | 'mp3' | 'vorbis' | 'opus';

function openCompressed(file: string, format: CompressedFormat, size: number): AudioFileStream {
  const warnings = warningList();
  return {
    format,
    durationSec: null,
    chunks: decodeCompressed(file, format, size, warnings.add),
    warnings: warnings.list,
  };
}

/** The decoded pieces of a compressed stream, each from one bounded decoder call. */
function decodedPieces(
  format: CompressedFormat,
  bytes: AsyncIterable<Uint8Array>,
  warn: (message: string) => void,
  onDeclaredSamples: (samples: number, sampleRate: number) => void,
  onIncompleteEnd: () => void,
): AsyncIterable<{ channelData: Float32Array[]; sampleRate: number }> {
  const damaged = (what: string) => warn(`damaged data was skipped (${what})`);
  switch (format) {
    case 'flac':
      return decodeFlac(bytes, {
        onStreamInfo: (info) => onDeclaredSamples(info.totalSamples, info.sampleRate),
        onDamage: damaged,
        onIncompleteEnd,
      });
    case 'vorbis':
      return decode(oggPages(bytes, damaged, onIncompleteEnd), 'oga');
    case 'opus':
      return decode(oggPages(bytes, damaged, onIncompleteEnd), 'opus');
    case 'mp3':
      return decode(slices(bytes, MP3_SLICE_BYTES), 'mp3');
  }
}

/** Re-chunks a byte stream into pieces of at most `size` bytes. */
async function* slices(input: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Uint8Array> {
  for await (const chunk of input)
    for (let i = 0; i < chunk.length; i += size) yield chunk.subarray(i, i + size);
}

async function* decodeCompressed(
  file: string,
  format: CompressedFormat,
  size: number,
  warn: (message: string) => void,
): AsyncGenerator<AudioChunk> {
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
  let declared = { samples: 0, sampleRate: 0 };
  let endsInsideFrame = false;
  const pieces = decodedPieces(
    format,
    counted(),
    warn,
    (samples, rate) => (declared = { samples, sampleRate: rate }),
    () => (endsInsideFrame = true),
  );
  try {
    for await (const data of pieces) {
      if (data.channelData.length === 0) continue;
      if (data.channelData.length > MAX_CHANNELS)
        throw new UnsupportedFormatError(
          file,
          `${format} with ${data.channelData.length} channels (at most ${MAX_CHANNELS})`,
        );
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
    if (cause instanceof CorruptAudioError || cause instanceof UnsupportedFormatError) throw cause;
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new CorruptAudioError(file, `${format} decoder failed: ${detail}`, { cause });
  } finally {
    stream.destroy();
  }
  // A compressed container that decodes to nothing is damaged, not merely empty.
  if (samplesOut === 0) throw new CorruptAudioError(file, `the ${format} stream decoded to no audio samples`);
  if (declared.samples > 0 && declared.sampleRate === sampleRate && samplesOut < declared.samples)
    warn(
      `the file is truncated: its header declares ${seconds(declared.samples / sampleRate)} of audio, the file holds ${seconds(samplesOut / sampleRate)}`,
    );
  else if (endsInsideFrame)
    warn(
      `the file is truncated: it ends inside a ${format === 'flac' ? 'frame' : 'page'} at ${seconds(samplesOut / sampleRate)}`,
    );
}
