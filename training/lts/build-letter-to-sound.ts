/**
 * Builds the letter-to-sound rules (main/engine/decoder/letter-to-sound.ts) from a CMUdict file: first
 * measures them on held-out words (every 20th word, trained on the other 19 in 20), then trains on every
 * word and writes the model file with the command and the held-out figures in its header.
 *
 *   npx tsx training/lts/build-letter-to-sound.ts --dict /usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict \
 *     --out training/candidates/phones/letter-to-sound.txt
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { numberOption, parseCommandLine, UsageError } from '../../main/cli/command-line';
import { LetterToSound, type ContextWindow } from '../../main/engine/decoder/letter-to-sound';
import {
  DEFAULT_MIN_COUNT,
  DEFAULT_WINDOWS,
  evaluateLetterToSound,
  nestingProblem,
  parseCmudict,
  serialiseLetterToSound,
  trainLetterToSound,
  type DictionaryEntry,
  type Evaluation,
} from './train-letter-to-sound';

const COMMAND = 'npx tsx training/lts/build-letter-to-sound.ts';
const DEFAULT_DICT = '/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict';
const DEFAULT_OUT = 'training/candidates/phones/letter-to-sound.txt';
/** Every HELD_OUT_EVERY-th word is held out for the figures (deterministic: the dictionary's order). */
const HELD_OUT_EVERY = 20;

const USAGE = `build-letter-to-sound.ts — letter-to-sound rules from a CMUdict pronouncing dictionary: held-out
phone error rate and word accuracy (every ${HELD_OUT_EVERY}th word held out), then the model trained on every word.

  ${COMMAND} [--dict ${DEFAULT_DICT}]
    [--out ${DEFAULT_OUT}] [--min-count ${DEFAULT_MIN_COUNT}] [--windows ${formatWindows(DEFAULT_WINDOWS)}]

  --dict       the dictionary (apt-get install pocketsphinx-en-us)
  --out        the model file to write
  --min-count  a context keeps a rule of its own only when seen this often (fewer: a larger model)
  --windows    context windows narrow to wide, left:right letters, each containing the one before`;

function formatWindows(windows: readonly ContextWindow[]): string {
  return windows.map((w) => `${w.left}:${w.right}`).join(',');
}

function parseWindows(text: string): ContextWindow[] {
  const windows = text.split(',').map((field) => {
    const match = /^(\d):(\d)$/.exec(field.trim());
    if (!match)
      throw new UsageError(`--windows needs left:right pairs like 0:0,0:1, got ${JSON.stringify(field)}`);
    return { left: Number(match[1]), right: Number(match[2]) };
  });
  const problem = nestingProblem(windows);
  if (problem) throw new UsageError(`--windows: ${problem}`);
  return windows;
}

const percent = (part: number, whole: number) => ((100 * part) / whole).toFixed(2) + ' %';

function describe(evaluation: Evaluation): string {
  const { words, wordsCorrect, phoneErrors, referencePhones } = evaluation;
  return `word accuracy ${percent(wordsCorrect, words)} (${wordsCorrect}/${words}), phone error rate ${percent(phoneErrors, referencePhones)} (${phoneErrors}/${referencePhones})`;
}

function train(entries: readonly DictionaryEntry[], options: { windows: ContextWindow[]; minCount: number }) {
  const { model, alignment } = trainLetterToSound(entries, options);
  console.log(
    `  aligned ${alignment.aligned.length} words (${alignment.discarded.length} left out: no alignment), ` +
      `${alignment.pairUnits.length} two-phone units, ${model.size} rules`,
  );
  return model;
}

async function main() {
  const started = performance.now();
  const { values, windows, minCount } = parseCommandLine(
    {
      command: COMMAND,
      usage: USAGE,
      options: {
        dict: { type: 'string', default: DEFAULT_DICT },
        out: { type: 'string', default: DEFAULT_OUT },
        'min-count': { type: 'string', default: String(DEFAULT_MIN_COUNT) },
        windows: { type: 'string', default: formatWindows(DEFAULT_WINDOWS) },
      },
    },
    undefined,
    (parsed) => {
      if (!existsSync(parsed.values.dict!)) throw new UsageError(`--dict: ${parsed.values.dict} not found`);
      return {
        values: parsed.values,
        windows: parseWindows(parsed.values.windows!),
        minCount: numberOption('min-count', parsed.values['min-count'], { min: 1, integer: true })!,
      };
    },
  );
  const entries = parseCmudict(await readFile(values.dict!, 'utf8'));
  const heldOut = entries.filter((_, i) => i % HELD_OUT_EVERY === HELD_OUT_EVERY - 1);
  const heldIn = entries.filter((_, i) => i % HELD_OUT_EVERY !== HELD_OUT_EVERY - 1);
  console.log(
    `${values.dict}: ${entries.length} words; training on ${heldIn.length}, holding out ${heldOut.length}`,
  );
  const options = { windows, minCount };
  // Measured through the file, as the engine will load it.
  const measured = LetterToSound.parse(serialiseLetterToSound(train(heldIn, options)));
  const heldOutFigures = `held out (every ${HELD_OUT_EVERY}th word): ${describe(evaluateLetterToSound(measured, heldOut))}`;
  console.log(heldOutFigures);

  console.log(`training on all ${entries.length} words`);
  const model = train(entries, options);
  const command = [COMMAND, '--dict', values.dict, '--out', values.out];
  if (minCount !== DEFAULT_MIN_COUNT) command.push('--min-count', String(minCount));
  if (formatWindows(windows) !== formatWindows(DEFAULT_WINDOWS))
    command.push('--windows', formatWindows(windows));
  const text = serialiseLetterToSound(model, [
    `built by: ${command.join(' ')}`,
    `${heldOutFigures}; this file is trained on all ${entries.length} words`,
  ]);
  await writeFile(values.out!, text);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `wrote ${values.out}: ${(Buffer.byteLength(text) / 1024).toFixed(0)} KB, ${model.size} rules, ${seconds} s in all`,
  );
}

await main();
