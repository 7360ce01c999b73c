/**
 * What a new user and a hostile tester broke in browser mode, end to end: a tab left open across a
 * server restart (and a kill -9 right after an edit), and a tab closed mid-dictation. These tests run
 * their own servers, on their own data folders, so they can kill and restart them.
 */
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { loadAudioFile } from '../main/engine/audio/load';
import { encodeWav } from '../main/engine/audio/wav-writer';
import { createRandomModel } from '../main/engine/model/random-model';
import { expect, FIXTURES, fixtureCopy, startWebServer, test, TEST_MODEL_SEED } from './support/fixtures';
import { StudioPage } from './support/studio-page';

let dir: string;
let modelDir: string;
const servers: ChildProcess[] = [];

test.beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'speech-studio-hostile-'));
  modelDir = path.join(dir, 'model');
  await createRandomModel(modelDir, { seed: TEST_MODEL_SEED });
});

test.afterAll(async () => {
  for (const child of servers) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
  await rm(dir, { recursive: true, force: true });
});

async function server(dataDir: string) {
  const started = await startWebServer(modelDir, dataDir);
  servers.push(started.child);
  return started;
}

test('an edit the server never saved (kill -9) is kept by the page and restored by the new link', async ({
  page,
}, testInfo) => {
  const dataDir = path.join(dir, 'restart-data');
  const first = await server(dataDir);
  const studio = await StudioPage.attach(page);
  await studio.open(first.url);
  const file = await fixtureCopy('speech.wav', (n) => testInfo.outputPath(n), 'kept-edit.wav');
  await studio.openFiles(file);
  await studio.waitForTranscript('kept-edit.wav');
  await studio.waitForProjectSaved();

  // The edit's save is held on its way, and the server is killed before it arrives: the worst moment.
  let held: (() => void) | null = null;
  const arrived = new Promise<void>((resolve) => {
    void page.route('**/api/invoke/studio:update-project', (route) => {
      held = () => void route.abort('connectionreset');
      resolve();
    });
  });
  await studio.editWord(1, 'survivor');
  await arrived;
  first.child.kill('SIGKILL');
  await once(first.child, 'exit');
  held!();
  await page.unroute('**/api/invoke/studio:update-project');

  // The page says the server is gone; the status bar no longer says "Ready".
  await expect(page.getByTestId('connection-lost')).toContainText('cannot be reached');
  await expect(page.getByTestId('statusbar')).not.toContainText('Ready');

  // A new server on the same data folder: the same port (so the same origin), a new token.
  const second = await server(dataDir);
  expect(new URL(second.url).origin).toBe(new URL(first.url).origin);
  expect(second.url).not.toBe(first.url);
  await expect(page.getByTestId('connection-lost')).toContainText('was restarted');
  await expect(page.getByTestId('connection-state')).toHaveText(/Server restarted/);
  await expect(studio.word(1)).toHaveText('survivor'); // still on the page

  // Re-authenticate with the new link, in this tab: the kept edit comes back and reaches the server.
  await studio.open(second.url);
  await studio.selectFile('kept-edit.wav');
  await expect(studio.word(1)).toHaveText('survivor');
  await expect(studio.word(1)).toHaveClass(/edited/);
  // The user was told (the notice goes by itself after a few seconds, so the app's event is checked).
  expect(await studio.waitForEvent('edits-restored')).toEqual({
    operations: 1,
    message: 'Restored edits the studio server had not saved.',
  });
  // Saved by the new server: in the project file on disk.
  await studio.waitForEvent('project-saved');
  await studio.waitForProjectSaved();
  const stored = JSON.parse(await readFile(path.join(dataDir, 'project.json'), 'utf8')) as {
    items: { name: string; edits: Record<string, string> }[];
  };
  expect(stored.items.find((i) => i.name === 'kept-edit.wav')?.edits).toEqual({ 1: 'survivor' });
});

test('a tab closed mid-dictation ends its dictation: the next tab can start at once', async ({
  studio,
  context,
  bridge,
}) => {
  await studio.openDictation();
  await studio.page.getByRole('button', { name: 'Start dictation' }).click();
  await expect(studio.dictation).toHaveAttribute('data-phase', 'recording');
  await expect.poll(() => studio.dictationClockSec(), { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
  await studio.page.close(); // no Stop: the tab just goes

  const next = await StudioPage.attach(await context.newPage());
  await next.open(bridge.url);
  await next.openDictation();
  await next.page.getByRole('button', { name: 'Start dictation' }).click();
  await expect(next.dictation).toHaveAttribute('data-phase', 'recording');
  await next.page.getByRole('button', { name: 'Stop' }).click();
  await expect(next.dictation).toHaveAttribute('data-phase', 'idle');
  await expect(next.dictation.getByRole('alert')).toHaveCount(0); // no "already running"
});

test('a dictation another tab runs is offered a Stop here; that tab hears it stopped', async ({
  studio,
  context,
  bridge,
}, testInfo) => {
  // A file long enough to be still playing while the second tab opens (it plays in real time).
  const speech = await loadAudioFile(path.join(FIXTURES, 'speech.wav'), 16000);
  const long = new Float32Array(speech.length * 10);
  for (let i = 0; i < 10; i++) long.set(speech, i * speech.length);
  const file = testInfo.outputPath('long-file-mic.wav');
  await writeFile(file, encodeWav([long], { sampleRate: 16000, bitsPerSample: 16, encoding: 'int' }));
  await studio.openFiles(file);
  await studio.useFileAsMicrophone('long-file-mic.wav');
  await studio.page.getByRole('button', { name: 'Start dictation' }).click();
  await expect(studio.dictation).toHaveAttribute('data-phase', 'recording');

  const other = await StudioPage.attach(await context.newPage());
  await other.open(bridge.url);
  // In another view, the status bar offers Stop; in the dictation view, the view does.
  await expect(other.page.getByTestId('statusbar')).toContainText('Dictating');
  await other.openDictation();
  await expect(other.dictation.getByTestId('dictation-elsewhere')).toContainText('long-file-mic.wav');
  await other.dictation.getByRole('button', { name: 'Stop' }).click();
  await expect(other.dictation.getByTestId('dictation-result')).toBeVisible();
  await expect(other.dictation).toHaveAttribute('data-phase', 'idle');
  // The tab that started it is told, and is ready to start again.
  await expect(studio.dictation).toHaveAttribute('data-phase', 'idle');
  await expect(studio.dictation.getByRole('alert')).toContainText('stopped in another window');
  await expect(studio.page.getByRole('button', { name: 'Start dictation' })).toBeEnabled();
  await other.page.close();
});
