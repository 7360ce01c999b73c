import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('long audio', () => {
  it('transcribes 30 minutes of 44.1 kHz audio in bounded memory with absolute times', async () => {
    // A fresh process gives a clean RSS reading. Decoding the file whole would need ≥ 300 MB of floats
    // (30 min × 44.1 kHz × 4 bytes, plus the 16 kHz copy); the streaming engine must stay far below that.
    const script = path.join(import.meta.dirname, '..', 'cli', 'long-audio-rss.ts');
    const { stdout } = await run(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', script, '--minutes', '30'],
      {
        cwd: path.join(import.meta.dirname, '..', '..'),
        maxBuffer: 1 << 20,
      },
    );
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!);
    console.log('long audio:', result);
    expect(result.durationSec).toBeCloseTo(1800, 1);
    expect(result.peakRssMb - result.baselineRssMb).toBeLessThan(150);
    // Bounded, not merely small: the second 15 minutes must not add memory in proportion to length.
    expect(result.peakRssMb - result.firstHalfPeakRssMb).toBeLessThan(40);
    expect(result.lastWordEndSec).toBeGreaterThan(1790);
    expect(result.lastWordEndSec).toBeLessThanOrEqual(1800.05);
    expect(result.progressEvents).toBeGreaterThan(80);
  }, 600_000);
});
