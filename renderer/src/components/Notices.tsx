/**
 * Errors and notices at the top of the window: announced to screen readers, dismissable. Informational
 * notices also dismiss themselves after a few seconds (exports would otherwise pile up over the editor);
 * errors stay until the user dismisses them.
 */
import { useEffect } from 'react';
import { noticeLifetimeMs, type Notice } from '../state/studio-state';

function NoticeBanner({ notice, onDismiss }: { notice: Notice; onDismiss: (id: number) => void }) {
  const { id } = notice;
  const lifetimeMs = noticeLifetimeMs(notice);
  useEffect(() => {
    if (lifetimeMs === null) return;
    const timer = setTimeout(() => onDismiss(id), lifetimeMs);
    return () => clearTimeout(timer);
  }, [id, lifetimeMs, onDismiss]);
  return (
    <div
      className={`notice ${notice.kind}`}
      role={notice.kind === 'error' ? 'alert' : 'status'}
      data-testid="notice"
    >
      <span className="notice-text">{notice.message}</span>
      <button type="button" className="icon-button" aria-label="Dismiss" onClick={() => onDismiss(id)}>
        ×
      </button>
    </div>
  );
}

/** `onDismiss` should keep its identity across renders: a new one restarts the notices' timers. */
export function Notices({
  notices,
  onDismiss,
}: {
  notices: readonly Notice[];
  onDismiss: (id: number) => void;
}) {
  if (notices.length === 0) return null;
  return (
    <>
      {notices.map((notice) => (
        <NoticeBanner key={notice.id} notice={notice} onDismiss={onDismiss} />
      ))}
    </>
  );
}
