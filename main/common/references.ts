/**
 * Reference transcripts for evaluation: the manifest format (TSV: audio path, transcript) and the rule
 * that pairs an audio file with the `.txt` of the same base name beside it. Pure TypeScript with no Node
 * or DOM dependency: the CLI's loader (main/evaluation/reference-files.ts) and the app share these rules, so
 * both accept and reject exactly the same files.
 */

/**
 * The extensions of the formats the engine decodes (WAV, FLAC, MP3, Ogg Vorbis, Ogg Opus): what the open
 * dialog and the page's file input offer.
 */
export const DECODABLE_EXTENSIONS: readonly string[] = ['wav', 'flac', 'mp3', 'ogg', 'oga', 'opus'];

/**
 * Audio file extensions picked up when a folder is added (lower case, without the dot): wider than what
 * the engine decodes, so an undecodable recording in a set is reported as such rather than left out.
 */
export const AUDIO_EXTENSIONS: readonly string[] = [
  ...DECODABLE_EXTENSIONS,
  'wave',
  'm4a',
  'aac',
  'webm',
  'mp4',
  'aif',
  'aiff',
  'caf',
];

/** The extension of a path, lower case and without the dot ("" when there is none). */
export function extensionOf(file: string): string {
  const base = file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot + 1).toLowerCase();
}

export function isAudioFile(file: string): boolean {
  return AUDIO_EXTENSIONS.includes(extensionOf(file));
}

/** The path with its extension removed ("a/b.c.wav" → "a/b.c"). */
export function stripExtension(file: string): string {
  const ext = extensionOf(file);
  return ext ? file.slice(0, file.length - ext.length - 1) : file;
}

/** The text of a reference `.txt` as one line: byte-order mark dropped, line breaks and runs of space joined. */
export function parseReferenceText(text: string): string {
  return text
    .replace(/^\uFEFF/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

export interface ManifestEntry {
  /** The audio path exactly as written (relative paths are relative to the manifest's folder). */
  audio: string;
  reference: string;
  /** 1-based line in the manifest, for messages. */
  line: number;
}

export interface ManifestProblem {
  line: number;
  message: string;
}

/** A manifest that cannot be used; `problems` lists every malformed line, not only the first. */
export class ManifestParseError extends Error {
  readonly source: string;
  readonly problems: readonly ManifestProblem[];

  constructor(source: string, problems: readonly ManifestProblem[]) {
    const shown = problems.slice(0, 10).map((p) => `  line ${p.line}: ${p.message}`);
    if (problems.length > shown.length) shown.push(`  … and ${problems.length - shown.length} more`);
    super(
      `${source}: ${problems.length} malformed line${problems.length === 1 ? '' : 's'} ` +
        `(expected "audio path<TAB>transcript")\n${shown.join('\n')}`,
    );
    this.name = 'ManifestParseError';
    this.source = source;
    this.problems = problems;
  }
}

const HEADER_PATH = ['path', 'audio', 'audio_path', 'audiopath', 'file', 'filename', 'wav', 'audio_file'];
const HEADER_TEXT = ['transcript', 'text', 'reference', 'sentence', 'transcription', 'ref'];

function isHeader(columns: string[]): boolean {
  return (
    columns.length >= 2 &&
    HEADER_PATH.includes(columns[0].trim().toLowerCase()) &&
    HEADER_TEXT.includes(columns[1].trim().toLowerCase())
  );
}

/**
 * Parses a reference manifest: one `audio path<TAB>transcript` per line. Blank lines and lines starting
 * with `#` are skipped, a first line such as `path<TAB>transcript` is taken as a header, further columns
 * are ignored (so the corpus manifests, `path transcript duration voice split`, read as they are), CRLF
 * line ends and a byte-order mark are accepted. A line without a tab, with an empty path, or naming an
 * audio file already listed is an error; all such lines are reported together with their line numbers.
 */
export function parseReferenceManifest(text: string, source = 'manifest'): ManifestEntry[] {
  const entries: ManifestEntry[] = [];
  const problems: ManifestProblem[] = [];
  const seen = new Map<string, number>();
  let sawContent = false;
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) return;
    const columns = raw.split('\t');
    if (!sawContent) {
      sawContent = true;
      if (isHeader(columns)) return;
    }
    if (columns.length < 2) {
      const spaced = /\S\s+\S/.test(raw) ? ' (columns must be separated by a tab, not spaces)' : '';
      problems.push({ line, message: `no tab between the audio path and the transcript${spaced}` });
      return;
    }
    const audio = columns[0].trim();
    if (audio === '') {
      problems.push({ line, message: 'empty audio path' });
      return;
    }
    const previous = seen.get(audio);
    if (previous !== undefined) {
      problems.push({ line, message: `${audio} is already listed on line ${previous}` });
      return;
    }
    seen.set(audio, line);
    entries.push({ audio, reference: parseReferenceText(columns[1]), line });
  });
  if (problems.length > 0) throw new ManifestParseError(source, problems);
  return entries;
}

/** Writes entries in the manifest format (tabs and line breaks inside a transcript become spaces). */
export function formatReferenceManifest(entries: readonly { audio: string; reference: string }[]): string {
  const clean = (s: string) => s.replace(/[\t\r\n]+/g, ' ');
  return (
    ['path\ttranscript', ...entries.map((e) => `${clean(e.audio)}\t${clean(e.reference)}`)].join('\n') + '\n'
  );
}

export interface PairedAudio {
  audio: string;
  /** The `.txt` beside the audio with the same base name, or null when there is none. */
  referenceFile: string | null;
}

export interface Pairing {
  /** Audio files in sorted order with their reference files. */
  pairs: PairedAudio[];
  /** `.txt` files that name no audio file (likely a typo or a missing recording). */
  unmatchedTexts: string[];
}

/**
 * Pairs every audio file in a list of paths (as found in a folder, `/`- or `\`-separated) with the `.txt`
 * of the same base name in the same folder: `a/x.wav` ↔ `a/x.txt` (also `a/x.TXT`). Other files are
 * ignored. Several audio files may share one base name (`x.wav`, `x.flac`); each gets the same text.
 */
export function pairAudioWithReferences(files: readonly string[]): Pairing {
  const texts = new Map<string, string>();
  for (const f of files) if (extensionOf(f) === 'txt') texts.set(stripExtension(f), f);
  const used = new Set<string>();
  const pairs: PairedAudio[] = [];
  for (const f of [...files].filter(isAudioFile).sort()) {
    const text = texts.get(stripExtension(f)) ?? null;
    if (text) used.add(text);
    pairs.push({ audio: f, referenceFile: text });
  }
  const unmatchedTexts = [...texts.values()].filter((t) => !used.has(t)).sort();
  return { pairs, unmatchedTexts };
}
