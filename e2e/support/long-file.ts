/**
 * The 3-minute file of the long-transcript tests (e2e/transcript-view and e2e/subtitles), built from the
 * speech fixture with sox (a CI dependency, see .ci/run).
 */
import { execFileSync } from 'node:child_process';
import type { TestInfo } from '@playwright/test';
import { FIXTURES } from './fixtures';
import type { StudioPage } from './studio-page';

/** speech.wav (2.7 s) and half a second of silence, 57 times: just over three minutes. */
export function longFile(testInfo: TestInfo, name: string): string {
  const file = testInfo.outputPath(name);
  execFileSync('sox', [`${FIXTURES}/speech.wav`, file, 'pad', '0', '0.5', 'repeat', '56']);
  return file;
}

/** Opens the 3-minute file and waits for its transcript and its waveform with every word region. */
export async function openLongFile(studio: StudioPage, testInfo: TestInfo, name: string) {
  await studio.openFiles(longFile(testInfo, name));
  const words = await studio.waitForEvent('transcript-final', { name }, 120_000).then((e) => e.words);
  const { fileId } = await studio.waitForEvent('transcript-final', { name });
  const waveform = await studio.waitForWaveform(fileId, words.length);
  return { words, fileId, duration: waveform.duration };
}
