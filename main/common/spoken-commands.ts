/**
 * Spoken commands in dictation: "full stop", "comma", "new paragraph", "scratch that"… said as words
 * and applied to the document when an utterance is final. Pure TypeScript (the renderer applies it; the
 * table is also what the dictation view lists).
 */

type Action = { kind: 'mark'; mark: string } | { kind: 'break'; text: '\n' | '\n\n' } | { kind: 'scratch' };

export interface SpokenCommand {
  /** What to say; each phrase is matched as whole words, in any case. */
  phrases: readonly string[];
  /** What it does, for the list in the UI. */
  does: string;
  action: Action;
}

export const SPOKEN_COMMANDS: readonly SpokenCommand[] = [
  { phrases: ['full stop', 'period'], does: 'writes .', action: { kind: 'mark', mark: '.' } },
  { phrases: ['comma'], does: 'writes ,', action: { kind: 'mark', mark: ',' } },
  { phrases: ['question mark'], does: 'writes ?', action: { kind: 'mark', mark: '?' } },
  { phrases: ['new line'], does: 'starts a new line', action: { kind: 'break', text: '\n' } },
  { phrases: ['new paragraph'], does: 'starts a new paragraph', action: { kind: 'break', text: '\n\n' } },
  {
    phrases: ['scratch that'],
    does: 'removes what you said last (the words before it, or else the previous utterance)',
    action: { kind: 'scratch' },
  },
];

/** What one utterance did to the document, so that "scratch that" can take it back. */
export interface Addition {
  /** The text it appended. */
  added: string;
  /** What it removed from the end first (the spaces before a full stop). */
  removed: string;
}

/** The dictation document and its utterances' additions, most recent last. */
export interface DictationDocument {
  text: string;
  additions: readonly Addition[];
}

export const EMPTY_DICTATION: DictationDocument = { text: '', additions: [] };

/** The document with the user's own edit: what the utterances added is kept only where it still is. */
export function editDictation(document: DictationDocument, text: string): DictationDocument {
  return { text, additions: document.additions };
}

const SENTENCE_END = /[.?!]["'”’)\]]*\s*$/;

/** Appends one dictated word: one space before it (none at the start or after a break), and a capital
 * after a sentence end. */
function appendWord(text: string, word: string): string {
  const capital = SENTENCE_END.test(text) ? word.charAt(0).toUpperCase() + word.slice(1) : word;
  return text === '' || /\s$/.test(text) ? text + capital : `${text} ${capital}`;
}

/** The utterance's words, with each command phrase found (longest first) or null for a plain word. */
export function parseUtterance(utterance: string): { word: string; command: SpokenCommand | null }[] {
  const words = utterance.split(/\s+/).filter(Boolean);
  const key = (w: string) => w.toLowerCase().replace(/[^\p{L}\p{N}']/gu, '');
  const phrases = SPOKEN_COMMANDS.flatMap((command) =>
    command.phrases.map((phrase) => ({ parts: phrase.split(' '), command })),
  ).sort((a, b) => b.parts.length - a.parts.length);
  const out: { word: string; command: SpokenCommand | null }[] = [];
  for (let i = 0; i < words.length;) {
    const match = phrases.find(({ parts }) => parts.every((p, k) => key(words[i + k] ?? '') === p));
    if (match) {
      out.push({ word: words.slice(i, i + match.parts.length).join(' '), command: match.command });
      i += match.parts.length;
    } else out.push({ word: words[i++], command: null });
  }
  return out;
}

/** Removes an addition from the end of `text`, if it is still there (the user may have edited it). */
function takeBack(text: string, addition: Addition): string | null {
  return text.endsWith(addition.added)
    ? text.slice(0, text.length - addition.added.length) + addition.removed
    : null;
}

/** How `before` became `after`: what was removed from its end and what was appended. */
export function additionOf(before: string, after: string): Addition {
  let common = 0;
  while (common < before.length && common < after.length && before[common] === after[common]) common++;
  return { removed: before.slice(common), added: after.slice(common) };
}

/**
 * Applies a final utterance to the document: its words are appended (one space between, a capital after
 * a sentence end) and its spoken commands carried out. "scratch that" removes the words said before it in
 * the same utterance, or, when it starts the utterance, what the previous utterance added (again and
 * again, one utterance each time), unless the user has since edited that text.
 */
export function applyUtterance(document: DictationDocument, utterance: string): DictationDocument {
  let text = document.text;
  const additions = [...document.additions];
  let start = text; // the document before the words of this utterance not yet scratched
  for (const { word, command } of parseUtterance(utterance)) {
    const action = command?.action;
    if (!action) text = appendWord(text, word);
    else if (action.kind === 'mark') text = text.replace(/[ \t]+$/, '') + action.mark;
    else if (action.kind === 'break') {
      if (text.trim() !== '')
        text = text.replace(action.text === '\n' ? /[ \t]+$/ : /\s+$/, '') + action.text;
    } else if (text !== start) {
      text = start;
    } else {
      const last = additions.pop();
      const restored = last ? takeBack(text, last) : null;
      if (restored !== null) text = restored;
      start = text;
    }
  }
  if (text !== start) additions.push(additionOf(start, text));
  return { text, additions };
}
