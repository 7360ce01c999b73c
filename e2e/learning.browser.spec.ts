/**
 * Learning from corrections end to end in browser mode, with a server whose rounds start after 2
 * corrections (the test-only SPEECH_STUDIO_LEARN_ROUND_SIZE; 20 in use): words corrected in the editor
 * keep their segment's audio and text in the profile's learning folder; the second starts a round in a
 * low-priority engine process, and the voice profile shows it finish and the accuracy chart gain its
 * point; with the setting off nothing is kept; "Forget my data" deletes the files.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createRandomModel } from '../main/engine/model/random-model';
import type { Transcript } from '../main/common/transcript';
import { LEARN_ROUND_SIZE_ENV } from '../main/host/correction-learning';
import { correctionOfEdit } from '../renderer/src/state/learn-from-edit';
import { expect, fixtureCopy, startWebServer, test, TEST_MODEL_SEED } from './support/fixtures';
import { StudioPage } from './support/studio-page';

let dir: string;
let server: { url: string; child: ChildProcess };
const dataDir = () => path.join(dir, 'data');
const learningDir = () => path.join(dataDir(), 'profile', 'learning');
const keptAudio = async () =>
  (await readdir(learningDir()).catch(() => [])).filter((f) => f.endsWith('.wav'));

test.beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'speech-studio-learning-'));
  const modelDir = path.join(dir, 'model');
  await createRandomModel(modelDir, { seed: TEST_MODEL_SEED });
  server = await startWebServer(modelDir, dataDir(), { [LEARN_ROUND_SIZE_ENV]: '2' });
});

test.afterAll(async () => {
  if (server && server.child.exitCode === null && server.child.signalCode === null) {
    server.child.kill('SIGTERM');
    await once(server.child, 'exit');
  }
  await rm(dir, { recursive: true, force: true });
});

/** Back to the files view and the file's transcript, and corrects word `index` there. */
async function correct(studio: StudioPage, name: string, index: number, text: string): Promise<void> {
  await studio.page.getByRole('group', { name: 'View' }).getByRole('button', { name: 'Files' }).click();
  await studio.selectFile(name);
  await studio.editWord(index, text);
  await studio.openVoiceProfile();
}

/** A word whose correction sends a span long enough to learn from (the random model's words vary). */
async function correctableWord(studio: StudioPage, name: string): Promise<number> {
  const words = await studio.waitForTranscript(name);
  const transcript = { words, text: '', durationSec: words.at(-1)!.end, model: '' } as Transcript;
  const index = words.findIndex((_, i) => {
    const span = correctionOfEdit(transcript, {}, i, 'lighthouse');
    return span !== null && span.endSec - span.startSec >= 0.8;
  });
  expect(index).toBeGreaterThanOrEqual(0);
  return index;
}

test('corrections are kept, a round runs and the accuracy chart updates; forget deletes the data', async ({
  page,
}, testInfo) => {
  test.setTimeout(240_000);
  const studio = await StudioPage.attach(page);
  await studio.open(server.url);
  const first = await fixtureCopy('sentences.wav', (n) => testInfo.outputPath(n), 'learn-one.wav');
  const second = await fixtureCopy('sentences.wav', (n) => testInfo.outputPath(n), 'learn-two.wav');
  await studio.openFiles(first, second);
  const index = await correctableWord(studio, 'learn-one.wav');
  const other = await correctableWord(studio, 'learn-two.wav');

  await studio.openVoiceProfile();
  const learning = studio.voiceProfile.getByTestId('learning');
  const summary = learning.getByTestId('learning-summary');
  await expect(learning.getByRole('checkbox', { name: 'Learn from my corrections' })).toBeChecked();
  await expect(summary).toHaveAttribute('data-kept', '0');

  // Off: a correction is not kept.
  // (The box follows the host's answer, so it is clicked and then awaited, not `uncheck()`ed.)
  const setting = learning.getByRole('checkbox', { name: 'Learn from my corrections' });
  await setting.click();
  await expect(setting).not.toBeChecked();
  await correct(studio, 'learn-one.wav', index, 'seashore');
  await expect(summary).toHaveAttribute('data-kept', '0');
  expect(await keptAudio()).toEqual([]);

  // On: one correction per file; the second starts a round.
  await setting.click();
  await expect(setting).toBeChecked();
  await correct(studio, 'learn-one.wav', index, 'lighthouse');
  await expect(summary).toHaveAttribute('data-kept', '1');
  await expect(summary).toHaveAttribute('data-waiting', '1');
  expect(await keptAudio()).toHaveLength(1);

  await correct(studio, 'learn-two.wav', other, 'harbour');
  // The round runs in the background and ends in the history: one point on the chart.
  const history = learning.getByTestId('learning-history');
  await expect(history).toHaveAttribute('data-rounds', '1', { timeout: 180_000 });
  await expect(learning.getByTestId('accuracy-chart')).toHaveAttribute('data-rounds', '1');
  await expect(history).toContainText('Round 1: word accuracy on corrections kept back to check it');
  await expect(summary).toHaveAttribute('data-kept', '2');
  await expect(summary).toHaveAttribute('data-waiting', '0');
  await expect(learning.getByTestId('learning-progress')).toHaveCount(0);

  // Forget: after a confirmation, the kept audio, text and history are gone from the data folder.
  await learning.getByRole('button', { name: 'Forget my data' }).click();
  await learning.getByRole('button', { name: 'Delete' }).click();
  await expect(summary).toHaveAttribute('data-kept', '0');
  await expect(learning.getByTestId('learning-history')).toHaveCount(0);
  expect(await keptAudio()).toEqual([]);
  expect(await readdir(learningDir())).toEqual(['index.json']);
});

test('a dictated sentence corrected after Stop is kept with its stretch of the recording', async ({
  page,
}, testInfo) => {
  test.setTimeout(120_000);
  const studio = await StudioPage.attach(page);
  await studio.open(server.url);
  const file = await fixtureCopy('sentences.wav', (n) => testInfo.outputPath(n), 'learn-dictated.wav');
  await studio.openFiles(file);
  await studio.useFileAsMicrophone('learn-dictated.wav');
  await studio.dictation.getByRole('button', { name: 'Start dictation' }).click();
  // The file plays in real time and the session ends by itself with the recording kept.
  await studio.waitForEvent('dictation-final');
  await expect(studio.dictation.getByTestId('dictation-result')).toBeVisible({ timeout: 60_000 });
  await expect(studio.dictation).toHaveAttribute('data-phase', 'idle');

  const sentence = studio.dictation.getByTestId('dictation-sentence').first();
  const before = (await keptAudio()).length;
  await sentence.getByRole('textbox').fill('the lighthouse keeper waved');
  // Another view and back: the sentences and the half-done correction are still there.
  const views = studio.page.getByRole('group', { name: 'View' });
  await views.getByRole('button', { name: 'Files' }).click();
  await expect(studio.dictation).toHaveCount(0);
  await views.getByRole('button', { name: 'Dictation' }).click();
  await expect(sentence.getByRole('textbox')).toHaveValue('the lighthouse keeper waved');
  await sentence.getByRole('button', { name: 'Correct' }).click();
  await expect(sentence).toHaveAttribute('data-state', 'kept');
  await expect(sentence).toContainText('Kept for learning');
  expect(await keptAudio()).toHaveLength(before + 1);
});
