/**
 * Display text: the words as written (capitals, and the punctuation mark after a word) that the
 * punctuation model adds beside the recogniser's spelling. Pure TypeScript, shared by the exporters and
 * the renderer. `Word.word` stays what the recogniser said (scoring, corrections, adaptation use it);
 * `Word.display` is only ever shown or exported.
 */
import type { Transcript, Word } from './transcript';

/** The marks the punctuation model writes after a word. */
const TRAILING_MARKS = /[.,?!;:…]+$/;

const letters = (text: string) => text.replace(TRAILING_MARKS, '').toLowerCase();

/**
 * True when `display` is a way of writing `word` (same letters, maybe a capital and a mark after it). A
 * word corrected since it was punctuated no longer fits, and its correction is shown instead.
 */
export function displayFits(word: string, display: string): boolean {
  return letters(display) === letters(word) && display.trim() === display && display !== '';
}

/** The word as it is shown and exported: its display text when it has one that fits, else the word. */
export function shownWord(word: Pick<Word, 'word' | 'display'>): string {
  return word.display !== undefined && displayFits(word.word, word.display) ? word.display : word.word;
}

/** The words with their display text as their text (for TXT, SRT and VTT, and the segments). */
export function withDisplayText(words: readonly Word[]): Word[] {
  return words.map(({ display, ...w }) =>
    display === undefined ? w : { ...w, word: shownWord({ ...w, display }) },
  );
}

/** The word without its display text (a correction replaces what the model wrote). */
export function withoutDisplay(word: Word): Word {
  const copy = { ...word };
  delete copy.display;
  return copy;
}

/** The transcript without display text: what is shown and exported with punctuation switched off. */
export function withoutDisplayText(transcript: Transcript): Transcript {
  if (!transcript.words.some((w) => w.display !== undefined)) return transcript;
  return { ...transcript, words: transcript.words.map(withoutDisplay) };
}

/**
 * The text a dictated utterance adds to the document: its display text (punctuation switched on, when the
 * engine sent one), with a capital when it starts the document.
 */
export function utteranceText(
  documentText: string,
  final: { text: string; displayText?: string },
  punctuation: boolean,
): string {
  const text = punctuation && final.displayText ? final.displayText : final.text;
  return punctuation && documentText.trim() === '' ? text.charAt(0).toUpperCase() + text.slice(1) : text;
}
