import { describe, expect, it } from 'vitest';
import { unscoredNote } from '../../../main/common/evaluation';
import type { ErrorCode, ErrorInfo } from '../../../main/common/ipc-contract';
import type { Transcript } from '../../../main/common/transcript';
import { batchProgress, evaluationSummary, finishedResults } from './evaluation';
import { newItem, type Item } from './studio-state';

const transcript: Transcript = {
  text: 'the quick brown fox',
  words: [],
  durationSec: 2,
  backend: 'wasm',
  model: 'test',
  rtf: 0.1,
};

function item(name: string, patch: Partial<Item>): Item {
  const file = { id: name, name, size: 1000, mediaUrl: `/media/${name}` };
  return { ...newItem(file), reference: 'the quick brown fox', set: 'lab', path: name, ...patch };
}

const error = (code: ErrorCode, message: string): ErrorInfo => ({ code, message });

describe('a cancelled file is not a failed one', () => {
  const items = [
    item('done.wav', { status: 'done', transcript, fraction: 1 }),
    item('corrupt.wav', {
      status: 'error',
      error: error('CORRUPT_AUDIO', 'corrupt.wav: corrupt audio data'),
    }),
    item('cancelled.wav', { status: 'error', error: error('CANCELLED', 'cancelled') }),
  ];

  it('in the batch progress', () => {
    expect(batchProgress(items, { bytes: 0, sec: 0 })).toMatchObject({ finished: 3, failed: 1, total: 3 });
  });

  it('in the evaluation and its CSV results', () => {
    expect(finishedResults(items).map((r) => r.file)).toEqual(['done.wav', 'corrupt.wav']);
    const { total } = evaluationSummary(items);
    expect(total).toMatchObject({ files: 2, scored: 1, failed: 1 });
  });
});

describe('files without a reference', () => {
  // A folder of five files with no .txt: three transcribed, two corrupt.
  const items = [
    ...['a.wav', 'b.wav', 'c.wav'].map((name) =>
      item(name, { reference: null, status: 'done', transcript, fraction: 1 }),
    ),
    ...['d.wav', 'e.wav'].map((name) =>
      item(name, {
        reference: null,
        status: 'error',
        error: error('CORRUPT_AUDIO', `${name}: corrupt audio data`),
      }),
    ),
  ];

  it('are counted as the CLI counts them: the failed ones are failures, not unscored', () => {
    const { total } = evaluationSummary(items);
    expect(total).toMatchObject({ unscored: 3, failed: 2 });
    expect(unscoredNote(total)).toBe('3 file(s) had no reference: transcribed, not scored.');
  });
});
