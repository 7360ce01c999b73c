/**
 * Dictation into another application, for real on Linux X11: a private Xvfb display where a Chromium
 * window's text area has the focus (the user's editor), a browser-mode studio whose host runs on that
 * display, and a file standing in for the microphone. The finals must appear in the editor as they do in
 * the studio's dictation document (same words, spoken commands and spacing), typed by xdotool.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test, expect, type Page, type TestInfo } from '@playwright/test';
import { createRandomModel } from '../main/engine/model/random-model';
import { startXDisplay, type XDisplay } from '../main/host/testing/xvfb';
import { fixtureCopy, startWebServer, TEST_MODEL_SEED } from './support/fixtures';
import { StudioPage } from './support/studio-page';

let x: XDisplay;
let work: string;
let server: Awaited<ReturnType<typeof startWebServer>>;

test.beforeAll(async () => {
  x = await startXDisplay();
  work = await mkdtemp(path.join(os.tmpdir(), 'type-into-e2e-'));
  const model = path.join(work, 'model');
  await createRandomModel(model, { seed: TEST_MODEL_SEED });
  // The studio's host (the bridge) runs in the X session, as it would on the user's desktop.
  server = await startWebServer(model, path.join(work, 'data'), x.env);
});

test.afterAll(async () => {
  server?.child.kill('SIGTERM');
  await x?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

/** Dictates `name` (a copy of the speech fixture) into a new editor window; returns both texts. */
async function dictateInto(
  page: Page,
  name: string,
  testInfo: TestInfo,
  options: { punctuation: boolean },
): Promise<{ document: string; typed: () => Promise<string> }> {
  const editor = await x.editorWindow('Editor');
  const studio = await StudioPage.attach(page);
  await studio.open(server.url);
  const file = await fixtureCopy('speech.wav', (n) => testInfo.outputPath(n), name);
  await studio.openFiles(file);
  await studio.useFileAsMicrophone(name);
  await studio.clearDictationDocument();
  await studio.dictation
    .getByRole('checkbox', { name: 'Punctuation and capitals' })
    .setChecked(options.punctuation);

  await studio.dictation.getByTestId('type-into').selectOption('focused-app');
  await expect(studio.dictation.getByTestId('type-into-note')).toContainText('typed (xdotool)');
  await studio.page.getByRole('button', { name: 'Start dictation' }).click();
  await expect(studio.dictation).toHaveAttribute('data-phase', 'recording');
  // The file ends the session by itself.
  await expect(studio.dictation).toHaveAttribute('data-phase', 'idle', { timeout: 60_000 });

  const document = await studio.dictation.getByTestId('dictation-document').inputValue();
  expect(document.trim()).not.toBe('');
  return { document, typed: () => editor.locator('#doc').inputValue() };
}

test('finals of a dictation appear in the focused X application, as in the studio document', async ({
  page,
}, testInfo) => {
  const { document, typed } = await dictateInto(page, 'typed-speech.wav', testInfo, { punctuation: true });
  expect(document).not.toBe(document.toLowerCase());
  await expect.poll(typed, { timeout: 30_000 }).toBe(document);
});

test('with punctuation and capitals switched off, the words are typed as the document shows them', async ({
  page,
}, testInfo) => {
  const { document, typed } = await dictateInto(page, 'typed-plain.wav', testInfo, { punctuation: false });
  expect(document).toBe(document.toLowerCase());
  await expect.poll(typed, { timeout: 30_000 }).toBe(document);
});
