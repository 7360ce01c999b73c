/**
 * Learning from corrections, the editor's side: a corrected word teaches the recogniser through the
 * segment around it (the sentence, or the words between two pauses), whose audio span and corrected text
 * go to the host's voice profile. A change of capitals or punctuation only is not an acoustic mistake and
 * is not sent.
 */
import { segmentWords } from '../../../main/common/segments';
import type { LearningCorrection, StudioApi } from '../../../main/common/ipc-contract';
import type { Transcript } from '../../../main/common/transcript';
import { displayWord, type Edits } from './transcript-edits';

/** Audio kept either side of the segment's words: word times are the model's, a little tight. */
export const SPAN_PADDING_SEC = 0.15;

/** The word's letters and digits, lower-cased: what the recogniser is asked to get right. */
const spoken = (word: string) =>
  word
    .toLowerCase()
    .replace(/[^\p{L}\p{N}']+/gu, ' ')
    .trim();

/**
 * The segment around word `index` once it reads `text`: its span (padded, within the file) and text.
 * null when the edit changes no spoken word or leaves the segment empty.
 */
export function correctionOfEdit(
  transcript: Transcript,
  edits: Edits,
  index: number,
  text: string,
): Omit<LearningCorrection, 'fileId'> | null {
  const words = transcript.words;
  if (index < 0 || index >= words.length || spoken(text) === spoken(displayWord(words, edits, index)))
    return null;
  const edited = { ...edits, [String(index)]: text };
  const shown = words.map((w, i) => ({ ...w, word: displayWord(words, edited, i).trim() }));
  const segment = segmentWords(shown).find((s) => index >= s.firstWord && index < s.firstWord + s.wordCount);
  if (!segment) return null;
  const corrected = shown
    .slice(segment.firstWord, segment.firstWord + segment.wordCount)
    .map((w) => w.word)
    .filter((w) => w !== '')
    .join(' ');
  if (spoken(corrected) === '') return null;
  return {
    startSec: Math.max(0, segment.start - SPAN_PADDING_SEC),
    endSec: Math.min(transcript.durationSec, segment.end + SPAN_PADDING_SEC),
    text: corrected,
  };
}

/**
 * Sends the correction to the host, which keeps it when "Learn from my corrections" is on. Fire and
 * forget: the edit itself never waits for or fails with this; a span the host refuses (too short, too
 * long) is left out, and the voice profile shows what was kept.
 */
export function learnFromEdit(
  client: StudioApi,
  fileId: string,
  transcript: Transcript,
  edits: Edits,
  index: number,
  text: string,
): void {
  const correction = correctionOfEdit(transcript, edits, index, text);
  if (!correction) return;
  client.learnFromCorrection({ fileId, ...correction }).catch((error: unknown) => {
    console.warn(`not kept for learning: ${(error as Error).message}`);
  });
}
