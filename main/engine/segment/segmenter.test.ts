import { describe, expect, it } from 'vitest';
import { SilenceSegmenter, type AudioSegment } from './segmenter';

const rate = 16000;

/** Bursts of noise ("speech") separated by pauses; returns the signal and the pause centres in samples. */
function speechWithPauses(totalSec: number, burstSec: number, pauseSec: number) {
  const samples = new Float32Array(totalSec * rate);
  const pauses: number[] = [];
  let seed = 7;
  const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.5;
  for (let t = 0; t < samples.length;) {
    const burstEnd = Math.min(samples.length, t + burstSec * rate);
    for (; t < burstEnd; t++) samples[t] = noise();
    pauses.push(t + (pauseSec * rate) / 2);
    t += pauseSec * rate;
  }
  return { samples, pauses };
}

function run(segmenter: SilenceSegmenter, samples: Float32Array, chunk: number): AudioSegment[] {
  const out: AudioSegment[] = [];
  for (let i = 0; i < samples.length; i += chunk) out.push(...segmenter.push(samples.subarray(i, i + chunk)));
  out.push(...segmenter.flush());
  return out;
}

describe('SilenceSegmenter', () => {
  const options = { sampleRate: rate, minSegmentSec: 4, maxSegmentSec: 10, silenceDb: -60 };

  it('cuts contiguous, bounded segments that cover the whole input exactly', () => {
    const { samples } = speechWithPauses(95, 3, 0.5);
    const segments = run(new SilenceSegmenter(options), samples, 3333);
    let expectedStart = 0;
    for (const s of segments) {
      expect(s.startSample).toBe(expectedStart);
      expect(s.samples.length).toBeLessThanOrEqual(10 * rate);
      expect(Array.from(s.samples.subarray(0, 50))).toEqual(
        Array.from(samples.subarray(s.startSample, s.startSample + 50)),
      );
      expectedStart += s.samples.length;
    }
    expect(expectedStart).toBe(samples.length);
    for (const s of segments.slice(0, -1)) expect(s.samples.length).toBeGreaterThanOrEqual(4 * rate);
  });

  it('cuts inside pauses rather than in the middle of speech', () => {
    const { samples, pauses } = speechWithPauses(60, 3, 0.5);
    const segments = run(new SilenceSegmenter(options), samples, 16000);
    for (const s of segments.slice(1)) {
      const nearest = Math.min(...pauses.map((p) => Math.abs(p - s.startSample)));
      expect(nearest).toBeLessThan(0.25 * rate);
    }
  });

  it('ranks pauses quieter than −100 dBFS by their level too (resampled silence is such a pause)', () => {
    // Two pauses between loud stretches, both below −100 dB and not digital silence: a fainter one
    // (about −120 dB) and a faint one later (−110 dB). The cut goes into the fainter: were both levels
    // floored alike, the tie would go to the later pause.
    const samples = new Float32Array(12 * rate).fill(0.2);
    samples.fill(3e-7, 5 * rate, 6 * rate);
    samples.fill(3e-6, 8 * rate, 9 * rate);
    const [first] = run(new SilenceSegmenter(options), samples, 16000);
    expect(first.samples.length).toBeGreaterThan(5 * rate);
    expect(first.samples.length).toBeLessThan(6 * rate);
  });

  it('marks silent segments so they are not decoded', () => {
    const samples = new Float32Array(25 * rate);
    samples.fill(0.2, 22 * rate, 23 * rate);
    const segments = run(new SilenceSegmenter(options), samples, 8000);
    expect(segments[0].silent).toBe(true);
    expect(segments.some((s) => !s.silent)).toBe(true);
  });
});
