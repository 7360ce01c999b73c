/**
 * The studio in browser mode (bridge + Chromium), driven through the page object. Covers the issue's
 * scenarios: open → waveform and word-timed transcript; word click → playback position; edit → SRT;
 * corrupt file → clear error, app still usable; dictation with Chromium's fake microphone.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { paragraphsOf, paragraphText, segmentWords } from '../main/common/segments';
import { shownWord, utteranceText } from '../main/common/display-text';
import { SPOKEN_COMMANDS } from '../main/common/spoken-commands';
import { CRASHING_FILE_NAME, expect, fixtureCopy, test } from './support/fixtures';

/** Dictated text as the recogniser spelt it: the punctuation model's capitals and marks taken away. */
const asRecognised = (text: string) => text.toLowerCase().replace(/[.,?](?=\s|$)/g, '');

/** What one utterance added to an empty dictation document (punctuation and capitals on, the default). */
const added = (segment: { text: string; displayText?: string }) => utteranceText('', segment, true);

test('opening a WAV shows the waveform and a word-timed transcript', async ({ studio }, testInfo) => {
  const file = await fixtureCopy('speech.wav', (n) => testInfo.outputPath(n), 'open-speech.wav');
  await studio.openFiles(file);

  const words = await studio.waitForTranscript('open-speech.wav');
  expect(words.length).toBeGreaterThan(0);
  for (const w of words) {
    expect(w.end).toBeGreaterThan(w.start);
    expect(w.confidence).toBeGreaterThanOrEqual(0);
  }
  // Times are increasing and inside the audio (~2.7 s).
  expect(words.map((w) => w.start)).toEqual([...words.map((w) => w.start)].sort((a, b) => a - b));
  expect(words.at(-1)!.end).toBeLessThan(3.5);

  const fileId = (await studio.waitForEvent('transcript-final', { name: 'open-speech.wav' })).fileId;
  const waveform = await studio.waitForWaveform(fileId, words.length);
  expect(waveform.duration).toBeGreaterThan(2);
  expect(waveform.regions).toBe(words.length);
  await expect(studio.words).toHaveCount(words.length);
  await expect(studio.word(0)).toHaveAttribute('data-start', words[0].start.toFixed(3));
  await expect(studio.page.getByTestId('backend')).toContainText('WebAssembly');
});

test('the studio loads without errors in the console, its icon included', async ({ studio, page }) => {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.reload();
  await studio.waitForEvent('model-ready');
  await page.waitForLoadState('networkidle');
  expect(errors).toEqual([]);
  // A page without an icon makes a headed browser ask for /favicon.ico: a 404 in the console.
  const icon = page.locator('link[rel="icon"]');
  await expect(icon).toHaveCount(1);
  const href = new URL((await icon.getAttribute('href'))!, page.url());
  expect((await page.request.get(href.href)).status()).toBe(200);
});

test('clicking a word moves the playback position; keys step words and play', async ({
  studio,
}, testInfo) => {
  const file = await fixtureCopy('speech.wav', (n) => testInfo.outputPath(n), 'click-word.wav');
  await studio.openFiles(file);
  const words = await studio.waitForTranscript('click-word.wav');
  const { fileId } = await studio.waitForEvent('transcript-final', { name: 'click-word.wav' });
  await studio.waitForWaveform(fileId, words.length);
  expect(words.length, 'the test model should find several words').toBeGreaterThan(2);

  const target = words.findIndex((w) => w.start > 0.5);
  await studio.word(target).click();
  await studio.waitForEvent('seeked', { time: words[target].start });
  expect(await studio.currentTime()).toBeCloseTo(words[target].start, 2);
  await expect(studio.word(target)).toHaveClass(/active/);

  // → steps to the next word and seeks there.
  await studio.word(target).press('ArrowRight');
  await studio.waitForEvent('seeked', { time: words[target + 1].start });
  await expect(studio.word(target + 1)).toBeFocused();

  // Space plays: the position advances on its own.
  const before = await studio.currentTime();
  await studio.page.keyboard.press('Space');
  await expect.poll(() => studio.currentTime(), { timeout: 10_000 }).toBeGreaterThan(before + 0.1);
  await studio.page.keyboard.press('Space');
});

test('an edited word is saved with the project and appears in the SRT export', async ({
  studio,
  page,
}, testInfo) => {
  const file = await fixtureCopy('speech.wav', (n) => testInfo.outputPath(n), 'edit-export.wav');
  await studio.openFiles(file);
  const words = await studio.waitForTranscript('edit-export.wav');

  await studio.editWord(1, 'studio');
  await expect(studio.word(1)).toHaveClass(/edited/);

  const srt = await studio.exportAs('srt');
  expect(srt.name).toBe('edit-export.srt');
  expect(srt.content).toMatch(/^1\n\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}\n/);
  expect(srt.content).toContain('studio');
  expect(srt.content).not.toContain(words[1].word + ' ');

  const json = JSON.parse((await studio.exportAs('json')).content) as {
    words: { word: string; start: number }[];
  };
  expect(json.words[1]).toMatchObject({ word: 'studio', start: Number(words[1].start.toFixed(3)) });
  // Each export says so in a notice that goes by itself: they used to pile up and push the editor down.
  const exported = page.getByTestId('notice').filter({ hasText: 'Exported edit-export' });
  await expect(exported).toHaveCount(2);
  await expect(exported).toHaveCount(0);

  // The edit survives a reload: it was saved with the project.
  await studio.waitForProjectSaved();
  await page.reload();
  await studio.waitForEvent('model-ready');
  await studio.selectFile('edit-export.wav');
  await expect(studio.word(1)).toHaveText('studio');
  await expect(studio.word(1)).toHaveClass(/edited/);
});

test('the transcript reads as text: segments with times that seek, drag-selection and copy with spaces, TXT in paragraphs', async ({
  studio,
}, testInfo) => {
  const file = await fixtureCopy('speech.wav', (n) => testInfo.outputPath(n), 'segments.wav');
  await studio.openFiles(file);
  const recognised = await studio.waitForTranscript('segments.wav');
  const { fileId } = await studio.waitForEvent('transcript-final', { name: 'segments.wav' });
  await studio.waitForWaveform(fileId, recognised.length);
  // The words as shown: with the punctuation model's marks and capitals (its sentence ends cut segments too)
  const words = recognised.map((w) => ({ ...w, word: shownWord(w) }));
  const before = segmentWords(words);
  await expect(studio.segmentTimes).toHaveCount(before.length);

  // A full stop typed into a correction ends a sentence: the next word starts a segment, with its time.
  const cut = words.findIndex((_, k) => k + 1 < words.length && !before.some((s) => s.firstWord === k + 1));
  expect(cut, 'the test model should give two words in one segment').toBeGreaterThanOrEqual(0);
  await studio.editWord(cut, `${words[cut].word}.`);
  const shown = words.map((w, i) => (i === cut ? { ...w, word: `${w.word}.` } : w));
  const after = segmentWords(shown);
  expect(after).toHaveLength(before.length + 1);
  await expect(studio.segmentTimes).toHaveCount(after.length);
  const added = after.findIndex((s) => s.firstWord === cut + 1);
  const time = studio.segmentTimes.nth(added);
  await expect(time).toHaveAttribute('data-start', words[cut + 1].start.toFixed(3));
  await time.click();
  await studio.waitForEvent('seeked', { time: words[cut + 1].start });
  await expect(studio.word(cut + 1)).toHaveClass(/selected/);

  // F2 still corrects a word (Escape leaves it as it was).
  await studio.word(0).press('F2');
  await studio.page.getByRole('textbox', { name: 'Correct word 1' }).press('Escape');
  await expect(studio.word(0)).toHaveText(shown[0].word);

  // Selected with the mouse like any text: the words with their spaces, and no segment times in it.
  const expected = paragraphText(shown, paragraphsOf(shown));
  await studio.dragSelectWords(0, words.length - 1);
  expect((await studio.selectedText()).trim().replace(/\s+/g, ' ')).toBe(expected.replace(/\s+/g, ' '));
  expect(await studio.copySelection()).toBe(expected);

  // TXT is the same text, in paragraphs.
  expect((await studio.exportAs('txt')).content).toBe(`${expected}\n`);
});

test('a truncated file is transcribed as far as it goes, and the editor says it was truncated', async ({
  studio,
}, testInfo) => {
  const full = await readFile(await fixtureCopy('speech.wav', (n) => testInfo.outputPath(n), 'whole.wav'));
  const file = testInfo.outputPath('cut-short.wav');
  // The header still declares the whole recording; the file holds 60 % of it.
  await writeFile(file, full.subarray(0, Math.floor(full.length * 0.6)));
  await studio.openFiles(file);
  await studio.waitForTranscript('cut-short.wav');
  await expect(studio.page.getByTestId('transcript-warnings')).toContainText('the file is truncated');
});

test('a corrupt file shows a clear error and the app stays usable', async ({ studio, page }, testInfo) => {
  const corrupt = await fixtureCopy('corrupt.wav', (n) => testInfo.outputPath(n), 'broken-recording.wav');
  await studio.dropFile(corrupt);

  const failure = await studio.waitForFailure('broken-recording.wav');
  expect(failure.code).toBe('CORRUPT_AUDIO');
  const error = page.getByTestId('file-error');
  await expect(error).toBeVisible();
  await expect(error).toContainText('broken-recording.wav');
  await expect(error).toContainText('corrupt audio data');
  await expect(error).not.toContainText(path.sep + 'uploads');
  // The waveform says it cannot play the file, rather than "Loading audio…" for ever.
  await expect(page.getByTestId('waveform-error')).toHaveText('The audio could not be loaded for playback.');
  await expect(page.getByText('Loading audio…')).toBeHidden();

  // Still usable: the next file transcribes normally.
  const good = await fixtureCopy('speech.wav', (n) => testInfo.outputPath(n), 'after-corrupt.wav');
  await studio.openFiles(good);
  const words = await studio.waitForTranscript('after-corrupt.wav');
  expect(words.length).toBeGreaterThan(0);
  await expect(studio.queueItem('broken-recording.wav')).toHaveAttribute('data-state', 'error');
});

test('an engine crash is reported, the engine restarts, and finished work is kept', async ({
  studio,
  page,
}, testInfo) => {
  const before = await fixtureCopy('speech.wav', (n) => testInfo.outputPath(n), 'before-crash.wav');
  await studio.openFiles(before);
  await studio.waitForTranscript('before-crash.wav');
  await studio.editWord(0, 'kept');

  const readyEvents = await studio.eventCount('model-ready');
  const crashing = await fixtureCopy('speech.wav', (n) => testInfo.outputPath(n), CRASHING_FILE_NAME);
  await studio.openFiles(crashing);
  const failure = await studio.waitForFailure(CRASHING_FILE_NAME);
  expect(failure.code).toBe('ENGINE_CRASHED');
  await expect(page.getByTestId('file-error')).toContainText(
    `stopped unexpectedly while transcribing ${CRASHING_FILE_NAME}`,
  );
  await expect(page.getByTestId('notice').filter({ hasText: 'restarting' })).toBeVisible();

  // The engine comes back by itself …
  await studio.waitForNextEvent('model-ready', readyEvents);
  // … the finished transcript and its edit are still there …
  await studio.selectFile('before-crash.wav');
  await expect(studio.word(0)).toHaveText('kept');
  // … and new work goes through.
  const after = await fixtureCopy('speech.wav', (n) => testInfo.outputPath(n), 'after-crash.wav');
  await studio.openFiles(after);
  expect((await studio.waitForTranscript('after-crash.wav')).length).toBeGreaterThan(0);
});

test('live dictation with the (fake) microphone: partials while speaking, the text at stop', async ({
  studio,
}) => {
  await studio.openDictation();
  await studio.clearDictationDocument();
  await studio.page.getByRole('button', { name: 'Start dictation' }).click();
  await expect(studio.dictation).toHaveAttribute('data-phase', 'recording');
  // Chromium plays e2e/fixtures/speech.wav as the microphone: words show up while it plays.
  await expect.poll(() => studio.dictationPartialText(), { timeout: 15_000 }).not.toBe('');
  await expect.poll(() => studio.dictationClockSec(), { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
  await studio.page.getByRole('button', { name: 'Stop' }).click();

  const final = await studio.waitForEvent('dictation-final');
  expect(final.words.length).toBeGreaterThan(0);
  for (const w of final.words) expect(w.end).toBeGreaterThan(w.start);
  await expect(studio.dictation.getByTestId('dictation-word')).toHaveCount(final.words.length);
  // Every utterance finished during the session is in the editable document (punctuated: see asRecognised).
  await expect
    .poll(async () => asRecognised(await studio.dictation.getByTestId('dictation-document').inputValue()))
    .toBe(final.text);
  await expect(studio.dictation).toHaveAttribute('data-phase', 'idle');
});

test('the dictation view lists the spoken commands', async ({ studio }) => {
  await studio.openDictation();
  const list = studio.dictation.getByTestId('spoken-commands');
  // Each phrase of the table the parser uses (spoken-commands.test.ts checks it has them all), quoted.
  await expect(list.locator('q')).toHaveText(SPOKEN_COMMANDS.flatMap((c) => c.phrases));
  for (const command of SPOKEN_COMMANDS) await expect(list).toContainText(command.does);
});

test('Ctrl+Shift+Space in another view opens dictation and starts it; again stops it', async ({ studio }) => {
  await expect(studio.page.getByTestId('dictation')).toHaveCount(0);
  await studio.page.keyboard.press('Control+Shift+Space');
  await expect(studio.dictation).toHaveAttribute('data-phase', 'recording');
  await expect.poll(() => studio.dictationClockSec(), { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
  await studio.page.keyboard.press('Control+Shift+Space');
  await studio.waitForEvent('dictation-final');
  await expect(studio.dictation).toHaveAttribute('data-phase', 'idle');
});

test('a file stands in for the microphone: started by shortcut, finished when the file ends, replay in the editor', async ({
  studio,
}, testInfo) => {
  const file = await fixtureCopy('speech.wav', (n) => testInfo.outputPath(n), 'file-mic.wav');
  await studio.openFiles(file);
  await studio.useFileAsMicrophone('file-mic.wav');
  await studio.clearDictationDocument();
  // Ctrl+Shift+Space starts and stops dictation.
  await studio.page.keyboard.press('Control+Shift+Space');
  await expect(studio.dictation).toHaveAttribute('data-phase', 'recording');
  // The file plays in real time; when it ends, the session ends by itself (no "Listening…" for ever):
  // its last utterance is final, in the document, and the recording is kept.
  const segment = await studio.waitForEvent('dictation-segment');
  expect(segment.words.length).toBeGreaterThan(0);
  const final = await studio.waitForEvent('dictation-final');
  await expect(studio.dictation).toHaveAttribute('data-phase', 'idle');
  await expect(studio.dictation.getByTestId('dictation-partial')).not.toContainText('Listening');
  await expect(studio.dictation.getByTestId('dictation-document')).toHaveValue(added(segment));
  expect(final.words).toEqual(segment.words);

  // The recording replays against the waveform in the editor, with the dictated words as regions.
  await studio.dictation.getByRole('button', { name: 'Replay in the editor' }).click();
  await studio.waitForEvent('waveform-ready', { regions: final.words.length });
  await expect(studio.words).toHaveCount(final.words.length);

  // Back in the dictation view, the document (with the user's own text) and the recording are still there.
  await studio.openDictation();
  const document = studio.dictation.getByTestId('dictation-document');
  await expect(document).toHaveValue(added(segment));
  await document.fill(`${added(segment)} (checked)`);
  await studio.page
    .getByRole('group', { name: 'View' })
    .getByRole('button', { name: 'Voice profile' })
    .click();
  await studio.openDictation();
  await expect(document).toHaveValue(`${added(segment)} (checked)`);
  await expect(studio.dictation.getByTestId('dictation-word')).toHaveCount(final.words.length);
});

test('the selected file is scrolled into view in a long queue', async ({ studio }, testInfo) => {
  await studio.removeAllFiles();
  // Corrupt files fail at once: a queue longer than the window without transcribing anything.
  const files = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      fixtureCopy('corrupt.wav', (n) => testInfo.outputPath(n), `long-queue-${i}.wav`),
    ),
  );
  await studio.openFiles(...files);
  await expect(studio.queueItem('long-queue-0.wav')).toHaveClass(/selected/);
  await expect(studio.queueItem('long-queue-19.wav')).not.toBeInViewport();

  // A file opened now is selected at the end of the queue, out of sight unless the list scrolls to it.
  await studio.openFiles(
    await fixtureCopy('corrupt.wav', (n) => testInfo.outputPath(n), 'long-queue-last.wav'),
  );
  const last = studio.queueItem('long-queue-last.wav');
  await expect(last).toHaveClass(/selected/);
  await expect(last).toBeInViewport();
});

test('views taller than the window scroll with the mouse wheel; the empty project fits', async ({
  studio,
  page,
}) => {
  await page.setViewportSize({ width: 1280, height: 600 });
  const content = page.locator('main.content');
  const overflow = () => content.evaluate((el) => el.scrollHeight - el.clientHeight);

  // The voice profile ends below the window: the wheel brings its last controls into view.
  await studio.openVoiceProfile();
  const save = studio.voiceProfile.getByRole('button', { name: 'Save vocabulary' });
  await expect(save).not.toBeInViewport();
  await page.mouse.move(640, 300);
  await page.mouse.wheel(0, 2000);
  await expect(save).toBeInViewport();

  // The empty project's drop area fits the window (no scrolling, its border whole).
  await page.getByRole('group', { name: 'View' }).getByRole('button', { name: 'Files' }).click();
  await studio.removeAllFiles();
  expect(await overflow()).toBe(0);
});
