/**
 * Plays audio into a consumer at real-time pace, in microphone-sized frames: the file source for live
 * dictation in tests, benchmarks and QA (a file can stand in for the microphone). Frames are due by the
 * wall clock since the start, so a late timer is caught up rather than stretching the audio.
 */
export interface RealtimeOptions {
  frameMs?: number;
  /** 1 = real time; 2 = twice as fast (soak tests). */
  speed?: number;
  signal?: AbortSignal;
  /** After the audio, keep delivering silent frames until stopped, like a microphone in a quiet room. */
  thenSilence?: boolean;
}

export interface RealtimePlayback {
  /** Resolves after the last frame was delivered (or playback was stopped). */
  readonly done: Promise<void>;
  /** performance.now() when the first sample was due: sample i is "spoken" at start + i / rate. */
  readonly startedAt: number;
  stop(): void;
}

export function playRealtime(
  samples: Float32Array,
  sampleRate: number,
  onFrame: (frame: Float32Array) => void,
  options: RealtimeOptions = {},
): RealtimePlayback {
  const frameMs = options.frameMs ?? 20;
  const speed = options.speed ?? 1;
  const frame = Math.max(1, Math.round((sampleRate * frameMs) / 1000));
  const startedAt = performance.now();
  let sent = 0;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const stop = () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    timer = null;
    finish();
  };
  let silentSent = 0;
  const tick = () => {
    timer = null;
    if (stopped) return;
    const elapsed = Math.floor(((performance.now() - startedAt) / 1000) * sampleRate * speed);
    const due = Math.min(samples.length, elapsed);
    // Whole frames only, as a sound card delivers them (the last one may be short).
    while (sent < samples.length && (due - sent >= frame || due === samples.length)) {
      const end = Math.min(samples.length, sent + frame);
      onFrame(samples.slice(sent, end));
      sent = end;
    }
    if (sent >= samples.length && !options.thenSilence) {
      finish();
      return;
    }
    while (sent >= samples.length && elapsed - samples.length - silentSent >= frame) {
      onFrame(new Float32Array(frame));
      silentSent += frame;
    }
    timer = setTimeout(tick, Math.max(1, frameMs / speed / 2));
  };
  options.signal?.addEventListener('abort', stop, { once: true });
  timer = setTimeout(tick, 0);
  return { done, startedAt, stop };
}
