/**
 * Evaluation results: per-file scores, per-set and overall aggregation, the printed tables, the CSV
 * summary and the comparison of two runs. Pure TypeScript with no Node or DOM dependency, shared by
 * `npm run eval`, the benchmarks and the app, so every place computes and shows the same figures.
 */
import type { Word } from './transcript';
import {
  DEFAULT_NORMALIZATION,
  describeNormalization,
  errorRate,
  scoreTranscript,
  sumCounts,
  type AlignedPair,
  type ErrorCounts,
  type ScoringNormalization,
} from './scoring';

/** Scores of one transcribed file against its reference. */
export interface FileScore {
  counts: {
    /** Word-level substitutions, deletions, insertions and reference word count. */
    words: ErrorCounts;
    /** The same at character level (normalised text, spaces included). */
    chars: ErrorCounts;
  };
  wer: number;
  cer: number;
  /** The word alignment, reference against hypothesis, in order. */
  alignment: AlignedPair[];
}

/**
 * One file of an evaluation run, as written to the per-file JSON. The `FileScore` fields (counts, wer,
 * cer, alignment) are present when the file was transcribed and has a reference.
 */
export interface FileResult extends Partial<FileScore> {
  /** The name of the set (manifest or folder) the file belongs to. */
  set: string;
  /** The audio path as the user gave it (manifest entry or path inside the folder). */
  file: string;
  /** null when the file has no reference transcript (transcribed, not scored). */
  reference: string | null;
  /** Absent when the file failed. */
  hypothesis?: string;
  words?: Word[];
  durationSec?: number;
  /** Wall-clock seconds spent on the file. */
  processingSec?: number;
  rtf?: number;
  /** What the user should know about the input (truncated, damaged parts skipped, too short). */
  warnings?: string[];
  /** The error message when the file failed; the others still ran. */
  error?: string;
}

/** Scores a hypothesis against a reference with an explicit normalisation. */
export function scoreFile(
  reference: string,
  hypothesis: string,
  normalization: ScoringNormalization = DEFAULT_NORMALIZATION,
): FileScore {
  const s = scoreTranscript(reference, hypothesis, normalization);
  return {
    counts: { words: s.wer, chars: s.cer },
    wer: errorRate(s.wer),
    cer: errorRate(s.cer),
    alignment: s.alignment.pairs,
  };
}

/** Pooled figures of a set of files (counts summed, then rates: not a mean of per-file rates). */
export interface Aggregate {
  name: string;
  /** Files listed. */
  files: number;
  /** Files transcribed and scored. */
  scored: number;
  /** Files transcribed without a reference. */
  unscored: number;
  failed: number;
  /** Seconds of audio and of processing over the transcribed files. */
  durationSec: number;
  processingSec: number;
  /** processingSec / durationSec (0 when nothing was transcribed). */
  rtf: number;
  words: ErrorCounts;
  chars: ErrorCounts;
  wer: number;
  cer: number;
}

/**
 * The files transcribed without a reference, as `npm run eval` and the app both report them (null when there
 * are none). Counted after the run: a file that failed is a failure, not one of these.
 */
export function unscoredNote(a: Aggregate): string | null {
  return a.unscored ? `${a.unscored} file(s) had no reference: transcribed, not scored.` : null;
}

/** The scores of a result, or undefined when it was not scored. */
export function scoreOf(r: FileResult): FileScore | undefined {
  return r.counts && r.wer !== undefined && r.cer !== undefined
    ? { counts: r.counts, wer: r.wer, cer: r.cer, alignment: r.alignment ?? [] }
    : undefined;
}

export function aggregate(name: string, results: readonly FileResult[]): Aggregate {
  const scored = results.filter((r) => r.counts);
  const transcribed = results.filter((r) => !r.error);
  const durationSec = transcribed.reduce((s, r) => s + (r.durationSec ?? 0), 0);
  const processingSec = transcribed.reduce((s, r) => s + (r.processingSec ?? 0), 0);
  const words = sumCounts(scored.map((r) => r.counts!.words));
  const chars = sumCounts(scored.map((r) => r.counts!.chars));
  return {
    name,
    files: results.length,
    scored: scored.length,
    unscored: transcribed.length - scored.length,
    failed: results.length - transcribed.length,
    durationSec,
    processingSec,
    rtf: durationSec > 0 ? processingSec / durationSec : 0,
    words,
    chars,
    wer: scored.length ? errorRate(words) : NaN,
    cer: scored.length ? errorRate(chars) : NaN,
  };
}

/** One aggregate per set, in the order the sets first appear, and the total over all files. */
export function aggregateBySet(results: readonly FileResult[]): { sets: Aggregate[]; total: Aggregate } {
  const bySet = new Map<string, FileResult[]>();
  for (const r of results) {
    const list = bySet.get(r.set);
    if (list) list.push(r);
    else bySet.set(r.set, [r]);
  }
  return {
    sets: [...bySet].map(([name, list]) => aggregate(name, list)),
    total: aggregate('total', results),
  };
}

export type SortKey = 'input' | 'wer' | 'cer' | 'name';

/** Orders results: by WER or CER (worst first; failed, then unscored files last) or by file name. */
export function sortResults(results: readonly FileResult[], key: SortKey): FileResult[] {
  const list = [...results];
  if (key === 'input') return list;
  if (key === 'name') return list.sort((a, b) => a.file.localeCompare(b.file));
  const value = (r: FileResult) => r[key] ?? (r.error ? -2 : -1);
  return list.sort((a, b) => value(b) - value(a) || a.file.localeCompare(b.file));
}

// ---------------------------------------------------------------------------------------------------------
// Text output

export const percent = (x: number) => (Number.isFinite(x) ? (x * 100).toFixed(1) + '%' : '—');

export interface Column {
  header: string;
  align?: 'left' | 'right';
  /** A vertical bar before this column (groups columns, e.g. one system's figures). */
  group?: boolean;
}

/** A plain-text table with padded columns, a rule under the header and an optional totals row. */
export function renderTable(
  columns: readonly Column[],
  rows: readonly string[][],
  footer?: string[],
): string {
  const all = footer ? [...rows, footer] : rows;
  const widths = columns.map((c, i) => Math.max(c.header.length, ...all.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    columns
      .map((c, i) => {
        const cell = cells[i] ?? '';
        const padded = c.align === 'left' ? cell.padEnd(widths[i]) : cell.padStart(widths[i]);
        return (i > 0 ? (c.group ? ' | ' : '  ') : '') + padded;
      })
      .join('')
      .trimEnd();
  const header = line(columns.map((c) => c.header));
  const rule = '-'.repeat(header.length);
  const out = [header, rule, ...rows.map(line)];
  if (footer) out.push(rule, line(footer));
  return out.join('\n') + '\n';
}

const SET_COLUMNS: Column[] = [
  { header: 'set', align: 'left' },
  { header: 'files' },
  { header: 'failed' },
  { header: 'audio' },
  { header: 'words' },
  { header: 'WER', group: true },
  { header: 'S' },
  { header: 'D' },
  { header: 'I' },
  { header: 'CER', group: true },
  { header: 'RTF', group: true },
];

/**
 * Audio duration as h:mm:ss (or m:ss under an hour), for tables. (The studio words durations for reading,
 * "2 min 05 s": renderer/src/state/transcript-edits.ts formatDuration.)
 */
export function formatHms(seconds: number): string {
  const s = Math.round(seconds);
  const pad = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  return h > 0
    ? `${h}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`
    : `${Math.floor(s / 60)}:${pad(s % 60)}`;
}

function setRow(a: Aggregate): string[] {
  return [
    a.name,
    String(a.scored),
    String(a.failed),
    formatHms(a.durationSec),
    String(a.words.reference),
    percent(a.wer),
    String(a.words.substitutions),
    String(a.words.deletions),
    String(a.words.insertions),
    percent(a.cer),
    a.rtf.toFixed(3),
  ];
}

/** The per-set table with a totals row ("files" counts scored files; see `unscored` for the others). */
export function formatSetTable(sets: readonly Aggregate[], total: Aggregate): string {
  return renderTable(SET_COLUMNS, sets.map(setRow), setRow({ ...total, name: 'total' }));
}

/** One line per file: WER, S/D/I, CER, RTF, and the reference and hypothesis (or the error). */
export function formatFileTable(results: readonly FileResult[]): string {
  const columns: Column[] = [
    { header: 'file', align: 'left' },
    { header: 'WER' },
    { header: 'S/D/I' },
    { header: 'CER' },
    { header: 'RTF' },
    { header: 'reference → hypothesis', align: 'left', group: true },
  ];
  const rows = results.map((r) => {
    const s = scoreOf(r);
    const detail = r.error
      ? `error: ${r.error}`
      : `${r.reference ?? '(no reference)'} → ${r.hypothesis ?? ''}`;
    return [
      r.file,
      s ? percent(s.wer) : '—',
      s ? `${s.counts.words.substitutions}/${s.counts.words.deletions}/${s.counts.words.insertions}` : '',
      s ? percent(s.cer) : '—',
      r.rtf !== undefined ? r.rtf.toFixed(3) : '',
      detail,
    ];
  });
  return renderTable(columns, rows);
}

// ---------------------------------------------------------------------------------------------------------
// CSV

/** One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF; quotes doubled. */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const s = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const CSV_HEADER = [
  'kind',
  'set',
  'file',
  'files',
  'failed',
  'duration_sec',
  'processing_sec',
  'rtf',
  'ref_words',
  'substitutions',
  'deletions',
  'insertions',
  'wer',
  'ref_chars',
  'char_errors',
  'cer',
  'reference',
  'hypothesis',
  'error',
];

const round = (x: number | undefined, digits: number) =>
  x === undefined || !Number.isFinite(x) ? undefined : Number(x.toFixed(digits));
const errors = (c: ErrorCounts) => c.substitutions + c.deletions + c.insertions;

/**
 * The CSV summary: one `file` row per file (in the given order), then one `set` row per set and a `total`
 * row, all with the same columns, so a spreadsheet can filter on `kind`. CRLF line ends (RFC 4180).
 */
export function toCsv(results: readonly FileResult[], sets: readonly Aggregate[], total: Aggregate): string {
  const rows: (string | number | null | undefined)[][] = [CSV_HEADER];
  for (const r of results) {
    const s = scoreOf(r);
    rows.push([
      'file',
      r.set,
      r.file,
      1,
      r.error ? 1 : 0,
      round(r.durationSec, 3),
      round(r.processingSec, 3),
      round(r.rtf, 4),
      s?.counts.words.reference,
      s?.counts.words.substitutions,
      s?.counts.words.deletions,
      s?.counts.words.insertions,
      round(s?.wer, 4),
      s?.counts.chars.reference,
      s ? errors(s.counts.chars) : undefined,
      round(s?.cer, 4),
      r.reference,
      r.hypothesis,
      r.error,
    ]);
  }
  for (const a of [...sets, total]) {
    rows.push([
      a === total ? 'total' : 'set',
      a === total ? '' : a.name,
      '',
      a.files,
      a.failed,
      round(a.durationSec, 3),
      round(a.processingSec, 3),
      round(a.rtf, 4),
      a.words.reference,
      a.words.substitutions,
      a.words.deletions,
      a.words.insertions,
      round(a.wer, 4),
      a.chars.reference,
      errors(a.chars),
      round(a.cer, 4),
      '',
      '',
      '',
    ]);
  }
  return rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

// ---------------------------------------------------------------------------------------------------------
// The run file (`--out results.json`) and comparison of two runs

export interface EvalRun {
  tool: 'speech-studio eval';
  version: 1;
  date: string;
  model: string;
  decoder: string;
  backend: string;
  normalization: ScoringNormalization;
  /** `describeNormalization(normalization)`, as printed. */
  normalizationText: string;
  sets: Aggregate[];
  total: Aggregate;
  files: FileResult[];
}

export function makeRun(
  info: { model: string; decoder: string; backend: string; date?: string },
  normalization: ScoringNormalization,
  files: FileResult[],
): EvalRun {
  const { sets, total } = aggregateBySet(files);
  return {
    tool: 'speech-studio eval',
    version: 1,
    date: info.date ?? new Date().toISOString(),
    model: info.model,
    decoder: info.decoder,
    backend: info.backend,
    normalization,
    normalizationText: describeNormalization(normalization),
    sets,
    total,
    files,
  };
}

/** Checks that a parsed JSON value is a run file written by `npm run eval --out`. */
export function asEvalRun(value: unknown, source: string): EvalRun {
  const v = value as Partial<EvalRun> | null;
  if (!v || v.tool !== 'speech-studio eval' || v.version !== 1 || !Array.isArray(v.files)) {
    throw new Error(`${source}: not a results file written by npm run eval --out (version 1)`);
  }
  return v as EvalRun;
}

export interface FileDifference {
  set: string;
  file: string;
  reference: string | null;
  /** WER of each run (NaN when that run failed the file). */
  werA: number;
  werB: number;
  hypothesisA?: string;
  hypothesisB?: string;
}

export interface Comparison {
  /** Per set: the aggregate of each run over the files both runs scored. */
  sets: { name: string; a: Aggregate; b: Aggregate }[];
  total: { a: Aggregate; b: Aggregate };
  /** Files scored by both runs whose WER differs, largest absolute difference first. */
  differences: FileDifference[];
  /** Files present in only one run, or scored by only one. */
  onlyA: string[];
  onlyB: string[];
  /** Why the two runs may not be comparable (different normalisation, …). */
  warnings: string[];
}

const key = (r: FileResult) => `${r.set}\u0000${r.file}`;

/**
 * Compares two runs on the files both scored (matched by set name and file path), so the figures are on
 * the same ground even if one run failed a file; lists the files whose WER differs most.
 */
export function compareRuns(a: EvalRun, b: EvalRun): Comparison {
  const scoredA = new Map(a.files.filter((r) => r.counts).map((r) => [key(r), r]));
  const scoredB = new Map(b.files.filter((r) => r.counts).map((r) => [key(r), r]));
  const both = [...scoredA.keys()].filter((k) => scoredB.has(k));
  const commonA = both.map((k) => scoredA.get(k)!);
  const commonB = both.map((k) => scoredB.get(k)!);
  const setsA = aggregateBySet(commonA);
  const setsB = aggregateBySet(commonB);
  const warnings: string[] = [];
  if (describeNormalization(a.normalization) !== describeNormalization(b.normalization)) {
    warnings.push(
      `the runs used different normalisations:\n  A: ${a.normalizationText}\n  B: ${b.normalizationText}`,
    );
  }
  const differences: FileDifference[] = both
    .map((_k, i) => ({
      set: commonA[i].set,
      file: commonA[i].file,
      reference: commonA[i].reference,
      werA: commonA[i].wer!,
      werB: commonB[i].wer!,
      hypothesisA: commonA[i].hypothesis,
      hypothesisB: commonB[i].hypothesis,
    }))
    .filter((d) => d.werA !== d.werB)
    .sort((x, y) => Math.abs(y.werB - y.werA) - Math.abs(x.werB - x.werA) || x.file.localeCompare(y.file));
  const label = (k: string) => k.replace('\u0000', ': ');
  return {
    sets: setsA.sets.map((s, i) => ({ name: s.name, a: s, b: setsB.sets[i] })),
    total: { a: setsA.total, b: setsB.total },
    differences,
    onlyA: [...scoredA.keys()].filter((k) => !scoredB.has(k)).map(label),
    onlyB: [...scoredB.keys()].filter((k) => !scoredA.has(k)).map(label),
    warnings,
  };
}

const signedPoints = (x: number) =>
  Number.isFinite(x) ? `${x > 0 ? '+' : x < 0 ? '−' : '±'}${Math.abs(x * 100).toFixed(1)}` : '—';

/** The comparison as text: both runs side by side per set, then the files that differ most. */
export function formatComparison(
  c: Comparison,
  labels: { a: string; b: string },
  options: { top?: number } = {},
): string {
  const top = options.top ?? 10;
  const columns: Column[] = [
    { header: 'set', align: 'left' },
    { header: 'files' },
    { header: 'words' },
    { header: 'A WER', group: true },
    { header: 'S/D/I' },
    { header: 'CER' },
    { header: 'RTF' },
    { header: 'B WER', group: true },
    { header: 'S/D/I' },
    { header: 'CER' },
    { header: 'RTF' },
    { header: 'ΔWER', group: true },
    { header: 'ΔCER' },
  ];
  const sdi = (x: Aggregate) => `${x.words.substitutions}/${x.words.deletions}/${x.words.insertions}`;
  const row = (name: string, a: Aggregate, b: Aggregate) => [
    name,
    String(a.scored),
    String(a.words.reference),
    percent(a.wer),
    sdi(a),
    percent(a.cer),
    a.rtf.toFixed(3),
    percent(b.wer),
    sdi(b),
    percent(b.cer),
    b.rtf.toFixed(3),
    signedPoints(b.wer - a.wer),
    signedPoints(b.cer - a.cer),
  ];
  const out: string[] = [`A: ${labels.a}`, `B: ${labels.b}`, ...c.warnings.map((w) => `warning: ${w}`), ''];
  out.push(
    renderTable(
      columns,
      c.sets.map((s) => row(s.name, s.a, s.b)),
      row('total', c.total.a, c.total.b),
    ),
  );
  out.push('Δ = B − A in percentage points, over the files both runs scored.');
  if (c.onlyA.length || c.onlyB.length) {
    out.push(`not compared: ${c.onlyA.length} file(s) scored only in A, ${c.onlyB.length} only in B`);
  }
  const better = c.differences.filter((d) => d.werB < d.werA).length;
  out.push(
    `${c.differences.length} file(s) differ in WER: B better on ${better}, worse on ${c.differences.length - better}.`,
  );
  if (c.differences.length > 0 && top > 0) {
    out.push('', `Files that differ most (top ${Math.min(top, c.differences.length)} by |ΔWER|):`);
    for (const d of c.differences.slice(0, top)) {
      out.push(
        `${d.set}: ${d.file}  A ${percent(d.werA)}  B ${percent(d.werB)}  Δ ${signedPoints(d.werB - d.werA)}`,
        `  ref: ${d.reference ?? ''}`,
        `  A:   ${d.hypothesisA ?? ''}`,
        `  B:   ${d.hypothesisB ?? ''}`,
      );
    }
  }
  return out.join('\n') + '\n';
}
