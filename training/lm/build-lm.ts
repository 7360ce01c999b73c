/**
 * Builds the word trigram language model (interpolated modified Kneser–Ney) for the beam decoder from the
 * training text and writes it in the runtime binary format beside the model:
 *
 *   npx tsx training/lm/build-lm.ts [--text training/work/text/train.txt[,MORE.txt|.jsonl…]] [--out models/default/lm.bin]
 *       [--min-trigram-count N] [--min-bigram-count N] [--vocabulary models/default/lexicon.txt]
 *       [--passage-sources "wesnoth,crawl,…"]
 *
 * Only training text is used (one sentence a line, spoken form; a `.jsonl` file is the punctuation
 * model's training passages, cut into sentences at their full stops and question marks, only those of
 * `--passage-sources` when given; several files are read as one). As a
 * second guard, any sentence that also occurs in the dev or evaluation text, in the transcript of a
 * dev/eval manifest, or in a real-speech dev set's transcripts, is dropped (held-out rules in
 * shared/notes/model.md).
 */
import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { numberOption, parseCommandLine, UsageError } from '../../main/cli/command-line';
import { parseReferenceManifest } from '../../main/common/references';
import { normalizeForScoring } from '../../main/common/scoring';
import { NgramLm, UNK } from '../../main/engine/decoder/ngram-lm';
import { readCorpusManifest } from '../features/dump-features';

const lines = async (file: string) =>
  (await readFile(file, 'utf8'))
    .split('\n')
    .map(normalizeForScoring)
    .filter((l) => l !== '');

/** Marks of the punctuation model's training passages (training/punct/prepare.py) that end a sentence. */
const SENTENCE_END_MARKS = new Set([2, 3]); // full stop, question mark

/**
 * The sentences of the punctuation model's training text (`train.jsonl`: passages of spoken-form words,
 * each with the mark after it), one string each: written text from manuals, dictionaries and games, far
 * more than the speech corpus's own sentences.
 */
async function passageSentences(file: string, sources: Set<string> | null): Promise<string[]> {
  const out: string[] = [];
  for (const line of (await readFile(file, 'utf8')).split('\n')) {
    if (!line) continue;
    const passage = JSON.parse(line) as { source: string; words: string[]; marks: number[] };
    if (sources && !sources.has(passage.source)) continue;
    let sentence: string[] = [];
    passage.words.forEach((word, i) => {
      sentence.push(word);
      if (SENTENCE_END_MARKS.has(passage.marks[i]) || i === passage.words.length - 1) {
        const text = normalizeForScoring(sentence.join(' '));
        if (text.includes(' ')) out.push(text); // one word alone says nothing about its neighbours
        sentence = [];
      }
    });
  }
  return out;
}

async function heldOutSentences(
  textDir: string,
  manifestsDir: string,
  realSpeechDir: string,
): Promise<Set<string>> {
  const held = new Set<string>();
  for (const name of ['dev.txt', 'eval.txt']) {
    const file = path.join(textDir, name);
    if (existsSync(file)) for (const l of await lines(file)) held.add(l);
  }
  if (existsSync(manifestsDir)) {
    for (const name of await readdir(manifestsDir)) {
      // Every training recipe's manifest (train.tsv, train-channels.tsv, …) reads training sentences.
      if (!name.endsWith('.tsv') || name.startsWith('train')) continue;
      for (const e of await readCorpusManifest(path.join(manifestsDir, name))) {
        held.add(normalizeForScoring(e.transcript));
      }
    }
  }
  // The real-speech dev sets (reference manifests: audio path, tab, transcript): measured on, never learnt from.
  if (existsSync(realSpeechDir)) {
    for (const name of await readdir(realSpeechDir)) {
      if (!name.endsWith('.tsv')) continue;
      const file = path.join(realSpeechDir, name);
      for (const e of parseReferenceManifest(await readFile(file, 'utf8'), file)) {
        held.add(normalizeForScoring(e.reference));
      }
    }
  }
  return held;
}

const USAGE = `build-lm.ts — the word trigram language model (interpolated modified Kneser–Ney) for the beam
decoder, from training text only, in the runtime's binary format.

  npx tsx training/lm/build-lm.ts [--text training/work/text/train.txt[,MORE.txt|.jsonl…]] [--out models/default/lm.bin]
      [--min-trigram-count N] [--min-bigram-count N] [--vocabulary models/default/lexicon.txt]
      [--passage-sources "wesnoth,crawl,…"] [--unk-penalty X]
      [--held-out-text training/work/text] [--manifests training/work/manifests] [--real-speech training/work/real-speech]

--text: sentences one a line (spoken form), or a .jsonl file of the punctuation model's training passages
(cut into sentences; --passage-sources keeps only those sources). --vocabulary: words outside the file
count as <unk>. --min-*-count: n-grams seen fewer times are not stored (1: all kept). --unk-penalty: added
to log P(<unk>), natural log, ≤ 0. Sentences of the dev/eval text and manifests and of the real-speech dev
sets are dropped.
`;

async function main() {
  const { values, textFiles, unkPenalty, minTrigramCount, minBigramCount } = parseCommandLine(
    {
      command: 'npx tsx training/lm/build-lm.ts',
      usage: USAGE,
      options: {
        text: { type: 'string', default: 'training/work/text/train.txt' },
        out: { type: 'string', default: 'models/default/lm.bin' },
        'held-out-text': { type: 'string', default: 'training/work/text' },
        manifests: { type: 'string', default: 'training/work/manifests' },
        'real-speech': { type: 'string', default: 'training/work/real-speech' },
        'unk-penalty': { type: 'string', default: '0' },
        'min-trigram-count': { type: 'string', default: '1' },
        'min-bigram-count': { type: 'string', default: '1' },
        vocabulary: { type: 'string' },
        'passage-sources': { type: 'string' },
      },
    },
    undefined,
    ({ values }) => {
      const textFiles = values.text!.split(',').filter(Boolean);
      if (textFiles.length === 0) throw new UsageError('--text needs at least one file');
      for (const file of textFiles) {
        if (/(^|\/)(dev|eval)[^/]*\.txt$/.test(file))
          throw new UsageError(`refusing to build the LM from held-out text ${file}`);
      }
      return {
        values,
        textFiles,
        unkPenalty: numberOption('unk-penalty', values['unk-penalty'], { max: 0 })!,
        minTrigramCount: numberOption('min-trigram-count', values['min-trigram-count'], {
          min: 1,
          integer: true,
        })!,
        minBigramCount: numberOption('min-bigram-count', values['min-bigram-count'], {
          min: 1,
          integer: true,
        })!,
      };
    },
  );
  const held = await heldOutSentences(values['held-out-text']!, values.manifests!, values['real-speech']!);
  const sources = values['passage-sources'] ? new Set(values['passage-sources'].split(',')) : null;
  const all = (
    await Promise.all(
      textFiles.map((file) => (file.endsWith('.jsonl') ? passageSentences(file, sources) : lines(file))),
    )
  ).flat();
  let sentences = all.filter((s) => !held.has(s));
  if (values.vocabulary) {
    // Words the decoder can never say (outside its lexicon) are only <unk> to it: counting them as such
    // keeps the model's word table to the words it scores.
    const known = new Set((await readFile(values.vocabulary, 'utf8')).split('\n').filter(Boolean));
    sentences = sentences.map((s) =>
      s
        .split(' ')
        .map((w) => (known.has(w) ? w : UNK))
        .join(' '),
    );
  }
  console.log(
    `text: ${values.text} — ${all.length} sentences, ${all.length - sentences.length} dropped as held out ` +
      `(${held.size} held-out sentences known)`,
  );

  let t0 = performance.now();
  const lm = NgramLm.build(sentences, {
    order: 3,
    unkPenalty,
    minTrigramCount,
    minBigramCount,
  });
  const buildMs = performance.now() - t0;
  const buf = lm.toBuffer();
  await writeFile(values.out!, buf);
  t0 = performance.now();
  const loaded = NgramLm.fromBuffer(await readFile(values.out!));
  const loadMs = performance.now() - t0;
  const s = loaded.stats;
  console.log(`vocabulary: ${s.vocabulary} (words + </s> + <unk>)`);
  console.log(`n-grams: ${s.unigrams} unigrams, ${s.bigrams} bigrams, ${s.trigrams} trigrams`);
  console.log(
    `discounts (D1, D2, D3+) per order: ${s.discounts.map((d) => d.map((x) => x.toFixed(3)).join('/')).join(', ')}`,
  );
  console.log(
    `wrote ${values.out}: ${(buf.length / 1e6).toFixed(2)} MB; build ${(buildMs / 1000).toFixed(1)} s, load ${loadMs.toFixed(0)} ms (read + parse)`,
  );

  // Perplexity on the dev text (a report only; nothing is tuned here).
  const devFile = path.join(values['held-out-text']!, 'dev.txt');
  if (existsSync(devFile)) {
    let logSum = 0;
    let n = 0;
    let oov = 0;
    for (const sentence of await lines(devFile)) {
      const history = ['<s>'];
      for (const w of [...sentence.split(' '), '</s>']) {
        if (w !== '</s>' && !loaded.has(w)) oov++;
        logSum += loaded.logProb(history.slice(-2), w);
        history.push(w);
        n++;
      }
    }
    console.log(
      `dev perplexity ${Math.exp(-logSum / n).toFixed(1)} over ${n} tokens, OOV rate ${((100 * oov) / n).toFixed(1)}%`,
    );
  }
}

await main();
