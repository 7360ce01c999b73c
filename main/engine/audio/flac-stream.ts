/**
 * Native FLAC decoded in bounded memory whatever the file declares. A FLAC frame of silence costs about
 * 30 bytes and decodes to up to 8 channels × 65,535 samples (2 MB of float), so 15 KB of input can
 * expand to gigabytes when a decoder is handed a 64 KB read at a time. Here the stream is split into
 * frames first (sync code, header CRC-8, frame CRC-16 — the checks libFLAC makes), and frames go to the
 * decoder in groups whose declared output (block size × channels, read from each frame header) stays
 * under DECODE_BUDGET_SAMPLES, so one decoder call never yields more than that plus one frame.
 */
import { FLACDecoder } from '@wasm-audio-decoders/flac';

/** Declared samples (all channels) per decoder call; one frame is at most 8 × 65,536. */
export const DECODE_BUDGET_SAMPLES = 1 << 20;
/** The largest frame FLAC can encode (8 channels × 65,535 samples × 32 bits, verbatim) plus headers. */
const MAX_FRAME_BYTES = 8 * 65_536 * 4 + 1024;
/** Metadata blocks are skipped without being held in memory; this is FLAC's own limit per block. */
const STREAMINFO_BYTES = 34;

export interface FlacStreamInfo {
  sampleRate: number;
  channels: number;
  /** Samples per channel the header declares (0: unknown). */
  totalSamples: number;
}

export interface FlacDecoded {
  channelData: Float32Array[];
  sampleRate: number;
}

export interface FlacStreamEvents {
  onStreamInfo?: (info: FlacStreamInfo) => void;
  /** Something was skipped (bytes between frames, a frame that failed its CRC). */
  onDamage?: (what: string) => void;
  /** The stream ends inside a frame (a truncated file). */
  onIncompleteEnd?: () => void;
}

const CRC8 = Uint8Array.from({ length: 256 }, (_, i) => {
  let c = i;
  for (let k = 0; k < 8; k++) c = c & 0x80 ? ((c << 1) ^ 0x07) & 0xff : (c << 1) & 0xff;
  return c;
});
const CRC16 = Uint16Array.from({ length: 256 }, (_, i) => {
  let c = i << 8;
  for (let k = 0; k < 8; k++) c = c & 0x8000 ? (c << 1) ^ 0x8005 : c << 1;
  return c & 0xffff;
});

/** FLAC's CRC-8 (frame headers) and CRC-16 (whole frames), for tests that write FLAC by hand. */
export const flacCrc8 = (bytes: Uint8Array) => bytes.reduce((c, x) => CRC8[c ^ x], 0);
export const flacCrc16 = (bytes: Uint8Array) =>
  bytes.reduce((c, x) => (CRC16[(c >> 8) ^ x] ^ (c << 8)) & 0xffff, 0);

interface FrameHeader {
  /** Header length in bytes, CRC-8 included. */
  length: number;
  blockSize: number;
  channels: number;
}

/** Parses the frame header at `p` (null when there is none or its CRC-8 fails). */
export function frameHeaderAt(b: Uint8Array, p: number): FrameHeader | null {
  if (p + 6 > b.length || b[p] !== 0xff || (b[p + 1] & 0xfe) !== 0xf8) return null;
  const sizeCode = b[p + 2] >> 4;
  const rateCode = b[p + 2] & 0x0f;
  const channelCode = b[p + 3] >> 4;
  const depthCode = (b[p + 3] >> 1) & 0x07;
  if (sizeCode === 0 || rateCode === 15 || channelCode > 10 || depthCode === 3 || b[p + 3] & 1) return null;
  const lead = b[p + 4];
  const extra =
    lead < 0x80
      ? 0
      : lead < 0xc0
        ? -1
        : lead < 0xe0
          ? 1
          : lead < 0xf0
            ? 2
            : lead < 0xf8
              ? 3
              : lead < 0xfc
                ? 4
                : lead < 0xfe
                  ? 5
                  : lead === 0xfe
                    ? 6
                    : -1;
  if (extra < 0) return null;
  let q = p + 5 + extra;
  const sizeAt = q;
  q +=
    (sizeCode === 6 ? 1 : sizeCode === 7 ? 2 : 0) +
    (rateCode === 12 ? 1 : rateCode === 13 || rateCode === 14 ? 2 : 0);
  if (q >= b.length) return null;
  let crc = 0;
  for (let i = p; i < q; i++) crc = CRC8[crc ^ b[i]];
  if (crc !== b[q]) return null;
  const blockSize =
    sizeCode === 1
      ? 192
      : sizeCode <= 5
        ? 576 << (sizeCode - 2)
        : sizeCode === 6
          ? b[sizeAt] + 1
          : sizeCode === 7
            ? ((b[sizeAt] << 8) | b[sizeAt + 1]) + 1
            : 256 << (sizeCode - 8);
  return { length: q - p + 1, blockSize, channels: channelCode < 8 ? channelCode + 1 : 2 };
}

/** Input bytes with a read position; consumed bytes are dropped as the buffer grows. */
class ByteQueue {
  private data = new Uint8Array(0);
  private start = 0;
  get length(): number {
    return this.data.length - this.start;
  }
  get view(): Uint8Array {
    return this.data.subarray(this.start);
  }
  push(chunk: Uint8Array): void {
    const rest = this.view;
    const joined = new Uint8Array(rest.length + chunk.length);
    joined.set(rest);
    joined.set(chunk, rest.length);
    this.data = joined;
    this.start = 0;
  }
  drop(count: number): void {
    this.start += Math.min(count, this.length);
  }
}

/**
 * Splits a FLAC byte stream into frames: metadata is skipped (STREAMINFO reported), each frame ends
 * where the next valid header begins and the CRC-16 of the bytes between checks out. A frame whose end
 * cannot be found within MAX_FRAME_BYTES is damaged: it is skipped up to the next header.
 */
export async function* flacFrames(
  input: AsyncIterable<Uint8Array>,
  events: FlacStreamEvents = {},
): AsyncGenerator<{ bytes: Uint8Array; header: FrameHeader }> {
  const queue = new ByteQueue();
  let phase: 'magic' | 'id3' | 'metadata' | 'frames' = 'magic';
  let skip = 0;
  let lastMetadata = false;
  // Frame scanning state, relative to the queue's view.
  let scan = 0;
  let crc = 0;
  let current: FrameHeader | null = null;

  const nextHeader = (view: Uint8Array, from: number): number => {
    for (let p = from; p + 1 < view.length; p++) if (frameHeaderAt(view, p)) return p;
    return -1;
  };

  function* take(final: boolean): Generator<{ bytes: Uint8Array; header: FrameHeader }> {
    for (;;) {
      let view = queue.view;
      if (phase === 'magic') {
        if (view.length < 4 && !final) return;
        // An ID3 tag in front of the stream (some taggers do this) is skipped without being held.
        if (view.length >= 10 && view[0] === 0x49 && view[1] === 0x44 && view[2] === 0x33) {
          skip =
            10 +
            (((view[6] & 0x7f) << 21) |
              ((view[7] & 0x7f) << 14) |
              ((view[8] & 0x7f) << 7) |
              (view[9] & 0x7f));
          phase = 'id3';
          continue;
        }
        if (view.length < 4 || String.fromCharCode(...view.subarray(0, 4)) !== 'fLaC') {
          throw new Error('no fLaC signature');
        }
        queue.drop(4);
        phase = 'metadata';
        continue;
      }
      if (phase === 'id3') {
        const n = Math.min(skip, view.length);
        queue.drop(n);
        skip -= n;
        if (skip > 0) return;
        phase = 'magic';
        continue;
      }
      if (phase === 'metadata') {
        if (skip > 0) {
          const n = Math.min(skip, view.length);
          queue.drop(n);
          skip -= n;
          if (skip > 0) return;
          if (!lastMetadata) continue;
          phase = 'frames';
          continue;
        }
        if (lastMetadata) {
          phase = 'frames';
          continue;
        }
        if (view.length < 4 + STREAMINFO_BYTES && !final) return;
        if (view.length < 4) throw new Error('the metadata is truncated');
        const type = view[0] & 0x7f;
        const length = (view[1] << 16) | (view[2] << 8) | view[3];
        lastMetadata = (view[0] & 0x80) !== 0;
        if (type === 0 && length >= STREAMINFO_BYTES && view.length >= 4 + STREAMINFO_BYTES) {
          const s = view.subarray(4);
          const sampleRate = (s[10] << 12) | (s[11] << 4) | (s[12] >> 4);
          const channels = ((s[12] >> 1) & 0x07) + 1;
          const totalSamples =
            (s[13] & 0x0f) * 2 ** 32 + ((s[14] << 24) >>> 0) + (s[15] << 16) + (s[16] << 8) + s[17];
          events.onStreamInfo?.({ sampleRate, channels, totalSamples });
        }
        queue.drop(4);
        skip = length;
        if (skip === 0 && lastMetadata) phase = 'frames';
        continue;
      }
      // Frames.
      view = queue.view;
      if (!current) {
        const at = nextHeader(view, 0);
        if (at < 0) {
          // Keep a byte (a sync may straddle two reads); everything before is not FLAC.
          const junk = Math.max(0, view.length - 1);
          if (junk > 0) events.onDamage?.(`${junk} bytes between frames`);
          queue.drop(final ? view.length : junk);
          return;
        }
        if (at > 0) {
          events.onDamage?.(`${at} bytes between frames`);
          queue.drop(at);
          view = queue.view;
        }
        current = frameHeaderAt(view, 0);
        scan = 0;
        crc = 0;
      }
      let end = -1;
      for (; scan < view.length; scan++) {
        if (scan >= current!.length + 2 && crc === 0 && view[scan] === 0xff && frameHeaderAt(view, scan)) {
          end = scan;
          break;
        }
        crc = (CRC16[(crc >> 8) ^ view[scan]] ^ (crc << 8)) & 0xffff;
      }
      if (end < 0 && final && view.length > 0) {
        if (crc === 0 && scan >= current!.length + 2) end = view.length;
        else {
          events.onIncompleteEnd?.();
          queue.drop(view.length);
          current = null;
          return;
        }
      }
      if (end < 0) {
        if (scan <= MAX_FRAME_BYTES) return;
        // No CRC-valid end in the largest possible frame: damaged. Resume at the next header after it.
        const resume = nextHeader(view, 1);
        events.onDamage?.('a frame failed its checksum');
        queue.drop(resume < 0 ? view.length - 1 : resume);
        current = null;
        continue;
      }
      const header = current!;
      yield { bytes: view.slice(0, end), header };
      queue.drop(end);
      current = null;
    }
  }

  for await (const chunk of input) {
    queue.push(chunk);
    yield* take(false);
  }
  yield* take(true);
}

/**
 * Decodes native FLAC from a byte stream, each decoder call limited to DECODE_BUDGET_SAMPLES declared
 * samples. Channel count and sample rate come from the decoder; a group never mixes channel counts.
 */
export async function* decodeFlac(
  input: AsyncIterable<Uint8Array>,
  events: FlacStreamEvents = {},
): AsyncGenerator<FlacDecoded> {
  const decoder = new FLACDecoder();
  await decoder.ready;
  try {
    let group: Uint8Array[] = [];
    let groupSamples = 0;
    let groupChannels = 0;
    const flushGroup = async (): Promise<FlacDecoded | null> => {
      if (group.length === 0) return null;
      const decoded = await decoder.decodeFrames(group);
      group = [];
      groupSamples = 0;
      if (decoded.errors.length > 0) events.onDamage?.(`${decoded.errors.length} frame(s) failed to decode`);
      if (decoded.samplesDecoded === 0 || decoded.channelData.length === 0) return null;
      return { channelData: decoded.channelData, sampleRate: decoded.sampleRate };
    };
    for await (const { bytes, header } of flacFrames(input, events)) {
      const samples = header.blockSize * header.channels;
      if (
        group.length > 0 &&
        (groupSamples + samples > DECODE_BUDGET_SAMPLES || header.channels !== groupChannels)
      ) {
        const out = await flushGroup();
        if (out) yield out;
      }
      group.push(bytes);
      groupSamples += samples;
      groupChannels = header.channels;
    }
    const out = await flushGroup();
    if (out) yield out;
  } finally {
    decoder.free();
  }
}
