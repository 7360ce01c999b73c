/**
 * A streaming WAV reader written for robustness: it reads the file in bounded chunks (a two-hour file
 * never sits in memory whole), accepts every common sample layout, and turns lying or truncated headers
 * into either a best-effort read or a CorruptAudioError that says what was wrong.
 */
import type { FileHandle } from 'node:fs/promises';
import { CorruptAudioError, EmptyAudioError, UnsupportedFormatError } from '../errors';

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
const MAX_CHANNELS = 64;
const MIN_SAMPLE_RATE = 1000;
const MAX_SAMPLE_RATE = 768_000;
/** Never read more than this many bytes per chunk, whatever the sample rate and channel count. */
const MAX_CHUNK_BYTES = 1 << 20;

export type SampleEncoding = 'int' | 'float';

export interface WavInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  encoding: SampleEncoding;
  /** Byte offset of the first sample. */
  dataOffset: number;
  /** Bytes of sample data actually present (the header's claim clamped to the file). */
  dataBytes: number;
  /** Whole sample frames available. */
  frames: number;
  /** Whole sample frames the header declares (null: unknown, a streaming writer's 0 or 0xFFFFFFFF). */
  declaredFrames: number | null;
}

async function readExactly(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

/** Parses the RIFF header and locates `fmt ` and `data`, validating every field it relies on. */
export async function readWavInfo(handle: FileHandle, file: string, fileSize: number): Promise<WavInfo> {
  const riff = await readExactly(handle, 0, 12);
  if (riff.length < 12) throw new CorruptAudioError(file, `WAV header is truncated at ${riff.length} bytes`);
  const magic = riff.toString('latin1', 0, 4);
  if (magic === 'RIFX') throw new UnsupportedFormatError(file, 'big-endian RIFX WAV');
  if ((magic !== 'RIFF' && magic !== 'RF64') || riff.toString('latin1', 8, 12) !== 'WAVE') {
    throw new CorruptAudioError(file, 'missing RIFF/WAVE signature');
  }

  let position = 12;
  let format: { tag: number; channels: number; sampleRate: number; bits: number; blockAlign: number } | null =
    null;
  // Chunks are walked with a bound so a crafted file with millions of tiny chunks cannot stall us.
  for (let chunkCount = 0; position + 8 <= fileSize && chunkCount < 10_000; chunkCount++) {
    const header = await readExactly(handle, position, 8);
    if (header.length < 8) break;
    const id = header.toString('latin1', 0, 4);
    const declaredSize = header.readUInt32LE(4);
    const bodyStart = position + 8;

    if (id === 'fmt ') {
      if (declaredSize < 16)
        throw new CorruptAudioError(file, `fmt chunk is ${declaredSize} bytes, expected ≥ 16`);
      const body = await readExactly(handle, bodyStart, Math.min(declaredSize, 40));
      if (body.length < 16) throw new CorruptAudioError(file, 'fmt chunk is truncated');
      let tag = body.readUInt16LE(0);
      if (tag === WAVE_FORMAT_EXTENSIBLE) {
        if (body.length < 26)
          throw new CorruptAudioError(file, 'WAVE_FORMAT_EXTENSIBLE fmt chunk is truncated');
        tag = body.readUInt16LE(24); // first two bytes of the sub-format GUID
      }
      format = {
        tag,
        channels: body.readUInt16LE(2),
        sampleRate: body.readUInt32LE(4),
        blockAlign: body.readUInt16LE(12),
        bits: body.readUInt16LE(14),
      };
    } else if (id === 'data') {
      if (!format) throw new CorruptAudioError(file, 'data chunk comes before the fmt chunk');
      // A size of 0 is a streaming writer's "unknown" only when samples follow; when another chunk
      // follows (LIST, id3 …), the data chunk really is empty and those bytes are not audio.
      const empty =
        declaredSize === 0 && isChunkHeader(await readExactly(handle, bodyStart, 8), bodyStart, fileSize);
      return describe(file, format, bodyStart, empty ? -1 : declaredSize, fileSize);
    }
    // RIFF chunks are padded to an even size.
    position = bodyStart + declaredSize + (declaredSize & 1);
  }
  throw new CorruptAudioError(file, format ? 'no data chunk found' : 'no fmt chunk found');
}

/** Whether `header` reads as a RIFF chunk header: a printable four-character id and a size that fits. */
function isChunkHeader(header: Buffer, position: number, fileSize: number): boolean {
  if (header.length < 8) return false;
  for (let i = 0; i < 4; i++) if (header[i] < 0x20 || header[i] > 0x7e) return false;
  return (
    /[A-Za-z]/.test(header.toString('latin1', 0, 4)) && position + 8 + header.readUInt32LE(4) <= fileSize
  );
}

/** `declaredSize` -1: the data chunk is known to be empty. */
function describe(
  file: string,
  format: { tag: number; channels: number; sampleRate: number; bits: number; blockAlign: number },
  dataOffset: number,
  declaredSize: number,
  fileSize: number,
): WavInfo {
  const { tag, channels, sampleRate, bits } = format;
  let encoding: SampleEncoding;
  if (tag === WAVE_FORMAT_PCM && [8, 16, 24, 32].includes(bits)) encoding = 'int';
  else if (tag === WAVE_FORMAT_IEEE_FLOAT && (bits === 32 || bits === 64)) encoding = 'float';
  else
    throw new UnsupportedFormatError(file, `WAV format tag 0x${tag.toString(16)} with ${bits}-bit samples`);
  if (channels < 1 || channels > MAX_CHANNELS) {
    throw new CorruptAudioError(
      file,
      `WAV header declares ${channels} channels (1–${MAX_CHANNELS} supported)`,
    );
  }
  if (sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE) {
    throw new CorruptAudioError(
      file,
      `WAV header declares a sample rate of ${sampleRate} Hz (${MIN_SAMPLE_RATE}–${MAX_SAMPLE_RATE} supported)`,
    );
  }
  const bytesPerFrame = (bits / 8) * channels;
  const available = Math.max(0, fileSize - dataOffset);
  // Streaming writers leave 0 or 0xFFFFFFFF when they never patched the header: take the rest of the file.
  const unknownSize = declaredSize === 0 || declaredSize === 0xffffffff;
  const claimed = unknownSize ? available : Math.max(0, declaredSize);
  const dataBytes = Math.min(claimed, available);
  const frames = Math.floor(dataBytes / bytesPerFrame);
  if (frames === 0) throw new EmptyAudioError(file);
  const declaredFrames = unknownSize ? null : Math.floor(claimed / bytesPerFrame);
  return {
    sampleRate,
    channels,
    bitsPerSample: bits,
    encoding,
    dataOffset,
    dataBytes: frames * bytesPerFrame,
    frames,
    declaredFrames,
  };
}

/** Converts interleaved little-endian samples to mono float in [-1, 1] by averaging the channels. */
export function interleavedToMono(
  bytes: Buffer,
  info: Pick<WavInfo, 'channels' | 'bitsPerSample' | 'encoding'>,
) {
  const { channels, bitsPerSample: bits, encoding } = info;
  const bytesPerSample = bits / 8;
  const frames = Math.floor(bytes.length / (bytesPerSample * channels));
  const out = new Float32Array(frames);
  const read = sampleReader(bytes, bits, encoding);
  for (let f = 0, offset = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++, offset += bytesPerSample) sum += read(offset);
    out[f] = sum / channels;
  }
  return out;
}

function sampleReader(bytes: Buffer, bits: number, encoding: SampleEncoding): (offset: number) => number {
  if (encoding === 'float') {
    return bits === 32 ? (o) => bytes.readFloatLE(o) : (o) => bytes.readDoubleLE(o);
  }
  switch (bits) {
    case 8:
      return (o) => (bytes[o] - 128) / 128; // 8-bit WAV is unsigned
    case 16:
      return (o) => bytes.readInt16LE(o) / 32768;
    case 24:
      return (o) => bytes.readIntLE(o, 3) / 8388608;
    default:
      return (o) => bytes.readInt32LE(o) / 2147483648;
  }
}

/**
 * Yields mono float chunks of about `chunkSeconds` each, reading the file incrementally. A file that
 * shrinks while it is read ends the stream early and calls `onShortRead` with the frames actually read.
 */
export async function* readWavChunks(
  handle: FileHandle,
  info: WavInfo,
  chunkSeconds = 1,
  onShortRead?: (framesRead: number) => void,
): AsyncGenerator<Float32Array> {
  const bytesPerFrame = (info.bitsPerSample / 8) * info.channels;
  const framesPerChunk = Math.max(
    1,
    Math.min(Math.floor(info.sampleRate * chunkSeconds), Math.floor(MAX_CHUNK_BYTES / bytesPerFrame)),
  );
  for (let frame = 0; frame < info.frames; frame += framesPerChunk) {
    const count = Math.min(framesPerChunk, info.frames - frame);
    const bytes = await readExactly(handle, info.dataOffset + frame * bytesPerFrame, count * bytesPerFrame);
    if (bytes.length > 0) yield interleavedToMono(bytes, info);
    if (bytes.length < count * bytesPerFrame) {
      onShortRead?.(frame + Math.floor(bytes.length / bytesPerFrame));
      return;
    }
  }
}
