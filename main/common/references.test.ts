import { describe, expect, it } from 'vitest';
import {
  ManifestParseError,
  extensionOf,
  formatReferenceManifest,
  isAudioFile,
  pairAudioWithReferences,
  parseReferenceManifest,
  parseReferenceText,
} from './references';

describe('parseReferenceManifest', () => {
  it('reads path<TAB>transcript lines with a header, comments, blank lines, CRLF and a BOM', () => {
    const text =
      '\uFEFF# recorded 2024-05-01\r\n' +
      'path\ttranscript\r\n' +
      '\r\n' +
      'a.wav\tHello   world\r\n' +
      '   # indented comment\n' +
      'sub/b.flac\tsecond  line\t3.2\tvoice\n' +
      '\n';
    expect(parseReferenceManifest(text)).toEqual([
      { audio: 'a.wav', reference: 'Hello world', line: 4 },
      { audio: 'sub/b.flac', reference: 'second line', line: 6 },
    ]);
  });

  it('takes a first line as a header only when it names the columns', () => {
    expect(parseReferenceManifest('audio\tText\nx.wav\tone\n').map((e) => e.audio)).toEqual(['x.wav']);
    // A first data line is kept even if it looks header-ish in one column only.
    expect(parseReferenceManifest('path.wav\ttranscript\n').map((e) => e.audio)).toEqual(['path.wav']);
    // A later "path<TAB>transcript" line is data, not a second header.
    expect(parseReferenceManifest('a.wav\tx\npath\ttranscript\n').map((e) => e.audio)).toEqual([
      'a.wav',
      'path',
    ]);
  });

  it('keeps an empty transcript (a file expected to contain no speech) and trims the path', () => {
    expect(parseReferenceManifest(' silence.wav \t\n')).toEqual([
      { audio: 'silence.wav', reference: '', line: 1 },
    ]);
  });

  it('reports every malformed line with its number', () => {
    const text = 'path\ttranscript\na.wav\tok\nb.wav hello there\n\t no path\na.wav\tagain\nc.wav\n';
    let error: unknown;
    try {
      parseReferenceManifest(text, 'refs.tsv');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ManifestParseError);
    const problems = (error as ManifestParseError).problems;
    expect(problems.map((p) => p.line)).toEqual([3, 4, 5, 6]);
    expect(problems[0].message).toMatch(/separated by a tab, not spaces/);
    expect(problems[1].message).toBe('empty audio path');
    expect(problems[2].message).toBe('a.wav is already listed on line 2');
    expect(problems[3].message).toMatch(/^no tab/);
    expect((error as Error).message).toMatch(/^refs\.tsv: 4 malformed lines/);
    expect((error as Error).message).toMatch(/\n {2}line 3: /);
  });

  it('round-trips through formatReferenceManifest, flattening tabs and newlines in transcripts', () => {
    const entries = [
      { audio: 'a.wav', reference: 'one\ttwo' },
      { audio: 'b b.wav', reference: 'three\nfour' },
    ];
    expect(parseReferenceManifest(formatReferenceManifest(entries))).toEqual([
      { audio: 'a.wav', reference: 'one two', line: 2 },
      { audio: 'b b.wav', reference: 'three four', line: 3 },
    ]);
  });
});

describe('reference files', () => {
  it('recognises audio extensions case-insensitively', () => {
    expect(['a.WAV', 'b.flac', 'c.Mp3', 'd.opus', 'e.m4a', 'f.webm', 'g.oga'].every(isAudioFile)).toBe(true);
    expect(['a.txt', 'wav', '.wav', 'dir.wav/readme', 'x.wav.bak'].some(isAudioFile)).toBe(false);
    expect(extensionOf('C:\\data\\x.y\\clip.FLAC')).toBe('flac');
  });

  it('joins a multi-line reference text into one line', () => {
    expect(parseReferenceText('\uFEFFthe quick\r\nbrown   fox\n\n')).toBe('the quick brown fox');
  });

  it('pairs each audio file with the .txt of the same base name in the same folder', () => {
    const { pairs, unmatchedTexts } = pairAudioWithReferences([
      'b.wav',
      'a.flac',
      'a.txt',
      'b.TXT',
      'sub/a.wav',
      'sub/a.txt.wav',
      'sub/c.mp3',
      'notes.txt',
      'sub/b.txt',
      'image.png',
    ]);
    expect(pairs).toEqual([
      { audio: 'a.flac', referenceFile: 'a.txt' },
      { audio: 'b.wav', referenceFile: 'b.TXT' },
      { audio: 'sub/a.txt.wav', referenceFile: null },
      { audio: 'sub/a.wav', referenceFile: null },
      { audio: 'sub/c.mp3', referenceFile: null },
    ]);
    expect(unmatchedTexts).toEqual(['notes.txt', 'sub/b.txt']);
  });
});
