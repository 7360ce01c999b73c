/** What this command does and how to run it: USAGE below (printed by `--help`). */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AsrEngine } from '../main/engine/engine';
import { initBackend, type BackendPreference } from '../main/engine/model/backend';
import { DEFAULT_PUNCTUATION_DIR } from '../main/engine/model-location';
import { DEFAULT_DECISIONS, Punctuator, type WordPunctuation } from '../main/engine/punctuation';
import { numberOption, parseCommandLine, UsageError } from '../main/cli/command-line';
import { loadEvalSet } from './eval-sets';
import { parseWritten, PunctuationScore, SCORED_MARKS, type WrittenWord } from './punct-metrics';

const USAGE = `\`npm run bench:punct\` — the punctuation and capitals model (models/punct) on held-out text and on the
held-out voices' transcripts. Prints per-mark precision, recall and F1 (comma, full stop, question mark),
word case accuracy (the word written exactly as in the reference) and the time per sentence, each beside
its target.

  npm run bench:punct -- [--model DIR] [--backend wasm|cpu|tensorflow|auto] [--sets eval-slt-clean,eval-awb-clean]
                         [--limit N] [--no-voices] [--compare-default] [--json FILE]

- Held-out text: models/punct/heldout/text-test.txt (passages kept out of training by
  training/punct/prepare.py), each passage given to the model as a transcript would be (lower case, no
  marks). The time per sentence is measured on each of its sentences alone.
- Held-out voices: the files of --sets (built when missing, see bench/eval-sets.ts) transcribed by the
  recogniser (models/default), punctuated, and scored on the words that the recogniser got right against
  the sentences as written (models/punct/heldout/eval-sentences.tsv). --limit takes the first N files of
  each set; --no-voices skips this part.
- The marks and case are chosen as the model's manifest says (\`decisions\`, tuned on a dev text by
  training/punct/tune-decisions.ts). --compare-default also scores, on the same network outputs and
  transcripts, the choice without them (each output's largest logit: the runtime before the decisions).
`;

const BACKENDS = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];
const TARGETS = { stopF1: 0.85, questionF1: 0.85, commaF1: 0.6, caseAccuracy: 0.97, msPerSentence: 5 };
const MARK_NAMES: Record<string, string> = { ',': 'comma', '.': 'full stop', '?': 'question mark' };

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');

function report(title: string, score: PunctuationScore): Record<string, unknown> {
  console.log(`\n${title}: ${score.words} words`);
  console.log('  mark           precision  recall     F1   (support)  target');
  const out: Record<string, unknown> = { words: score.words };
  for (const mark of SCORED_MARKS) {
    const m = score.mark(mark);
    const target = mark === ',' ? TARGETS.commaF1 : mark === '.' ? TARGETS.stopF1 : TARGETS.questionF1;
    console.log(
      `  ${MARK_NAMES[mark].padEnd(14)} ${m.precision.toFixed(3).padStart(9)} ${m.recall.toFixed(3).padStart(7)} ${m.f1
        .toFixed(3)
        .padStart(6)} ${`(${m.support})`.padStart(10)}  F1 ≥ ${target} ${verdict(m.f1 >= target)}`,
    );
    out[MARK_NAMES[mark]] = m;
  }
  console.log(
    `  word case accuracy ${pct(score.caseAccuracy)} (all lower case: ${pct(score.lowerCaseBaseline)})  target ≥ ${pct(TARGETS.caseAccuracy)} ${verdict(score.caseAccuracy >= TARGETS.caseAccuracy)}`,
  );
  out.caseAccuracy = score.caseAccuracy;
  out.lowerCaseBaseline = score.lowerCaseBaseline;
  return out;
}

const endsSentence = (mark: string | undefined) => mark === '.' || mark === '?';

const MARK_ORDER = ['', ',', '.', '?'];

function addAll(score: PunctuationScore, reference: WrittenWord[], output: WordPunctuation[]): void {
  reference.forEach((w, i) => score.add(w, output[i]));
}

/** Reference marks (rows) against the output's (columns). */
function printConfusion(confusion: number[][]): void {
  const names = ['none', 'comma', 'full stop', 'question'];
  console.log(
    `  confusion (rows: reference, columns: output)\n  ${''.padEnd(10)}${names.map((n) => n.padStart(10)).join('')}`,
  );
  confusion.forEach((row, r) =>
    console.log(`  ${names[r].padEnd(10)}${row.map((n) => String(n).padStart(10)).join('')}`),
  );
}

/** The sentences of a written passage (cut after each full stop or question mark). */
function sentencesOf(passage: WrittenWord[]): WrittenWord[][] {
  const out: WrittenWord[][] = [];
  let current: WrittenWord[] = [];
  for (const w of passage) {
    current.push(w);
    if (endsSentence(w.mark)) {
      out.push(current);
      current = [];
    }
  }
  if (current.length) out.push(current);
  return out;
}

async function main() {
  const { values } = parseCommandLine(
    {
      command: 'npm run bench:punct --',
      usage: USAGE,
      options: {
        model: { type: 'string', default: DEFAULT_PUNCTUATION_DIR },
        backend: { type: 'string', default: 'wasm' },
        sets: { type: 'string', default: 'eval-slt-clean,eval-awb-clean' },
        limit: { type: 'string', default: '0' },
        'no-voices': { type: 'boolean', default: false },
        'compare-default': { type: 'boolean', default: false },
        json: { type: 'string' },
      },
    },
    undefined,
    (parsed) => {
      if (!BACKENDS.includes(parsed.values.backend!))
        throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}, got ${parsed.values.backend}`);
      numberOption('limit', parsed.values.limit, { min: 0, integer: true });
      return parsed;
    },
  );
  const modelDir = values.model!;
  const backend = await initBackend(values.backend as BackendPreference);
  const punctuator = await Punctuator.load(modelDir);
  console.log(`punctuation model ${modelDir} · backend ${backend.label}`);
  const results: Record<string, unknown> = { backend: backend.name, targets: TARGETS };

  // Held-out text
  const passages = (await readFile(path.join(modelDir, 'heldout', 'text-test.txt'), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map(parseWritten);
  const compare = values['compare-default']!;
  // Each choice of marks and case scored: the manifest's decisions, and today's default beside them
  const text = new PunctuationScore();
  const textDefault = new PunctuationScore();
  const confusion = MARK_ORDER.map(() => MARK_ORDER.map(() => 0));
  // Where the case errors are: a word that starts a sentence in the reference but not in the output (or
  // the other way round) gets its first letter from the full stops, not from the case classes.
  const caseErrors = { missedStart: 0, spuriousStart: 0, elsewhere: 0 };
  for (const passage of passages) {
    const words = passage.map((w) => w.word);
    const logits = punctuator.rawLogits(words);
    const predicted = punctuator.decide(words, logits);
    if (compare) addAll(textDefault, passage, punctuator.decide(words, logits, {}, DEFAULT_DECISIONS));
    passage.forEach((w, i) => {
      text.add(w, predicted[i]);
      confusion[MARK_ORDER.indexOf(w.mark)][MARK_ORDER.indexOf(predicted[i].mark)]++;
      if (predicted[i].written === w.written) return;
      const referenceStart = i === 0 || endsSentence(passage[i - 1].mark);
      const outputStart = i === 0 || endsSentence(predicted[i - 1].mark);
      if (referenceStart && !outputStart) caseErrors.missedStart++;
      else if (outputStart && !referenceStart) caseErrors.spuriousStart++;
      else caseErrors.elsewhere++;
    });
  }
  results.text = report(`held-out text (${passages.length} passages)`, text);
  console.log(
    `  case errors: ${caseErrors.missedStart} at sentence starts the output lacks, ${caseErrors.spuriousStart} at sentence starts only the output has, ${caseErrors.elsewhere} elsewhere (${pct(caseErrors.elsewhere / text.words)} of the words)`,
  );
  printConfusion(confusion);
  results.caseErrors = caseErrors;
  results.confusion = confusion;
  if (compare)
    results.textDefault = report('held-out text, default decisions (each output largest)', textDefault);

  // Time per sentence: each sentence alone, as a dictated final would be
  const sentences = passages.flatMap(sentencesOf).map((s) => s.map((w) => w.word));
  for (const s of sentences.slice(0, 20)) punctuator.predict(s); // warm-up
  const times: number[] = [];
  for (const s of sentences) {
    const started = performance.now();
    punctuator.predict(s);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const words = sentences.reduce((n, s) => n + s.length, 0) / sentences.length;
  const p95 = times[Math.floor(times.length * 0.95)];
  console.log(
    `\ntime per sentence (${sentences.length} sentences, ${words.toFixed(1)} words on average, ${backend.label}): mean ${mean.toFixed(2)} ms, median ${times[times.length >> 1].toFixed(2)} ms, 95th percentile ${p95.toFixed(2)} ms  target ≤ ${TARGETS.msPerSentence} ms ${verdict(mean <= TARGETS.msPerSentence)}`,
  );
  results.msPerSentence = { mean, median: times[times.length >> 1], p95, sentences: sentences.length };

  if (!values['no-voices']) {
    const references = new Map(
      (await readFile(path.join(modelDir, 'heldout', 'eval-sentences.tsv'), 'utf8'))
        .split('\n')
        .slice(1)
        .filter(Boolean)
        .map((line) => line.split('\t') as [string, string]),
    );
    const engine = await AsrEngine.load({
      punctuation: modelDir,
      backend: values.backend as BackendPreference,
    });
    const limit = Number(values.limit);
    const voices = new PunctuationScore();
    const voicesDefault = new PunctuationScore();
    let files = 0;
    let skipped = 0;
    for (const name of values.sets!.split(',').filter(Boolean)) {
      const entries = await loadEvalSet(name);
      for (const entry of limit > 0 ? entries.slice(0, limit) : entries) {
        const written = references.get(entry.transcript);
        if (!written) {
          skipped++; // a sentence whose written form could not be recovered (numbers, symbols)
          continue;
        }
        const transcript = await engine.transcribeFile(entry.path);
        const output = transcript.words.map((w) => {
          const [token] = parseWritten(w.display ?? w.word);
          return { ...token, word: w.word };
        });
        voices.addAligned(parseWritten(written), output);
        if (compare) {
          const words = transcript.words.map((w) => w.word);
          const before = punctuator.decide(words, punctuator.rawLogits(words), {}, DEFAULT_DECISIONS);
          voicesDefault.addAligned(
            parseWritten(written),
            before.map((p, i) => ({ word: words[i], written: p.written, mark: p.mark })),
          );
        }
        files++;
        if (files % 50 === 0) console.error(`${files} files transcribed`);
      }
    }
    engine.dispose();
    results.voices = report(
      `held-out voices through the recogniser (${values.sets}; ${files} files, ${skipped} without a written reference; words the recogniser got right)`,
      voices,
    );
    if (compare) results.voicesDefault = report('held-out voices, default decisions', voicesDefault);
  }
  punctuator.dispose();
  if (values.json) await writeFile(values.json, JSON.stringify(results, null, 2) + '\n');
}

await main();
