#!/usr/bin/env node
// Articulatory English voices for the training corpus: GnuSpeech's tube-resonance model (the npm
// WebAssembly port @echogarden/gnuspeech-wasm, GPL-3.0) with the vocal tract's length, the glottal
// source and the intonation drawn per utterance, so each utterance is read by a new vocal tract.
// The package is a training-data tool only: it is not one of the app's dependencies and is installed
// apart from them, once (a second):
//
//   npm install --no-save --prefix training/work/gnuspeech @echogarden/gnuspeech-wasm@0.3.0
//
//   node training/corpus/gnuspeech.mjs --out OUT.wav --voice '{"vocalTractLength":16.2,…}' < sentence.txt
//
// generate.py --recipe gnuspeech calls this once per utterance (the voice: generate.gnuspeech_voice).
// Writes a 16-bit mono WAV at 22.05 kHz (the generator resamples to 16 kHz).
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, '..', 'work', 'gnuspeech', 'node_modules', '@echogarden', 'gnuspeech-wasm');

// The voice parameters that may be drawn, with the range each must lie in (GnuSpeech's own voices
// span 7.5–17.5 cm; the ranges only guard against a mistyped spec, the draw is generate.py's).
const RANGES = {
  vocalTractLength: [10, 20], // cm
  referenceGlottalPitch: [-20, 10], // semitones from the model's reference
  breathiness: [0, 5], // %
  glottalPulseTp: [20, 50], // % of the period, rise
  glottalPulseTnMin: [10, 45], // % of the period, fall (loud)
  glottalPulseTnMax: [10, 45], // % of the period, fall (soft)
  tempo: [0.6, 1.6],
  driftDeviation: [0, 2], // semitones of slow random pitch drift
  tonicRange: [-16, 0], // semitones of a tone group's fall
  notionalPitch: [-4, 6],
};

const USAGE = `usage: node training/corpus/gnuspeech.mjs --out OUT.wav --voice JSON < sentence.txt
  --voice: an object with every one of ${Object.keys(RANGES).join(', ')}`;

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!['--out', '--voice'].includes(argv[i]) || argv[i + 1] === undefined) {
      throw new Error(`unknown or incomplete option ${argv[i]} (--help for the usage)`);
    }
    args[argv[i].slice(2)] = argv[i + 1];
  }
  if (!args.out || !args.voice)
    throw new Error('needs --out OUT.wav and --voice JSON (--help for the usage)');
  let voice;
  try {
    voice = JSON.parse(args.voice);
  } catch (error) {
    throw new Error(`--voice is not JSON: ${error.message}`, { cause: error });
  }
  if (typeof voice !== 'object' || voice === null || Array.isArray(voice))
    throw new Error('--voice must be an object');
  for (const [key, value] of Object.entries(voice)) {
    const range = RANGES[key];
    if (!range) throw new Error(`unknown voice parameter ${key}`);
    if (typeof value !== 'number' || !(value >= range[0] && value <= range[1])) {
      throw new Error(`voice parameter ${key} = ${value} is outside ${range[0]}…${range[1]}`);
    }
  }
  for (const key of Object.keys(RANGES)) {
    if (!(key in voice)) throw new Error(`voice parameter ${key} is missing`);
  }
  return { out: args.out, voice };
}

function setValue(config, name, value) {
  const pattern = new RegExp(`^(${name}\\s*=\\s*)\\S+`, 'm');
  if (!pattern.test(config)) throw new Error(`GnuSpeech configuration has no ${name}`);
  return config.replace(pattern, `$1${value}`);
}

/** Prints one line and exits: a bad command line or a missing package is not a crash. */
function fail(message) {
  console.error(`gnuspeech.mjs: ${message}`);
  process.exit(1);
}

if (process.argv.includes('--help')) {
  console.log(USAGE);
  process.exit(0);
}
let out, voice;
try {
  ({ out, voice } = parseArgs(process.argv.slice(2)));
} catch (error) {
  fail(error.message);
}
const text = readFileSync(0, 'utf8').replace(/\s+/g, ' ').trim();
if (!text) fail('no text on standard input');

let initialise;
try {
  ({ default: initialise } = await import(pathToFileURL(join(packageDir, 'wasm', 'gnuspeech.js')).href));
} catch {
  fail(
    'GnuSpeech is not installed: npm install --no-save --prefix training/work/gnuspeech @echogarden/gnuspeech-wasm@0.3.0',
  );
}
// the package's one dependency, installed beside it
const heapManager = join(
  packageDir,
  '..',
  '..',
  'wasm-heap-manager',
  'dist',
  'exports',
  'WasmHeapManager.js',
);
const { wrapEmscriptenModuleHeap } = await import(pathToFileURL(heapManager).href);

const m = await initialise();
const dataDir = '/data/en';
const read = (name) => new TextDecoder().decode(m.FS.readFile(`${dataDir}/${name}`));

let voiceFile = read('voice_male.txt');
voiceFile = setValue(voiceFile, 'vocal_tract_length', voice.vocalTractLength.toFixed(2));
voiceFile = setValue(voiceFile, 'reference_glottal_pitch', voice.referenceGlottalPitch.toFixed(2));
voiceFile = setValue(voiceFile, 'breathiness', voice.breathiness.toFixed(2));
voiceFile = setValue(voiceFile, 'glottal_pulse_tp', voice.glottalPulseTp.toFixed(1));
voiceFile = setValue(voiceFile, 'glottal_pulse_tn_min', voice.glottalPulseTnMin.toFixed(1));
voiceFile = setValue(voiceFile, 'glottal_pulse_tn_max', voice.glottalPulseTnMax.toFixed(1));
m.FS.writeFile(`${dataDir}/voice_drawn.txt`, voiceFile);

let control = read('trm_control_model.txt');
control = setValue(control, 'voice_name', 'drawn');
control = setValue(control, 'tempo', voice.tempo.toFixed(3));
control = setValue(control, 'drift_deviation', voice.driftDeviation.toFixed(2));
control = setValue(control, 'tonic_range', voice.tonicRange.toFixed(1));
control = setValue(control, 'notional_pitch', voice.notionalPitch.toFixed(1));
m.FS.writeFile(`${dataDir}/trm_control_model.txt`, control);

m.FS.writeFile(`${dataDir}/trm.txt`, setValue(read('trm.txt'), 'output_rate', '22050.0'));

const heap = wrapEmscriptenModuleHeap(m);
const refs = [
  heap.allocNullTerminatedUtf8String(text),
  heap.allocNullTerminatedUtf8String('/tmp/out.wav'),
  heap.allocNullTerminatedUtf8String(dataDir),
  heap.allocNullTerminatedUtf8String('/tmp/out-params.txt'),
];
m._GnuSpeech_synthesizeToFile(refs[0].address, refs[1].address, refs[2].address, refs[3].address, false);
const wav = m.FS.readFile('/tmp/out.wav');
for (const ref of refs) ref.free();
if (wav.length <= 44) fail(`GnuSpeech produced no audio for: ${text}`);
writeFileSync(`${out}.part`, wav);
renameSync(`${out}.part`, out);
