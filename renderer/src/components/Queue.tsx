/** The project's files: status, progress with ETA, errors, and a retry for failed ones. */
import type { Item } from '../state/studio-state';
import { formatDuration } from '../state/transcript-edits';

interface QueueProps {
  items: readonly Item[];
  selectedId: string | null;
  onSelect: (fileId: string) => void;
  onRetry: (fileId: string) => void;
  onCancel: (item: Item) => void;
  onRemove: (fileId: string) => void;
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
      return item.error?.code === 'CANCELLED' ? 'Cancelled' : 'Failed';
  }
}

export function Queue({ items, selectedId, onSelect, onRetry, onCancel, onRemove }: QueueProps) {
  return (
    <nav className="queue" aria-label="Files">
      <h2 className="pane-title">Files</h2>
      <ul>
        {items.map((item) => {
          const busy = item.status === 'queued' || item.status === 'running';
          return (
            <li
              key={item.file.id}
              className={`queue-item ${item.file.id === selectedId ? 'selected' : ''}`}
              data-testid="queue-item"
              data-file-name={item.file.name}
              data-state={item.status}
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
                <span className="queue-status">{statusText(item)}</span>
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
