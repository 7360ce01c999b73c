/**
 * How a user's file is served back to the page (`/media/<id>` in the bridge, `app://studio/media/<id>` in
 * Electron). Anyone can upload anything, so a file named `evil.html` or `evil.svg` must never come back as
 * a document that runs script on the studio's origin (it would call the API with the user's cookie). The
 * type is therefore taken from the file's first bytes, and only audio types are ever named; everything
 * else is `application/octet-stream`. `nosniff` stops the browser guessing a type of its own, the CSP
 * sandboxes the response if it is ever opened as a page (an opaque origin, no script, nothing loaded), and
 * `Content-Disposition: attachment` makes a navigation to it a download instead of a page.
 */
import { open } from 'node:fs/promises';
import path from 'node:path';

/** The CSP sent with every media response: no script, no subresources, a unique opaque origin. */
export const MEDIA_CSP = "sandbox; default-src 'none'";

/** How many leading bytes `sniffAudioType` looks at. */
export const SNIFF_BYTES = 12;

const ascii = (head: Uint8Array, offset: number, text: string) =>
  head.length >= offset + text.length && [...text].every((c, i) => head[offset + i] === c.charCodeAt(0));

/** The audio type of a file's first bytes (containers the engine decodes), else application/octet-stream. */
export function sniffAudioType(head: Uint8Array): string {
  if ((ascii(head, 0, 'RIFF') || ascii(head, 0, 'RF64')) && ascii(head, 8, 'WAVE')) return 'audio/wav';
  if (ascii(head, 0, 'fLaC')) return 'audio/flac';
  if (ascii(head, 0, 'OggS')) return 'audio/ogg';
  if (ascii(head, 0, 'ID3')) return 'audio/mpeg';
  if (ascii(head, 4, 'ftyp')) return 'audio/mp4';
  if (head.length >= 4 && head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3)
    return 'audio/webm';
  if (head.length >= 2 && head[0] === 0xff && (head[1] & 0xe0) === 0xe0) {
    // An MPEG audio frame sync; layer bits 00 there are ADTS (AAC).
    return (head[1] & 0x06) === 0 ? 'audio/aac' : 'audio/mpeg';
  }
  return 'application/octet-stream';
}

/** `attachment` with the name as plain ASCII and, for any other character, RFC 5987's UTF-8 form. */
export function attachmentDisposition(name: string): string {
  const plain = name.replace(/[^\x20-\x7e]|["\\]/g, '_') || 'audio';
  return `attachment; filename="${plain}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** The headers of a media response for `file` (its type sniffed from its first bytes). */
export async function mediaHeaders(file: string): Promise<Record<string, string>> {
  const head = new Uint8Array(SNIFF_BYTES);
  const handle = await open(file, 'r');
  let read: number;
  try {
    read = (await handle.read(head, 0, SNIFF_BYTES, 0)).bytesRead;
  } finally {
    await handle.close();
  }
  return {
    'content-type': sniffAudioType(head.subarray(0, read)),
    'x-content-type-options': 'nosniff',
    'content-security-policy': MEDIA_CSP,
    'content-disposition': attachmentDisposition(path.basename(file)),
    'cross-origin-resource-policy': 'same-origin',
    'cache-control': 'no-store',
  };
}
