/** The input level meter (0..1) shown while recording, shared by dictation and enrollment. */
export function LevelMeter({ level, active }: { level: number; active: boolean }) {
  return (
    <div
      className="meter"
      role="meter"
      aria-label="Input level"
      aria-valuemin={0}
      aria-valuemax={1}
      aria-valuenow={level}
    >
      <div className="meter-fill" style={{ transform: `scaleX(${active ? level : 0})` }} />
    </div>
  );
}
