import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { aggregateBySet, type FileResult } from '../../../main/common/evaluation';
import { EvalPanel } from './EvalPanel';

describe('EvalPanel', () => {
  it('counts the files transcribed without a reference as the CLI does, failed ones apart', () => {
    const results: FileResult[] = [
      { set: 'lab', file: 'a.wav', reference: null, hypothesis: 'hello', durationSec: 1 },
      { set: 'lab', file: 'b.wav', reference: null, error: 'b.wav: corrupt audio data' },
    ];
    const { sets, total } = aggregateBySet(results);
    const html = renderToStaticMarkup(
      createElement(EvalPanel, {
        sets,
        total,
        canExport: true,
        onExportAll: () => {},
        onExportCsv: () => {},
      }),
    );
    expect(html).toContain('1 file(s) had no reference: transcribed, not scored.');
  });
});
