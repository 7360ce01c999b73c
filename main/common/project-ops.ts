/**
 * What the user does to the project, as small operations: the renderer sends them, the host (which owns
 * the project and its transcripts) applies them and saves (main/host/project-store.ts). Every operation
 * is an absolute "set" — this word reads so, this file's reference is that, this is the dictation
 * document — so sending one again (a replay after a lost answer or a killed server) changes nothing.
 *
 * A word is named by its index and its times in the transcript the user saw. If that transcript has been
 * replaced since (a re-run finished while the edit was on its way, or before the page heard of it), the
 * edit goes to the word of the new transcript that overlaps those times most: an edit is never applied to
 * whatever word now has the old index, and never dropped while a word is there. The same rule carries a
 * file's edits and cue times onto a new transcript when one lands (`carryOver`), in the
 * host and in the page alike. Pure, so the host, the renderer and the tests share it.
 */
import type { CueTime } from './ipc-contract';
import type { DictationDocument } from './spoken-commands';
import type { Transcript, Word } from './transcript';

/** A word as the user saw it: its index and its times in that transcript. */
export interface WordAt {
  index: number;
  start: number;
  end: number;
}

/** A file added to the project, with what a folder or manifest said about it (absent: left as it is). */
export interface AddedFile {
  fileId: string;
  reference?: string | null;
  set?: string | null;
  /** The path inside its set, `/`-separated. */
  path?: string | null;
}

export type ProjectOp =
  /** Adds opened files to the project (a file already in it keeps its place; given fields are set). */
  | { type: 'add-files'; files: AddedFile[] }
  /** Takes a file out of the project (a file not in it: nothing happens). */
  | { type: 'remove-file'; fileId: string }
  | { type: 'select'; fileId: string | null }
  /** A correction; the word's own text removes it. */
  | { type: 'edit-word'; fileId: string; word: WordAt; text: string }
  /** A subtitle cue's times, by the cue's first word (null: back to the rules' times). */
  | { type: 'cue-time'; fileId: string; word: WordAt; time: CueTime | null }
  /** The dictation view's document, whole (with what each utterance added, for "scratch that"). */
  | { type: 'dictation'; document: DictationDocument };

export type ProjectOpType = ProjectOp['type'];

/**
 * The longest dictation document the host takes, in characters: its text, and what its utterances added
 * and removed together (its "scratch that" history), each (about 60,000 words, some 7 hours of
 * dictation). One operation then stays under the bridge's 2 MB request limit even at two bytes a
 * character.
 */
export const MAX_DICTATION_DOCUMENT_CHARS = 400_000;

/** The characters of a dictation document's history (what its utterances added and removed). */
export function dictationHistoryChars(document: DictationDocument): number {
  return document.additions.reduce((n, a) => n + a.added.length + a.removed.length, 0);
}

/** Why the host would refuse to keep this dictation document, in one line; null when it fits. */
export function dictationTooLong(document: DictationDocument): string | null {
  if (Math.max(document.text.length, dictationHistoryChars(document)) <= MAX_DICTATION_DOCUMENT_CHARS)
    return null;
  const limit = MAX_DICTATION_DOCUMENT_CHARS.toLocaleString('en');
  return `The dictation document is too long to save (at most ${limit} characters): copy it out and clear it; it stays here until then.`;
}

/**
 * The index of the word `at` names in `words`: the same index when that word still has those times,
 * else the word overlapping them most (the first of equals), else -1.
 */
export function locateWord(words: readonly Word[], at: WordAt): number {
  const same = words[at.index];
  if (same && same.start === at.start && same.end === at.end) return at.index;
  let best = -1;
  let bestOverlap = 0;
  for (let i = 0; i < words.length; i++) {
    const overlap = Math.min(words[i].end, at.end) - Math.max(words[i].start, at.start);
    if (overlap > bestOverlap) {
      best = i;
      bestOverlap = overlap;
    }
  }
  return best;
}

/**
 * Where an edit made on `at` lands in `transcript`. Without a transcript (the file's first one is still
 * running) the index is kept as the page showed it: the words it gets are the first transcript's.
 */
function placeOf(transcript: Transcript | null, at: WordAt): number {
  return transcript ? locateWord(transcript.words, at) : at.index;
}

/** `edits` with the correction of the word `at` names; the word's own text takes the correction away. */
export function withWordEdit(
  transcript: Transcript | null,
  edits: Readonly<Record<string, string>>,
  at: WordAt,
  text: string,
): Record<string, string> {
  const index = placeOf(transcript, at);
  if (index < 0) return { ...edits };
  const next = { ...edits };
  if (transcript && text === transcript.words[index].word) delete next[String(index)];
  else next[String(index)] = text;
  return next;
}

/** `cueTimes` with the times of the cue starting at the word `at` names (null: the rules' times). */
export function withCueTime(
  transcript: Transcript | null,
  cueTimes: Readonly<Record<string, CueTime>>,
  at: WordAt,
  time: CueTime | null,
): Record<string, CueTime> {
  const index = placeOf(transcript, at);
  const next = { ...cueTimes };
  if (index < 0) return next;
  if (time) next[String(index)] = time;
  else delete next[String(index)];
  return next;
}

/** The word `index` of `transcript` as an edit names it. */
export function wordAt(transcript: Transcript, index: number): WordAt {
  const word = transcript.words[index];
  return { index, start: word?.start ?? 0, end: word?.end ?? 0 };
}

/** Each key of `byWord` (a word index of `from`) moved to the word of `to` at that time; -1 drops it. */
function carry<T>(
  from: Transcript,
  to: Transcript,
  byWord: Readonly<Record<string, T>>,
  set: (next: Record<string, T>, at: WordAt, value: T) => Record<string, T>,
): Record<string, T> {
  let next: Record<string, T> = {};
  for (const [key, value] of Object.entries(byWord)) {
    const index = Number(key);
    if (!from.words[index]) continue;
    next = set(next, wordAt(from, index), value);
  }
  return next;
}

/**
 * A file's corrections and cue times, made on `from`, as they apply to its new transcript `to`: each
 * moves to the word of `to` at its time (see the module doc).
 */
export function carryOver(
  from: Transcript,
  to: Transcript,
  kept: { edits: Readonly<Record<string, string>>; cueTimes: Readonly<Record<string, CueTime>> },
): { edits: Record<string, string>; cueTimes: Record<string, CueTime> } {
  return {
    edits: carry(from, to, kept.edits, (next, at, text) => withWordEdit(to, next, at, text)),
    cueTimes: carry(from, to, kept.cueTimes, (next, at, time) => withCueTime(to, next, at, time)),
  };
}

/** Which file an operation is about, if any. */
export function opFileIds(op: ProjectOp): string[] {
  switch (op.type) {
    case 'add-files':
      return op.files.map((f) => f.fileId);
    case 'dictation':
      return [];
    case 'select':
      return op.fileId === null ? [] : [op.fileId];
    default:
      return [op.fileId];
  }
}

/**
 * Whether `later` makes `earlier` pointless to send: both set the same thing (the same word's text, the
 * same cue, the selection, the dictation document). Only such pairs are merged, so the order of what is
 * sent never changes what it does.
 */
export function supersedes(later: ProjectOp, earlier: ProjectOp): boolean {
  if (later.type !== earlier.type) return false;
  switch (later.type) {
    case 'select':
    case 'dictation':
      return true;
    case 'edit-word':
    case 'cue-time': {
      const e = earlier as typeof later;
      return (
        e.fileId === later.fileId &&
        e.word.index === later.word.index &&
        e.word.start === later.word.start &&
        e.word.end === later.word.end
      );
    }
    default:
      return false;
  }
}
