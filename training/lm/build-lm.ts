/**
 * Builds the word trigram language model (interpolated modified Kneser–Ney) for the beam decoder from the
 * training text and writes it in the runtime binary format beside the model:
 *
 *   npx tsx training/lm/build-lm.ts [--text training/work/text/train.txt] [--out models/default/lm.bin]
 *
 * Only the training sentences are used. As a second guard, any sentence that also occurs in the dev or
 * evaluation text, or in the transcript of a dev/eval manifest, is dropped (held-out rules in
 * shared/notes/model.md).
 */
import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { normalizeForScoring } from '../../main/common/scoring';
import { NgramLm } from '../../main/engine/decoder/ngram-lm';
import { readCorpusManifest } from '../features/dump-features';

const lines = async (file: string) =>
  (await readFile(file, 'utf8'))
    .split('\n')
    .map(normalizeForScoring)
    .filter((l) => l !== '');

async function heldOutSentences(textDir: string, manifestsDir: string): Promise<Set<string>> {
  const held = new Set<string>();
  for (const name of ['dev.txt', 'eval.txt']) {
    const file = path.join(textDir, name);
    if (existsSync(file)) for (const l of await lines(file)) held.add(l);
  }
  if (existsSync(manifestsDir)) {
    for (const name of await readdir(manifestsDir)) {
      if (!name.endsWith('.tsv') || name === 'train.tsv') continue;
      for (const e of await readCorpusManifest(path.join(manifestsDir, name))) {
        held.add(normalizeForScoring(e.transcript));
      }
    }
  }
  return held;
}

async function main() {
  const { values } = parseArgs({
    options: {
      text: { type: 'string', default: 'training/work/text/train.txt' },
      out: { type: 'string', default: 'models/default/lm.bin' },
      'held-out-text': { type: 'string', default: 'training/work/text' },
      manifests: { type: 'string', default: 'training/work/manifests' },
      'unk-penalty': { type: 'string', default: '0' },
    },
  });
  if (/(^|\/)(dev|eval)[^/]*\.txt$/.test(values.text!)) {
    throw new Error(`refusing to build the LM from held-out text ${values.text}`);
  }
  const held = await heldOutSentences(values['held-out-text']!, values.manifests!);
  const all = await lines(values.text!);
  const sentences = all.filter((s) => !held.has(s));
  console.log(
    `text: ${values.text} — ${all.length} sentences, ${all.length - sentences.length} dropped as held out ` +
      `(${held.size} held-out sentences known)`,
  );

  let t0 = performance.now();
  const lm = NgramLm.build(sentences, { order: 3, unkPenalty: Number(values['unk-penalty']) });
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
