import { describe, expect, it } from 'vitest';
import { contentType, parseRange } from './http-range';

describe('parseRange', () => {
  it('parses the forms audio elements send', () => {
    expect(parseRange('bytes=0-', 100)).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=10-19', 100)).toEqual({ start: 10, end: 19 });
    expect(parseRange('bytes=90-500', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
  });

  it('serves the whole file for absent or unusable headers', () => {
    expect(parseRange(undefined, 100)).toBeNull();
    expect(parseRange('items=0-1', 100)).toBeNull();
    expect(parseRange('bytes=0-1,5-6', 100)).toBeNull();
    expect(parseRange('bytes=-', 100)).toBeNull();
  });

  it('flags ranges past the end', () => {
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=20-10', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 100)).toBe('unsatisfiable');
  });
});

it('knows audio and web content types', () => {
  expect(contentType('a.WAV')).toBe('audio/wav');
  expect(contentType('a.mp3')).toBe('audio/mpeg');
  expect(contentType('index.html')).toContain('text/html');
  expect(contentType('unknown.bin')).toBe('application/octet-stream');
});
