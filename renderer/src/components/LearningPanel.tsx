/**
 * Learning from corrections, in the voice profile: the "Learn from my corrections" setting (on by
 * default), what is kept (utterances, bytes, the limits), the round running in the background, the
 * accuracy history as a small chart, and "Forget my data".
 */
import { useEffect, useMemo, useState } from 'react';
import type { LearningStatus, StudioApi } from '../../../main/common/ipc-contract';
import { AccuracyChart, accuracyPercent } from './AccuracyChart';
import { ProgressBar } from './ProgressBar';
import { pushedStatus } from '../state/pushed-status';

const megabytes = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;

export function LearningPanel({ client }: { client: StudioApi }) {
  const [status, setStatus] = useState<LearningStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirmForget, setConfirmForget] = useState(false);
  // The host announces every change; an answer older than an announcement is not shown over it.
  const feed = useMemo(() => pushedStatus<LearningStatus>(setStatus), []);

  useEffect(() => {
    let live = true;
    const off = client.onEvent((event) => {
      if (event.type === 'learning') feed.pushed(event.status);
    });
    feed.answer(() => client.getLearning()).catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
      off();
    };
  }, [client, feed]);

  const act = async (action: () => Promise<LearningStatus>) => {
    setError(null);
    try {
      await feed.answer(action);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  if (!status) return error ? <div className="notice error">{error}</div> : null;
  const running = status.running;
  const fraction =
    running && running.phase !== 'starting' && running.total > 0 ? running.step / running.total : 0;
  const last = status.rounds.at(-1);
  return (
    <div className="vp-section learning" data-testid="learning">
      <h2>Learning from corrections</h2>
      <label className="vp-check-label">
        <input
          type="checkbox"
          checked={status.enabled}
          onChange={(e) => void act(() => client.setLearning(e.target.checked))}
        />
        Learn from my corrections
      </label>
      <p
        className="muted"
        data-testid="learning-summary"
        data-kept={status.kept}
        data-waiting={status.waiting}
      >
        Each sentence you correct (in the editor, or a dictated sentence) keeps its audio and your text in
        this profile; after every {status.roundSize} new ones the model learns from them in the background and
        keeps what it learned only if it recognises corrections it has not learned from (some are kept back to
        check it) better. Kept: {status.kept} utterance{status.kept === 1 ? '' : 's'} (
        {megabytes(status.bytes)}; at most {status.limits.utterances} and {megabytes(status.limits.bytes)},{' '}
        {status.limits.maxSec} s each); {status.waiting} of {status.roundSize} for the next round.
        {status.learnedWeights && ' Learned weights are kept and used with the model they were learned for.'}
      </p>
      {running && (
        <div className="vp-progress" data-testid="learning-progress">
          <ProgressBar label="Learning round progress" fraction={fraction} />
          <span className="muted">
            {status.paused
              ? 'Learning waits while you dictate'
              : 'Learning in the background (low priority; it waits while you dictate)'}
            {running.phase === 'starting'
              ? ': starting…'
              : running.phase === 'features'
                ? `: reading ${running.step} of ${running.total} utterances`
                : `: step ${running.step} of ${running.total}${running.etaSec !== null ? `, about ${Math.ceil(running.etaSec)} s left` : ''}`}
          </span>
        </div>
      )}
      {status.error && (
        <p className="notice error" role="alert">
          The last learning round failed: {status.error} Its corrections wait for the next.
        </p>
      )}
      {last && (
        <div className="learning-history" data-testid="learning-history" data-rounds={status.rounds.length}>
          <AccuracyChart rounds={status.rounds} />
          <p className="muted">
            Round {last.round}: word accuracy on corrections kept back to check it{' '}
            {accuracyPercent(last.heldBackWerBefore).toFixed(0)} % before,{' '}
            {accuracyPercent(last.heldBackWerAfter).toFixed(0)} % with the new weights —{' '}
            {last.kept === 'adapted' ? 'kept' : 'not better, not kept'} (
            {last.seconds < 10 ? last.seconds.toFixed(1) : Math.round(last.seconds)} s).
          </p>
        </div>
      )}
      {error && (
        <div className="notice error" role="alert">
          {error}
        </div>
      )}
      <div className="learning-actions">
        {confirmForget ? (
          <>
            <span>Delete the kept audio and text, the history and the learned weights?</span>
            <button
              type="button"
              className="secondary learning-delete"
              onClick={() => {
                setConfirmForget(false);
                void act(() => client.forgetLearning());
              }}
            >
              Delete
            </button>
            <button type="button" className="secondary" onClick={() => setConfirmForget(false)}>
              Keep
            </button>
          </>
        ) : (
          <button
            type="button"
            className="secondary"
            onClick={() => setConfirmForget(true)}
            disabled={status.kept === 0 && status.rounds.length === 0 && !status.learnedWeights}
          >
            Forget my data
          </button>
        )}
      </div>
    </div>
  );
}
