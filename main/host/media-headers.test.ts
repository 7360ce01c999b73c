import { describe, expect, it } from 'vitest';
import { attachmentDisposition, sniffAudioType } from './media-headers';

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

describe('sniffAudioType', () => {
  it('names the audio containers by their first bytes', () => {
    expect(sniffAudioType(bytes('RIFF', [1, 2, 3, 4], 'WAVE'))).toBe('audio/wav');
    expect(sniffAudioType(bytes('RF64', [0, 0, 0, 0], 'WAVE'))).toBe('audio/wav');
    expect(sniffAudioType(bytes('fLaC', [0, 0, 0, 0x22]))).toBe('audio/flac');
    expect(sniffAudioType(bytes('OggS', [0]))).toBe('audio/ogg');
    expect(sniffAudioType(bytes('ID3', [4, 0]))).toBe('audio/mpeg');
    expect(sniffAudioType(bytes([0xff, 0xfb, 0x90, 0x64]))).toBe('audio/mpeg');
    expect(sniffAudioType(bytes([0xff, 0xf1, 0x50, 0x80]))).toBe('audio/aac');
    expect(sniffAudioType(bytes([0, 0, 0, 0x20], 'ftypM4A '))).toBe('audio/mp4');
    expect(sniffAudioType(bytes([0x1a, 0x45, 0xdf, 0xa3]))).toBe('audio/webm');
  });

  it('names nothing else, whatever the file claims to be', () => {
    for (const head of [
      '<!doctype html><script>',
      '<svg xmlns="http://www.w3.org/2000/svg">',
      '<?xml version="1.0"?>',
      '%PDF-1.7',
      'RIFF\0\0\0\0AVI ',
      'RIF',
      '',
    ])
      expect(sniffAudioType(bytes(head))).toBe('application/octet-stream');
  });
});

describe('attachmentDisposition', () => {
  it('keeps the header one clean line whatever the name', () => {
    expect(attachmentDisposition('talk.wav')).toBe(
      `attachment; filename="talk.wav"; filename*=UTF-8''talk.wav`,
    );
    const odd = attachmentDisposition('a"b\\c\r\nSet-Cookie: x=1 é.wav');
    expect(odd).not.toMatch(/[\r\n]/);
    expect(odd).toMatch(/^attachment; filename="a_b_c__Set-Cookie: x=1 _.wav"; filename\*=UTF-8''/);
  });
});
