/**
 * The project's files: status, progress with ETA, errors, and a retry for failed ones; for a batch, the
 * overall progress and ETA, pause/resume, cancel and retry-all, each file's WER/CER when it has a
 * reference, and the order (as added, or by error).
 */
import { useEffect, useRef } from 'react';
import { percent, type FileScore, type SortKey } from '../../../main/common/evaluation';
import type { BatchProgress } from '../state/evaluation';
import type { Item } from '../state/studio-state';
import { formatDuration } from '../state/transcript-edits';

interface QueueProps {
  items: readonly Item[];
  selectedId: string | null;
  onSelect: (fileId: string) => void;
  onRetry: (fileId: string) => void;
  onCancel: (item: Item) => void;
  onRemove: (fileId: string) => void;
  progress: BatchProgress;
  paused: boolean;
  onPause: (paused: boolean) => void;
  onCancelAll: () => void;
  onRetryFailed: () => void;
  sortKey: SortKey;
  onSort: (key: SortKey) => void;
  scoreOf: (item: Item) => FileScore | undefined;
}

function BatchBar({
  progress,
  paused,
  onPause,
  onCancelAll,
  onRetryFailed,
}: Pick<QueueProps, 'progress' | 'paused' | 'onPause' | 'onCancelAll' | 'onRetryFailed'>) {
  const pending = progress.total - progress.finished;
  const percentDone = Math.round(progress.fraction * 100);
  const eta =
    pending > 0 && progress.etaSec !== null && !paused
      ? ` · about ${formatDuration(progress.etaSec)} left`
      : '';
  return (
    <div
      className="batch-bar"
      data-testid="batch"
      data-finished={progress.finished}
      data-total={progress.total}
      data-failed={progress.failed}
      data-paused={paused ? 'true' : 'false'}
    >
      <div className="batch-text">
        <span data-testid="batch-count">
          {progress.finished} of {progress.total} done
        </span>
        {progress.failed > 0 && <span className="batch-failed"> · {progress.failed} failed</span>}
        <span className="muted">{paused && pending > 0 ? ' · paused' : eta}</span>
      </div>
      <div
        className="progress overall"
        role="progressbar"
        aria-label="All files"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percentDone}
      >
        <div className="progress-bar" style={{ width: `${percentDone}%` }} />
      </div>
      <div className="batch-actions">
        {(pending > 0 || paused) && (
          <button type="button" className="link-button" onClick={() => onPause(!paused)}>
            {paused ? 'Resume' : 'Pause'}
          </button>
        )}
        {pending > 0 && (
          <button type="button" className="link-button" onClick={onCancelAll}>
            Cancel all
          </button>
        )}
        {progress.failed > 0 && (
          <button type="button" className="link-button" onClick={onRetryFailed}>
            Retry failed
          </button>
        )}
      </div>
    </div>
  );
}

function statusText(item: Item): string {
  switch (item.status) {
    case 'idle':
      return 'Not transcribed';
    case 'queued':
      return 'Waiting…';
    case 'running': {
      const percent = `${Math.round(item.fraction * 100)}%`;
      return item.etaSec === null ? percent : `${percent} · ${formatDuration(item.etaSec)} left`;
    }
    case 'done':
      return `${item.transcript?.words.length ?? 0} words · ${formatDuration(item.transcript?.durationSec ?? 0)}`;
    case 'error':
      return item.error?.code === 'CANCELLED' ? 'Cancelled' : `Failed: ${failureReason(item)}`;
  }
}

/** Why the file failed, without the file name the row already shows ("a.wav: corrupt …" → "corrupt …"). */
function failureReason(item: Item): string {
  const message = item.error?.message ?? 'unknown error';
  const prefix = `${item.file.name}: `;
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}

export function Queue({
  items,
  selectedId,
  onSelect,
  onRetry,
  onCancel,
  onRemove,
  progress,
  paused,
  onPause,
  onCancelAll,
  onRetryFailed,
  sortKey,
  onSort,
  scoreOf,
}: QueueProps) {
  // The selection also moves without a click in the list (a file opened, the selected one removed): keep
  // the selected file in sight, scrolling only as far as it takes.
  const selectedRow = useRef<HTMLLIElement>(null);
  useEffect(() => {
    selectedRow.current?.scrollIntoView({ block: 'nearest' });
  }, [selectedId]);
  return (
    <nav className="queue" aria-label="Files">
      <div className="queue-header">
        <h2 className="pane-title">Files</h2>
        <label className="queue-sort">
          <span className="muted">Sort</span>
          <select aria-label="Sort files" value={sortKey} onChange={(e) => onSort(e.target.value as SortKey)}>
            <option value="input">as added</option>
            <option value="wer">by WER, worst first</option>
            <option value="cer">by CER, worst first</option>
            <option value="name">by name</option>
          </select>
        </label>
      </div>
      {progress.total > 1 && (
        <BatchBar
          progress={progress}
          paused={paused}
          onPause={onPause}
          onCancelAll={onCancelAll}
          onRetryFailed={onRetryFailed}
        />
      )}
      <ul>
        {items.map((item) => {
          const busy = item.status === 'queued' || item.status === 'running';
          const score = scoreOf(item);
          return (
            <li
              key={item.file.id}
              ref={item.file.id === selectedId ? selectedRow : undefined}
              className={`queue-item ${item.file.id === selectedId ? 'selected' : ''}`}
              data-testid="queue-item"
              data-file-name={item.file.name}
              data-path={item.path ?? undefined}
              data-state={item.status}
              data-wer={score?.wer}
              data-cer={score?.cer}
            >
              <button
                type="button"
                className="queue-select"
                aria-current={item.file.id === selectedId ? 'true' : undefined}
                onClick={() => onSelect(item.file.id)}
              >
                <span className={`status-dot ${item.status}`} aria-hidden="true" />
                <span className="queue-name" title={item.file.name}>
                  {item.file.name}
                </span>
                {/* One line, cut with an ellipsis; the full reason of a failure is its tooltip. */}
                <span
                  className="queue-status"
                  data-testid="queue-status"
                  title={item.status === 'error' ? item.error?.message : undefined}
                >
                  {statusText(item)}
                </span>
                {score ? (
                  <span
                    className="queue-score"
                    data-testid="queue-score"
                    title={`S/D/I ${score.counts.words.substitutions}/${score.counts.words.deletions}/${score.counts.words.insertions} over ${score.counts.words.reference} reference words`}
                  >
                    WER {percent(score.wer)} · CER {percent(score.cer)} · {score.counts.words.substitutions}/
                    {score.counts.words.deletions}/{score.counts.words.insertions}
                  </span>
                ) : item.reference !== null && item.status !== 'done' ? (
                  <span className="queue-score muted">reference ✓</span>
                ) : null}
              </button>
              {busy && (
                <div
                  className="progress"
                  role="progressbar"
                  aria-label={`Transcribing ${item.file.name}`}
                  aria-valuemin={0}
                  aria-valuemax={100}
                  aria-valuenow={Math.round(item.fraction * 100)}
                >
                  <div className="progress-bar" style={{ width: `${Math.round(item.fraction * 100)}%` }} />
                </div>
              )}
              <div className="queue-actions">
                {busy && (
                  <button type="button" className="link-button" onClick={() => onCancel(item)}>
                    Cancel
                  </button>
                )}
                {(item.status === 'error' || item.status === 'idle') && (
                  <button type="button" className="link-button" onClick={() => onRetry(item.file.id)}>
                    {item.status === 'idle' ? 'Transcribe' : 'Retry'}
                  </button>
                )}
                {!busy && (
                  <button
                    type="button"
                    className="link-button remove"
                    aria-label={`Remove ${item.file.name} from the project`}
                    onClick={() => onRemove(item.file.id)}
                  >
                    Remove
                  </button>
                )}
              </div>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
