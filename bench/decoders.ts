/**
 * `npm run bench:decoders` — greedy against beam search + word LM on the same log-posteriors. The
 * acoustic model runs once per file (one segment per file: the sets hold short utterances), then every
 * decoder setting decodes the cached posteriors, so the table isolates the decoder: WER/CER per setting and
 * the decoding time per second of audio (the real-time factor the decoder adds).
 *
 *   npm run bench:decoders -- [--sets dev] [--limit N] [--alphas 0.3,0.5,0.8,1] [--betas 0,1,2]
 *       [--beam 16,64] [--prune 10] [--lookahead on,off] [--lexicon off,on] [--lexicon-file FILE] [--pronunciations FILE] [--cache DIR]
 *       [--lm models/default/lm.bin] [--model default] [--json FILE]
 *
 * Tune α/β on the dev sets only (`dev`: training voices; `warzone2100`, `klettres-words`: real speech);
 * report the chosen setting on the held-out sets with a single --alphas/--betas value (never pick the
 * setting on them). `--lexicon on` spells through the model's lexicon.txt (closed vocabulary).
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { errorRate, scoreTranscript, sumCounts } from '../main/common/scoring';
import { BeamCtcDecoder } from '../main/engine/decoder/beam-decoder';
import { GreedyCtcDecoder, type CtcDecoder, type CtcInput } from '../main/engine/decoder/ctc-decoder';
import { NgramLm } from '../main/engine/decoder/ngram-lm';
import { resolveModelDir } from '../main/engine/engine';
import { AcousticModel } from '../main/engine/model/acoustic-model';
import { pronunciationsFileOf } from '../main/engine/model/manifest';
import { initBackend } from '../main/engine/model/backend';
import type { CorpusEntry } from '../main/common/corpus-manifest';
import { Lexicon } from '../main/engine/decoder/lexicon';
import { Pronunciations } from '../main/engine/decoder/pronunciations';
import { parseCommandLine, UsageError, usageErrorText } from '../main/cli/command-line';
import { EVAL_SETS, loadEvalSet } from './eval-sets';
import { setPosteriors } from './posterior-cache';

interface Row {
  set: string;
  decoder: string;
  beam?: number;
  lookahead?: boolean;
  lexicon?: boolean;
  alpha?: number;
  beta?: number;
  wer: number;
  cer: number;
  decodeRtf: number;
}

function evaluate(decoder: CtcDecoder, inputs: CtcInput[], entries: CorpusEntry[], audioSec: number) {
  const started = performance.now();
  const hyps = inputs.map((x) =>
    decoder
      .decode(x)
      .map((w) => w.word)
      .join(' '),
  );
  const seconds = (performance.now() - started) / 1000;
  const scores = entries.map((e, i) => scoreTranscript(e.transcript, hyps[i]));
  return {
    wer: errorRate(sumCounts(scores.map((s) => s.wer))),
    cer: errorRate(sumCounts(scores.map((s) => s.cer))),
    decodeRtf: seconds / audioSec,
  };
}

const pct = (x: number) => (x * 100).toFixed(1).padStart(6) + '%';
const list = (s: string) => s.split(',').map(Number);

const USAGE = `npm run bench:decoders -- [--sets dev] [--limit N] [--alphas 0.3,0.5,0.8,1] [--betas 0,1,2]
         [--beam 16,64] [--prune 10] [--lookahead on,off] [--lexicon off,on] [--lexicon-file FILE] [--pronunciations FILE] [--cache DIR]
         [--lm FILE] [--model NAME] [--json FILE]

  --sets     comma-separated, from: ${EVAL_SETS.map((s) => s.name).join(', ')}
             (tune on dev, warzone2100 and klettres-words only)
  --lexicon  on: closed vocabulary through the model's lexicon.txt (or --lexicon-file FILE)
  --pronunciations  a phone model's dictionary (default: the manifest's pronunciationsFile); a phone
             model always spells through it (greedy rows then score phone strings)
  --cache    keep each set's log-posteriors in DIR, so later runs skip the acoustic model`;

async function main() {
  const command = 'npm run bench:decoders --';
  const { values } = parseCommandLine(
    {
      command,
      usage: USAGE,
      options: {
        model: { type: 'string', default: 'default' },
        lm: { type: 'string' },
        sets: { type: 'string', default: 'dev' },
        limit: { type: 'string' },
        alphas: { type: 'string', default: '0.3,0.5,0.8,1' },
        betas: { type: 'string', default: '0,1,2' },
        beam: { type: 'string', default: '16' },
        prune: { type: 'string', default: '10' },
        lookahead: { type: 'string', default: 'on' },
        lexicon: { type: 'string', default: 'off' },
        'lexicon-file': { type: 'string' },
        pronunciations: { type: 'string' },
        cache: { type: 'string' },
        json: { type: 'string' },
      },
    },
    undefined,
    (parsed) => {
      // Named files must exist: a missing one is a mistake in the command line, said in one line.
      for (const option of ['lexicon-file', 'pronunciations'] as const) {
        const file = parsed.values[option];
        if (file !== undefined && !existsSync(file)) throw new UsageError(`--${option}: ${file} not found`);
      }
      return parsed;
    },
  );
  const backend = await initBackend();
  const modelDir = resolveModelDir(values.model!);
  const model = await AcousticModel.load(modelDir);
  const lmFile = values.lm ?? path.join(modelDir, 'lm.bin');
  let t0 = performance.now();
  const lm = NgramLm.fromBuffer(await readFile(lmFile));
  const lmLoadMs = performance.now() - t0;
  // A phone model spells through its pronouncing dictionary: only closed-vocabulary rows mean anything
  // (greedy and the open vocabulary give phone strings, reported as such).
  const manifestDictionary = pronunciationsFileOf(model.manifest);
  const pronunciationsFile =
    values.pronunciations ?? (manifestDictionary ? path.join(modelDir, manifestDictionary) : undefined);
  let pronunciations: Pronunciations | undefined;
  if (pronunciationsFile) {
    try {
      pronunciations = Pronunciations.parse(
        await readFile(pronunciationsFile, 'utf8'),
        model.manifest.alphabet,
      );
    } catch (error) {
      // A dictionary for another phone set (the message names the line), or an unreadable file.
      process.stderr.write(usageErrorText(command, `${pronunciationsFile}: ${(error as Error).message}`));
      process.exit(2);
    }
  }
  const lexiconSettings = pronunciations ? [true] : values.lexicon.split(',').map((v) => v === 'on');
  const lexicon =
    lexiconSettings.includes(true) && !pronunciations
      ? Lexicon.parse(await readFile(values['lexicon-file'] ?? path.join(modelDir, 'lexicon.txt'), 'utf8'))
      : undefined;
  const beamWidths = list(values.beam!);
  const prunePerFrame = Number(values.prune);
  console.log(
    `model ${model.manifest.name} (${backend.label}); LM ${lmFile}: ${lm.stats.vocabulary} words, ` +
      `${lm.stats.bigrams} bigrams, ${lm.stats.trigrams} trigrams, loaded in ${lmLoadMs.toFixed(0)} ms; ` +
      `beam ${beamWidths.join('/')}, prune ${prunePerFrame} nats`,
  );
  const rows: Row[] = [];
  for (const set of values.sets!.split(',')) {
    let entries = await loadEvalSet(set);
    if (values.limit) entries = entries.slice(0, Number(values.limit));
    const audioSec = entries.reduce((s, e) => s + e.durationSec, 0);
    t0 = performance.now();
    const inputs = await setPosteriors(model, set, entries, values.cache);
    const amSec = (performance.now() - t0) / 1000;
    console.log(
      `\n${set}: ${entries.length} files, ${(audioSec / 60).toFixed(1)} min audio; front end + model RTF ${(amSec / audioSec).toFixed(3)}`,
    );
    const header = `${'decoder'.padEnd(30)} ${'WER'.padStart(7)} ${'CER'.padStart(7)} ${'decode s/audio s'.padStart(17)}`;
    console.log(header);
    console.log('-'.repeat(header.length));
    const print = (name: string, r: { wer: number; cer: number; decodeRtf: number }) =>
      console.log(`${name.padEnd(30)} ${pct(r.wer)} ${pct(r.cer)} ${r.decodeRtf.toFixed(4).padStart(17)}`);
    const greedy = evaluate(new GreedyCtcDecoder(), inputs, entries, audioSec);
    rows.push({ set, decoder: 'greedy', ...greedy });
    print(pronunciations ? 'greedy (phone strings)' : 'greedy', greedy);
    for (const beamWidth of beamWidths) {
      const noLm = evaluate(
        new BeamCtcDecoder({ beamWidth, prunePerFrame, alpha: 0, beta: 0 }),
        inputs,
        entries,
        audioSec,
      );
      rows.push({ set, decoder: 'beam-no-lm', beam: beamWidth, ...noLm });
      print(`beam ${beamWidth}, no LM${pronunciations ? ' (phones)' : ''}`, noLm);
      for (const closed of lexiconSettings) {
        for (const lookahead of values.lookahead!.split(',').map((v) => v === 'on')) {
          for (const alpha of list(values.alphas!)) {
            for (const beta of list(values.betas!)) {
              const decoder = new BeamCtcDecoder({
                lm,
                alpha,
                beta,
                beamWidth,
                prunePerFrame,
                lookahead,
                ...(closed ? (pronunciations ? { pronunciations } : { lexicon }) : {}),
              });
              const r = evaluate(decoder, inputs, entries, audioSec);
              rows.push({
                set,
                decoder: 'beam+lm',
                beam: beamWidth,
                lookahead,
                lexicon: closed,
                alpha,
                beta,
                ...r,
              });
              print(
                `beam ${beamWidth}+LM${lookahead ? '+la' : ''}${closed ? '+lex' : ''} α=${alpha} β=${beta}`,
                r,
              );
            }
          }
        }
      }
    }
    const lmRows = rows.filter((r) => r.set === set && r.decoder === 'beam+lm');
    const best = lmRows.reduce((a, b) => (b.wer < a.wer ? b : a));
    console.log(
      `best on ${set}: beam ${best.beam}${best.lookahead ? ' + look-ahead' : ''}${best.lexicon ? ' + lexicon' : ''} α=${best.alpha} β=${best.beta}: WER ${pct(best.wer)} vs greedy ${pct(greedy.wer)} ` +
        `(${((100 * (greedy.wer - best.wer)) / greedy.wer).toFixed(1)}% relative); decoding adds ` +
        `${(best.decodeRtf - greedy.decodeRtf).toFixed(4)} s per audio second`,
    );
  }
  model.dispose();
  if (values.json) {
    await writeFile(
      values.json,
      JSON.stringify({ model: model.manifest.name, beamWidths, prunePerFrame, lm: lmFile, rows }, null, 2) +
        '\n',
    );
  }
}

await main();
