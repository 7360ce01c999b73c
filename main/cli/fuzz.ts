/** What this command does and how to run it: USAGE below (printed by `--help`). */
import { writeFile } from 'node:fs/promises';
import { DEFAULT_MODEL } from '../engine/engine';
import { fuzzCorpus } from '../engine/testing/fuzz/corpus';
import { DEFAULT_MEMORY_LIMIT_MB, runFuzz } from '../engine/testing/fuzz/harness';
import { UsageError, numberOption, parseCommandLine } from './command-line';

/** What `--help` prints: this file's own description. */
const USAGE = `\`npm run fuzz -- [--model NAME|DIR] [--subset full|fast] [--seed N] [--decoder greedy|beam]
                 [--memory-limit-mb N] [--timeout-scale X] [--json FILE]\`

Feeds every input of the bad-input corpus (corpus.ts) through the engine in a child process and
prints one line per input, then the totals: inputs tried, transcripts, typed errors by code, crashes,
hangs, untyped errors, impossible transcripts, memory kills, unexpected outcomes, and per input class
the number of inputs, failures and the worker's peak RSS on any one input (its high-water mark, reset
before each input). Exits 1 if any input crashed, hung, went over --memory-limit-mb (default
${DEFAULT_MEMORY_LIMIT_MB} MB), failed untyped or ended unexpectedly.
`;

const { values, memoryLimitMb, timeoutScale, seed } = parseCommandLine(
  {
    command: 'npm run fuzz --',
    usage: USAGE,
    options: {
      model: { type: 'string', default: DEFAULT_MODEL },
      subset: { type: 'string', default: 'full' },
      seed: { type: 'string' },
      decoder: { type: 'string' },
      backend: { type: 'string' },
      'memory-limit-mb': { type: 'string', default: String(DEFAULT_MEMORY_LIMIT_MB) },
      'timeout-scale': { type: 'string', default: '1' },
      json: { type: 'string' },
    },
  },
  process.argv.slice(2),
  ({ values }) => {
    if (!['full', 'fast'].includes(values.subset!))
      throw new UsageError(`unknown --subset ${values.subset} (use full or fast)`);
    return {
      values,
      memoryLimitMb: numberOption('memory-limit-mb', values['memory-limit-mb'], { min: 50 })!,
      timeoutScale: numberOption('timeout-scale', values['timeout-scale'], { min: 0.01 })!,
      seed: numberOption('seed', values.seed, { integer: true }),
    };
  },
);

const all = fuzzCorpus({ seed });
const cases = values.subset === 'fast' ? all.filter((c) => c.fast) : all;
console.log(`fuzz: ${cases.length} inputs (${values.subset}), model ${values.model}`);

const summary = await runFuzz(cases, {
  model: values.model!,
  decoder: values.decoder,
  backend: values.backend,
  memoryLimitMb,
  timeoutScale,
  onResult: (r, i, total) => {
    const what = r.outcome === 'typed-error' ? `${r.code}` : r.outcome;
    const mark = r.failure ? `FAIL (${r.failure})` : 'ok';
    const detail = r.outcome === 'transcript' ? `${r.words} words ${r.detail}` : r.detail;
    console.log(
      `[${String(i + 1).padStart(4)}/${total}] ${mark.padEnd(4)} ${r.name.padEnd(48)} ${what.padEnd(18)} ${r.ms.toFixed(0).padStart(6)} ms ${r.peakRssMb.toFixed(0).padStart(4)} MB  ${detail.slice(0, 140)}`,
    );
  },
});

const { failures, byClass, ...totals } = summary;
console.log("\nper input class (peak RSS: the worker's highest on any one input of the class)");
console.log(
  `  ${'class'.padEnd(22)} ${'inputs'.padStart(6)} ${'failed'.padStart(6)} ${'peak RSS'.padStart(9)}`,
);
for (const [name, c] of Object.entries(byClass))
  console.log(
    `  ${name.padEnd(22)} ${String(c.inputs).padStart(6)} ${String(c.failures).padStart(6)} ${c.peakRssMb.toFixed(0).padStart(6)} MB`,
  );
console.log('\nfuzz summary');
console.log(`  inputs tried:        ${totals.tried}`);
console.log(`  transcripts:         ${totals.transcripts}`);
console.log(`  typed errors:        ${totals.typedErrors}  ${JSON.stringify(totals.byCode)}`);
console.log(`  crashes:             ${totals.crashes}`);
console.log(`  hangs:               ${totals.hangs}`);
console.log(`  untyped errors:      ${totals.untypedErrors}`);
console.log(`  bad transcripts:     ${totals.badTranscripts}`);
console.log(`  memory kills:        ${totals.memoryKills} (limit ${memoryLimitMb} MB per input)`);
console.log(`  unexpected outcomes: ${totals.unexpected}`);
console.log(
  `  max RSS:             ${totals.maxRssMb.toFixed(0)} MB (worker after model load: ${totals.loadedRssMb.toFixed(0)} MB)`,
);
console.log(`  backend / model:     ${totals.backend} / ${totals.model}`);
console.log(`  wall time:           ${totals.seconds.toFixed(0)} s`);
if (failures.length) {
  console.log('\nfailures:');
  for (const f of failures) console.log(`  ${f.name}: ${f.failure} — ${f.detail.slice(0, 300)}`);
}
if (values.json) await writeFile(values.json, JSON.stringify(summary, null, 2) + '\n');
console.log(
  failures.length
    ? `\nFAILED: ${failures.length} input(s)`
    : '\nPASSED: every input ended in a transcript or a typed error',
);
process.exitCode = failures.length ? 1 : 0;
