import { describe, expect, it } from 'vitest';
import {
  carryOver,
  dictationTooLong,
  locateWord,
  MAX_DICTATION_DOCUMENT_CHARS,
  supersedes,
  withWordEdit,
  wordAt,
  type ProjectOp,
} from './project-ops';
import type { Transcript } from './transcript';

const word = (text: string, start: number, end: number) => ({ word: text, start, end, confidence: 0.9 });
const transcript = (...words: ReturnType<typeof word>[]): Transcript => ({
  text: words.map((w) => w.word).join(' '),
  words,
  durationSec: 3,
  backend: 'wasm',
  model: 'm',
  rtf: 0.1,
});

describe('locateWord', () => {
  const words = [word('a', 0, 0.5), word('b', 0.6, 1), word('c', 1.1, 1.5)];
  it('keeps the index of a word that still has its times', () => {
    expect(locateWord(words, { index: 1, start: 0.6, end: 1 })).toBe(1);
  });
  it('finds the word overlapping the old times most when the words changed, and -1 where none does', () => {
    expect(locateWord(words, { index: 0, start: 0.9, end: 1.3 })).toBe(2);
    expect(locateWord(words, { index: 7, start: 0.4, end: 0.7 })).toBe(0); // equal overlaps: the first
    expect(locateWord(words, { index: 0, start: 2, end: 2.5 })).toBe(-1);
  });
});

describe('word edits', () => {
  const old = transcript(word('a', 0, 0.5), word('b', 0.6, 1));
  it('sets a correction, and the word’s own text takes it away', () => {
    const edits = withWordEdit(old, {}, wordAt(old, 1), 'bee');
    expect(edits).toEqual({ '1': 'bee' });
    expect(withWordEdit(old, edits, wordAt(old, 1), 'b')).toEqual({});
  });
  it('moves corrections to a new transcript by time, dropping one no new word overlaps', () => {
    const rerun = transcript(word('uh', 0, 0.1), word('ay', 0.1, 0.5), word('be', 0.6, 1));
    const cueTimes = { '1': { start: 0.5, end: 2 } };
    expect(carryOver(old, rerun, { edits: { '0': 'A', '1': 'B' }, cueTimes })).toEqual({
      edits: { '1': 'A', '2': 'B' },
      cueTimes: { '2': { start: 0.5, end: 2 } },
    });
    const elsewhere = transcript(word('z', 2, 3));
    expect(carryOver(old, elsewhere, { edits: { '0': 'A' }, cueTimes })).toEqual({ edits: {}, cueTimes: {} });
  });
});

describe('supersedes', () => {
  const edit = (index: number, text: string): ProjectOp => ({
    type: 'edit-word',
    fileId: 'f',
    word: { index, start: index, end: index + 1 },
    text,
  });
  it('merges only two sets of the same thing', () => {
    expect(supersedes(edit(1, 'x'), edit(1, 'y'))).toBe(true);
    expect(supersedes(edit(1, 'x'), edit(2, 'y'))).toBe(false);
    expect(supersedes({ type: 'select', fileId: 'a' }, { type: 'select', fileId: null })).toBe(true);
    const remove: ProjectOp = { type: 'remove-file', fileId: 'f' };
    expect(supersedes(remove, remove)).toBe(false);
    expect(supersedes({ type: 'add-files', files: [] }, { type: 'add-files', files: [] })).toBe(false);
  });
});

describe('dictationTooLong', () => {
  it('says in one line when the text or its history passes the limit', () => {
    const text = 'x'.repeat(MAX_DICTATION_DOCUMENT_CHARS);
    expect(dictationTooLong({ text, additions: [{ added: text, removed: '' }] })).toBeNull();
    expect(dictationTooLong({ text: `${text}!`, additions: [] })).toMatch(
      /^The dictation document is too long to save \(at most 400,000 characters\)[^\n]*$/,
    );
    const history = [{ added: text, removed: 'y' }];
    expect(dictationTooLong({ text: '', additions: history })).toMatch(/too long/);
  });
});
