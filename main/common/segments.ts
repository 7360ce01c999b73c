/**
 * Where a transcript may be cut for reading: sentence ends (from punctuation, when the words have it:
 * typed corrections, spoken commands) and pauses. Pure TypeScript, shared by the exporters and the
 * renderer's editor.
 */
import type { Word } from './transcript';

/** A silence at least this long between two words ends a segment (and always ends a subtitle cue). */
export const PAUSE_SEC = 0.7;

/** Abbreviations whose full stop does not end a sentence. */
const ABBREVIATIONS = new Set(['mr.', 'mrs.', 'ms.', 'dr.', 'st.', 'vs.', 'e.g.', 'i.e.', 'etc.', 'no.']);

/** True when the word ends a sentence: `.`, `?`, `!` or `…`, maybe followed by closing quotes or brackets. */
export function endsSentence(word: string): boolean {
  const text = word.trim();
  if (!/[.?!…]["'”’)\]]*$/.test(text)) return false;
  return !ABBREVIATIONS.has(text.toLowerCase());
}

/** True when the word ends a clause: a comma, semicolon, colon or dash at its end. */
export function endsClause(word: string): boolean {
  return /[,;:–—]["'”’)\]]*$/.test(word.trim());
}

/** The silence between word `index - 1` and word `index` (0 for the first word). */
export function gapBefore(words: readonly Word[], index: number): number {
  return index > 0 ? Math.max(0, words[index].start - words[index - 1].end) : 0;
}
