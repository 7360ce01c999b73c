import { describe, expect, it } from 'vitest';
import {
  applyUtterance,
  editDictation,
  EMPTY_DICTATION,
  SPOKEN_COMMANDS,
  type DictationDocument,
} from './spoken-commands';

/** The document after these final utterances, one after another. */
const dictate = (...utterances: string[]) =>
  utterances.reduce<DictationDocument>((doc, u) => applyUtterance(doc, u), EMPTY_DICTATION).text;

describe('spoken commands in dictation', () => {
  it('plain utterances are appended with one space between, as before', () => {
    expect(dictate('hello world', 'how are you')).toBe('hello world how are you');
    expect(dictate('', 'one')).toBe('one');
    expect(applyUtterance({ text: 'typed ', additions: [] }, 'more').text).toBe('typed more');
  });

  it('full stop, period, comma and question mark attach to the word before; a capital follows a sentence end', () => {
    expect(dictate('hello comma world full stop', 'how are you question mark')).toBe(
      'hello, world. How are you?',
    );
    expect(dictate('it ends here period', 'then more')).toBe('it ends here. Then more');
    // Across utterances too, and whatever the case the recogniser gives.
    expect(dictate('first part', 'Full Stop', 'second')).toBe('first part. Second');
  });

  it('new line and new paragraph break the text, with no space around the break', () => {
    expect(
      dictate('dear sam comma new line', 'thanks for the parcel full stop new paragraph it arrived'),
    ).toBe('dear sam,\nthanks for the parcel.\n\nIt arrived');
    // A break at the very start of the document does nothing; two paragraph breaks make one.
    expect(dictate('new paragraph hello new paragraph new paragraph world')).toBe('hello\n\nworld');
  });

  it('scratch that removes the words said before it in the same utterance', () => {
    expect(dictate('keep this', 'not this scratch that but this')).toBe('keep this but this');
    expect(dictate('keep this', 'one full stop two scratch that')).toBe('keep this');
  });

  it('scratch that on its own removes the previous utterance, one more each time', () => {
    expect(dictate('first', 'second comma', 'scratch that')).toBe('first');
    expect(dictate('first', 'second', 'scratch that', 'scratch that')).toBe('');
    expect(dictate('first', 'second', 'scratch that', 'third')).toBe('first third');
    // The spaces a full stop removed come back with it.
    expect(dictate('one ', 'full stop', 'scratch that')).toBe('one');
    expect(applyUtterance({ text: 'typed ', additions: [] }, 'full stop').text).toBe('typed.');
    const undone = ['typed ', 'full stop', 'scratch that']
      .slice(1)
      .reduce((doc, u) => applyUtterance(doc, u), editDictation(EMPTY_DICTATION, 'typed '));
    expect(undone.text).toBe('typed ');
    // Nothing to scratch: nothing happens.
    expect(dictate('scratch that')).toBe('');
  });

  it('scratch that leaves alone text the user has since edited', () => {
    let doc = applyUtterance(EMPTY_DICTATION, 'first');
    doc = applyUtterance(doc, 'second');
    doc = editDictation(doc, 'first second, edited by hand');
    doc = applyUtterance(doc, 'scratch that');
    expect(doc.text).toBe('first second, edited by hand');
    // An edit earlier in the document does not stop it.
    doc = applyUtterance(editDictation(applyUtterance(EMPTY_DICTATION, 'one two'), 'One two'), 'three');
    expect(applyUtterance(doc, 'scratch that').text).toBe('One two');
  });

  it('command words inside other words or phrases are plain words', () => {
    expect(dictate('the periodic table', 'a new tune', 'stop full')).toBe(
      'the periodic table a new tune stop full',
    );
  });

  it('every listed command has a phrase and says what it does', () => {
    const phrases = SPOKEN_COMMANDS.flatMap((c) => c.phrases);
    expect(phrases).toEqual(
      expect.arrayContaining([
        'full stop',
        'period',
        'comma',
        'question mark',
        'new line',
        'new paragraph',
        'scratch that',
      ]),
    );
    for (const command of SPOKEN_COMMANDS) expect(command.does).not.toBe('');
  });
});
