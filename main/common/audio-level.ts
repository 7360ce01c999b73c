/**
 * The loudness of audio frames: their energy in dBFS, and the 0..1 scale the level meter shows. One
 * definition for every place that measures it — the host's meter for native and file capture, the page's
 * meter for its own microphone, the engine's voice activity detector and segmenter — so the meter a user
 * watches and the levels the engine decides speech by are the same numbers.
 */

/** dBFS given to digital silence (log10 of 0 is −∞; a finite floor keeps comparisons and means sane). */
export const SILENCE_DBFS = -100;

/** The meter's range: this level (and anything quieter) shows empty, 0 dBFS shows full. */
export const METER_FLOOR_DBFS = -60;

/**
 * RMS energy of `samples[start, start + length)` in dB relative to full scale, unfloored: the mean square
 * plus 1e-12, so digital silence is −120 dB and quieter frames still rank below louder ones (the
 * segmenter cuts at the quietest). An empty frame counts as silence.
 */
export function energyDb(samples: Float32Array, start = 0, length = samples.length - start): number {
  let sum = 0;
  for (let i = start; i < start + length; i++) sum += samples[i] * samples[i];
  return 10 * Math.log10(sum / Math.max(1, length) + 1e-12);
}

/** The same in dBFS, never below SILENCE_DBFS: the level the VAD and the meter go by. */
export function frameDbfs(samples: Float32Array, start = 0, length = samples.length - start): number {
  return Math.max(SILENCE_DBFS, energyDb(samples, start, length));
}

/** A level in dBFS on the meter's 0..1 scale (linear in dB from METER_FLOOR_DBFS to 0 dBFS). */
export function meterLevel(dbfs: number): number {
  return Math.max(0, Math.min(1, (dbfs - METER_FLOOR_DBFS) / -METER_FLOOR_DBFS));
}

/** What the level meter shows for one frame of audio. */
export function frameMeterLevel(samples: Float32Array): number {
  return meterLevel(frameDbfs(samples));
}
