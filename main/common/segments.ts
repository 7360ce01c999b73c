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

/** How a transcript is cut into segments and grouped into paragraphs. */
export interface SegmentOptions {
  /** A silence at least this long ends a segment. */
  pauseSec: number;
  /** A segment longer than this (no punctuation, no pause) is cut at its longest silence. */
  maxSegmentSec: number;
  /** A silence at least this long starts a new paragraph. */
  paragraphPauseSec: number;
  /** A paragraph holds at most this many segments. */
  maxSegmentsPerParagraph: number;
}

export const DEFAULT_SEGMENT_OPTIONS: SegmentOptions = {
  pauseSec: PAUSE_SEC,
  maxSegmentSec: 15,
  paragraphPauseSec: 2,
  maxSegmentsPerParagraph: 5,
};

/** A run of words read together (a sentence, or the words between two pauses), with its start time. */
export interface Segment {
  /** Index of the segment's first word in the words it was made from. */
  firstWord: number;
  wordCount: number;
  /** Seconds: the first word's start and the last word's end. */
  start: number;
  end: number;
}

export interface Paragraph {
  segments: Segment[];
}

/**
 * Cuts the words into segments: after each sentence end (when the words have punctuation) and at each
 * pause; a segment still longer than `maxSegmentSec` is cut at its longest silence, again and again.
 */
export function segmentWords(
  words: readonly Word[],
  options: SegmentOptions = DEFAULT_SEGMENT_OPTIONS,
): Segment[] {
  const segments: Segment[] = [];
  const add = (first: number, end: number) => {
    if (end - first > 1 && words[end - 1].end - words[first].start > options.maxSegmentSec) {
      let cut = first + 1;
      for (let k = first + 2; k < end; k++) if (gapBefore(words, k) > gapBefore(words, cut)) cut = k;
      add(first, cut);
      add(cut, end);
      return;
    }
    segments.push({
      firstWord: first,
      wordCount: end - first,
      start: words[first].start,
      end: words[end - 1].end,
    });
  };
  let first = 0;
  for (let k = 1; k <= words.length; k++) {
    if (k === words.length || endsSentence(words[k - 1].word) || gapBefore(words, k) >= options.pauseSec) {
      add(first, k);
      first = k;
    }
  }
  return segments;
}

/** Groups segments into paragraphs: a new one after a long silence, or when one has enough segments. */
export function paragraphsOf(
  words: readonly Word[],
  options: SegmentOptions = DEFAULT_SEGMENT_OPTIONS,
): Paragraph[] {
  const paragraphs: Paragraph[] = [];
  for (const segment of segmentWords(words, options)) {
    const current = paragraphs.at(-1);
    if (
      !current ||
      current.segments.length >= options.maxSegmentsPerParagraph ||
      gapBefore(words, segment.firstWord) >= options.paragraphPauseSec
    )
      paragraphs.push({ segments: [segment] });
    else current.segments.push(segment);
  }
  return paragraphs;
}

/** The words as text: words separated by spaces, paragraphs by a blank line; emptied words left out. */
export function paragraphText(words: readonly Word[], paragraphs: readonly Paragraph[]): string {
  return paragraphs
    .map((p) =>
      p.segments
        .flatMap((s) => words.slice(s.firstWord, s.firstWord + s.wordCount).map((w) => w.word.trim()))
        .filter(Boolean)
        .join(' '),
    )
    .filter(Boolean)
    .join('\n\n');
}
