/**
 * Accuracy over time for learning from corrections: one point per round, the word accuracy (1 − WER) of
 * the model in use on that round's check — corrections kept back from training, so each point is a fair
 * measure of the model the user was dictating with. A hollow marker shows the new weights' accuracy on
 * the same check, filled when they were kept. Plain SVG.
 */
import type { LearningRoundInfo } from '../../../main/common/ipc-contract';

const WIDTH = 360;
const HEIGHT = 120;
const PAD = { left: 34, right: 8, top: 8, bottom: 20 };

/** Word accuracy in percent, floored at 0 (a WER above 100 % has more errors than words). */
export const accuracyPercent = (wer: number) => Math.max(0, 100 * (1 - wer));

export function AccuracyChart({ rounds }: { rounds: readonly LearningRoundInfo[] }) {
  if (rounds.length === 0) return null;
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (rounds.length === 1 ? plotW / 2 : (i * plotW) / (rounds.length - 1));
  const y = (percent: number) => PAD.top + plotH * (1 - percent / 100);
  const before = rounds.map(
    (r, i) => `${x(i).toFixed(1)},${y(accuracyPercent(r.heldBackWerBefore)).toFixed(1)}`,
  );
  const last = rounds.at(-1)!;
  return (
    <svg
      className="accuracy-chart"
      data-testid="accuracy-chart"
      data-rounds={rounds.length}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      width={WIDTH}
      height={HEIGHT}
      role="img"
      aria-label={`Word accuracy over ${rounds.length} learning round${rounds.length === 1 ? '' : 's'}: last ${accuracyPercent(last.heldBackWerBefore).toFixed(0)} % before, ${accuracyPercent(last.heldBackWerAfter).toFixed(0)} % after`}
    >
      {[0, 50, 100].map((p) => (
        <g key={p}>
          <line className="grid" x1={PAD.left} x2={WIDTH - PAD.right} y1={y(p)} y2={y(p)} />
          <text className="axis" x={PAD.left - 4} y={y(p) + 4} textAnchor="end">
            {p}%
          </text>
        </g>
      ))}
      <text className="axis" x={PAD.left} y={HEIGHT - 4}>
        round 1
      </text>
      {rounds.length > 1 && (
        <text className="axis" x={WIDTH - PAD.right} y={HEIGHT - 4} textAnchor="end">
          {last.round}
        </text>
      )}
      <polyline className="before" points={before.join(' ')} />
      {rounds.map((r, i) => (
        <g key={r.round}>
          <circle className="before" cx={x(i)} cy={y(accuracyPercent(r.heldBackWerBefore))} r={3} />
          <circle
            className={`after ${r.kept}`}
            cx={x(i)}
            cy={y(accuracyPercent(r.heldBackWerAfter))}
            r={3.5}
            data-kept={r.kept}
          >
            <title>
              Round {r.round}: {accuracyPercent(r.heldBackWerBefore).toFixed(0)} % →{' '}
              {accuracyPercent(r.heldBackWerAfter).toFixed(0)} %{' '}
              {r.kept === 'adapted' ? '(kept)' : '(not better: not kept)'}
            </title>
          </circle>
        </g>
      ))}
    </svg>
  );
}
