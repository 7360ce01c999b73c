/**
 * The subtitle cues of the selected file, as SRT/VTT export them: each with its start and end time, which
 * can be changed (Enter or leaving the field takes a time; Escape puts the field back). A time that ends
 * before it starts, overlaps a neighbouring cue or passes the end of the audio is refused with one line
 * saying why, and the typed text stays in the field to be corrected. Where a cue breaks the subtitle
 * limits (too short, read too fast, …), that is shown beside it: the limits are advice, not a refusal.
 */
import { memo, useState, type KeyboardEvent } from 'react';
import type { CueTime } from '../../../main/common/ipc-contract';
import { cueTimeProblem, formatCueTime, parseCueTime, type EditedCue } from '../state/cue-edits';

interface CueViewProps {
  cues: readonly EditedCue[];
  durationSec: number;
  /** Sets (or, with null, resets to the rules') the times of the cue starting at word `firstWord`. */
  onSetTime: (firstWord: number, time: CueTime | null) => void;
  onSeek: (time: number) => void;
}

export const CueView = memo(function CueView({ cues, durationSec, onSetTime, onSeek }: CueViewProps) {
  const problems = cues.reduce((n, cue) => n + (cue.problems.length > 0 ? 1 : 0), 0);
  if (cues.length === 0) {
    return (
      <div className="cues" data-testid="cues">
        <p className="muted">No words, so no subtitles.</p>
      </div>
    );
  }
  return (
    <section className="cues" data-testid="cues" aria-label="Subtitle cues">
      <p className="muted cue-summary" data-testid="cue-summary">
        {cues.length} cues ·{' '}
        {problems === 0
          ? 'every cue keeps to the limits (2 lines of 42 characters, 17 characters a second, 1–7 s, 80 ms apart)'
          : `${problems} cue${problems === 1 ? '' : 's'} outside the limits`}
      </p>
      <ol className="cue-list">
        {cues.map((cue, index) => (
          <CueRow
            // A new key when the times change from outside (a reset, another edit): the fields start over.
            key={`${cue.firstWord}:${cue.start}:${cue.end}`}
            cue={cue}
            index={index}
            cues={cues}
            durationSec={durationSec}
            onSetTime={onSetTime}
            onSeek={onSeek}
          />
        ))}
      </ol>
    </section>
  );
});

function CueRow({
  cue,
  index,
  cues,
  durationSec,
  onSetTime,
  onSeek,
}: {
  cue: EditedCue;
  index: number;
  cues: readonly EditedCue[];
  durationSec: number;
  onSetTime: CueViewProps['onSetTime'];
  onSeek: CueViewProps['onSeek'];
}) {
  const [start, setStart] = useState(formatCueTime(cue.start));
  const [end, setEnd] = useState(formatCueTime(cue.end));
  const [error, setError] = useState<string | null>(null);

  const take = () => {
    const from = parseCueTime(start);
    const to = parseCueTime(end);
    if (from === null || to === null) {
      setError(`"${from === null ? start : end}" is not a time: write it as m:ss.mmm (or seconds).`);
      return;
    }
    if (from === cue.start && to === cue.end) {
      setError(null);
      return;
    }
    const problem = cueTimeProblem(cues, index, { start: from, end: to }, durationSec);
    setError(problem);
    if (!problem) onSetTime(cue.firstWord, { start: from, end: to });
  };

  const onKey = (event: KeyboardEvent<HTMLInputElement>) => {
    // The fields own the keyboard: the editor's Space and arrow shortcuts must not fire here.
    event.stopPropagation();
    if (event.key === 'Enter') {
      event.preventDefault();
      take();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      setStart(formatCueTime(cue.start));
      setEnd(formatCueTime(cue.end));
      setError(null);
    }
  };

  const number = index + 1;
  const timeField = (which: 'Start' | 'End', value: string, set: (text: string) => void) => (
    <input
      className="cue-time"
      aria-label={`${which} of cue ${number}`}
      aria-invalid={error !== null}
      value={value}
      spellCheck={false}
      onChange={(e) => set(e.target.value)}
      onBlur={take}
      onKeyDown={onKey}
    />
  );
  return (
    <li
      className={`cue${cue.problems.length ? ' has-problems' : ''}${cue.edited ? ' edited' : ''}`}
      data-testid="cue"
      data-start={cue.start.toFixed(3)}
      data-end={cue.end.toFixed(3)}
      data-first-word={cue.firstWord}
    >
      <div className="cue-times">
        <button
          type="button"
          className="cue-number"
          onClick={() => onSeek(cue.start)}
          title={`Play from ${formatCueTime(cue.start)}`}
          aria-label={`Play cue ${number}`}
        >
          {number}
        </button>
        {timeField('Start', start, setStart)}
        <span aria-hidden="true">→</span>
        {timeField('End', end, setEnd)}
        {cue.edited && (
          <button
            type="button"
            className="link-button"
            onClick={() => onSetTime(cue.firstWord, null)}
            title="Back to the times the subtitle rules give"
          >
            Reset
          </button>
        )}
      </div>
      <p className="cue-text">{cue.text}</p>
      {error && (
        <p className="cue-error" role="alert" data-testid="cue-error">
          {error}
        </p>
      )}
      {cue.problems.length > 0 && (
        <ul className="cue-problems" data-testid="cue-problems">
          {cue.problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      )}
    </li>
  );
}
