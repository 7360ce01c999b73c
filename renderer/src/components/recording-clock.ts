/**
 * The elapsed-time display of a recording (dictation, enrollment prompts): `start()` when capture begins;
 * while `running`, the clock re-renders its component every 200 ms.
 */
import { useCallback, useEffect, useState } from 'react';

export function useRecordingClock(running: boolean): { seconds: number; start: () => void } {
  const [startedAt, setStartedAt] = useState(0);
  const [now, setNow] = useState(0);
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => setNow(performance.now()), 200);
    return () => clearInterval(timer);
  }, [running]);
  const start = useCallback(() => {
    const t = performance.now();
    setStartedAt(t);
    setNow(t);
  }, []);
  return { seconds: (now - startedAt) / 1000, start };
}
