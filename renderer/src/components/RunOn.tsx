/**
 * "Run on: this computer | queue at URL" for the batch. Transcription stays on this computer unless the
 * user names a queue: then the host connects to that Redis, and files queued from then on are sent to
 * its workers (`npm run worker`), their audio included.
 */
import { useState } from 'react';
import type { RunTarget, StudioApi } from '../../../main/common/ipc-contract';

type Choice = 'local' | 'queue';

/**
 * `queueUrl`: where the host runs the batch when the window opens (it keeps the choice over a reload);
 * give the component a `key` from it, so a late answer from the host starts it again with that state.
 */
export function RunOn({
  client,
  queueUrl,
}: {
  client: Pick<StudioApi, 'setRunTarget'>;
  queueUrl: string | null;
}) {
  const [choice, setChoice] = useState<Choice>(queueUrl === null ? 'local' : 'queue');
  const [url, setUrl] = useState(queueUrl ?? 'redis://127.0.0.1:6379');
  const [target, setTarget] = useState<RunTarget>({ queueUrl, workers: null });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const apply = async (queueUrl: string | null) => {
    setBusy(true);
    try {
      setTarget(await client.setRunTarget(queueUrl));
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="run-on"
      aria-label="Run on"
      data-testid="run-on"
      data-target={target.queueUrl ?? 'local'}
      onSubmit={(e) => {
        e.preventDefault();
        void apply(choice === 'queue' ? url : null);
      }}
    >
      <label>
        <span className="muted">Run on</span>{' '}
        <select
          aria-label="Run on"
          value={choice}
          onChange={(e) => {
            const next = e.target.value as Choice;
            setChoice(next);
            if (next === 'local' && target.queueUrl !== null) void apply(null);
          }}
        >
          <option value="local">this computer</option>
          <option value="queue">a queue…</option>
        </select>
      </label>
      {/* Once connected, the URL is in the status's tooltip: the toolbar has little room. */}
      {choice === 'queue' && target.queueUrl === null && (
        <>
          <input
            type="text"
            aria-label="Queue URL"
            value={url}
            spellCheck={false}
            onChange={(e) => setUrl(e.target.value)}
          />
          <button type="submit" className="link-button" disabled={busy}>
            Connect
          </button>
        </>
      )}
      {target.queueUrl !== null && !error && (
        <span
          className="muted"
          data-testid="run-on-status"
          title={`Files queued from now on, and their audio, go to ${target.queueUrl}`}
        >
          {target.workers === null ? 'connected' : `${target.workers} worker(s)`}
        </span>
      )}
      {error && (
        <span className="run-on-error" role="alert" title={error}>
          {error}
        </span>
      )}
    </form>
  );
}
