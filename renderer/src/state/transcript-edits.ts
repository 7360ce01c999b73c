/**
 * Applying the user's corrections to an engine transcript. Edits are kept apart from the transcript
 * (word index → text) so the original stays available and the edit survives any re-render; exports
 * always go through `editedTranscript`.
 */
import { shownWord, withoutDisplay } from '../../../main/common/display-text';
import type { Transcript, Word } from '../../../main/common/transcript';

export type Edits = Readonly<Record<string, string>>;

/** Words below this confidence are marked for review. */
export const LOW_CONFIDENCE = 0.5;

/**
 * The word as the user sees it: edited text when there is an edit, else the word as written by the
 * punctuation model (when the transcript has display text: see `withoutDisplayText` to switch it off).
 */
export function displayWord(words: readonly Word[], edits: Edits, index: number): string {
  return Object.hasOwn(edits, String(index)) ? edits[String(index)] : shownWord(words[index]);
}

/**
 * The transcript with edits applied; an edit to empty text removes the word. A corrected word loses the
 * model's display text (the correction is what is shown); `word` and `text` stay the recogniser's
 * spelling for the others (scoring and voice adaptation read them).
 */
export function editedTranscript(transcript: Transcript, edits: Edits): Transcript {
  const words: Word[] = [];
  transcript.words.forEach((word, i) => {
    if (!Object.hasOwn(edits, String(i))) return void words.push(word);
    const text = edits[String(i)].trim();
    if (!text) return;
    words.push({ ...withoutDisplay(word), word: text });
  });
  return { ...transcript, words, text: words.map((w) => w.word).join(' ') };
}

/**
 * The media clock keeps whole microseconds, rounded down: seeking to a word's start (4.44 s) reads back
 * just before it (4.439999 s in Chromium), which would highlight the previous word. Times this close to a
 * start count as at it.
 */
const CLOCK_TOLERANCE_SEC = 1e-5;

/** Index of the word playing at `time`, or of the last word before it; -1 before the first word. */
export function wordIndexAt(words: readonly Word[], time: number): number {
  let lo = 0;
  let hi = words.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (words[mid].start <= time + CLOCK_TOLERANCE_SEC) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

export function formatClock(seconds: number): string {
  const s = Math.max(0, seconds);
  const m = Math.floor(s / 60);
  const rest = s - m * 60;
  return `${m}:${rest.toFixed(1).padStart(4, '0')}`;
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${String(s % 60).padStart(2, '0')} s`;
}
