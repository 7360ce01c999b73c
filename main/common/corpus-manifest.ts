/**
 * The corpus manifest: the TSV that training/corpus/generate.py writes for every split (training data and
 * the generated evaluation sets) and that the feature dumper, the LM builder and the benchmarks read.
 * Header `path transcript duration_sec voice split`; paths are relative to the repository root.
 */
export interface CorpusEntry {
  path: string;
  transcript: string;
  durationSec: number;
  voice: string;
  split: string;
}

/** Parses a corpus manifest's text. The generator may be appending while this runs: a last line
 *  without its newline is not finished yet and is left out, as are lines without all five columns. */
export function parseCorpusManifest(text: string): CorpusEntry[] {
  const entries: CorpusEntry[] = [];
  const finished = text.slice(0, text.lastIndexOf('\n') + 1);
  for (const line of finished.split('\n')) {
    const columns = line.split('\t');
    if (columns.length !== 5 || columns[0] === 'path') continue;
    const [p, transcript, duration, voice, split] = columns;
    entries.push({ path: p, transcript, durationSec: Number(duration), voice, split });
  }
  return entries;
}
