import { describe, expect, it } from 'vitest';
import { boostPhrases, parseBoostList } from './boost-list';

describe('parseBoostList', () => {
  it('takes one phrase per line, without comments, blanks, extra spaces or repeats', () => {
    expect(parseBoostList('Kowalski\r\n  tensor   processing unit \n\n  # jargon\nEEG\nKowalski')).toEqual([
      'Kowalski',
      'tensor processing unit',
      'EEG',
    ]);
    expect(parseBoostList('')).toEqual([]);
  });
});

describe('boostPhrases', () => {
  it('cleans a list already split into entries the same way', () => {
    expect(boostPhrases([' new  york ', '', 'new york', '#x', 'São Paulo'])).toEqual([
      'new york',
      'São Paulo',
    ]);
  });
});
