/**
 * Tunes how the runtime turns the punctuation network's outputs into marks and case (manifest.json
 * `decisions`, main/engine/punctuation.ts) on a dev text the network never trained on, without retraining.
 *
 *   python3 training/punct/make-dev.py                     # the dev text: training/punct/dev-text.txt
 *   npx tsx training/punct/tune-decisions.ts [--write] [--report FILE,FILE]
 *
 * It computes the network's logits for every dev passage once (as bench:punct gives a passage: lower case,
 * no marks), then tries decisions on them:
 *   1. marks: comma and question-mark log-biases (the full stop's stays 0 unless --full-stop-biases:
 *      train.py tuned it on its own dev split, in the benchmark's domain), whether a sentence end chooses
 *      between "." and "?" alone (questionAtSentenceEnd), and the bias a question cue gives "?" there (a sentence starting with a
 *      question word, or an auxiliary and a subject: QUESTION_WORDS, INVERTED_AUXILIARIES, SUBJECTS; with or
 *      without a lead word before it, QUESTION_LEAD_WORDS, and cues at a last clause's start,
 *      CLAUSE_QUESTION_WORDS);
 *      the setting with the best mean F1 of comma, full stop and question mark wins;
 *   2. case, with those marks: whether the case lexicon overrides the network's lower case for words it
 *      knows, and a bias towards lower case; the best word case accuracy wins.
 * It prints the dev figures and a diagnosis (confusion table, where missed marks and case errors are) for
 * today's decisions and the chosen ones; --write puts the chosen decisions in the model's manifest.json;
 * --report prints today's and the chosen decisions' figures on other texts (never used for choosing).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { numberOption, parseCommandLine, UsageError } from '../../main/cli/command-line';
import { initBackend, type BackendPreference } from '../../main/engine/model/backend';
import { DEFAULT_PUNCTUATION_DIR } from '../../main/engine/model-location';
import {
  DEFAULT_DECISIONS,
  type Mark,
  MARKS,
  parseDecisions,
  Punctuator,
  type PunctuationDecisionsJson,
  type WordPunctuation,
} from '../../main/engine/punctuation';

const USAGE = `npx tsx training/punct/tune-decisions.ts — tunes the punctuation runtime's decisions (mark biases,
questions at sentence ends, case) on a dev text the network never trained on; see the file's header.

  npx tsx training/punct/tune-decisions.ts [--model DIR] [--dev FILE] [--report FILE,FILE] [--write]
                                           [--comma-biases B,B] [--full-stop-biases B,B]
                                           [--backend wasm|cpu] [--limit N]

--dev: one passage a line, written as the model should write it (default training/punct/dev-text.txt,
made by training/punct/make-dev.py). --report: texts to score with today's and the chosen decisions
(not used for choosing). --write: put the chosen decisions in DIR/manifest.json. --limit: the first N
dev passages only (a quick look). --comma-biases: the comma biases to try (default 0 to 2 by 0.25; the
shipped decisions were tuned with --comma-biases 0, see models/punct/MODEL_CARD.md). --full-stop-biases:
the full stop biases to try (default 0: train.py tunes the full stop's on its own dev split, in the
benchmark's domain; a warm-started run, train.py --init, tunes none, so give its model some here).
`;

/** Question cues: a sentence starting with one of these reads as a question ("when" does not: "When …, …"). */
const QUESTION_WORDS = ['what', 'why', 'how', 'where', 'who', 'whom', 'whose', 'which'];
/** …or with one of these followed by a subject ("can you", "is the"); not "may"/"might" (wishes). */
const INVERTED_AUXILIARIES = (
  'is are am was were do does did can could will would shall should must has have had ' +
  "isn't aren't wasn't weren't don't doesn't didn't can't couldn't won't wouldn't shouldn't hasn't haven't hadn't"
).split(' ');
const SUBJECTS = (
  'i you he she it we they there this that these those the a an my your his her its our their ' +
  'any anyone anybody someone somebody anything something one'
).split(' ');
/** A sentence or clause starting with one of these is read from its next word for a cue ("and how …"). */
const QUESTION_LEAD_WORDS = ['and', 'but', 'so', 'or', 'well', 'now'];
/**
 * After a comma, a last clause starting with one of these followed by an inverted auxiliary (or ending the
 * sentence) is a cue: "…, what does it mean". Not "which", "who": after a comma they start relative clauses.
 */
const CLAUSE_QUESTION_WORDS = ['what', 'why', 'how', 'where'];

const COMMA_BIASES = range(0, 2, 0.25);
const QUESTION_BIASES = range(-4, 2, 0.5);
const QUESTION_END_BIASES = range(-8, 2, 1);
const CUE_BIASES = [0, 1, 2, 3, 4, 6, 8, 12, 20];
const LOWER_CASE_BIASES = range(-1, 2, 0.25);

function range(from: number, to: number, step: number): number[] {
  return Array.from({ length: Math.round((to - from) / step) + 1 }, (_, i) => from + i * step);
}

/** A word of a written passage: the recogniser's spelling, as written (without the mark), the mark after it. */
interface WrittenWord {
  word: string;
  written: string;
  mark: Mark;
}

/** "Hello, world." → its words and marks (as bench/punct-metrics.ts reads models/punct/heldout). */
function parseWritten(text: string): WrittenWord[] {
  return text
    .split(/\s+/)
    .filter(Boolean)
    .map((token) => {
      const mark = (/[,.?]$/.exec(token)?.[0] ?? '') as Mark;
      const written = mark ? token.slice(0, -1) : token;
      return { word: written.toLowerCase(), written, mark };
    });
}

interface Passage {
  reference: WrittenWord[];
  logits: Float32Array;
}

interface Evaluation {
  /** [reference mark][output mark], marks in MARKS order. */
  confusion: number[][];
  words: number;
  caseCorrect: number;
  caseErrors: Record<string, number>;
}

const SCORED = [',', '.', '?'] as const;

/** Precision, recall and F1 of one mark, from the confusion table. */
function markScore({ confusion }: Evaluation, mark: Mark) {
  const k = MARKS.indexOf(mark);
  const tp = confusion[k][k];
  const output = confusion.reduce((n, row) => n + row[k], 0);
  const support = confusion[k].reduce((n, x) => n + x, 0);
  const precision = output ? tp / output : 0;
  const recall = support ? tp / support : 0;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1, support };
}

const caseAccuracy = (e: Evaluation) => (e.words ? e.caseCorrect / e.words : 0);

const endsSentence = (mark: string | undefined) => mark === '.' || mark === '?';

function evaluate(punctuator: Punctuator, passages: readonly Passage[], json: PunctuationDecisionsJson) {
  const decisions = parseDecisions(json, 'tune-decisions');
  const confusion = MARKS.map(() => MARKS.map(() => 0));
  const caseErrors: Record<string, number> = {};
  let words = 0;
  let caseCorrect = 0;
  for (const { reference, logits } of passages) {
    const output: WordPunctuation[] = punctuator.decide(
      reference.map((w) => w.word),
      logits,
      {},
      decisions,
    );
    reference.forEach((ref, i) => {
      const out = output[i];
      words++;
      confusion[MARKS.indexOf(ref.mark)][MARKS.indexOf(out.mark)]++;
      if (out.written === ref.written) {
        caseCorrect++;
        return;
      }
      const referenceStart = i === 0 || endsSentence(reference[i - 1].mark);
      const outputStart = i === 0 || endsSentence(output[i - 1].mark);
      const where =
        referenceStart && !outputStart
          ? 'sentence start the output lacks'
          : outputStart && !referenceStart
            ? 'sentence start only the output has'
            : ref.written === ref.word
              ? 'elsewhere: lower case written with capitals'
              : ref.written === 'I'
                ? 'elsewhere: "I"'
                : ref.written.length > 1 && ref.written === ref.written.toUpperCase()
                  ? 'elsewhere: UPPER (acronyms) missed'
                  : ref.written === ref.written.charAt(0).toUpperCase() + ref.written.slice(1).toLowerCase()
                    ? 'elsewhere: Title (names, titles) missed'
                    : 'elsewhere: Mixed ("McDonald\'s") missed';
      caseErrors[where] = (caseErrors[where] ?? 0) + 1;
    });
  }
  return { confusion, words, caseCorrect, caseErrors } satisfies Evaluation;
}

const meanMarkF1 = (e: Evaluation) =>
  SCORED.reduce((sum, mark) => sum + markScore(e, mark).f1, 0) / SCORED.length;

const NAMES: Record<string, string> = { '': 'none', ',': 'comma', '.': 'full stop', '?': 'question mark' };

function table(title: string, evaluation: Evaluation): void {
  const { confusion, caseErrors } = evaluation;
  console.log(`\n${title}: ${evaluation.words} words`);
  console.log('  mark           precision  recall     F1   (support)');
  for (const mark of SCORED) {
    const m = markScore(evaluation, mark);
    console.log(
      `  ${NAMES[mark].padEnd(14)} ${m.precision.toFixed(3).padStart(9)} ${m.recall.toFixed(3).padStart(7)} ${m.f1
        .toFixed(3)
        .padStart(6)} ${`(${m.support})`.padStart(10)}`,
    );
  }
  console.log(`  word case accuracy ${(100 * caseAccuracy(evaluation)).toFixed(2)} %`);
  console.log('  confusion (rows: reference, columns: output)');
  console.log(`  ${''.padEnd(14)}${MARKS.map((m) => NAMES[m].padStart(14)).join('')}`);
  MARKS.forEach((m, r) =>
    console.log(`  ${NAMES[m].padEnd(14)}${confusion[r].map((n) => String(n).padStart(14)).join('')}`),
  );
  const errors = Object.entries(caseErrors).sort((a, b) => b[1] - a[1]);
  console.log(
    `  case errors (${errors.reduce((n, [, k]) => n + k, 0)}): ${errors.map(([k, n]) => `${k} ${n}`).join('; ')}`,
  );
}

/** For the marks the network misses: is the right one its runner-up, and how likely does it call it? */
function missedMarks(passages: readonly Passage[], punctuator: Punctuator): void {
  const width = MARKS.length + 4;
  for (const wanted of [',', '?'] as const) {
    const k = MARKS.indexOf(wanted);
    const ranks = [0, 0, 0, 0];
    const probabilities: number[] = [];
    const outputs: Record<string, number> = {};
    for (const { reference, logits } of passages) {
      const output = punctuator.decide(
        reference.map((w) => w.word),
        logits,
        {},
        DEFAULT_DECISIONS,
      );
      reference.forEach((ref, i) => {
        if (ref.mark !== wanted || output[i].mark === wanted) return;
        const row = Array.from(logits.subarray(i * width, i * width + MARKS.length));
        ranks[row.filter((x) => x > row[k]).length]++;
        const max = Math.max(...row);
        const sum = row.reduce((s, x) => s + Math.exp(x - max), 0);
        probabilities.push(Math.exp(row[k] - max) / sum);
        outputs[NAMES[output[i].mark]] = (outputs[NAMES[output[i].mark]] ?? 0) + 1;
      });
    }
    probabilities.sort((a, b) => a - b);
    const share = (p: number) =>
      (probabilities.filter((x) => x > p).length / probabilities.length).toFixed(2);
    console.log(
      `  missed ${NAMES[wanted]} (${probabilities.length}): written as ${JSON.stringify(outputs)}; the right mark ranks ` +
        `2nd ${ranks[1]}, 3rd ${ranks[2]}, 4th ${ranks[3]}; its probability: median ` +
        `${probabilities[probabilities.length >> 1].toFixed(3)}, over 0.1 for ${share(0.1)}, over 0.25 for ${share(0.25)}`,
    );
  }
}

async function readPassages(punctuator: Punctuator, file: string, limit = 0): Promise<Passage[]> {
  const lines = (await readFile(file, 'utf8')).split('\n').filter(Boolean);
  return (limit > 0 ? lines.slice(0, limit) : lines).map((line) => {
    const reference = parseWritten(line);
    return { reference, logits: punctuator.rawLogits(reference.map((w) => w.word)) };
  });
}

async function main() {
  const { values } = parseCommandLine(
    {
      command: 'npx tsx training/punct/tune-decisions.ts',
      usage: USAGE,
      options: {
        model: { type: 'string', default: DEFAULT_PUNCTUATION_DIR },
        dev: { type: 'string', default: path.join(import.meta.dirname, 'dev-text.txt') },
        report: { type: 'string', default: '' },
        write: { type: 'boolean', default: false },
        backend: { type: 'string', default: 'wasm' },
        limit: { type: 'string', default: '0' },
        'comma-biases': { type: 'string', default: COMMA_BIASES.join(',') },
        'full-stop-biases': { type: 'string', default: '0' },
      },
    },
    undefined,
    (parsed) => {
      if (!['wasm', 'cpu'].includes(parsed.values.backend!))
        throw new UsageError(`--backend must be wasm or cpu, got ${parsed.values.backend}`);
      numberOption('limit', parsed.values.limit, { min: 0, integer: true });
      for (const b of parsed.values['comma-biases']!.split(','))
        numberOption('comma-biases', b, { min: -10, max: 10 });
      for (const b of parsed.values['full-stop-biases']!.split(','))
        numberOption('full-stop-biases', b, { min: -10, max: 10 });
      return parsed;
    },
  );
  const commaBiases = values['comma-biases']!.split(',').map(Number);
  const fullStopBiases = values['full-stop-biases']!.split(',').map(Number);
  const backend = await initBackend(values.backend as BackendPreference);
  const punctuator = await Punctuator.load(values.model);
  const started = performance.now();
  const dev = await readPassages(punctuator, values.dev!, Number(values.limit));
  console.log(
    `punctuation model ${values.model} · backend ${backend.label} · dev ${values.dev} (${dev.length} passages; logits in ${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );

  const today = evaluate(punctuator, dev, {});
  table('dev, today (each output largest)', today);
  missedMarks(dev, punctuator);

  // 1. Marks, in three rounds: the comma, question-mark (and full stop) biases alone (each output's
  // largest); then, those kept, the question's at sentence ends; then the comma (and full stop) again.
  const cues = {
    questionWords: QUESTION_WORDS,
    invertedAuxiliaries: INVERTED_AUXILIARIES,
    subjects: SUBJECTS,
  };
  // A full stop bias of 0 is left out, as the manifests tuned before --full-stop-biases have it.
  const markBias = (comma: number, questionMark: number, fullStop: number) => ({
    comma,
    questionMark,
    ...(fullStop !== 0 ? { fullStop } : {}),
  });
  let best = { json: {} as PunctuationDecisionsJson, f1: meanMarkF1(today) };
  let tried = 0;
  const consider = (json: PunctuationDecisionsJson) => {
    const f1 = meanMarkF1(evaluate(punctuator, dev, json));
    tried++;
    if (f1 > best.f1 + 1e-9) best = { json, f1 };
  };
  for (const questionMark of QUESTION_BIASES)
    for (const comma of commaBiases)
      for (const fullStop of fullStopBiases) consider({ markBias: markBias(comma, questionMark, fullStop) });
  const { comma: commaBias = 0, fullStop: fullStopBias = 0 } = best.json.markBias ?? {};
  // The cues: a sentence's start alone, also after a lead word, also a last clause's start, or all three
  const cueSets = [
    cues,
    { ...cues, questionLeadWords: QUESTION_LEAD_WORDS },
    { ...cues, clauseQuestionWords: CLAUSE_QUESTION_WORDS },
    { ...cues, questionLeadWords: QUESTION_LEAD_WORDS, clauseQuestionWords: CLAUSE_QUESTION_WORDS },
  ];
  for (const questionMark of QUESTION_BIASES)
    for (const questionEndBias of QUESTION_END_BIASES)
      for (const questionCueBias of CUE_BIASES)
        for (const cueSet of questionCueBias !== 0 ? cueSets : [{}])
          consider({
            markBias: markBias(commaBias, questionMark, fullStopBias),
            questionAtSentenceEnd: true,
            ...(questionEndBias !== 0 ? { questionEndBias } : {}),
            ...(questionCueBias !== 0 ? { questionCueBias, ...cueSet } : {}),
          });
  const marks = best.json;
  for (const comma of commaBiases)
    for (const fullStop of fullStopBiases)
      consider({
        ...marks,
        markBias: markBias(comma, marks.markBias?.questionMark ?? 0, fullStop),
      });
  console.log(
    `\nmarks: ${tried} settings tried; best mean F1 ${best.f1.toFixed(4)} (today ${meanMarkF1(today).toFixed(4)})`,
  );

  // 2. Case, with those marks
  let bestCase = { json: best.json, accuracy: caseAccuracy(evaluate(punctuator, dev, best.json)) };
  for (const lexiconForKnownWords of [true, false])
    for (const lower of LOWER_CASE_BIASES) {
      const json: PunctuationDecisionsJson = {
        ...best.json,
        ...(lower !== 0 ? { caseBias: { title: -lower, upper: -lower, mixed: -lower } } : {}),
        ...(lexiconForKnownWords ? {} : { lexiconForKnownWords }),
      };
      const accuracy = caseAccuracy(evaluate(punctuator, dev, json));
      if (accuracy > bestCase.accuracy + 1e-9) bestCase = { json, accuracy };
    }
  const chosen = bestCase.json;
  console.log(`case: best word case accuracy ${(100 * bestCase.accuracy).toFixed(2)} %`);
  console.log(`\nchosen decisions: ${JSON.stringify(chosen)}`);
  table('dev, chosen decisions', evaluate(punctuator, dev, chosen));

  for (const file of values.report!.split(',').filter(Boolean)) {
    const passages = await readPassages(punctuator, file);
    table(`${file}, today`, evaluate(punctuator, passages, {}));
    table(`${file}, chosen decisions`, evaluate(punctuator, passages, chosen));
  }
  if (values.write) {
    const file = path.join(values.model!, 'manifest.json');
    const manifest = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    manifest.decisions = chosen;
    await writeFile(file, JSON.stringify(manifest, null, 2) + '\n');
    console.log(`\nwrote the decisions to ${file}`);
  }
  punctuator.dispose();
}

await main();
