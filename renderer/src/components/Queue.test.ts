import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { FileRef } from '../../../main/common/ipc-contract';
import { batchProgress } from '../state/evaluation';
import { newItem, type Item } from '../state/studio-state';
import { Queue } from './Queue';

const file = (name: string): FileRef => ({ id: name, name, size: 1000, mediaUrl: `media/${name}` });

/** The status cell of a one-file queue, as markup. */
function statusCell(item: Item): string {
  const items = [item];
  const html = renderToStaticMarkup(
    createElement(Queue, {
      items,
      selectedId: null,
      onSelect: () => {},
      onRetry: () => {},
      onCancel: () => {},
      onRemove: () => {},
      progress: batchProgress(items, { bytes: 0, sec: 0 }),
      paused: false,
      onPause: () => {},
      onCancelAll: () => {},
      onRetryFailed: () => {},
      sortKey: 'input',
      onSort: () => {},
      scoreOf: () => undefined,
    }),
  );
  return /<span class="queue-status"[^>]*>[^<]*<\/span>/.exec(html)?.[0] ?? '';
}

describe('Queue', () => {
  it('shows why a file failed in its row, the full message as the tooltip', () => {
    const message = 'corrupt.wav: corrupt audio data (no RIFF header)';
    const failed: Item = {
      ...newItem(file('corrupt.wav')),
      status: 'error',
      error: { code: 'CORRUPT_AUDIO', message },
    };
    const status = statusCell(failed);
    expect(status).toContain(`title="${message}"`);
    // The row already names the file: the short text gives only the reason.
    expect(status).toContain('>Failed: corrupt audio data (no RIFF header)</span>');
  });

  it('gives a cancelled file no failure reason', () => {
    const cancelled: Item = {
      ...newItem(file('a.wav')),
      status: 'error',
      error: { code: 'CANCELLED', message: 'a.wav: transcription cancelled' },
    };
    expect(statusCell(cancelled)).toContain('>Cancelled</span>');
  });
});
