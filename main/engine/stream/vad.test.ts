import { describe, expect, it } from 'vitest';
import { seededRandom } from '../testing/seeded-random';
import { VoiceActivityDetector, type VadEvent } from './vad';

const RATE = 16000;

/** Runs a signal through the VAD in 10 ms frames; returns the events with their frame index. */
function run(signal: Float32Array, vad = new VoiceActivityDetector()): { frame: number; event: VadEvent }[] {
  const events: { frame: number; event: VadEvent }[] = [];
  const n = vad.frameSamples;
  for (let f = 0; (f + 1) * n <= signal.length; f++) {
    const event = vad.pushFrame(signal.subarray(f * n, (f + 1) * n));
    if (event) events.push({ frame: f, event });
  }
  return events;
}

/** Noise at `noiseDbfs` everywhere, plus a 300 Hz tone at `toneDbfs` during the given [start, end) seconds. */
function signal(seconds: number, noiseDbfs: number, tones: [number, number][], toneDbfs = -20): Float32Array {
  const random = seededRandom(3);
  const out = new Float32Array(seconds * RATE);
  const noiseAmp = Math.sqrt(3) * 10 ** (noiseDbfs / 20); // uniform noise with that RMS
  const toneAmp = Math.SQRT2 * 10 ** (toneDbfs / 20);
  for (let i = 0; i < out.length; i++) {
    out[i] = noiseAmp * (random() * 2 - 1);
    const t = i / RATE;
    if (tones.some(([a, b]) => t >= a && t < b)) out[i] += toneAmp * Math.sin(2 * Math.PI * 300 * t);
  }
  return out;
}

describe('VoiceActivityDetector', () => {
  it('finds one utterance with its pre-roll, end and hangover', () => {
    const events = run(signal(3, -70, [[1, 2]]));
    expect(events.map((e) => e.event.type)).toEqual(['speech-start', 'speech-end']);
    const start = events[0].event as Extract<VadEvent, { type: 'speech-start' }>;
    // Confirmed after the minimum speech duration; reported from before the onset (pre-roll 250 ms).
    expect(events[0].frame).toBe(100 + 5);
    expect(start.startSample).toBe(RATE * 1 - RATE * 0.25);
    const end = events[1].event as Extract<VadEvent, { type: 'speech-end' }>;
    expect(end.endSample).toBe(RATE * 2);
    expect(end.hangoverSamples).toBe(RATE * 0.3);
  });

  it('does not end speech on a pause shorter than the hangover, and ignores blips shorter than the minimum', () => {
    const events = run(
      signal(4, -70, [
        [0.5, 0.53], // a 30 ms click
        [1, 1.6],
        [1.8, 2.4], // 200 ms pause: same utterance
      ]),
    );
    expect(events.map((e) => e.event.type)).toEqual(['speech-start', 'speech-end']);
    expect((events[1].event as { endSample: number }).endSample).toBe(RATE * 2.4);
  });

  it('adapts to the noise floor: a tone only 6 dB over loud noise is not speech, 20 dB over is', () => {
    const quiet = run(signal(3, -30, [[1, 2]], -24));
    expect(quiet).toEqual([]);
    const loud = run(signal(3, -30, [[1, 2]], -10));
    expect(loud.map((e) => e.event.type)).toEqual(['speech-start', 'speech-end']);
  });

  it('treats digital silence and faint hiss as silence', () => {
    expect(run(new Float32Array(RATE * 2))).toEqual([]);
    expect(run(signal(2, -75, [[0.5, 1.5]], -65))).toEqual([]);
  });
  it('ends speech when told to (the recogniser confirmed it), with the event the hangover would give', () => {
    const vad = new VoiceActivityDetector();
    expect(vad.endSpeech()).toBeNull();
    // Tone 1.0–2.0 s; stop feeding 0.1 s into the quiet, before the 0.3 s hangover has run.
    expect(run(signal(2.1, -70, [[1, 2]]), vad).map((e) => e.event.type)).toEqual(['speech-start']);
    expect(vad.silenceSec).toBeCloseTo(0.1, 5);
    const ended = vad.endSpeech();
    expect(ended).toEqual({ type: 'speech-end', endSample: 2 * RATE, hangoverSamples: 0.1 * RATE });
    expect(vad.speaking).toBe(false);
    expect(vad.endSpeech()).toBeNull();
  });
});
