import { describe, expect, it } from 'vitest';
import { advanceBoost, BoostTrie, finalBoost, initialBoostState, normalizePhrase } from './boost';

const alphabet = ['<blank>', ' ', "'", ...'abcdefghijklmnopqrstuvwxyz'];
const SPACE = 1;

/** The boost state after spelling `text` from the start of an utterance. */
function spellState(trie: BoostTrie, text: string) {
  let state = initialBoostState(trie);
  let partial = '';
  for (const ch of text) {
    state = advanceBoost(trie, state, alphabet.indexOf(ch), SPACE, partial, ch);
    partial = ch === ' ' ? '' : partial + ch;
  }
  return state;
}

describe('vocabulary boost list', () => {
  it('normalises phrases to the alphabet', () => {
    expect(normalizePhrase('  O’Brien ', alphabet)).toBe("o'brien");
    expect(normalizePhrase('E-Mail  Server!', alphabet)).toBe('e mail server');
    expect(normalizePhrase("'quoted'", alphabet)).toBe('quoted');
    expect(normalizePhrase('R2D2', alphabet)).toBe('r d');
    expect(normalizePhrase('123', alphabet)).toBe('');
    const trie = new BoostTrie({ phrases: ['Kowalski', 'kowalski', '', 'New York'] }, alphabet);
    expect(trie.phrases).toEqual(['kowalski', 'new york']);
    expect([...trie.words].sort()).toEqual(['kowalski', 'new', 'york']);
  });

  it('keeps the bonus of a completed word or phrase and drops an unfinished one', () => {
    const trie = new BoostTrie({ phrases: ['cat', 'new york'], weight: 2 }, alphabet);
    expect(spellState(trie, 'ca').pending).toBe(4);
    expect(finalBoost(spellState(trie, 'ca'))).toBe(0);
    expect(finalBoost(spellState(trie, 'cat'))).toBe(6);
    expect(finalBoost(spellState(trie, 'the cat sat'))).toBe(6);
    expect(finalBoost(spellState(trie, 'cats'))).toBe(0);
    expect(finalBoost(spellState(trie, 'scat'))).toBe(0);
    expect(finalBoost(spellState(trie, 'new york'))).toBe(14);
    expect(finalBoost(spellState(trie, 'new yorker'))).toBe(0);
    expect(finalBoost(spellState(trie, 'new'))).toBe(0);
    // A failed phrase continuation can still start another entry at that word.
    expect(finalBoost(spellState(trie, 'new cat'))).toBe(6);
    expect(finalBoost(spellState(trie, 'cat cat'))).toBe(12);
  });
});
