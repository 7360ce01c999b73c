/**
 * Ogg split into whole pages, so a decoder is given one page per call: a page holds at most 255
 * packets, which bounds what one call can produce (255 × the largest block × the channels, checked
 * against the stream's identification header). Also identifies the codec of the first stream, so only
 * Vorbis and Opus reach a decoder and everything else is refused by name.
 */

export interface OggCodecInfo {
  /** 'vorbis' and 'opus' are decoded; the others are named in the refusal. */
  codec: 'vorbis' | 'opus' | 'flac' | 'speex' | 'theora' | 'unknown';
  channels: number;
  /** Samples per channel one packet can decode to at most (Vorbis: half the long block; Opus: 120 ms). */
  maxPacketSamples: number;
}

const ascii = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, to));

/** The codec of the first packet of an Ogg stream, from the first page (null: not an Ogg page). */
export function oggCodec(head: Uint8Array): OggCodecInfo | null {
  if (head.length < 28 || ascii(head, 0, 4) !== 'OggS') return null;
  const packet = head.subarray(27 + head[26]);
  const unknown = (codec: OggCodecInfo['codec']): OggCodecInfo => ({
    codec,
    channels: 0,
    maxPacketSamples: 0,
  });
  if (packet.length >= 30 && packet[0] === 1 && ascii(packet, 1, 7) === 'vorbis') {
    const blocksize1 = 1 << (packet[28] >> 4);
    return { codec: 'vorbis', channels: packet[11], maxPacketSamples: blocksize1 / 2 };
  }
  if (packet.length >= 19 && ascii(packet, 0, 8) === 'OpusHead') {
    return { codec: 'opus', channels: packet[9], maxPacketSamples: 5760 };
  }
  if (packet.length >= 5 && packet[0] === 0x7f && ascii(packet, 1, 5) === 'FLAC') return unknown('flac');
  if (packet.length >= 8 && ascii(packet, 0, 8) === 'Speex   ') return unknown('speex');
  if (packet.length >= 7 && packet[0] === 0x80 && ascii(packet, 1, 7) === 'theora') return unknown('theora');
  return unknown('unknown');
}

/**
 * Re-chunks a byte stream into whole Ogg pages (bytes that are not a page are skipped and counted).
 * A last page cut short is dropped (`onIncompleteEnd`).
 */
export async function* oggPages(
  input: AsyncIterable<Uint8Array>,
  onDamage?: (what: string) => void,
  onIncompleteEnd?: () => void,
): AsyncGenerator<Uint8Array> {
  let buffer = new Uint8Array(0);
  let skipped = 0;
  const append = (chunk: Uint8Array) => {
    const joined = new Uint8Array(buffer.length + chunk.length);
    joined.set(buffer);
    joined.set(chunk, buffer.length);
    buffer = joined;
  };
  function* pages(): Generator<Uint8Array> {
    let offset = 0;
    for (;;) {
      // Resynchronise on the capture pattern.
      while (
        offset + 4 <= buffer.length &&
        !(
          buffer[offset] === 0x4f &&
          buffer[offset + 1] === 0x67 &&
          buffer[offset + 2] === 0x67 &&
          buffer[offset + 3] === 0x53
        )
      ) {
        offset++;
        skipped++;
      }
      if (offset + 27 > buffer.length) break;
      const segments = buffer[offset + 26];
      if (offset + 27 + segments > buffer.length) break;
      let length = 27 + segments;
      for (let i = 0; i < segments; i++) length += buffer[offset + 27 + i];
      if (offset + length > buffer.length) break;
      yield buffer.slice(offset, offset + length);
      offset += length;
    }
    buffer = buffer.slice(offset);
  }
  for await (const chunk of input) {
    append(chunk);
    yield* pages();
  }
  if (buffer.length > 0) onIncompleteEnd?.();
  if (skipped > 0) onDamage?.(`${skipped} bytes outside Ogg pages`);
}
