/**
 * README screenshots (assets/screenshot-light.png, assets/screenshot-dark.png): the studio with a
 * transcribed file, in both themes; assets/screenshot-dictation.png: live dictation with a final in the
 * document and a partial on screen. Not part of `npm run e2e`; run with
 *
 *   npm run build:renderer && STUDIO_SCREENSHOTS=1 npx playwright test --project=screenshots
 *
 * It uses the trained model (models/default) when present, else the random test model, whose words
 * are meaningless: regenerate the screenshots once a trained model exists.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { expect, fixtureCopy, ROOT, test } from './support/fixtures';

const SENTENCE =
  'Speech Studio turns your recordings into editable transcripts, with a time for every word. Click any word to hear it again.';

for (const colorScheme of ['light', 'dark'] as const) {
  test(`screenshot (${colorScheme})`, async ({ studio, page }, testInfo) => {
    await page.emulateMedia({ colorScheme });
    await page.setViewportSize({ width: 1280, height: 760 });
    await page.reload();
    await studio.waitForEvent('model-ready');
    // Both screenshots share one bridge (and project): start from an empty project.
    await studio.removeAllFiles();

    const main = testInfo.outputPath('product-tour.wav');
    // A longer recording than the e2e fixture, synthesised here (dev machines have espeak-ng and sox).
    execFileSync('sh', [
      '-c',
      `espeak-ng -s 150 -w "${main}.raw.wav" "${SENTENCE}" && sox "${main}.raw.wav" -D -r 16000 -b 16 "${main}"`,
    ]);
    const second = await fixtureCopy('speech.wav', (n) => testInfo.outputPath(n), 'voice-memo.wav');
    await studio.openFiles(second);
    await studio.waitForTranscript('voice-memo.wav');
    await studio.openFiles(main);
    const words = await studio.waitForTranscript('product-tour.wav');
    const { fileId } = await studio.waitForEvent('transcript-final', { name: 'product-tour.wav' });
    await studio.waitForWaveform(fileId, words.length);

    // Show a corrected word and the playhead on a word.
    const pick = Math.min(words.length - 1, Math.floor(words.length * 0.4));
    await studio.word(pick).click();
    await expect(studio.word(pick)).toHaveClass(/active/);
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(ROOT, 'assets', `screenshot-${colorScheme}.png`) });
  });
}

test('screenshot (live dictation)', async ({ studio, page }, testInfo) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 760 });
  await page.reload();
  await studio.waitForEvent('model-ready');
  await studio.removeAllFiles();
  // Two sentences with a pause between them, played as the microphone: the first is final (in the
  // document) while the second is still a partial with its unstable tail.
  const talk = testInfo.outputPath('dictation-demo.wav');
  execFileSync('sh', [
    '-c',
    `espeak-ng -s 150 -w "${talk}.a.wav" "Dictation shows the words while you speak." && ` +
      `espeak-ng -s 150 -w "${talk}.b.wav" "Each sentence joins the document when you pause, ready to copy." && ` +
      `sox "${talk}.a.wav" -p pad 0 1.2 | sox - "${talk}.b.wav" -D -r 16000 -b 16 "${talk}"`,
  ]);
  await studio.openFiles(talk);
  await studio.waitForTranscript('dictation-demo.wav');
  await studio.useFileAsMicrophone('dictation-demo.wav');
  await studio.dictation.getByRole('button', { name: 'Start dictation' }).click();
  await studio.waitForEvent('dictation-segment');
  // Well into the second sentence: a partial of several words.
  await expect
    .poll(async () => (await studio.dictationPartialText()).split(' ').length, { timeout: 20_000 })
    .toBeGreaterThanOrEqual(5);
  await page.mouse.move(0, 0);
  await page.screenshot({ path: path.join(ROOT, 'assets', 'screenshot-dictation.png') });
  await studio.dictation.getByRole('button', { name: 'Stop' }).click();
  await studio.waitForEvent('dictation-final');
});
