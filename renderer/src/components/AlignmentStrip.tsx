/**
 * The reference against the recognised words, in order, under the waveform: substitutions, deletions and
 * insertions are marked; clicking a token (an error or not) moves playback to where it is in the audio.
 */
import { percent, type FileScore } from '../../../main/common/evaluation';
import type { AlignmentMark } from '../state/evaluation';

const OP_LABEL = { match: 'correct', sub: 'substitution', del: 'deletion', ins: 'insertion' } as const;

export function AlignmentStrip({
  score,
  marks,
  onSeek,
}: {
  score: FileScore;
  marks: readonly AlignmentMark[];
  onSeek: (time: number, wordIndex: number) => void;
}) {
  const w = score.counts.words;
  return (
    <section className="alignment" aria-label="Alignment with the reference" data-testid="alignment">
      <p className="alignment-figures">
        <strong data-testid="file-score" data-wer={score.wer} data-cer={score.cer}>
          WER {percent(score.wer)} · CER {percent(score.cer)}
        </strong>{' '}
        <span className="muted">
          {w.substitutions} substitutions, {w.deletions} deletions, {w.insertions} insertions over{' '}
          {w.reference} reference words
        </span>
      </p>
      <ol className="alignment-strip">
        {marks.map((m, i) => {
          const text =
            m.op === 'sub' ? `${m.ref} → ${m.hyp}` : m.op === 'ins' ? `+${m.hyp}` : (m.ref ?? m.hyp ?? '');
          return (
            <li key={i}>
              <button
                type="button"
                className={`align-token ${m.op}`}
                data-op={m.op}
                data-time={m.time.toFixed(3)}
                title={`${OP_LABEL[m.op]} at ${m.time.toFixed(2)} s${m.op === 'del' ? ' (missing here)' : ''}`}
                aria-label={`${OP_LABEL[m.op]}: ${text}, at ${m.time.toFixed(2)} seconds`}
                onClick={() => onSeek(m.time, m.wordIndex)}
              >
                {text}
              </button>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
