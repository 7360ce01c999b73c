import { describe, expect, it } from 'vitest';
import {
  aggregate,
  aggregateBySet,
  compareRuns,
  csvField,
  formatComparison,
  formatHms,
  formatSetTable,
  makeRun,
  renderTable,
  scoreFile,
  sortResults,
  toCsv,
  type FileResult,
} from './evaluation';
import { DEFAULT_NORMALIZATION, errorRate, scoreTranscript } from './scoring';

function result(
  set: string,
  file: string,
  reference: string | null,
  hypothesis: string,
  sec = 2,
): FileResult {
  return {
    set,
    file,
    reference,
    hypothesis,
    words: [],
    durationSec: sec,
    processingSec: sec / 4,
    rtf: 0.25,
    ...(reference === null ? {} : scoreFile(reference, hypothesis)),
  };
}

const files: FileResult[] = [
  result('clean', 'a.wav', 'the cat sat on the mat', 'extra the bat sat on mat'),
  result('clean', 'b.wav', 'hello world', 'hello world'),
  result('noisy', 'c.wav', 'one two three four', 'one too', 4),
  result('noisy', 'd.wav', null, 'no reference here'),
  { set: 'noisy', file: 'e.wav', reference: 'lost', error: 'e.wav: corrupt audio data (bad frame)' },
];

describe('aggregation', () => {
  it('pools S/D/I over files: set sums equal per-file sums, rates come from the pooled counts', () => {
    const { sets, total } = aggregateBySet(files);
    expect(sets.map((s) => s.name)).toEqual(['clean', 'noisy']);
    for (const set of sets) {
      const mine = files.filter((f) => f.set === set.name && f.counts);
      for (const k of ['substitutions', 'deletions', 'insertions', 'reference'] as const) {
        expect(set.words[k]).toBe(mine.reduce((n, f) => n + f.counts!.words[k], 0));
        expect(set.chars[k]).toBe(mine.reduce((n, f) => n + f.counts!.chars[k], 0));
      }
    }
    // clean: a.wav has 1 sub (cat→bat), 1 del (the), 1 ins (extra) over 6 words; b.wav is perfect.
    expect(sets[0].words).toEqual({ substitutions: 1, deletions: 1, insertions: 1, reference: 8 });
    expect(sets[0].wer).toBeCloseTo(3 / 8, 12);
    // noisy: c.wav 1 sub + 2 del over 4 words; d.wav unscored; e.wav failed.
    expect(sets[1]).toMatchObject({ files: 3, scored: 1, unscored: 1, failed: 1 });
    expect(sets[1].wer).toBeCloseTo(3 / 4, 12);
    expect(total.words).toEqual({ substitutions: 2, deletions: 3, insertions: 1, reference: 12 });
    expect(total.wer).toBeCloseTo(6 / 12, 12);
    // Not the mean of per-file rates (which would be (3/6 + 0 + 3/4) / 3).
    expect(total.wer).not.toBeCloseTo((3 / 6 + 0 + 3 / 4) / 3, 3);
    expect(total.cer).toBe(errorRate(total.chars));
    // RTF over transcribed files: (0.5 + 0.5 + 1 + 0.5) / (2 + 2 + 4 + 2).
    expect(total.durationSec).toBe(10);
    expect(total.rtf).toBeCloseTo(0.25, 12);
    expect(total).toMatchObject({ files: 5, scored: 3, unscored: 1, failed: 1 });
  });

  it('gives NaN rates (shown as —) for a set with nothing scored', () => {
    const a = aggregate('empty', [files[3]]);
    expect(a.wer).toBeNaN();
    expect(formatSetTable([a], a)).toMatch(/empty\s+0\s+0\s+0:02\s+0 \|\s+—/);
  });

  it('scoreFile agrees with scoreTranscript and keeps the alignment', () => {
    const s = scoreFile('a b c', 'a x c d');
    const t = scoreTranscript('a b c', 'a x c d', DEFAULT_NORMALIZATION);
    expect(s.counts.words).toEqual(t.wer);
    expect(s.counts.chars).toEqual(t.cer);
    expect(s.wer).toBe(errorRate(t.wer));
    expect(s.alignment.map((p) => p.op)).toEqual(['match', 'sub', 'match', 'ins']);
  });

  it('sorts worst first, failed and unscored last', () => {
    expect(sortResults(files, 'wer').map((f) => f.file)).toEqual([
      'c.wav',
      'a.wav',
      'b.wav',
      'd.wav',
      'e.wav',
    ]);
    expect(sortResults(files, 'name').map((f) => f.file)).toEqual([
      'a.wav',
      'b.wav',
      'c.wav',
      'd.wav',
      'e.wav',
    ]);
    expect(sortResults(files, 'input')).toEqual(files);
  });
});

describe('text output', () => {
  it('pads columns and separates groups', () => {
    const text = renderTable(
      [{ header: 'name', align: 'left' }, { header: 'n' }, { header: 'x', group: true }],
      [
        ['a', '1', '10'],
        ['bbb', '22', '3'],
      ],
      ['all', '23', '13'],
    );
    expect(text).toBe(
      'name   n |  x\n' +
        '-------------\n' +
        'a      1 | 10\n' +
        'bbb   22 |  3\n' +
        '-------------\n' +
        'all   23 | 13\n',
    );
  });

  it('escapes CSV fields (RFC 4180)', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
    expect(csvField(0.25)).toBe('0.25');
    expect(csvField(NaN)).toBe('');
    expect(csvField(null)).toBe('');
  });

  it('writes one CSV row per file, then per set and the total, all with the same columns', () => {
    const tricky = result('s', 'dir, "x"/f.wav', 'he said "no", twice', 'he said no twice');
    const { sets, total } = aggregateBySet([tricky, ...files]);
    const csv = toCsv([tricky, ...files], sets, total);
    expect(csv.endsWith('\r\n')).toBe(true);
    const lines = csv.trimEnd().split('\r\n');
    expect(lines).toHaveLength(1 + 6 + 3 + 1);
    expect(lines[1]).toMatch(/^file,s,"dir, ""x""\/f\.wav",1,0,/);
    expect(lines[1]).toMatch(/,"he said ""no"", twice",he said no twice,$/);
    expect(lines[6]).toMatch(/^file,noisy,e\.wav,1,1,,,,.*,lost,,e\.wav: corrupt audio data \(bad frame\)$/);
    expect(lines.at(-1)).toMatch(/^total,,,6,1,/);
    const header = lines[0].split(',');
    const totalRow = lines.at(-1)!.split(',');
    expect(Number(totalRow[header.indexOf('substitutions')])).toBe(total.words.substitutions);
    expect(Number(totalRow[header.indexOf('wer')])).toBe(Number(total.wer.toFixed(4)));
  });
});

describe('comparison', () => {
  const info = { model: 'm', backend: 'wasm', date: '2025-01-01T00:00:00.000Z' };
  const a = makeRun({ ...info, decoder: 'greedy' }, DEFAULT_NORMALIZATION, [
    result('clean', 'a.wav', 'the cat sat', 'the cat sat'),
    result('clean', 'b.wav', 'a b c d', 'a x y d'),
    result('noisy', 'c.wav', 'one two', 'one'),
    result('noisy', 'only-a.wav', 'x', 'x'),
  ]);
  const b = makeRun({ ...info, decoder: 'beam' }, DEFAULT_NORMALIZATION, [
    result('clean', 'a.wav', 'the cat sat', 'the cat sad'),
    result('clean', 'b.wav', 'a b c d', 'a b c d'),
    result('noisy', 'c.wav', 'one two', 'one'),
    { set: 'noisy', file: 'only-a.wav', reference: 'x', error: 'failed' },
  ]);

  it('compares on the files both runs scored and ranks the per-file differences', () => {
    const c = compareRuns(a, b);
    expect(c.sets.map((s) => [s.name, s.a.scored, s.b.scored])).toEqual([
      ['clean', 2, 2],
      ['noisy', 1, 1],
    ]);
    expect(c.total.a.wer).toBeCloseTo(3 / 9, 12);
    expect(c.total.b.wer).toBeCloseTo(2 / 9, 12);
    expect(c.onlyA).toEqual(['noisy: only-a.wav']);
    expect(c.onlyB).toEqual([]);
    expect(c.differences.map((d) => [d.file, d.werA, d.werB])).toEqual([
      ['b.wav', 0.5, 0],
      ['a.wav', 0, 1 / 3],
    ]);
    expect(c.warnings).toEqual([]);
  });

  it('prints both runs side by side with signed differences and the top files', () => {
    const text = formatComparison(compareRuns(a, b), { a: 'greedy.json', b: 'beam.json' }, { top: 1 });
    const lines = text.split('\n');
    expect(lines[0]).toBe('A: greedy.json');
    expect(lines[1]).toBe('B: beam.json');
    expect(text).toMatch(/^clean\s+2\s+7 \|\s+28\.6%\s+2\/0\/0\s+.*\|\s+14\.3%\s+1\/0\/0\s+.*\|\s+−14\.3/m);
    expect(text).toMatch(/^noisy\s+1\s+2 \|\s+50\.0%.*\|\s+50\.0%.*\|\s+±0\.0/m);
    expect(text).toMatch(/^total\s+3\s+9 \|\s+33\.3%.*\|\s+22\.2%.*\|\s+−11\.1/m);
    expect(text).toMatch(/not compared: 1 file\(s\) scored only in A, 0 only in B/);
    expect(text).toMatch(/2 file\(s\) differ in WER: B better on 1, worse on 1\./);
    expect(text).toMatch(/top 1 by \|ΔWER\|/);
    expect(text).toMatch(
      /clean: b\.wav {2}A 50\.0% {2}B 0\.0% {2}Δ −50\.0\n {2}ref: a b c d\n {2}A: {3}a x y d\n {2}B: {3}a b c d/,
    );
    expect(text).not.toMatch(/a\.wav {2}A/);
  });

  it('warns when the runs used different normalisations', () => {
    const other = { ...b, normalization: { ...DEFAULT_NORMALIZATION, numbers: 'words' as const } };
    expect(compareRuns(a, other).warnings[0]).toMatch(/different normalisations/);
  });
});

describe('formatHms', () => {
  it('writes m:ss under an hour and h:mm:ss from one', () => {
    expect(formatHms(65.4)).toBe('1:05');
    expect(formatHms(3600 + 2 * 60 + 3)).toBe('1:02:03');
  });
});
