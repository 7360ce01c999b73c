import { describe, expect, it } from 'vitest';
import { playRealtime } from './realtime-source';

describe('playRealtime', () => {
  it('delivers every sample, in order, in frames, no faster than real time', async () => {
    const rate = 16000;
    const samples = Float32Array.from({ length: rate * 0.5 }, (_, i) => i);
    const frames: { at: number; frame: Float32Array }[] = [];
    const playback = playRealtime(samples, rate, (frame) => frames.push({ at: performance.now(), frame }));
    await playback.done;
    const joined = Float32Array.from(frames.flatMap((f) => [...f.frame]));
    expect(joined).toEqual(samples);
    expect(frames.slice(0, -1).every((f) => f.frame.length === 320)).toBe(true);
    // Each frame is delivered only once its last sample is due.
    let delivered = 0;
    for (const { at, frame } of frames) {
      delivered += frame.length;
      expect(at - playback.startedAt).toBeGreaterThanOrEqual((delivered / rate) * 1000 - 1);
    }
  });

  it('stops on abort and resolves', async () => {
    const controller = new AbortController();
    let count = 0;
    const playback = playRealtime(new Float32Array(16000 * 10), 16000, () => count++, {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 100);
    await playback.done;
    expect(count).toBeLessThan(20);
  });

  it('can go on with silence after the audio until stopped (a microphone in a quiet room)', async () => {
    const frames: Float32Array[] = [];
    const playback = playRealtime(new Float32Array(1600).fill(0.5), 16000, (f) => frames.push(f), {
      thenSilence: true,
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    playback.stop();
    await playback.done;
    const total = frames.reduce((n, f) => n + f.length, 0);
    expect(total).toBeGreaterThanOrEqual(1600 + 320 * 5);
    expect(frames.at(-1)!.every((x) => x === 0)).toBe(true);
    const count = frames.length;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(frames.length).toBe(count); // nothing after stop
  });
});
