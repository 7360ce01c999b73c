/** Export the selected transcript (edits applied) as TXT, SRT, VTT or JSON. */
import { EXPORT_FORMATS, type ExportFormat } from '../../../main/common/transcript';

export function ExportMenu({
  disabled,
  onExport,
}: {
  disabled: boolean;
  onExport: (format: ExportFormat) => void;
}) {
  return (
    <div className="export" role="group" aria-label="Export">
      <span className="muted">Export</span>
      {EXPORT_FORMATS.map((format) => (
        <button
          key={format}
          type="button"
          className="chip"
          disabled={disabled}
          onClick={() => onExport(format)}
          data-format={format}
        >
          {format.toUpperCase()}
        </button>
      ))}
    </div>
  );
}
