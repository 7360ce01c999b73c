/**
 * Voice profile: speaker adaptation from the user's side.
 * - Enrollment: a fixed list of prompts chosen for phonetic coverage; each is recorded through the same
 *   capture path as dictation (native recorder or the page's microphone, with the level meter) and kept
 *   in the host's profile folder. Any prompt can be recorded again (redo).
 * - Corrections: a transcript whose words were corrected in the editor can be added as further data.
 * - Adaptation runs in the engine process, with a progress bar, ETA and cancel; it reports the held-back
 *   WER before and after, and keeps the base model when adapting did not help.
 * - Models: the base and the adapted ones; selecting one reloads the engine with it; adapted ones can be
 *   removed.
 */
import { useCallback, useEffect, useMemo, useState, type Dispatch, type SetStateAction } from 'react';
import type {
  AdaptProgress,
  AdaptSummary,
  StudioApi,
  StudioInfo,
  VoiceProfile,
} from '../../../main/common/ipc-contract';
import { emitAppEvent } from '../state/app-events';
import type { Item } from '../state/studio-state';
import { editedTranscript, formatClock, formatDuration } from '../state/transcript-edits';
import { LevelMeter } from './LevelMeter';
import { useCapture } from './use-capture';
import { VocabularyEditor } from './VocabularyEditor';
import { LearningPanel } from './LearningPanel';
import { ProgressBar } from './ProgressBar';

interface VoiceProfileViewProps {
  client: StudioApi;
  info: StudioInfo | null;
  engineReady: boolean;
  /** Project files: the corrected ones can be added to the profile. */
  items: Item[];
  /** The vocabulary's unsaved text, kept by the app (see VocabularyEditor). */
  vocabularyDraft: string | null;
  setVocabularyDraft: Dispatch<SetStateAction<string | null>>;
}

const percent = (x: number) => `${(100 * x).toFixed(1)} %`;

function nextModelName(profile: VoiceProfile | null): string {
  const taken = new Set(profile?.models.map((m) => m.name));
  let n = 1;
  while (taken.has(`my-voice-${n}`)) n++;
  return `my-voice-${n}`;
}

export function VoiceProfileView({
  client,
  info,
  engineReady,
  items,
  vocabularyDraft,
  setVocabularyDraft,
}: VoiceProfileViewProps) {
  const [profile, setProfile] = useState<VoiceProfile | null>(null);
  const [current, setCurrent] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [progress, setProgress] = useState<AdaptProgress | null>(null);
  const [summary, setSummary] = useState<AdaptSummary | null>(null);
  const [name, setName] = useState('');
  const [epochs, setEpochs] = useState(8);
  const [keepAnyway, setKeepAnyway] = useState(false);
  const [switching, setSwitching] = useState(false);
  const [added, setAdded] = useState<Set<string>>(new Set());
  const native = info?.mic.source === 'native';
  // Enrollment records through the same capture as dictation, recording only (no live recognition).
  const capture = useCapture(client, {
    native,
    onError: setError,
    onEndedElsewhere: (event) =>
      setError(event.error?.message ?? 'The recording was stopped in another window.'),
  });
  const { phase, level, seconds: clockSec } = capture;

  const refresh = useCallback(
    () =>
      client.getVoiceProfile().then((p) => {
        setProfile(p);
        return p;
      }),
    [client],
  );

  useEffect(() => {
    refresh()
      .then((p) => {
        const first = p.prompts.findIndex((x) => x.recordedSec === null);
        setCurrent(first >= 0 ? first : 0);
        setName(nextModelName(p));
      })
      .catch((e: unknown) => setError((e as Error).message));
  }, [refresh]);

  useEffect(
    () =>
      client.onEvent((event) => {
        switch (event.type) {
          case 'adapt-progress': {
            const { phase, step, total, loss, etaSec, epoch } = event;
            setProgress({ phase, step, total, loss, etaSec, epoch });
            break;
          }
          case 'adapt-done':
            setProgress(null);
            setSummary(event.summary);
            emitAppEvent('adapt-done', { ...event.summary });
            void refresh().then((p) => setName(nextModelName(p)));
            break;
          case 'adapt-failed':
            setProgress(null);
            setError(
              event.error.code === 'CANCELLED'
                ? 'Adaptation cancelled.'
                : `Adaptation failed: ${event.error.message}`,
            );
            emitAppEvent('adapt-failed', { code: event.error.code, message: event.error.message });
            void refresh();
            break;
        }
      }),
    [client, refresh],
  );

  const prompts = profile?.prompts ?? [];
  const recorded = prompts.filter((p) => p.recordedSec !== null).length;
  const prompt = prompts[current];

  const { start: startCapture, finish } = capture;
  const record = useCallback(async () => {
    setError(null);
    await startCapture({ enrollPrompt: current });
  }, [current, startCapture]);

  const stop = useCallback(async () => {
    // Saving ends the recording on the host and keeps it in the profile (written once, there).
    const p = await finish(() => client.saveEnrollment(current));
    if (!p) return;
    setProfile(p);
    const saved = p.prompts[current];
    emitAppEvent('enrollment-saved', { index: current, recordedSec: saved.recordedSec ?? 0 });
    // On to the next prompt not yet recorded (after this one, then from the top).
    const order = [...p.prompts.slice(current + 1), ...p.prompts.slice(0, current)];
    const next = order.find((x) => x.recordedSec === null);
    if (next) setCurrent(next.index);
  }, [client, current, finish]);

  const adapt = async () => {
    setError(null);
    setSummary(null);
    try {
      await client.startAdaptation({ name, epochs, keepAnyway: keepAnyway || undefined });
      setProgress({ phase: 'features', step: 0, total: recorded, loss: null, etaSec: null, epoch: 0 });
      setProfile((p) => (p ? { ...p, adapting: true } : p));
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const select = async (model: string | null) => {
    setError(null);
    setSwitching(true);
    try {
      const p = await client.selectModel(model);
      setProfile(p);
      emitAppEvent('model-selected', { name: p.selected });
    } catch (e) {
      setError((e as Error).message);
      void refresh();
    } finally {
      setSwitching(false);
    }
  };

  const remove = async (model: string) => {
    if (!window.confirm(`Remove the adapted model "${model}"?`)) return;
    setError(null);
    setSwitching(true);
    try {
      setProfile(await client.deleteModel(model));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setSwitching(false);
    }
  };

  const corrected = useMemo(
    () =>
      items.filter((i) => i.transcript && Object.keys(i.edits).length > 0 && i.transcript.durationSec <= 60),
    [items],
  );

  const addCorrection = async (item: Item) => {
    if (!item.transcript) return;
    setError(null);
    try {
      setProfile(
        await client.addCorrection(item.file.id, editedTranscript(item.transcript, item.edits).text),
      );
      setAdded((s) => new Set(s).add(item.file.id));
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const recording = phase === 'recording';
  const adapting = !!profile?.adapting || progress !== null;
  const busy = phase !== 'idle';
  const fraction = progress && progress.total > 0 ? progress.step / progress.total : 0;

  return (
    <section className="voice-profile" aria-label="Voice profile" data-testid="voice-profile">
      <header className="dictation-header">
        <h1>Voice profile</h1>
        <span className="muted">
          Read the prompts aloud to adapt the model to your voice. Recordings stay on this computer.
        </span>
      </header>
      {error && (
        <div className="notice error" role="alert" data-testid="voice-profile-error">
          <span className="notice-text">{error}</span>
        </div>
      )}

      <div className="vp-enroll">
        <div className="vp-prompt-card">
          <div className="muted" data-testid="enrollment-count">
            Prompt {current + 1} of {prompts.length} · {recorded} recorded
          </div>
          <p className="vp-prompt" data-testid="enrollment-prompt">
            {prompt?.text ?? '…'}
          </p>
          <div className="dictation-controls">
            <button
              type="button"
              className={`record-button ${recording ? 'recording' : ''}`}
              onClick={recording ? stop : record}
              disabled={
                phase === 'starting' ||
                phase === 'finishing' ||
                (!recording && (!engineReady || adapting || !prompt))
              }
              aria-pressed={recording}
            >
              <span className="record-dot" aria-hidden="true" />
              {recording
                ? 'Stop'
                : phase === 'finishing'
                  ? 'Saving…'
                  : prompt?.recordedSec != null
                    ? 'Record again'
                    : 'Record'}
            </button>
            <LevelMeter level={level} active={recording} />
            <span className="clock" aria-live="off">
              {recording ? formatClock(clockSec) : ''}
            </span>
          </div>
        </div>
        <ol className="vp-prompts" aria-label="Enrollment prompts">
          {prompts.map((p) => (
            <li key={p.index}>
              <button
                type="button"
                className={`vp-prompt-item ${p.index === current ? 'current' : ''}`}
                aria-current={p.index === current ? 'step' : undefined}
                onClick={() => setCurrent(p.index)}
                disabled={busy}
                data-recorded={p.recordedSec !== null}
              >
                <span className="vp-check" aria-hidden="true">
                  {p.recordedSec !== null ? '✓' : p.index + 1}
                </span>
                <span className="vp-prompt-text">{p.text}</span>
                {p.recordedSec !== null && <span className="muted">{formatDuration(p.recordedSec)}</span>}
              </button>
            </li>
          ))}
        </ol>
      </div>

      {corrected.length > 0 && (
        <div className="vp-section">
          <h2>Corrected transcripts</h2>
          <p className="muted">
            Files whose words you corrected can teach the model too (audio + your text).
          </p>
          <ul className="vp-list">
            {corrected.map((item) => (
              <li key={item.file.id}>
                <span>{item.file.name}</span>
                <button
                  type="button"
                  className="secondary"
                  onClick={() => void addCorrection(item)}
                  disabled={added.has(item.file.id)}
                >
                  {added.has(item.file.id) ? 'Added' : 'Add to my voice profile'}
                </button>
              </li>
            ))}
          </ul>
          {profile && profile.corrections.length > 0 && (
            <p className="muted">{profile.corrections.length} corrected transcript(s) in the profile.</p>
          )}
        </div>
      )}

      <div className="vp-section">
        <h2>Adapt the model</h2>
        <div className="vp-adapt-form">
          <label>
            <span className="muted">Name</span>
            <input
              value={name}
              onChange={(e) => setName(e.target.value)}
              maxLength={64}
              disabled={adapting}
            />
          </label>
          <label>
            <span className="muted">Epochs</span>
            <input
              type="number"
              min={1}
              max={50}
              value={epochs}
              onChange={(e) => setEpochs(Math.max(1, Math.min(50, Math.round(Number(e.target.value) || 1))))}
              disabled={adapting}
            />
          </label>
          <label className="vp-check-label">
            <input
              type="checkbox"
              checked={keepAnyway}
              onChange={(e) => setKeepAnyway(e.target.checked)}
              disabled={adapting}
            />
            Keep the adapted model even if it is not better
          </label>
          {adapting ? (
            <button type="button" className="secondary" onClick={() => void client.cancelAdaptation()}>
              Cancel adaptation
            </button>
          ) : (
            <button
              type="button"
              className="primary"
              onClick={() => void adapt()}
              disabled={recorded + (profile?.corrections.length ?? 0) < 2 || !engineReady || busy || !name}
              title="Needs at least 2 recordings; all prompts give the best result"
            >
              Adapt to my voice
            </button>
          )}
        </div>
        {adapting && (
          <div className="vp-progress" data-testid="adapt-progress">
            <ProgressBar label="Adaptation progress" fraction={fraction} />
            <span className="muted">
              {progress?.phase === 'train'
                ? `Training: step ${progress.step} of ${progress.total}` +
                  (progress.loss !== null ? ` · loss ${progress.loss.toFixed(3)}` : '')
                : 'Preparing recordings…'}
              {progress?.etaSec != null && ` · about ${formatDuration(progress.etaSec)} left`}
            </span>
          </div>
        )}
        {summary && (
          <div className="vp-summary" data-testid="adapt-summary" data-kept={summary.kept}>
            <span>
              Word error rate on held-back recordings: before <strong>{percent(summary.beforeWer)}</strong>,
              after <strong>{percent(summary.afterWer)}</strong>.
            </span>{' '}
            {summary.kept === 'adapted' ? (
              <span>
                Saved as <strong>{summary.modelName}</strong>: select it below to use it.
              </span>
            ) : (
              <span>Adapting did not help, so the base model is kept (nothing was saved).</span>
            )}
          </div>
        )}
      </div>

      <div className="vp-section">
        <h2>Models</h2>
        <ul className="vp-list" aria-label="Models" data-testid="model-list">
          <li>
            <label className="vp-check-label">
              <input
                type="radio"
                name="vp-model"
                checked={profile?.selected === null}
                onChange={() => void select(null)}
                disabled={switching || busy || adapting}
              />
              Base model {profile?.baseModel ? <span className="muted">({profile.baseModel})</span> : null}
            </label>
          </li>
          {profile?.models.map((m) => (
            <li key={m.name} data-model={m.name}>
              <label className="vp-check-label">
                <input
                  type="radio"
                  name="vp-model"
                  aria-label={`Use ${m.name}`}
                  checked={profile.selected === m.name}
                  onChange={() => void select(m.name)}
                  disabled={switching || busy || adapting}
                />
                {m.name}
                {m.beforeWer !== null && m.afterWer !== null && (
                  <span className="muted">
                    {' '}
                    (WER {percent(m.beforeWer)} → {percent(m.afterWer)})
                  </span>
                )}
              </label>
              <button
                type="button"
                className="secondary"
                onClick={() => void remove(m.name)}
                disabled={switching || busy || adapting}
                aria-label={`Remove ${m.name}`}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
        {switching && <p className="muted">Loading the model…</p>}
      </div>

      <LearningPanel client={client} />

      <VocabularyEditor
        client={client}
        profile={profile}
        onSaved={setProfile}
        draft={vocabularyDraft}
        setDraft={setVocabularyDraft}
      />
    </section>
  );
}
