import { describe, expect, it } from 'vitest';
import { parseVocabulary } from './vocabulary';

describe('parseVocabulary', () => {
  it('takes one phrase per line, without comments, blanks, extra spaces or repeats', () => {
    expect(parseVocabulary('Kowalski\r\n  tensor   processing unit \n\n  # jargon\nEEG\nKowalski')).toEqual([
      'Kowalski',
      'tensor processing unit',
      'EEG',
    ]);
    expect(parseVocabulary('')).toEqual([]);
  });
});
