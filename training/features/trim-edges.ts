/**
 * Edge trimming for training audio (dump-features --trim-edges P). Synthetic recordings always begin
 * and end in silence, while real clips (game voice lines, cut-out phrases) are often trimmed to the
 * speech itself: the shipped model lost about 7 points of WER on warzone2100 to that alone (padding its
 * clips with quiet, an experiment of 2026-12-07, took 84.0 % to 76–77 %, and cost every synthetic set
 * more than it gained). Trimming a share of the training utterances the same way teaches the model
 * speech that starts and stops at the recording's edge.
 *
 * Which utterances are trimmed, and the margins kept, come from a hash of the utterance id: a rerun
 * (resume) dumps exactly the same features.
 */
import { fnv1a } from '../../main/engine/punctuation';
import { frameLevelsDb } from '../../main/engine/segment/segmenter';
import { seededRandom } from '../../main/engine/testing/seeded-random';

/** Frames quieter than the loudest by more than this are edge silence. */
const SPEECH_BELOW_PEAK_DB = 30;
/** At most this much of the edge silence is kept before the first and after the last loud frame. */
const MAX_MARGIN_SEC = 0.03;
const FRAME_SEC = 0.01;

/** A deterministic stream of numbers in [0, 1) for one utterance: the punctuation model's FNV-1a hash of
 * the id and a salt seeds the tests' mulberry32 generator. */
export function idRandom(id: string, salt: string): () => number {
  return seededRandom(fnv1a(`${salt}/${id}`));
}

/**
 * With probability `share` (decided by `id`), the recording cut to its loud part plus a random margin
 * of 0–30 ms at each end; otherwise the recording itself. A recording with no quiet edge (noise as loud
 * as the speech within 30 dB) is left as it is.
 */
export function trimEdges(
  samples: Float32Array,
  sampleRate: number,
  id: string,
  share: number,
): Float32Array {
  const random = idRandom(id, 'trim-edges');
  if (share <= 0 || random() >= share) return samples;
  const frameSize = Math.round(sampleRate * FRAME_SEC);
  const levels = frameLevelsDb(samples, frameSize);
  let peak = -Infinity;
  for (const level of levels) peak = Math.max(peak, level);
  const threshold = peak - SPEECH_BELOW_PEAK_DB;
  const first = levels.findIndex((level) => level > threshold);
  if (first < 0) return samples;
  let last = levels.length - 1;
  while (levels[last] <= threshold) last--;
  const margin = () => Math.floor(random() * MAX_MARGIN_SEC * sampleRate);
  const start = Math.max(0, first * frameSize - margin());
  const end = Math.min(samples.length, (last + 1) * frameSize + margin());
  return samples.subarray(start, end);
}
