/**
 * Decompression bombs: small, valid files of silence that decode to as much audio per input byte as
 * each documented format allows. The decoder must get through them in bounded memory (source.ts); the
 * tests and the fuzz corpus build them here, so nothing big is committed.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { flacCrc16 as crc16, flacCrc8 as crc8 } from '../audio/flac-stream';

// ---- FLAC ---------------------------------------------------------------------------------------------

/** FLAC's UTF-8-like coding of the frame number. */
function utf8Number(n: number): number[] {
  if (n < 0x80) return [n];
  if (n < 0x800) return [0xc0 | (n >> 6), 0x80 | (n & 0x3f)];
  if (n < 0x10000) return [0xe0 | (n >> 12), 0x80 | ((n >> 6) & 0x3f), 0x80 | (n & 0x3f)];
  return [0xf0 | (n >> 18), 0x80 | ((n >> 12) & 0x3f), 0x80 | ((n >> 6) & 0x3f), 0x80 | (n & 0x3f)];
}

export interface FlacBombOptions {
  /** 1–8. */
  channels?: number;
  /** Samples per channel per frame, 16–65,535. */
  blockSize?: number;
  /** Total file size to reach (about). */
  bytes: number;
}

/**
 * Native FLAC, 16-bit 44.1 kHz, every subframe CONSTANT 0 (3 bytes each): a frame of ~34 bytes
 * decodes to channels × blockSize samples. STREAMINFO declares the true total.
 */
export function flacBomb({ channels = 8, blockSize = 65_535, bytes }: FlacBombOptions): Buffer {
  const frames: Buffer[] = [];
  let size = 42;
  for (let n = 0; size < bytes; n++) {
    const header = Uint8Array.from([
      0xff,
      0xf8,
      0x79, // block size: 16 bits at the end of the header; 44.1 kHz
      ((channels - 1) << 4) | 0x08, // independent channels, 16-bit
      ...utf8Number(n),
      ((blockSize - 1) >> 8) & 0xff,
      (blockSize - 1) & 0xff,
    ]);
    const subframes = new Uint8Array(channels * 3); // type CONSTANT (0), value 0
    const body = Buffer.concat([header, Uint8Array.of(crc8(header)), subframes]);
    const crc = crc16(body);
    frames.push(Buffer.concat([body, Uint8Array.of(crc >> 8, crc & 0xff)]));
    size += frames[frames.length - 1].length;
  }
  const info = Buffer.alloc(38);
  info[0] = 0x80; // last metadata block, STREAMINFO
  info.writeUIntBE(34, 1, 3);
  info.writeUInt16BE(blockSize, 4);
  info.writeUInt16BE(blockSize, 6);
  const total = frames.length * blockSize;
  // sample rate (20 bits) | channels-1 (3) | bits-1 (5) | total samples (36)
  const packed = (44_100n << 44n) | (BigInt(channels - 1) << 41n) | (15n << 36n) | BigInt(total);
  info.writeBigUInt64BE(packed, 14);
  return Buffer.concat([Buffer.from('fLaC', 'latin1'), info, ...frames]);
}

// ---- Ogg ---------------------------------------------------------------------------------------------

const CRC32 = Uint32Array.from({ length: 256 }, (_, i) => {
  let c = i << 24;
  for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
  return c >>> 0;
});

/** One Ogg page holding whole packets (each < 255 bytes, at most 255 of them). */
function oggPage(
  packets: Uint8Array[],
  granule: bigint,
  sequence: number,
  flags: number,
  serial = 0x5eed,
): Buffer {
  const header = Buffer.alloc(27 + packets.length);
  header.write('OggS', 0, 'latin1');
  header[5] = flags;
  header.writeBigInt64LE(granule, 6);
  header.writeUInt32LE(serial, 14);
  header.writeUInt32LE(sequence, 18);
  header[26] = packets.length;
  packets.forEach((p, i) => (header[27 + i] = p.length));
  const page = Buffer.concat([header, ...packets]);
  let crc = 0;
  for (const byte of page) crc = (CRC32[((crc >>> 24) ^ byte) & 0xff] ^ (crc << 8)) >>> 0;
  page.writeUInt32LE(crc, 22);
  return page;
}

/** Pages of `packet` repeated 255 times until about `bytes`; the last page ends the stream. */
function repeatPackets(
  packet: Uint8Array,
  samplesPerPacket: number,
  bytes: number,
  firstSequence: number,
  serial = 0x5eed,
) {
  const pageBytes = 27 + 255 + 255 * packet.length;
  const count = Math.max(1, Math.round(bytes / pageBytes));
  const pages: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const granule = BigInt((i + 1) * 255 * samplesPerPacket);
    pages.push(oggPage(Array(255).fill(packet), granule, firstSequence + i, i === count - 1 ? 4 : 0, serial));
  }
  return pages;
}

/**
 * Ogg Opus, 2 channels: each packet is a TOC byte (CELT 20 ms, code 3) and a frame count of 6 with no
 * frame data, which decodes to 120 ms (5,760 samples × 2 channels) from 3 bytes with its lacing value.
 */
export function opusBomb({ bytes, channels = 2 }: { bytes: number; channels?: 1 | 2 }): Buffer {
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'latin1');
  head[8] = 1;
  head[9] = channels;
  head.writeUInt16LE(312, 10);
  head.writeUInt32LE(48_000, 12);
  const tags = Buffer.concat([
    Buffer.from('OpusTags', 'latin1'),
    Buffer.from([4, 0, 0, 0]),
    Buffer.from('bomb'),
    Buffer.alloc(4),
  ]);
  const toc = (31 << 3) | (channels === 2 ? 0x04 : 0) | 3;
  return Buffer.concat([
    oggPage([head], 0n, 0, 2),
    oggPage([tags], 0n, 1, 0),
    ...repeatPackets(Uint8Array.of(toc, 6), 5760, bytes, 2),
  ]);
}

export const VORBIS_HEADERS_FIXTURE = path.join(
  import.meta.dirname,
  '..',
  '__fixtures__',
  'vorbis-7.1-headers.ogg',
);

/**
 * Ogg Vorbis, 8 channels (7.1), 44.1 kHz: the headers of a real encoder's file, then long-block packets
 * with every channel's floor unused (2 bytes each: silence), 1,024 samples × 8 channels per packet.
 */
export async function vorbisBomb({ bytes }: { bytes: number }): Promise<Buffer> {
  const headers = await readFile(VORBIS_HEADERS_FIXTURE);
  // The audio pages continue the headers' logical stream (same serial number).
  const serial = headers.readUInt32LE(14);
  return Buffer.concat([
    headers,
    ...repeatPackets(Uint8Array.of(0x0e, 0x00), 1024, bytes - headers.length, 2, serial),
  ]);
}

// ---- MP3 ---------------------------------------------------------------------------------------------

/**
 * MPEG-1 Layer II, 32 kbps, 48 kHz, stereo: 96-byte frames with no bits allocated (silence), the most
 * samples per byte an MPEG audio frame gives (1,152 × 2 from 96 bytes).
 */
export function mp3Bomb({ bytes }: { bytes: number }): Buffer {
  const frame = Buffer.alloc(96);
  frame.set([0xff, 0xfd, 0x14, 0x00]);
  return Buffer.concat(Array(Math.max(1, Math.round(bytes / frame.length))).fill(frame));
}
