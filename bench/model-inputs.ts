/**
 * The model inputs of evaluation sets, as the app computes them (front end, normalisation, stacking of
 * `--model`'s manifest), for test-time adaptation experiments in PyTorch (`training/tta/suta.py`).
 *
 *   npx tsx bench/model-inputs.ts --out DIR [--model default] [--limit 120] SET...   (--help)
 *
 * Writes DIR/<set>-<files>.in.f32 (every file's [steps × inputs] float32 values, concatenated) and
 * DIR/<set>-<files>.in.f32.json ({ steps, inputs, transcripts }). `<set>-<files>` is the name
 * `bench:decoders --cache` gives the same set's posteriors, so the experiment's outputs decode there.
 */
import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { loadAudioFile } from '../main/engine/audio/load';
import { numberOption, parseCommandLine, UsageError } from '../main/cli/command-line';
import { resolveModelDir } from '../main/engine/engine';
import { modelInput } from '../main/engine/frontend/mfcc';
import { AcousticModel } from '../main/engine/model/acoustic-model';
import { evalSet, loadEvalSet } from './eval-sets';

const USAGE = `Usage: npx tsx bench/model-inputs.ts --out DIR [--model default] [--limit N] SET...

Writes each evaluation set's model inputs (the app's front end, normalisation and stacking) to
DIR/<set>-<files>.in.f32 and a JSON sidecar, for training/tta/suta.py. --limit N: the first N files.`;

const { values, positionals, limit } = parseCommandLine(
  {
    command: 'npx tsx bench/model-inputs.ts',
    usage: USAGE,
    options: {
      out: { type: 'string' },
      model: { type: 'string', default: 'default' },
      limit: { type: 'string' },
    },
    allowPositionals: true,
  },
  undefined,
  (parsed) => {
    if (!parsed.values.out || parsed.positionals.length === 0)
      throw new UsageError('needs --out DIR and a SET');
    for (const set of parsed.positionals) {
      try {
        evalSet(set);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
    }
    return { ...parsed, limit: numberOption('limit', parsed.values.limit, { min: 1, integer: true }) };
  },
);
const model = await AcousticModel.load(resolveModelDir(values.model!));
const inputs = model.manifest.stacking.size * model.manifest.frontend.mfccCoefficients;
await mkdir(values.out!, { recursive: true });
for (const set of positionals) {
  const entries = (await loadEvalSet(set)).slice(0, limit);
  const chunks: Buffer[] = [];
  const steps: number[] = [];
  for (const entry of entries) {
    const { data, steps: n } = modelInput(
      await loadAudioFile(entry.path, model.manifest.frontend.sampleRate),
      model.manifest,
    );
    chunks.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    steps.push(n);
  }
  const file = path.join(values.out!, `${set}-${entries.length}.in.f32`);
  await writeFile(file, Buffer.concat(chunks));
  const transcripts = entries.map((e) => e.transcript);
  await writeFile(file + '.json', JSON.stringify({ steps, inputs, transcripts }));
  console.log(`${file}: ${entries.length} files, ${steps.reduce((a, b) => a + b, 0)} steps`);
}
model.dispose();
