/**
 * The model inputs of evaluation sets, as the app computes them (front end, normalisation, stacking of
 * `--model`'s manifest), for test-time adaptation experiments in PyTorch (`training/tta/suta.py`).
 *
 *   npx tsx bench/model-inputs.ts --out DIR [--model default] [--limit 120] SET...
 *
 * Writes DIR/<set>-<files>.in.f32 (every file's [steps × inputs] float32 values, concatenated) and
 * DIR/<set>-<files>.in.f32.json ({ steps, inputs, transcripts }). `<set>-<files>` is the name
 * `bench:decoders --cache` gives the same set's posteriors, so the experiment's outputs decode there.
 */
import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadAudioFile } from '../main/engine/audio/load';
import { resolveModelDir } from '../main/engine/engine';
import { modelInput } from '../main/engine/frontend/mfcc';
import { AcousticModel } from '../main/engine/model/acoustic-model';
import { loadEvalSet } from './eval-sets';

const { values, positionals } = parseArgs({
  options: {
    out: { type: 'string' },
    model: { type: 'string', default: 'default' },
    limit: { type: 'string', default: '0' },
  },
  allowPositionals: true,
});
if (!values.out || positionals.length === 0) {
  console.error('usage: bench/model-inputs.ts --out DIR [--model default] [--limit N] SET...');
  process.exit(2);
}
const model = await AcousticModel.load(resolveModelDir(values.model!));
const inputs = model.manifest.stacking.size * model.manifest.frontend.mfccCoefficients;
await mkdir(values.out, { recursive: true });
for (const set of positionals) {
  const limit = Number(values.limit);
  const entries = (await loadEvalSet(set)).slice(0, limit > 0 ? limit : undefined);
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
  const file = path.join(values.out, `${set}-${entries.length}.in.f32`);
  await writeFile(file, Buffer.concat(chunks));
  const transcripts = entries.map((e) => e.transcript);
  await writeFile(file + '.json', JSON.stringify({ steps, inputs, transcripts }));
  console.log(`${file}: ${entries.length} files, ${steps.reduce((a, b) => a + b, 0)} steps`);
}
model.dispose();
