/**
 * The editor with a long file (issue 18): the player stays in view while the transcript scrolls, word
 * labels on the waveform only where they fit (more when zoomed in) with an overview of the whole file,
 * no horizontal overflow at 800 and 1440 px, and a dictation document that survives a reload. Subtitle
 * cues of the long file: e2e/subtitles.browser.spec.ts.
 */
import { utteranceText } from '../main/common/display-text';
import type { Page } from '@playwright/test';
import { expect, fixtureCopy, test } from './support/fixtures';
import { openLongFile } from './support/long-file';
import type { StudioPage } from './support/studio-page';

test.describe.configure({ timeout: 180_000 });

test('the player stays in view while a long transcript scrolls', async ({ studio }, testInfo) => {
  const { words, duration } = await openLongFile(studio, testInfo, 'sticky-player.wav');
  expect(duration).toBeGreaterThan(180);
  expect(words.length, 'a long transcript').toBeGreaterThan(100);
  const editor = studio.page.getByTestId('editor');
  const player = studio.page.getByTestId('player');
  await expect(player).toBeInViewport({ ratio: 1 });
  await expect(studio.word(words.length - 1)).not.toBeInViewport();

  // Scrolled with the wheel to the end of the transcript: its last word is on screen, and so is the
  // whole player, above it.
  const box = (await editor.boundingBox())!;
  await studio.page.mouse.move(box.x + box.width / 2, box.y + box.height - 20);
  await expect(async () => {
    await studio.page.mouse.wheel(0, 4000);
    await expect(studio.word(words.length - 1)).toBeInViewport({ timeout: 1000 });
  }).toPass();
  expect(await editor.evaluate((el) => el.scrollTop)).toBeGreaterThan(0);
  await expect(studio.word(0)).not.toBeInViewport();
  await expect(player).toBeInViewport({ ratio: 1 });
  await expect(studio.waveform).toBeInViewport({ ratio: 1 });
  await expect(studio.page.getByRole('button', { name: /^(Play|Pause) \(Space\)$/ })).toBeInViewport();
  await expect(studio.page.getByTestId('clock')).toBeInViewport();
  // The last word is below the player, not under it.
  const playerBottom = (await player.boundingBox())!.y + (await player.boundingBox())!.height;
  expect((await studio.word(words.length - 1).boundingBox())!.y).toBeGreaterThanOrEqual(playerBottom);
});

/** The word labels shown on the waveform (in its shadow DOM), with their boxes, left to right. */
async function visibleLabels(studio: StudioPage) {
  const labels = await studio.waveform.locator('.region-label').evaluateAll((elements) =>
    // A hidden label (display: none), or one whose region is scrolled out of view (detached), has no box.
    elements
      .map((el) => {
        const r = el.getBoundingClientRect();
        return { text: el.textContent ?? '', left: r.left, right: r.right, top: r.top, bottom: r.bottom };
      })
      .filter((r) => r.right > r.left),
  );
  return labels.sort((a, b) => a.left - b.left);
}

function expectNoOverlap(labels: Awaited<ReturnType<typeof visibleLabels>>) {
  for (let i = 1; i < labels.length; i++) {
    const [a, b] = [labels[i - 1], labels[i]];
    const overlap = a.right > b.left && a.bottom > b.top && b.bottom > a.top;
    expect(overlap, `"${a.text}" (${a.left}–${a.right}) and "${b.text}" (${b.left}–${b.right}) overlap`).toBe(
      false,
    );
  }
}

/** The page's DOM as the colour probe uses it (this file is compiled without the DOM library). */
interface CssGlobals {
  document: { createElement(tag: 'div'): { style: { backgroundColor: string }; remove(): void } };
  getComputedStyle(element: unknown): { backgroundColor: string };
}

test('word labels on the waveform only where they fit; zooming in shows more; an overview of the whole file', async ({
  studio,
}, testInfo) => {
  const { words, fileId } = await openLongFile(studio, testInfo, 'labels.wav');
  const fitted = await studio.waitForEvent('waveform-labels', { fileId });
  // At the default zoom (the whole file in the window) only some of the words have room for a label.
  expect(fitted.shown).toBeGreaterThan(0);
  expect(fitted.shown).toBeLessThan(words.length / 2);
  await expect(studio.waveform).toHaveAttribute('data-labels', String(fitted.shown));
  const before = await visibleLabels(studio);
  expect(before).toHaveLength(fitted.shown);
  expectNoOverlap(before);

  // Zoomed in: more labels fit (over the whole file), and those on screen still do not overlap.
  const count = await studio.eventCount('waveform-labels');
  await studio.page.getByRole('slider', { name: 'Zoom (pixels per second)' }).fill('200');
  await expect
    .poll(async () => {
      const events = await studio.eventCount('waveform-labels');
      return events > count ? (await studio.waitForNextEvent('waveform-labels', events - 1)).pxPerSec : 0;
    })
    .toBeGreaterThanOrEqual(200);
  const zoomed = Number(await studio.waveform.getAttribute('data-labels'));
  expect(zoomed).toBeGreaterThan(fitted.shown * 2);
  const onScreen = await visibleLabels(studio);
  expect(onScreen.length).toBeGreaterThan(0);
  expectNoOverlap(onScreen);

  // The overview shows the whole of the long file under the waveform, in the theme's colours (also
  // after the system switches theme).
  const overview = studio.page.getByTestId('waveform-overview');
  await expect(overview).toBeVisible();
  const overlay = overview.locator('[part="minimap-overlay"]');
  await expect(overlay).toHaveCount(1);
  // The theme's region colour as a computed colour (a probe painted with it: the variable's own text
  // may be written another way).
  const regionColour = () =>
    studio.waveform.evaluate((el) => {
      const { document, getComputedStyle } = globalThis as unknown as CssGlobals;
      const probe = document.createElement('div');
      probe.style.backgroundColor = 'var(--region)';
      el.appendChild(probe);
      const colour = getComputedStyle(probe).backgroundColor;
      probe.remove();
      return colour;
    });
  await expect(overlay).toHaveCSS('background-color', await regionColour());
  await studio.page.emulateMedia({ colorScheme: 'dark' });
  const dark = await regionColour();
  await expect(overlay).toHaveCSS('background-color', dark);
  await studio.page.emulateMedia({ colorScheme: 'light' });
  await expect(overlay).not.toHaveCSS('background-color', dark);
});

test('a short file has no overview', async ({ studio }, testInfo) => {
  await studio.openFiles(await fixtureCopy('speech.wav', (n) => testInfo.outputPath(n), 'short-one.wav'));
  const words = await studio.waitForTranscript('short-one.wav');
  const { fileId } = await studio.waitForEvent('transcript-final', { name: 'short-one.wav' });
  await studio.waitForWaveform(fileId, words.length);
  await expect(studio.page.getByTestId('waveform-overview')).toBeHidden();
});

/** The slice of the page's DOM `overflow` reads (this file is compiled without the DOM library). */
interface Box {
  left: number;
  right: number;
  width: number;
}
interface PageElement {
  tagName: string;
  className: unknown;
  textContent: string | null;
  scrollWidth: number;
  clientWidth: number;
  getBoundingClientRect(): Box;
  querySelectorAll(selector: string): Iterable<PageElement>;
}
interface PageGlobals {
  document: { documentElement: PageElement; querySelectorAll(selector: string): Iterable<PageElement> };
  innerWidth: number;
  getComputedStyle(element: PageElement): { visibility: string };
}

/** Elements (in the given rows) that stick out of the window or are cut by their row. */
async function overflow(page: Page, rows: string[]): Promise<string[]> {
  return page.evaluate((selectors) => {
    const { document, innerWidth, getComputedStyle } = globalThis as unknown as PageGlobals;
    const problems: string[] = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth)
      problems.push(`the page scrolls sideways (${root.scrollWidth} px)`);
    const name = (el: PageElement) =>
      `${el.tagName.toLowerCase()}${typeof el.className === 'string' && el.className ? '.' + el.className.split(' ').join('.') : ''} "${(el.textContent ?? '').trim().slice(0, 30)}"`;
    for (const selector of selectors) {
      for (const row of document.querySelectorAll(selector)) {
        if (row.scrollWidth > row.clientWidth + 1)
          problems.push(`${selector} is cut (${row.scrollWidth} > ${row.clientWidth})`);
        const box = row.getBoundingClientRect();
        for (const el of row.querySelectorAll('*')) {
          const r = el.getBoundingClientRect();
          if (r.width === 0 || getComputedStyle(el).visibility === 'hidden') continue;
          if (r.right > innerWidth + 0.5 || r.left < -0.5) problems.push(`${name(el)} is outside the window`);
          else if (r.right > box.right + 0.5 || r.left < box.left - 0.5)
            problems.push(`${name(el)} sticks out of ${selector}`);
        }
      }
    }
    return problems;
  }, rows);
}

const ROWS = [
  '.toolbar',
  '.export',
  '.editor-header',
  '.waveform-tools',
  '.editor-views',
  '.cue-times',
  '.statusbar',
];

for (const width of [800, 1440]) {
  test(`nothing sticks out or is cut at ${width} px (files, transcript, cues, dictation, voice profile)`, async ({
    studio,
    page,
  }, testInfo) => {
    await page.setViewportSize({ width, height: 800 });
    const name = `width-${width}.wav`;
    await studio.openFiles(await fixtureCopy('speech.wav', (n) => testInfo.outputPath(n), name));
    await studio.waitForTranscript(name);
    await studio.selectFile(name);
    await expect(studio.words.first()).toBeVisible();
    expect(await overflow(page, ROWS)).toEqual([]);
    await page.getByRole('group', { name: 'Show' }).getByRole('button', { name: 'Subtitles' }).click();
    await expect(page.getByTestId('cue').first()).toBeVisible();
    expect(await overflow(page, ROWS)).toEqual([]);
    await studio.openDictation();
    expect(
      await overflow(page, [...ROWS, '.dictation-controls', '.dictation-actions', '.spoken-commands']),
    ).toEqual([]);
    await studio.openVoiceProfile();
    expect(await overflow(page, [...ROWS, '.voice-profile'])).toEqual([]);
  });
}

test('the dictation document survives a reload; a file as microphone ends by itself', async ({
  studio,
  page,
}, testInfo) => {
  await studio.openFiles(
    await fixtureCopy('speech.wav', (n) => testInfo.outputPath(n), 'kept-dictation.wav'),
  );
  await studio.useFileAsMicrophone('kept-dictation.wav');
  const document = studio.dictation.getByTestId('dictation-document');
  await studio.clearDictationDocument();
  const segments = await studio.eventCount('dictation-segment');
  const finals = await studio.eventCount('dictation-final');
  await studio.dictation.getByRole('button', { name: 'Start dictation' }).click();
  const segment = await studio.waitForNextEvent('dictation-segment', segments);
  // The file ends the session by itself: no Stop pressed.
  await studio.waitForNextEvent('dictation-final', finals);
  await expect(studio.dictation).toHaveAttribute('data-phase', 'idle');
  expect(segment.text).not.toBe('');
  // The document shows the utterance as written (punctuation and capitals, on by default).
  const written = utteranceText('', segment, true);
  await expect(document).toHaveValue(written);
  await document.press('End');
  await document.pressSequentially(' Checked.');
  const text = `${written} Checked.`;
  await expect(document).toHaveValue(text);

  await studio.waitForProjectSaved();
  await page.reload();
  await studio.waitForEvent('model-ready');
  await studio.openDictation();
  await expect(studio.dictation.getByTestId('dictation-document')).toHaveValue(text);
});
