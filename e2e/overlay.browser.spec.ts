/**
 * The dictation overlay (the always-on-top strip Electron shows while dictating into another application),
 * driven as the renderer page it is: it follows a dictation started anywhere, and its Stop ends it.
 */
import { expect, test } from './support/fixtures';

test('the overlay follows a dictation started in the studio, and its Stop ends it', async ({
  studio,
  context,
  bridge,
}) => {
  const overlay = await context.newPage();
  await overlay.goto(`${bridge.url}#overlay`);
  const text = overlay.locator('.overlay-text');
  const stop = overlay.getByRole('button', { name: 'Stop' });
  await expect(text).toHaveText('Not dictating');
  await expect(stop).toBeDisabled();

  await studio.openDictation();
  await studio.page.getByRole('button', { name: 'Start dictation' }).click();
  await expect(studio.dictation).toHaveAttribute('data-phase', 'recording');
  await expect(stop).toBeEnabled();
  await expect(text).not.toHaveText('Not dictating');
  // Nothing in the overlay takes focus from where the user is typing: it has no text field.
  await expect(overlay.locator('input, textarea, [contenteditable="true"]')).toHaveCount(0);

  await expect.poll(() => studio.dictationClockSec(), { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
  await stop.click();
  await expect(studio.dictation).toHaveAttribute('data-phase', 'idle');
  await expect(stop).toBeDisabled();
  await expect(text).not.toHaveText('Listening…');
});
