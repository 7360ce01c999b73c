/**
 * Builds the decoder's word list (`lexicon.txt` beside the model): the LM's vocabulary, Debian's large
 * American and British word lists and the words of the pronouncing dictionary pocketsphinx ships, lower
 * case, spelt with the model's alphabet (letters and apostrophes) only.
 *
 *   npx tsx training/lm/build-lexicon.ts [--lm models/default/lm.bin] [--out models/default/lexicon.txt]
 *
 * Needs `apt-get install wamerican-large wbritish-large pocketsphinx-en-us`; a missing source is an error,
 * so the shipped list never silently shrinks.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { NgramLm, BOS, EOS, UNK } from '../../main/engine/decoder/ngram-lm';

const SOURCES = [
  { file: '/usr/share/dict/american-english-large', package: 'wamerican-large' },
  { file: '/usr/share/dict/british-english-large', package: 'wbritish-large' },
  // "word(2)  phones…": the word is the first field, alternative pronunciations marked "(n)".
  { file: '/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict', package: 'pocketsphinx-en-us' },
];
const SPELLABLE = /^[a-z][a-z']*$/;

async function main() {
  const { values } = parseArgs({
    options: {
      lm: { type: 'string', default: 'models/default/lm.bin' },
      out: { type: 'string', default: 'models/default/lexicon.txt' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log('usage: npx tsx training/lm/build-lexicon.ts [--lm FILE] [--out FILE]');
    return;
  }
  const words = new Set<string>();
  const lm = NgramLm.fromBuffer(await readFile(values.lm!));
  for (const w of lm.words) if (w !== BOS && w !== EOS && w !== UNK && SPELLABLE.test(w)) words.add(w);
  console.log(`${values.lm}: ${words.size} words`);
  for (const source of SOURCES) {
    let text: string;
    try {
      text = await readFile(source.file, 'utf8');
    } catch {
      throw new Error(`${source.file} is missing: apt-get install ${source.package}`);
    }
    const before = words.size;
    for (const line of text.split('\n')) {
      const word = line
        .split(/\s/)[0]
        .replace(/\(\d+\)$/, '')
        .toLowerCase();
      if (SPELLABLE.test(word)) words.add(word);
    }
    console.log(`${source.file}: +${words.size - before} words`);
  }
  const sorted = [...words].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  await writeFile(values.out!, sorted.join('\n') + '\n');
  console.log(`wrote ${values.out}: ${sorted.length} words`);
}

await main();
