/**
 * Subtitle cues by common broadcast guidelines: at most two lines of 42 characters, at most 17 characters
 * a second, 1–7 s on screen, a gap between cues, and cuts at sentence ends and pauses rather than in the
 * middle of a phrase. Every word is in exactly one cue, in order. The limits come before the preferences:
 * a sentence (or a stretch between pauses) too short to stay on screen for the minimum duration shares a
 * cue with its neighbour rather than flash by.
 *
 * The cuts are chosen for the whole transcript at once (dynamic programming over cut positions, as
 * Knuth–Plass does for line breaks): a limit that cannot be met by one cue on its own (a one-word sentence
 * too short to read, a fast stretch) can often be met by moving a cut, which a greedy filler cannot see.
 * Where the speech itself is faster than the reading speed allows, no cut helps: such cues keep every
 * word and `cueProblems` reports them.
 */
import { endsClause, endsSentence, gapBefore, PAUSE_SEC } from './segments';
import type { Word } from './transcript';

/** Limits that keep subtitle cues readable. */
export interface SubtitleOptions {
  /** Characters per line at most. */
  maxLineChars: number;
  /** Lines per cue at most. */
  maxLines: number;
  /** Reading speed: characters a second at most (spaces count, line breaks do not). */
  maxCharsPerSec: number;
  /** The shortest time a cue stays on screen, when the next one leaves room. */
  minDurationSec: number;
  /** The longest time a cue stays on screen; longer speech is cut into several cues. */
  maxDurationSec: number;
  /** The least time between one cue's end and the next one's start (2 frames at 25 fps). */
  minGapSec: number;
  /**
   * A silence at least this long between two words ends a cue. (Only a pause too short to give the cue
   * before it its minimum duration may stay inside a cue, where that cue would be too short otherwise.)
   */
  pauseSec: number;
}

export const DEFAULT_SUBTITLE_OPTIONS: SubtitleOptions = {
  maxLineChars: 42,
  maxLines: 2,
  maxCharsPerSec: 17,
  minDurationSec: 1,
  maxDurationSec: 7,
  minGapSec: 0.08,
  pauseSec: PAUSE_SEC,
};

export interface Cue {
  start: number;
  end: number;
  /** The cue's lines joined by `\n`. */
  text: string;
  /** Index of the cue's first word in the words it was made from. */
  firstWord: number;
  /** How many words (from `firstWord` on) the cue holds. */
  wordCount: number;
}

/** Words after which a cut reads badly ("the | cat"): a line or a cue should not end on one. */
const FUNCTION_WORDS = new Set(
  'a an the of to in on at by for from with into onto and or but nor so as than that if my your his her its our their this these those is are was were be i we you he she they'.split(
    ' ',
  ),
);

const endsOnFunctionWord = (word: string) => FUNCTION_WORDS.has(word.toLowerCase());

/** Cost of the parts of a cut, in arbitrary units: only their order of magnitude matters. */
const COST = {
  cue: 1,
  /** A cut inside a sentence, with no pause or punctuation to justify it. */
  midPhrase: 4,
  /** … and right after a function word. */
  afterFunctionWord: 4,
  /** A cut after a comma or semicolon. */
  clause: 1,
  /** A pause inside a cue (allowed only when shorter than the minimum duration and the gap). */
  pauseInside: 40,
  /** A sentence ends inside a cue that did not start with it (the next sentence's first word hangs on). */
  sentenceInside: 30,
  /** Two whole short sentences in one cue: acceptable ("Yes. I know."). */
  wholeSentences: 2,
  /**
   * A cue shorter than the minimum duration: a fixed part and a part per second short. The limits outweigh
   * every preference about where to cut (a pause and a sentence end inside one cue cost less).
   */
  tooShort: 100,
  tooShortPerSec: 100,
  /** A cue read faster than the reading speed: a fixed part and a part per character a second over. */
  tooFast: 200,
  tooFastPerCps: 50,
};

/** Greedy line filling: how many lines of at most `width` characters these words need. */
function linesNeeded(words: readonly string[], width: number): number {
  let lines = 1;
  let length = -1;
  for (const word of words) {
    if (length >= 0 && length + 1 + word.length > width) {
      lines++;
      length = word.length;
    } else length += 1 + word.length;
  }
  return lines;
}

/**
 * The cue's words in as few lines as possible, balanced, with no line ending on a function word where it
 * can be helped; a line may be longer than `width` only when a single word is.
 */
export function wrapLines(words: readonly string[], width: number): string[] {
  const count = linesNeeded(words, width);
  if (count <= 1) return [words.join(' ')];
  const n = words.length;
  // best[l][k]: the cheapest way to set words[0..k) in l lines; from[l][k]: where line l starts.
  const best = Array.from({ length: count + 1 }, () => new Array<number>(n + 1).fill(Infinity));
  const from = Array.from({ length: count + 1 }, () => new Array<number>(n + 1).fill(0));
  best[0][0] = 0;
  const target = words.join(' ').length / count;
  for (let l = 1; l <= count; l++) {
    for (let k = 1; k <= n; k++) {
      let length = -1;
      for (let s = k - 1; s >= 0; s--) {
        length += 1 + words[s].length;
        if (length > width && s < k - 1) break;
        if (best[l - 1][s] === Infinity) continue;
        const last = words[k - 1];
        const cost =
          (length - target) ** 2 +
          (k < n && endsOnFunctionWord(last) ? 100 : 0) -
          (k < n && (endsClause(last) || endsSentence(last)) ? 50 : 0);
        if (best[l - 1][s] + cost < best[l][k]) {
          best[l][k] = best[l - 1][s] + cost;
          from[l][k] = s;
        }
      }
    }
  }
  const lines: string[] = [];
  for (let l = count, k = n; l > 0; k = from[l][k], l--) lines.unshift(words.slice(from[l][k], k).join(' '));
  return lines;
}

/** Characters that count for the reading speed: the text without its line breaks. */
const readingLength = (text: string) => text.replace(/\n/g, ' ').length;

/** Times to the millisecond, as SRT and VTT write them, so that the limits hold in the written file too. */
const toMs = (t: number) => Math.round(t * 1000) / 1000;
const floorToMs = (t: number) => Math.floor(t * 1000 + 1e-6) / 1000;
const ceilToMs = (t: number) => Math.ceil(t * 1000 - 1e-6) / 1000;

/**
 * When the cue of words [first, end) is on screen: from its first word, long enough to be read (and at
 * least the minimum duration), but never past the maximum duration nor into the next cue's gap.
 */
function cueTiming(words: readonly Word[], first: number, end: number, chars: number, o: SubtitleOptions) {
  const start = toMs(words[first].start);
  const nextStart = end < words.length ? toMs(words[end].start) : Infinity;
  // Rounded up, so that the reading speed holds in milliseconds too; the limits are rounded down.
  const wanted = ceilToMs(
    Math.max(words[end - 1].end, start + o.minDurationSec, start + chars / o.maxCharsPerSec),
  );
  const stop = Math.min(wanted, floorToMs(Math.min(start + o.maxDurationSec, nextStart - o.minGapSec)));
  // (Words closer together than the gap: the cue keeps its word's own end, and `cueProblems` says so.)
  return { start, end: stop > start ? stop : toMs(words[end - 1].end) };
}

/** Groups words into cues that keep to the limits wherever the speech allows; see the module comment. */
export function wordsToCues(
  input: readonly Word[],
  options: SubtitleOptions = DEFAULT_SUBTITLE_OPTIONS,
): Cue[] {
  // Words the user emptied (deleted) take no place in a cue.
  const index: number[] = [];
  const words: Word[] = [];
  input.forEach((w, i) => {
    const text = w.word.trim();
    if (!text) return;
    index.push(i);
    words.push({ ...w, word: text });
  });
  const n = words.length;
  if (n === 0) return [];
  const texts = words.map((w) => w.word);
  const maxChars = options.maxLines * (options.maxLineChars + 1);
  // A pause this long leaves the cue before it its minimum duration: it always ends the cue.
  const hardPauseSec = Math.max(options.pauseSec, options.minDurationSec + options.minGapSec);
  // A cue starts a sentence when it is the first, follows a sentence end or follows a pause.
  const startsSentence = (i: number) =>
    i === 0 || endsSentence(texts[i - 1]) || gapBefore(words, i) >= options.pauseSec;

  /** The cost of a cut after word `k - 1` (k < n). */
  const cutCost = (k: number) => {
    if (endsSentence(texts[k - 1]) || gapBefore(words, k) >= options.pauseSec) return 0;
    if (endsClause(texts[k - 1])) return COST.clause;
    const gap = gapBefore(words, k);
    return (
      COST.midPhrase * (1 - Math.min(gap, 0.3) / 0.3 / 2) +
      (endsOnFunctionWord(texts[k - 1]) ? COST.afterFunctionWord : 0)
    );
  };

  /** The cost of one cue of words [i, j), or Infinity when it breaks a hard rule. */
  const cueCost = (i: number, j: number, chars: number) => {
    const single = j === i + 1;
    if (!single) {
      if (gapBefore(words, j - 1) >= hardPauseSec) return Infinity;
      if (words[j - 1].end - words[i].start > options.maxDurationSec) return Infinity;
      if (linesNeeded(texts.slice(i, j), options.maxLineChars) > options.maxLines) return Infinity;
    }
    let cost = COST.cue + (j < n ? cutCost(j) : 0);
    const { start, end } = cueTiming(words, i, j, chars, options);
    const duration = end - start;
    if (duration < options.minDurationSec - 1e-9)
      cost += COST.tooShort + COST.tooShortPerSec * (options.minDurationSec - duration);
    const cps = chars / Math.max(duration, 1e-3);
    if (cps > options.maxCharsPerSec + 1e-9)
      cost += COST.tooFast + COST.tooFastPerCps * (cps - options.maxCharsPerSec);
    let inside = 0;
    for (let k = i; k < j - 1; k++) {
      if (endsSentence(texts[k])) inside++;
      if (gapBefore(words, k + 1) >= options.pauseSec) cost += COST.pauseInside;
    }
    if (inside > 0) {
      const whole = startsSentence(i) && (j === n || startsSentence(j));
      cost += inside * (whole ? COST.wholeSentences : COST.sentenceInside);
    }
    return cost;
  };

  // best[j]: the cheapest cues for words [0, j); from[j]: where the last of them starts.
  const best = new Array<number>(n + 1).fill(Infinity);
  const from = new Array<number>(n + 1).fill(0);
  best[0] = 0;
  for (let i = 0; i < n; i++) {
    if (best[i] === Infinity) continue;
    let chars = -1;
    for (let j = i + 1; j <= n; j++) {
      chars += 1 + texts[j - 1].length;
      if (j > i + 1 && chars > maxChars) break;
      const cost = cueCost(i, j, chars);
      // Longer cues from i break the same hard rule (a pause, the duration, the lines): stop there.
      if (cost === Infinity) break;
      if (best[i] + cost < best[j]) {
        best[j] = best[i] + cost;
        from[j] = i;
      }
    }
  }

  const cues: Cue[] = [];
  for (let j = n; j > 0; j = from[j]) {
    const i = from[j];
    const text = wrapLines(texts.slice(i, j), options.maxLineChars).join('\n');
    const { start, end } = cueTiming(words, i, j, readingLength(text), options);
    cues.unshift({ start, end, text, firstWord: index[i], wordCount: index[j - 1] - index[i] + 1 });
  }
  return cues;
}

/** One way a cue breaks the limits: the cue's index and what is wrong ("19.2 characters a second …"). */
export interface CueProblem {
  cue: number;
  what: string;
}

/** Every way each cue breaks the limits, in cue order (the cue view shows them beside their cue). */
export function cueProblemList(
  cues: readonly Pick<Cue, 'start' | 'end' | 'text'>[],
  options: SubtitleOptions = DEFAULT_SUBTITLE_OPTIONS,
): CueProblem[] {
  const problems: CueProblem[] = [];
  const eps = 1e-6;
  cues.forEach((cue, i) => {
    const say = (what: string) => problems.push({ cue: i, what });
    const lines = cue.text.split('\n');
    if (lines.length > options.maxLines) say(`${lines.length} lines (at most ${options.maxLines})`);
    for (const line of lines)
      if (line.length > options.maxLineChars)
        say(`a line of ${line.length} characters (at most ${options.maxLineChars})`);
    const duration = cue.end - cue.start;
    if (duration < options.minDurationSec - eps)
      say(`${duration.toFixed(3)} s on screen (at least ${options.minDurationSec})`);
    if (duration > options.maxDurationSec + eps)
      say(`${duration.toFixed(3)} s on screen (at most ${options.maxDurationSec})`);
    const cps = readingLength(cue.text) / Math.max(duration, eps);
    if (cps > options.maxCharsPerSec + eps)
      say(`${cps.toFixed(1)} characters a second (at most ${options.maxCharsPerSec})`);
    const next = cues[i + 1];
    if (next && next.start - cue.end < options.minGapSec - eps)
      say(
        `${((next.start - cue.end) * 1000).toFixed(0)} ms before the next cue (at least ${options.minGapSec * 1000} ms)`,
      );
  });
  return problems;
}

/**
 * Every way the cues break the limits, one line each ("cue 3 (12.400 s): 19.2 characters a second (at
 * most 17)"); empty when they keep to them all.
 */
export function cueProblems(
  cues: readonly Pick<Cue, 'start' | 'end' | 'text'>[],
  options: SubtitleOptions = DEFAULT_SUBTITLE_OPTIONS,
): string[] {
  return cueProblemList(cues, options).map(
    ({ cue, what }) => `cue ${cue + 1} (${cues[cue].start.toFixed(3)} s): ${what}`,
  );
}
