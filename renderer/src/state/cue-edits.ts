/**
 * The cue view's edits: subtitle cues as the broadcast rules make them (main/common/subtitles.ts), with
 * the start and end times the user set laid over them, checked before they are taken, and exported as
 * SRT/VTT. Cue times are kept by the index of the cue's first word, so that a word correction elsewhere
 * keeps them; a cue that a correction re-cut (it no longer starts at that word) goes back to the rules.
 */
import { withoutDisplay } from '../../../main/common/display-text';
import type { CueTime } from '../../../main/common/ipc-contract';
import {
  cueProblemList,
  DEFAULT_SUBTITLE_OPTIONS,
  wordsToCues,
  type Cue,
  type SubtitleOptions,
} from '../../../main/common/subtitles';
import {
  cuesToSrt,
  cuesToVtt,
  formatTranscript,
  type ExportFormat,
  type Transcript,
  type Word,
} from '../../../main/common/transcript';
import { displayWord, editedTranscript, type Edits } from './transcript-edits';

export type CueTimes = Record<string, CueTime>;

export interface EditedCue extends Cue {
  /** The user set this cue's times. */
  edited: boolean;
  /** How it breaks the subtitle limits (empty when it keeps to them). */
  problems: string[];
}

/** The words as shown (corrections applied; an emptied word is ''), at their original indices. */
export function shownWords(transcript: Transcript, edits: Edits): Word[] {
  // The word as shown (the correction, else the punctuated form) becomes the cue's text; the model's
  // display text would otherwise win over a correction.
  return transcript.words.map((w, i) => ({
    ...withoutDisplay(w),
    word: displayWord(transcript.words, edits, i),
  }));
}

/** The cues of these words with the user's times over them, each with its problems against the limits. */
export function editedCues(
  words: readonly Word[],
  cueTimes: CueTimes,
  options: SubtitleOptions = DEFAULT_SUBTITLE_OPTIONS,
): EditedCue[] {
  const cues = wordsToCues(words, options).map((cue) => {
    const time = Object.hasOwn(cueTimes, String(cue.firstWord)) ? cueTimes[String(cue.firstWord)] : null;
    return time ? { ...cue, ...time, edited: true } : { ...cue, edited: false };
  });
  const problems = cueProblemList(cues, options);
  return cues.map((cue, i) => ({
    ...cue,
    problems: problems.filter((p) => p.cue === i).map((p) => p.what),
  }));
}

/** A time as the cue view writes it: m:ss.mmm. */
export function formatCueTime(seconds: number): string {
  const ms = Math.round(Math.max(0, seconds) * 1000);
  const m = Math.floor(ms / 60_000);
  return `${m}:${((ms % 60_000) / 1000).toFixed(3).padStart(6, '0')}`;
}

/**
 * A time typed in the cue view: seconds ("75.5"), m:ss.mmm ("1:15.500") or h:mm:ss.mmm, with a comma
 * as the decimal mark too (as SRT writes it); null when it is none of these.
 */
export function parseCueTime(text: string): number | null {
  const match = /^\s*(?:(?:(\d+):)?(\d+):)?(\d+(?:[.,]\d+)?)\s*$/.exec(text);
  if (!match) return null;
  const [, h, m, s] = match;
  const seconds = Number(s.replace(',', '.'));
  if ((m !== undefined || h !== undefined) && seconds >= 60) return null;
  if (h !== undefined && Number(m) >= 60) return null;
  return Number(h ?? 0) * 3600 + Number(m ?? 0) * 60 + seconds;
}

/**
 * Why cue `index` cannot take these times (one line), or null when it can: the start before the end,
 * inside the audio, and no overlap with the cues before and after it.
 */
export function cueTimeProblem(
  cues: readonly Pick<Cue, 'start' | 'end'>[],
  index: number,
  time: CueTime,
  durationSec: number,
): string | null {
  const { start, end } = time;
  if (!(start < end))
    return `The start (${formatCueTime(start)}) must come before the end (${formatCueTime(end)}).`;
  if (durationSec > 0 && end > durationSec + 1e-3)
    return `The end (${formatCueTime(end)}) is after the end of the audio (${formatCueTime(durationSec)}).`;
  const before = cues[index - 1];
  if (before && start < before.end - 1e-9)
    return `The start overlaps cue ${index} (it ends at ${formatCueTime(before.end)}).`;
  const after = cues[index + 1];
  if (after && end > after.start + 1e-9)
    return `The end overlaps cue ${index + 2} (it starts at ${formatCueTime(after.start)}).`;
  return null;
}

/** A file's export: SRT and VTT with the cue view's times, the other formats as the words give them. */
export function exportContent(
  transcript: Transcript,
  edits: Edits,
  cueTimes: CueTimes,
  format: ExportFormat,
  fileName: string,
): string {
  if (format === 'srt' || format === 'vtt') {
    const cues = editedCues(shownWords(transcript, edits), cueTimes);
    return format === 'srt' ? cuesToSrt(cues) : cuesToVtt(cues);
  }
  return formatTranscript(editedTranscript(transcript, edits), format, fileName);
}
