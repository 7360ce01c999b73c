/**
 * A phone model's spelling of words: the pronouncing dictionary's pronunciations, and for a word it
 * lacks (a boosted name, a word in a user's correction) the letter-to-sound model's guess. Vocabulary
 * boosting spells the user's words with it, and learning from corrections spells the corrected text as
 * the phone labels training used (each word's first pronunciation, word boundaries between).
 */
import { LETTERS, normalizedWords } from './boost';
import type { Pronunciations } from './pronunciations';

/** Spelling → phone names (letter-to-sound.ts; any function of the kind will do in tests). */
export interface PronunciationGuesser {
  pronounce(word: string): string[];
}

export class PhoneSpeller {
  constructor(
    readonly pronunciations: Pronunciations,
    private readonly guesser?: PronunciationGuesser,
  ) {}

  /** A word's pronunciation keys: the dictionary's (its first first), else the guess; empty when neither. */
  keysOf(word: string): string[] {
    const listed = this.pronunciations.keysOf(word);
    if (listed.length > 0 || !this.guesser) return listed;
    const guess = this.pronunciations.keyOfPhones(this.guesser.pronounce(word));
    return guess === '' ? [] : [guess];
  }

  /**
   * The output classes a transcript is spelt with (first pronunciation of each word, class `space`
   * between words), as training/train/phones.py labels it; null when a word has no pronunciation.
   */
  labels(text: string, space: number): number[] | null {
    const labels: number[] = [];
    // The words as the dictionary writes them: lower case, a–z and apostrophes inside words.
    for (const word of normalizedWords(text, LETTERS)) {
      const key = this.keysOf(word)[0];
      if (key === undefined) return null;
      if (labels.length > 0) labels.push(space);
      labels.push(...this.pronunciations.classesOf(key));
    }
    return labels;
  }
}
