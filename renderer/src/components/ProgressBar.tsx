/** A labelled progress bar for a fraction 0..1 (speaker adaptation, learning rounds). */
export function ProgressBar({ label, fraction }: { label: string; fraction: number }) {
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={1}
      aria-valuenow={fraction}
    >
      <div className="progress-bar" style={{ width: `${(100 * fraction).toFixed(1)}%` }} />
    </div>
  );
}
