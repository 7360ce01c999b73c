/**
 * Model posteriors for the decoder benchmarks (`bench:decoders`, `bench:boost`, `bench:calibration`):
 * the acoustic model runs once per file (one segment per file: the sets hold short utterances) and, with a
 * cache folder, the log-posteriors are kept in a file (all steps concatenated; the step counts in a JSON
 * sidecar) so decoder experiments do not rerun the model.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadAudioFile } from '../main/engine/audio/load';
import type { CtcInput } from '../main/engine/decoder/ctc-decoder';
import { loadBeamOptions, resolveModelDir } from '../main/engine/engine';
import { modelInput } from '../main/engine/frontend/mfcc';
import { AcousticModel } from '../main/engine/model/acoustic-model';
import { initBackend } from '../main/engine/model/backend';
import { parseCorpusManifest, type CorpusEntry } from '../main/common/corpus-manifest';

export async function posteriors(model: AcousticModel, entries: CorpusEntry[]): Promise<CtcInput[]> {
  const { frontend, stacking, alphabet, blankIndex } = model.manifest;
  const out: CtcInput[] = [];
  for (const entry of entries) {
    const samples = await loadAudioFile(entry.path, frontend.sampleRate);
    const { data, steps } = modelInput(samples, model.manifest);
    out.push({
      logProbs: await model.logProbs(data, steps),
      steps,
      alphabet,
      blankIndex,
      stepSec: (frontend.hopLength * stacking.stride) / frontend.sampleRate,
      offsetSec: 0,
    });
  }
  return out;
}

/** Posteriors from `file` when it exists, else computed and written there. */
export async function cachedPosteriors(file: string, model: AcousticModel, entries: CorpusEntry[]) {
  const { alphabet, blankIndex, frontend, stacking } = model.manifest;
  if (existsSync(file) && existsSync(file + '.json')) {
    const steps = JSON.parse(await readFile(file + '.json', 'utf8')) as number[];
    if (steps.length !== entries.length) {
      throw new Error(`${file} holds ${steps.length} utterances, expected ${entries.length}`);
    }
    const buf = await readFile(file);
    const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    let offset = 0;
    return steps.map((n): CtcInput => {
      const logProbs = all.slice(offset, offset + n * alphabet.length);
      offset += n * alphabet.length;
      const stepSec = (frontend.hopLength * stacking.stride) / frontend.sampleRate;
      return { logProbs, steps: n, alphabet, blankIndex, stepSec, offsetSec: 0 };
    });
  }
  const inputs = await posteriors(model, entries);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(
    file,
    Buffer.concat(
      inputs.map((x) => Buffer.from(x.logProbs.buffer, x.logProbs.byteOffset, x.logProbs.byteLength)),
    ),
  );
  await writeFile(file + '.json', JSON.stringify(inputs.map((x) => x.steps)));
  return inputs;
}

/** A set's posteriors: from `cacheDir/<set>-<files>.f32` when a cache folder is given. */
export function setPosteriors(
  model: AcousticModel,
  set: string,
  entries: CorpusEntry[],
  cacheDir: string | undefined,
): Promise<CtcInput[]> {
  return cacheDir
    ? cachedPosteriors(path.join(cacheDir, `${set}-${entries.length}.f32`), model, entries)
    : posteriors(model, entries);
}

/** The model with its beam-decoder settings and LM, for the benchmarks that decode with them. */
export async function loadBeamModel(name: string) {
  const backend = await initBackend();
  const modelDir = resolveModelDir(name);
  const model = await AcousticModel.load(modelDir);
  const settings = model.manifest.decoder;
  if (settings.type !== 'beam') {
    model.dispose();
    throw new Error(`model ${model.manifest.name} has no beam decoder settings`);
  }
  // The shipped search (LM, word list, weights, beam); the benchmarks score words, not alternatives.
  const beam = {
    ...(await loadBeamOptions(modelDir, settings, model.manifest.alphabet)),
    maxAlternatives: 0,
  };
  return { backend, model, settings, lm: beam.lm!, beam };
}

/** A set's first `limit` entries and their posteriors, or null when its manifest is missing. */
export async function loadSet(
  model: AcousticModel,
  manifests: string,
  set: string,
  limit: number,
  cacheDir: string | undefined,
) {
  const manifest = path.join(manifests, `${set}.tsv`);
  if (!existsSync(manifest)) return null;
  const entries = parseCorpusManifest(await readFile(manifest, 'utf8')).slice(0, limit);
  const inputs = await setPosteriors(model, set, entries, cacheDir);
  return { set, entries, inputs, audioSec: entries.reduce((s, e) => s + e.durationSec, 0) };
}
