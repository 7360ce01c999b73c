/**
 * Transcript types and exporters. Pure TypeScript with no Node or DOM dependency, so the engine, the CLI
 * and the renderer produce byte-identical TXT/SRT/VTT/JSON.
 */
import { withDisplayText } from './display-text';
import { paragraphsOf, paragraphText } from './segments';
import { wordsToCues, type Cue, type SubtitleOptions } from './subtitles';

/** Another reading of a word's time span (what a competing hypothesis of the beam decoder has there). */
export interface WordAlternative {
  /** One word, or several when the competing hypothesis splits the span ("per formance"). */
  word: string;
  /** 0..1, on the same scale as `Word.confidence`. */
  confidence: number;
}

/** One recognised word with absolute times in seconds from the start of the file. */
export interface Word {
  word: string;
  start: number;
  end: number;
  /**
   * 0..1; for the greedy decoder, the mean max-posterior of the word's frames; for the beam decoder, the
   * calibrated word posterior of its final beam.
   */
  confidence: number;
  /** Beam decoder only: other candidates for this span, most likely first (at most a few). */
  alternatives?: WordAlternative[];
  /**
   * The word as written, from the punctuation model (main/engine/punctuation.ts): capitals and the mark
   * after it ("Paris,"). Only shown and exported (main/common/display-text.ts); absent when switched off.
   */
  display?: string;
}

export interface Transcript {
  text: string;
  words: Word[];
  durationSec: number;
  /** The tfjs backend that ran the model ("tensorflow", "wasm", "cpu", …). */
  backend: string;
  model: string;
  /** Wall-clock processing time divided by audio duration. */
  rtf: number;
  /** What the user should know about the input (truncated file, damaged parts skipped, too short). */
  warnings?: string[];
}

export type ExportFormat = 'txt' | 'json' | 'srt' | 'vtt';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['txt', 'json', 'srt', 'vtt'];

function timestamp(seconds: number, decimalSeparator: ',' | '.'): string {
  const totalMs = Math.max(0, Math.round(seconds * 1000));
  const ms = totalMs % 1000;
  const totalSec = Math.floor(totalMs / 1000);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(Math.floor(totalSec / 3600))}:${pad(Math.floor(totalSec / 60) % 60)}:${pad(totalSec % 60)}${decimalSeparator}${pad(ms, 3)}`;
}

/** SRT of these cues (as made by `wordsToCues`, or with times the user set in the cue view). */
export function cuesToSrt(cues: readonly Pick<Cue, 'start' | 'end' | 'text'>[]): string {
  return cues
    .map((cue, i) => `${i + 1}\n${timestamp(cue.start, ',')} --> ${timestamp(cue.end, ',')}\n${cue.text}\n`)
    .join('\n');
}

/** WebVTT of these cues. */
export function cuesToVtt(cues: readonly Pick<Cue, 'start' | 'end' | 'text'>[]): string {
  const body = cues
    .map((cue) => `${timestamp(cue.start, '.')} --> ${timestamp(cue.end, '.')}\n${cue.text}\n`)
    .join('\n');
  return body ? `WEBVTT\n\n${body}` : 'WEBVTT\n';
}

export function toSrt(words: readonly Word[], options?: SubtitleOptions): string {
  return cuesToSrt(wordsToCues(words, options));
}

export function toVtt(words: readonly Word[], options?: SubtitleOptions): string {
  return cuesToVtt(wordsToCues(words, options));
}

/** TXT export: the words in paragraphs (a blank line between them), or the text when there are no words. */
export function toTxt(transcript: Pick<Transcript, 'text' | 'words'>): string {
  if (transcript.words.length === 0) return transcript.text + '\n';
  return paragraphText(transcript.words, paragraphsOf(transcript.words)) + '\n';
}

/** Rounds for machine-readable output (JSON, JSONL, evaluation records). */
export const roundTo = (x: number, digits: number) => Number(x.toFixed(digits));

/** A word as the machine-readable outputs write it: times to the millisecond, confidence to 4 places. */
export function roundedWord(w: Word): { word: string; start: number; end: number; confidence: number } {
  return {
    word: w.word,
    start: roundTo(w.start, 3),
    end: roundTo(w.end, 3),
    confidence: roundTo(w.confidence, 4),
  };
}

/** JSON export: words with times (seconds, millisecond precision), confidence and any alternatives. */
export function toJson(transcript: Transcript, file?: string): string {
  return (
    JSON.stringify(
      {
        ...(file === undefined ? {} : { file }),
        text: transcript.text,
        words: transcript.words.map((w) => ({
          ...roundedWord(w),
          ...(w.display === undefined ? {} : { display: w.display }),
          ...(w.alternatives?.length
            ? {
                alternatives: w.alternatives.map((a) => ({
                  word: a.word,
                  confidence: roundTo(a.confidence, 4),
                })),
              }
            : {}),
        })),
        durationSec: roundTo(transcript.durationSec, 3),
        backend: transcript.backend,
        model: transcript.model,
        rtf: roundTo(transcript.rtf, 4),
      },
      null,
      2,
    ) + '\n'
  );
}

/** One export; `subtitles` sets the SRT/VTT cue limits (default: `DEFAULT_SUBTITLE_OPTIONS`). */
export function formatTranscript(
  transcript: Transcript,
  format: ExportFormat,
  file?: string,
  subtitles?: SubtitleOptions,
): string {
  // Punctuation hook: text formats show the words as written (subtitles then break at the sentence ends
  // found); JSON keeps each word as recognised, with its display text beside it.
  const shown = withDisplayText(transcript.words);
  switch (format) {
    case 'txt':
      return toTxt({ text: transcript.text, words: shown });
    case 'json':
      return toJson(transcript, file);
    case 'srt':
      return toSrt(shown, subtitles);
    case 'vtt':
      return toVtt(shown, subtitles);
  }
}
