import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { StudioApi } from '../../../main/common/ipc-contract';
import { VocabularyEditor } from './VocabularyEditor';

describe('VocabularyEditor', () => {
  it('styles Save vocabulary as its neighbouring Load from file…', () => {
    const html = renderToStaticMarkup(
      createElement(VocabularyEditor, {
        client: {} as StudioApi,
        profile: null,
        onSaved: () => {},
        draft: 'Kowalski',
        setDraft: () => {},
      }),
    );
    const classes = (pattern: RegExp) => pattern.exec(html)?.[1].split(' ') ?? [];
    const load = classes(/<label class="([^"]*)"[^>]*>Load from file/);
    expect(load).toContain('secondary');
    expect(classes(/<button[^>]*class="([^"]*)"[^>]*>Save vocabulary</)).toContain('secondary');
  });
});
