/**
 * Builds the decoder's word list (`lexicon.txt` beside the model): the words of the speech corpus's
 * training sentences (each one checked against wamerican by training/corpus/text.py), Debian's large
 * American and British word lists and the words of the pronouncing dictionary pocketsphinx ships, lower
 * case, spelt with the model's alphabet (letters and apostrophes) only. Not the LM's whole vocabulary:
 * since 2026-12-06 the LM also reads manuals, whose identifiers and misspellings ("csum", "implimented")
 * are no words to say.
 *
 *   npx tsx training/lm/build-lexicon.ts [--words-from training/work/text/train.txt] [--out models/default/lexicon.txt]
 *
 * Needs `apt-get install wamerican-large wbritish-large pocketsphinx-en-us`; a missing source is an error,
 * so the shipped list never silently shrinks.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseCommandLine } from '../../main/cli/command-line';

const USAGE = `build-lexicon.ts — the decoder's word list: the words of the speech corpus's training sentences,
wamerican-large, wbritish-large and pocketsphinx-en-us's pronouncing dictionary (all needed).

  npx tsx training/lm/build-lexicon.ts [--words-from training/work/text/train.txt] [--out models/default/lexicon.txt]
`;

const SOURCES = [
  { file: '/usr/share/dict/american-english-large', package: 'wamerican-large' },
  { file: '/usr/share/dict/british-english-large', package: 'wbritish-large' },
  // "word(2)  phones…": the word is the first field, alternative pronunciations marked "(n)".
  { file: '/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict', package: 'pocketsphinx-en-us' },
];
const SPELLABLE = /^[a-z][a-z']*$/;

async function main() {
  const { values } = parseCommandLine({
    command: 'npx tsx training/lm/build-lexicon.ts',
    usage: USAGE,
    options: {
      'words-from': { type: 'string', default: 'training/work/text/train.txt' },
      out: { type: 'string', default: 'models/default/lexicon.txt' },
    },
  });
  const words = new Set<string>();
  const sentences = await readFile(values['words-from']!, 'utf8');
  for (const w of sentences.split(/\s+/)) if (SPELLABLE.test(w)) words.add(w);
  console.log(`${values['words-from']}: ${words.size} words`);
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
