/**
 * Subtitle cues of a 3-minute file (issue 18): every cue keeps to the limits (lines, characters a second,
 * duration, gap), checked here from the cues on screen; a cue's time edited is validated, saved with the
 * project and exported.
 *
 * With the trained models (models/default, models/punct): real words at a speaking pace. The random test
 * model's meaningless words come at about the reading-speed limit (17 characters a second) by themselves,
 * so whether its cues could keep to the limits at all hung on how many commas the punctuation model put
 * among them.
 */
import { DEFAULT_SUBTITLE_OPTIONS as LIMITS } from '../main/common/subtitles';
import type { Word } from '../main/common/transcript';
import { expect, test } from './support/fixtures';
import { openLongFile } from './support/long-file';
import type { StudioPage } from './support/studio-page';

test.use({ studioModel: 'models/default' });
test.describe.configure({ timeout: 180_000 });

interface ShownCue {
  start: number;
  end: number;
  text: string;
}

async function shownCues(studio: StudioPage): Promise<ShownCue[]> {
  return studio.page.getByTestId('cue').evaluateAll((items) =>
    items.map((li) => ({
      start: Number(li.getAttribute('data-start')),
      end: Number(li.getAttribute('data-end')),
      text: li.querySelector('.cue-text')?.textContent ?? '',
    })),
  );
}

/** The limits, checked here from the cues on screen (not by the app's own validator). */
function expectWithinLimits(cues: readonly ShownCue[], words: readonly Word[]) {
  cues.forEach((cue, i) => {
    const lines = cue.text.split('\n');
    const where = `cue ${i + 1} at ${cue.start}: ${JSON.stringify(cue.text)}`;
    expect(lines.length, where).toBeLessThanOrEqual(LIMITS.maxLines);
    for (const line of lines) expect(line.length, where).toBeLessThanOrEqual(LIMITS.maxLineChars);
    const duration = cue.end - cue.start;
    expect(duration, where).toBeGreaterThanOrEqual(LIMITS.minDurationSec - 1e-6);
    expect(duration, where).toBeLessThanOrEqual(LIMITS.maxDurationSec + 1e-6);
    expect(lines.join(' ').length / duration, where).toBeLessThanOrEqual(LIMITS.maxCharsPerSec + 1e-6);
    if (i + 1 < cues.length)
      expect(cues[i + 1].start - cue.end, where).toBeGreaterThanOrEqual(LIMITS.minGapSec - 1e-6);
  });
  // Every word in exactly one cue, in order, as shown (punctuated and capitalised by default).
  expect(cues.flatMap((c) => c.text.split(/\s+/))).toEqual(words.map((w) => w.display ?? w.word));
}

test('subtitle cues of a 3-minute file keep to the limits; a cue time edited is validated, saved and exported', async ({
  studio,
  page,
}, testInfo) => {
  test.slow(); // the trained model loads in the bridge first
  const { words } = await openLongFile(studio, testInfo, 'subtitles.wav');
  await page.getByRole('group', { name: 'Show' }).getByRole('button', { name: 'Subtitles' }).click();
  const cues = await shownCues(studio);
  expect(cues.length).toBeGreaterThan(20);
  expectWithinLimits(cues, words);
  await expect(page.getByTestId('cue-summary')).toContainText('every cue keeps to the limits');
  await expect(page.getByTestId('cue-problems')).toHaveCount(0);

  // A time that would overlap the cue before is refused with one line; the typed text stays to be fixed.
  const second = page.getByTestId('cue').nth(1);
  const start = second.getByRole('textbox', { name: 'Start of cue 2' });
  await start.fill(String(cues[0].end - 0.5));
  await start.press('Enter');
  await expect(second.getByTestId('cue-error')).toHaveText(/^The start overlaps cue 1 \(it ends at /);
  await expect(start).toHaveValue(String(cues[0].end - 0.5));
  await expect(second).toHaveAttribute('data-start', cues[1].start.toFixed(3));
  // An end before the start, too.
  await start.fill(String(cues[1].end + 1));
  await start.press('Enter');
  await expect(second.getByTestId('cue-error')).toContainText('must come before the end');
  await expect(second).toHaveAttribute('data-start', cues[1].start.toFixed(3));

  // A valid time is taken (written as m:ss.mmm), marked, saved and exported.
  const newStart = Math.round((cues[1].start + 0.05) * 1000) / 1000;
  await start.fill(newStart.toFixed(3));
  await start.press('Enter');
  await expect(second).toHaveAttribute('data-start', newStart.toFixed(3));
  await expect(second).toHaveClass(/edited/);
  await expect(page.getByTestId('cue-error')).toHaveCount(0);
  const stamp = (t: number, mark: string) =>
    `00:${String(Math.floor(t / 60)).padStart(2, '0')}:${(t % 60).toFixed(3).padStart(6, '0')}`.replace(
      '.',
      mark,
    );
  const srt = await studio.exportAs('srt');
  expect(srt.content).toContain(`\n2\n${stamp(newStart, ',')} --> ${stamp(cues[1].end, ',')}\n`);
  expect(srt.content).toContain(`\n3\n${stamp(cues[2].start, ',')} --> `);
  const vtt = await studio.exportAs('vtt');
  expect(vtt.content).toContain(`\n${stamp(newStart, '.')} --> ${stamp(cues[1].end, '.')}\n`);

  // Saved with the project: still there after a reload.
  await studio.waitForProjectSaved();
  await page.reload();
  await studio.waitForEvent('model-ready');
  await studio.selectFile('subtitles.wav');
  await page.getByRole('group', { name: 'Show' }).getByRole('button', { name: 'Subtitles' }).click();
  await expect(page.getByTestId('cue').nth(1)).toHaveAttribute('data-start', newStart.toFixed(3));
});
