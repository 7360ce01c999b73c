import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameMeterLevel } from '../../common/audio-level';
import { loadAudioFile } from '../audio/load';
import { concatSamples } from '../audio/samples';
import { AsrEngine } from '../engine';
import { LiveRecognizer, type LiveEvent } from './live-recognizer';

const fixture = path.join(import.meta.dirname, '..', '__fixtures__', 'speech-16k.wav');
let engine: AsrEngine;

beforeAll(async () => {
  engine = await AsrEngine.load({ backend: 'wasm' });
});
afterAll(() => engine?.dispose());

const concat = (...parts: Float32Array[]) => concatSamples(parts);

/**
 * Feeds audio in 20 ms chunks and collects the events. `keepUp`: each chunk waits until the previous one is
 * processed, as with a fast engine in real time; otherwise everything is queued at once (an engine far
 * behind real time).
 */
async function dictate(audio: Float32Array, rate: number, options = {}, keepUp = true): Promise<LiveEvent[]> {
  const events: LiveEvent[] = [];
  const live = new LiveRecognizer(engine, { inputSampleRate: rate, ...options }, (e) => events.push(e));
  const chunk = Math.round(rate * 0.02);
  for (let i = 0; i < audio.length; i += chunk) {
    live.push(audio.subarray(i, i + chunk));
    if (keepUp) await live.whenIdle();
  }
  await live.stop();
  return events;
}

const finals = (events: LiveEvent[]) => events.filter((e) => e.type === 'final');

describe('LiveRecognizer', () => {
  it('gives partials while speaking and a final per utterance, equal to decoding that audio offline', async () => {
    const speech = await loadAudioFile(fixture, 16000);
    const silence = new Float32Array(16000);
    const stream = concat(silence, speech, silence, speech, silence);
    const events = await dictate(stream, 16000);

    const done = finals(events);
    expect(done.map((f) => f.reason)).toEqual(['pause', 'pause']);
    expect(events.filter((e) => e.type === 'speech-start').map((e) => e.segment)).toEqual([1, 2]);
    for (const final of done) {
      // The final is exactly what the engine makes of the same span of audio.
      const start = Math.round(final.startSec * 16000);
      const end = Math.round(final.endSec * 16000);
      const offline = engine.decodePosteriors(
        await engine.posteriors(stream.slice(start, end)),
        final.startSec,
      );
      expect(final.words).toEqual(offline);
      expect(final.text).toContain('quick brown');
      // Punctuation and capitals as display text beside the words as recognised
      expect(final.displayText).toBeDefined();
      expect(final.displayText!.toLowerCase().replace(/[.,?]/g, '')).toBe(final.text);
      // The pause was used: the final is the decode made once the speaker had been quiet 0.1 s, and the
      // recogniser, hearing no character in it, ended the utterance without the rest of the 0.3 s hangover.
      expect(final.timing.speculative).toBe(true);
      expect(final.timing.recognizerEnd).toBe(true);
      expect(final.timing.hangoverSec).toBeGreaterThanOrEqual(0.1);
      expect(final.timing.hangoverSec).toBeLessThan(0.3);
      expect(final.timing.speechEndSec).toBeLessThanOrEqual(final.endSec);
      for (const w of final.words) {
        expect(w.start).toBeGreaterThanOrEqual(final.startSec);
        expect(w.end).toBeLessThanOrEqual(final.endSec + 1e-6);
      }
    }
    // Each utterance starts near where the speech is (1 s and 5.44 s, minus the pre-roll).
    expect(done[0].startSec).toBeGreaterThan(0.6);
    expect(done[0].startSec).toBeLessThan(1.05);
    expect(done[1].startSec).toBeGreaterThan(done[0].endSec);

    // Partials come before their final, their stable prefix is a prefix of the words, and it only
    // covers words that did not change from the previous partial.
    for (const final of done) {
      const partials = events.filter((e) => e.type === 'partial' && e.segment === final.segment);
      expect(partials.length).toBeGreaterThanOrEqual(5);
      expect(events.indexOf(partials[partials.length - 1])).toBeLessThan(events.indexOf(final));
      let previous: string[] = [];
      for (const p of partials) {
        if (p.type !== 'partial') continue;
        expect(p.stableWords).toBeLessThanOrEqual(Math.max(0, p.words.length - 1));
        expect(p.words.slice(0, p.stableWords)).toEqual(previous.slice(0, p.stableWords));
        previous = p.words;
      }
    }
    // Level events carry the VAD's decision.
    const levels = events.filter((e) => e.type === 'level');
    expect(levels.some((l) => l.type === 'level' && l.speech)).toBe(true);
    expect(levels.some((l) => l.type === 'level' && !l.speech)).toBe(true);
  });

  it('reports the level on the meter scale every part of the app uses (audio-level.ts)', async () => {
    // A steady tone: every 10 ms frame has the same energy, so each level event is that frame's level.
    const tone = new Float32Array(16000).map((_, i) => 0.1 * Math.sin((2 * Math.PI * 440 * i) / 16000));
    const levels = (await dictate(tone, 16000)).filter((e) => e.type === 'level');
    expect(levels.length).toBeGreaterThan(0);
    const expected = frameMeterLevel(tone.subarray(0, 160));
    expect(expected).toBeGreaterThan(0.5);
    for (const level of levels) expect(level.level).toBeCloseTo(expected, 2);
  });

  it('measures the quiet the model hears at the end: all of an appended second, none in mid-speech', async () => {
    const speech = await loadAudioFile(fixture, 16000);
    const padded = concat(speech, new Float32Array(16000));
    expect(engine.trailingQuietSec(await engine.posteriors(padded))).toBeGreaterThanOrEqual(1);
    const cut = speech.slice(0, Math.round(speech.length * 0.7));
    expect(engine.trailingQuietSec(await engine.posteriors(cut))).toBeLessThan(0.1);
  });

  it('waits for the whole VAD hangover when the recogniser is not asked to confirm the end', async () => {
    const speech = await loadAudioFile(fixture, 16000);
    const silence = new Float32Array(16000);
    const events = await dictate(concat(silence, speech, silence), 16000, { confirmEndSec: 0 });
    const [final] = finals(events);
    expect(final.reason).toBe('pause');
    expect(final.timing.speculative).toBe(true);
    expect(final.timing.recognizerEnd).toBe(false);
    expect(final.timing.hangoverSec).toBeCloseTo(0.3, 2);
  });

  it('when far behind real time, skips partials and speculation instead of lagging, and still finalises', async () => {
    const speech = await loadAudioFile(fixture, 16000);
    const silence = new Float32Array(16000);
    const events = await dictate(concat(silence, speech, silence), 16000, {}, false);
    expect(events.filter((e) => e.type === 'partial')).toEqual([]);
    const done = finals(events);
    expect(done).toHaveLength(1);
    expect(done[0].timing.speculative).toBe(false);
    expect(done[0].text).toContain('quick brown');
  });

  it('resamples any input rate, and stop() finalises speech that is still going', async () => {
    // Cut at 2.8 s, inside "dog": the speaker is still talking when dictation stops.
    const speech = (await loadAudioFile(fixture, 48000)).slice(0, 48000 * 2.8);
    const events = await dictate(concat(new Float32Array(24000), speech), 48000);
    const done = finals(events);
    expect(done).toHaveLength(1);
    expect(done[0].reason).toBe('stop');
    expect(done[0].text).toContain('quick brown');
  });

  it('splits a segment that reaches the maximum length at a quiet moment, losing no audio', async () => {
    // The utterance without its trailing silence, three times: 9 s without a pause the VAD would take.
    const speech = (await loadAudioFile(fixture, 16000)).slice(0, 16000 * 3);
    const stream = concat(speech, speech, speech);
    const events = await dictate(stream, 16000, { maxSegmentSec: 5 });
    const done = finals(events);
    expect(done.length).toBeGreaterThanOrEqual(2);
    expect(done[0].reason).toBe('split');
    // Consecutive segments are contiguous: the split point ends one and starts the next.
    for (let i = 1; i < done.length; i++) {
      if (done[i - 1].reason === 'split') expect(done[i].startSec).toBeCloseTo(done[i - 1].endSec, 6);
    }
    const words = done.flatMap((f) => f.words.map((w) => w.word));
    expect(words.filter((w) => w === 'lazy')).toHaveLength(3);
  });

  it('surfaces an engine failure on the next push and on stop', async () => {
    const failing = {
      sampleRate: 16000,
      posteriors: () => Promise.reject(new Error('model exploded')),
      decodePosteriors: () => [],
      trailingQuietSec: () => 0,
    };
    const live = new LiveRecognizer(failing, { inputSampleRate: 16000 }, () => {});
    const speech = await loadAudioFile(fixture, 16000);
    live.push(speech);
    await expect(live.stop()).rejects.toThrow('model exploded');
    expect(() => live.push(speech)).toThrow('model exploded');
  });
});
