/**
 * README screenshots in assets/screenshots/: transcript-light.png and transcript-dark.png, the transcript
 * view of a recording of three paragraphs (segments with their times, the sticky player with the word
 * labels that fit and the overview), in both themes; subtitles.png, its subtitle cues; dictation.png, live
 * dictation with a final in the document and a partial on screen. Not part of `npm run e2e`; run with
 *
 *   npm run build:renderer && STUDIO_SCREENSHOTS=1 npx playwright test --project=screenshots
 *
 * It uses the trained model (models/default) when present, else the random test model, whose words
 * are meaningless: regenerate the screenshots once a trained model exists.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { expect, fixtureCopy, ROOT, test } from './support/fixtures';

/** Three paragraphs of two sentences: a pause of 0.8 s between sentences, 2.5 s between paragraphs. */
const PARAGRAPHS = [
  [
    'Speech Studio turns your recordings into editable transcripts.',
    'Every word has a time, so a click on it plays it again.',
  ],
  [
    'The player stays at the top while you read the transcript.',
    'Labels on the waveform show the words that fit at this zoom.',
  ],
  [
    'Subtitles follow broadcast rules, and their times can be edited.',
    'Everything runs on this computer, and nothing leaves it.',
  ],
];

const SHOTS = path.join(ROOT, 'assets', 'screenshots');

/** Synthesises the tour recording with espeak-ng and sox (dev machines have both). */
function tourRecording(file: string): void {
  const parts: string[] = [];
  PARAGRAPHS.forEach((sentences, p) =>
    sentences.forEach((sentence, s) => {
      const part = `${file}.${p}-${s}.wav`;
      const pause = s === sentences.length - 1 ? 2.5 : 0.8;
      execFileSync('sh', [
        '-c',
        `espeak-ng -s 150 -w "${part}.raw.wav" "${sentence}" && sox "${part}.raw.wav" -r 16000 -b 16 "${part}" pad 0 ${pause}`,
      ]);
      parts.push(part);
    }),
  );
  execFileSync('sox', [...parts, '-D', file]);
}

for (const colorScheme of ['light', 'dark'] as const) {
  test(`screenshot (${colorScheme})`, async ({ studio, page }, testInfo) => {
    await page.emulateMedia({ colorScheme });
    await page.setViewportSize({ width: 1280, height: 760 });
    await page.reload();
    await studio.waitForEvent('model-ready');
    // Both screenshots share one bridge (and project): start from an empty project.
    await studio.removeAllFiles();

    const main = testInfo.outputPath('product-tour.wav');
    tourRecording(main);
    const second = await fixtureCopy('speech.wav', (n) => testInfo.outputPath(n), 'voice-memo.wav');
    await studio.openFiles(second);
    await studio.waitForTranscript('voice-memo.wav');
    await studio.openFiles(main);
    const words = await studio.waitForTranscript('product-tour.wav');
    const { fileId } = await studio.waitForEvent('transcript-final', { name: 'product-tour.wav' });
    await studio.waitForWaveform(fileId, words.length);

    // The playhead on a word.
    const pick = Math.min(words.length - 1, Math.floor(words.length * 0.4));
    await studio.word(pick).click();
    await expect(studio.word(pick)).toHaveClass(/active/);
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(SHOTS, `transcript-${colorScheme}.png`) });
    if (colorScheme === 'light') {
      await page.getByRole('group', { name: 'Show' }).getByRole('button', { name: 'Subtitles' }).click();
      await expect(page.getByTestId('cue').first()).toBeVisible();
      await page.screenshot({ path: path.join(SHOTS, 'subtitles.png') });
      await page.getByRole('group', { name: 'Show' }).getByRole('button', { name: 'Transcript' }).click();
    }
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
  await studio.useFileAsMicrophone('dictation-demo.wav');
  await studio.clearDictationDocument();
  await studio.dictation.getByRole('button', { name: 'Start dictation' }).click();
  await studio.waitForEvent('dictation-segment');
  // Well into the second sentence: a partial of several words.
  await expect
    .poll(async () => (await studio.dictationPartialText()).split(' ').length, { timeout: 20_000 })
    .toBeGreaterThanOrEqual(5);
  await page.mouse.move(0, 0);
  await page.screenshot({ path: path.join(SHOTS, 'dictation.png') });
  // The file ends the session by itself when it has played (a Stop here could come too late for it).
  await studio.waitForEvent('dictation-final', {}, 60_000);
});
