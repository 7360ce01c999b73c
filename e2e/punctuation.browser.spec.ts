/**
 * Punctuation and capitals in the studio, with the trained models (models/default and models/punct): a
 * file of four spoken sentences (flite's kal16 voice reading "Good morning. My name is John and I live in
 * London. Where do you live? The weather is cold today, so I will stay at home.") comes back as sentences
 * with full stops and capitals; segments end at them; the TXT export has them; the
 * switch takes them away and brings them back, the words being the same throughout.
 */
import { expect, fixtureCopy, test } from './support/fixtures';

test.use({ studioModel: 'models/default' });

test('a multi-sentence file reads as punctuated, capitalised sentences; the setting switches it off', async ({
  studio,
}, testInfo) => {
  test.slow(); // the trained model loads in the bridge first
  const file = await fixtureCopy('sentences.wav', (n) => testInfo.outputPath(n), 'sentences.wav');
  await studio.openFiles(file);
  const words = await studio.waitForTranscript('sentences.wav');
  expect(words.length, 'the recogniser should find most of the 26 words').toBeGreaterThan(20);
  for (const w of words) expect(w.word).toMatch(/^[a-z']+$/); // the words stay as recognised

  const transcript = studio.page.getByTestId('transcript');
  const shownWords = async () => (await studio.words.allTextContents()).map((t) => t.trim());
  await expect.poll(async () => (await shownWords())[0]).toMatch(/^[A-Z]/);
  const shown = await shownWords();
  // The model finds most of the four sentence ends (it may miss one: the question before "the weather")
  const sentenceEnds = shown.filter((w) => /[.?]$/.test(w));
  expect(sentenceEnds.length, shown.join(' ')).toBeGreaterThanOrEqual(3);
  expect(shown, shown.join(' ')).toContain('I');
  expect(
    shown.some((w) => /^London[.,?]?$/.test(w)),
    shown.join(' '),
  ).toBe(true);
  // Each sentence is a segment of its own, with its start time.
  await expect.poll(() => studio.segmentTimes.count()).toBeGreaterThanOrEqual(sentenceEnds.length);

  const txt = (await studio.exportAs('txt')).content;
  expect(txt.trim().split(/\s+/)).toEqual(shown);

  // Off: the words as recognised, in the view and in the export.
  const toggle = studio.page.getByRole('checkbox', { name: 'Punctuation and capitals' });
  await toggle.uncheck();
  await expect.poll(async () => (await shownWords()).join(' ')).toBe(words.map((w) => w.word).join(' '));
  await expect(transcript).not.toContainText('?');
  expect((await studio.exportAs('txt')).content.trim().split(/\s+/)).toEqual(words.map((w) => w.word));
  await toggle.check();
  await expect.poll(shownWords).toEqual(shown);
});
