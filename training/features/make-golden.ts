/** Regenerates main/engine/__fixtures__/speech-16k.mfcc.json (only when the front end changes on purpose). */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { computeMfcc, DEFAULT_FRONT_END } from '../../main/engine/frontend/mfcc';
import { loadAudioFile } from '../../main/engine/audio/load';

const fixtures = path.join(import.meta.dirname, '..', '..', 'main', 'engine', '__fixtures__');
const samples = await loadAudioFile(path.join(fixtures, 'speech-16k.wav'), DEFAULT_FRONT_END.sampleRate);
const features = computeMfcc(samples, DEFAULT_FRONT_END);
const dim = DEFAULT_FRONT_END.mfccCoefficients;
await writeFile(
  path.join(fixtures, 'speech-16k.mfcc.json'),
  JSON.stringify({
    frontend: DEFAULT_FRONT_END,
    frames: features.length / dim,
    dim,
    features: Array.from(features, (x) => Number(x.toPrecision(7))),
  }) + '\n',
);
