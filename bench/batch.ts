/** What this command does and how to run it: USAGE below (printed by `--help`). */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { aggregateBySet, formatSetTable } from '../main/common/evaluation';
import { describeNormalization } from '../main/common/scoring';
import { AsrEngine, type DecoderChoice } from '../main/engine/engine';
import { evaluateSets } from '../main/evaluation/evaluate';
import { loadManifest } from '../main/evaluation/reference-files';
import { parseCommandLine } from '../main/cli/command-line';
import { ensureClips } from './espeak-clips';

/** What `--help` prints: this file's own description. */
const USAGE = `\`npm run bench:batch\` — the researcher workflow at batch scale: 500 short clips through the same path as
\`npm run eval\` (reference manifest → engine → scoring → per-set table), with the real model. Prints the
resident memory at the start, every 100 files and at the end, throughput (files/s), the real-time factor,
WER/CER, and a verdict on whether memory stays bounded over the batch.

  npm run bench:batch -- [--count 500] [--model NAME] [--decoder greedy|beam] [--every 100] [--work DIR] [--json FILE]

The clips are spoken by espeak-ng (several accents and voice variants, varied rates) from the held-out
evaluation sentences in training/work/manifests when present, else from a built-in list. They are cached
in --work (default training/work/batch, not committed) and reused by later runs.
`;

/** Collects garbage (when the flag can be set at run time) so RSS readings measure retained memory. */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as (() => void) | undefined;
  gc?.();
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
function rss(): number {
  collectGarbage();
  return process.memoryUsage().rss;
}

async function main() {
  const { values } = parseCommandLine({
    command: 'npm run bench:batch --',
    usage: USAGE,
    options: {
      count: { type: 'string', default: '500' },
      model: { type: 'string', default: 'default' },
      decoder: { type: 'string', default: 'manifest' },
      every: { type: 'string', default: '100' },
      work: { type: 'string', default: 'training/work/batch' },
      manifests: { type: 'string', default: 'training/work/manifests' },
      json: { type: 'string' },
    },
  });
  const count = Number(values.count);
  const every = Number(values.every);
  const dir = path.join(values.work!, `espeak-${count}`);
  const manifest = await ensureClips(dir, count, values.manifests!);

  const rssStart = rss();
  console.log(`rss at start: ${mb(rssStart)}`);
  const engine = await AsrEngine.load({ model: values.model, decoder: values.decoder as DecoderChoice });
  const rssLoaded = rss();
  console.log(
    `model ${engine.modelName} · decoder ${engine.decoderName} · backend ${engine.backend.label}; rss after load: ${mb(rssLoaded)}`,
  );
  console.log(`normalisation: ${describeNormalization()}`);
  const set = await loadManifest(manifest);
  set.name = `espeak-${count}`;

  const readings: { files: number; rss: number }[] = [{ files: 0, rss: rssLoaded }];
  let peak = rssLoaded;
  let audioSec = 0;
  const started = performance.now();
  const results = await evaluateSets(engine, [set], {
    onFile: (r, done) => {
      audioSec += r.durationSec ?? 0;
      peak = Math.max(peak, process.memoryUsage().rss);
      if (done % every === 0 || done === set.items.length) {
        const now = rss();
        readings.push({ files: done, rss: now });
        const elapsed = (performance.now() - started) / 1000;
        console.log(
          `${String(done).padStart(5)} files  rss ${mb(now).padStart(7)}  ${(done / elapsed).toFixed(2)} files/s  RTF ${(elapsed / audioSec).toFixed(3)}`,
        );
      }
    },
  });
  const elapsed = (performance.now() - started) / 1000;
  engine.dispose();
  const rssEnd = rss();

  const { sets, total } = aggregateBySet(results);
  console.log('');
  process.stdout.write(formatSetTable(sets, total));
  console.log('');
  console.log(
    `${results.length} files (${total.failed} failed), ${(audioSec / 60).toFixed(1)} min of audio in ${elapsed.toFixed(1)} s: ` +
      `${(results.length / elapsed).toFixed(2)} files/s, RTF ${(elapsed / audioSec).toFixed(3)} (wall clock, whole path)`,
  );
  // After the first readings the engine, tfjs and the decoder have reached their working size; what grows
  // from there on with the number of files is what a larger batch would keep adding.
  const base = readings.find((r) => r.files >= every) ?? readings[0];
  const last = readings[readings.length - 1];
  const growth = last.rss - base.rss;
  const allowance = Math.max(32 * 2 ** 20, base.rss * 0.1);
  const bounded = growth <= allowance;
  console.log(
    `rss: start ${mb(rssStart)}, after load ${mb(rssLoaded)}, ` +
      readings
        .slice(1)
        .map((r) => `${r.files} files ${mb(r.rss)}`)
        .join(', ') +
      `, peak ${mb(peak)}, after dispose ${mb(rssEnd)}`,
  );
  const perHundred = last.files > base.files ? (growth / (last.files - base.files)) * 100 : 0;
  console.log(
    `memory: ${bounded ? 'BOUNDED' : 'GROWING'} — ${(growth / 2 ** 20).toFixed(1)} MB from file ${base.files} to ${last.files} ` +
      `(${(perHundred / 2 ** 20).toFixed(1)} MB per 100 files; allowance ${mb(allowance)})`,
  );
  if (values.json) {
    await writeFile(
      values.json,
      JSON.stringify(
        {
          model: engine.modelName,
          decoder: engine.decoderName,
          backend: engine.backend.name,
          date: new Date().toISOString(),
          files: results.length,
          failed: total.failed,
          audioSec,
          elapsedSec: elapsed,
          filesPerSec: results.length / elapsed,
          rtf: elapsed / audioSec,
          wer: total.wer,
          cer: total.cer,
          rss: { start: rssStart, loaded: rssLoaded, readings, peak, end: rssEnd },
          bounded,
        },
        null,
        2,
      ) + '\n',
    );
  }
  process.exitCode = bounded && total.failed === 0 ? 0 : 1;
}

await main();
