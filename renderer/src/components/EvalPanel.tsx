/**
 * Evaluation of the project's files against their references: WER with S/D/I and CER per set and in
 * total (pooled counts, as `npm run eval` prints them), the normalisation used, and the exports of the
 * whole batch (every transcript, and the CSV summary in the CLI's format).
 */
import { useState } from 'react';
import { percent, unscoredNote, type Aggregate } from '../../../main/common/evaluation';
import { describeNormalization } from '../../../main/common/scoring';
import { EXPORT_FORMATS, type ExportFormat } from '../../../main/common/transcript';
import { NORMALIZATION } from '../state/evaluation';

function Row({ a, total }: { a: Aggregate; total?: boolean }) {
  return (
    <tr
      data-testid={total ? 'eval-total' : 'eval-set'}
      data-set={a.name}
      data-wer={a.wer}
      data-cer={a.cer}
      data-sdi={`${a.words.substitutions}/${a.words.deletions}/${a.words.insertions}`}
      className={total ? 'total' : undefined}
    >
      <th scope="row">{total ? 'Total' : a.name}</th>
      <td>{a.scored}</td>
      <td>{a.failed}</td>
      <td>{a.words.reference}</td>
      <td className="figure">{percent(a.wer)}</td>
      <td>
        {a.words.substitutions}/{a.words.deletions}/{a.words.insertions}
      </td>
      <td className="figure">{percent(a.cer)}</td>
    </tr>
  );
}

export function EvalPanel({
  sets,
  total,
  canExport,
  onExportAll,
  onExportCsv,
}: {
  sets: readonly Aggregate[];
  total: Aggregate;
  canExport: boolean;
  onExportAll: (format: ExportFormat) => void;
  onExportCsv: () => void;
}) {
  const [format, setFormat] = useState<ExportFormat>('txt');
  const unscored = unscoredNote(total);
  return (
    <section className="eval-panel" aria-label="Evaluation" data-testid="eval-panel">
      <div className="eval-header">
        <h2 className="pane-title">Evaluation</h2>
        <span className="spacer" />
        <div className="eval-exports" role="group" aria-label="Export all">
          <select
            aria-label="Format for Export all"
            value={format}
            onChange={(e) => setFormat(e.target.value as ExportFormat)}
          >
            {EXPORT_FORMATS.map((f) => (
              <option key={f} value={f}>
                {f.toUpperCase()}
              </option>
            ))}
          </select>
          <button type="button" className="chip" disabled={!canExport} onClick={() => onExportAll(format)}>
            Export all
          </button>
          <button type="button" className="chip" disabled={!canExport} onClick={onExportCsv}>
            CSV summary
          </button>
        </div>
      </div>
      <table className="eval-table">
        <thead>
          <tr>
            <th scope="col">Set</th>
            <th scope="col" title="files scored">
              Files
            </th>
            <th scope="col">Failed</th>
            <th scope="col" title="reference words">
              Words
            </th>
            <th scope="col">WER</th>
            <th scope="col" title="substitutions / deletions / insertions">
              S/D/I
            </th>
            <th scope="col">CER</th>
          </tr>
        </thead>
        <tbody>
          {sets.map((a) => (
            <Row key={a.name} a={a} />
          ))}
        </tbody>
        <tfoot>
          <Row a={total} total />
        </tfoot>
      </table>
      <p className="muted normalisation" data-testid="normalisation">
        Scored after normalisation: {describeNormalization(NORMALIZATION)}. Counts are pooled over files; the
        engine&apos;s transcript is scored, not your corrections.
      </p>
      {unscored && (
        <p className="muted unscored" data-testid="unscored">
          {unscored}
        </p>
      )}
    </section>
  );
}
