/**
 * Speaker adaptation end to end in browser mode: enrollment prompts recorded through Chromium's fake
 * microphone (a redo replaces a take), kept in the host's profile folder; a one-epoch adaptation in the
 * real engine process (with the random test model the WERs mean nothing, so the adapted weights are kept
 * on request); the adapted model selected — the engine reloads, the status bar names it — and used for
 * dictation; then the base model again and the adapted model removed.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { DICTATION_END_MARKER } from '../main/bridge/server';
import { expect, test } from './support/fixtures';
import { StudioPage } from './support/studio-page';

test('enrollment → adapt → select → dictate with the adapted model', async ({ studio, bridge }) => {
  test.setTimeout(240_000);
  const page = studio.page;
  const baseName = await studio.statusModelName();
  expect(baseName).not.toBe('');

  await studio.openVoiceProfile();
  const prompts = studio.voiceProfile.getByRole('list', { name: 'Enrollment prompts' }).getByRole('button');
  expect(await prompts.count()).toBeGreaterThanOrEqual(30);

  // Three prompts read aloud (the fake microphone plays speech.wav), then the first one again.
  const first = await studio.recordPrompt(0, 2);
  expect(first.index).toBe(0);
  expect(first.recordedSec).toBeGreaterThanOrEqual(1.5);
  await studio.recordPrompt(1, 2);
  await studio.recordPrompt(2, 2);
  // The redo runs a second past however long the first take came out (a Stop clicked late on a loaded
  // machine makes the first longer than asked), so its length shows it replaced the first.
  const redo = await studio.recordPrompt(0, Math.ceil(first.recordedSec) + 1);
  expect(redo.recordedSec).toBeGreaterThan(first.recordedSec);
  await expect(studio.voiceProfile.getByTestId('enrollment-count')).toContainText('3 recorded');
  await expect(studio.enrollmentPrompt(0)).toHaveAttribute('data-recorded', 'true');
  await expect(studio.enrollmentPrompt(3)).toHaveAttribute('data-recorded', 'false');
  // The recordings live in the host's data folder, in the profile.
  const enrollment = path.join(bridge.dataDir, 'profile', 'enrollment');
  for (const file of ['001.wav', '002.wav', '003.wav', 'prompts.json'])
    await stat(path.join(enrollment, file));

  // One epoch; the random model cannot improve, so the adapted weights are kept on request.
  const done = await studio.adapt({ name: 'e2e-voice', epochs: 1, keepAnyway: true });
  expect(done).toMatchObject({ kept: 'adapted', modelName: 'e2e-voice', utterances: 3 });
  expect(done.beforeWer).toBeGreaterThanOrEqual(0);
  const summary = studio.voiceProfile.getByTestId('adapt-summary');
  await expect(summary).toHaveAttribute('data-kept', 'adapted');
  await expect(summary).toContainText('before');
  await expect(summary).toContainText('after');
  await stat(path.join(bridge.dataDir, 'profile', 'models', 'e2e-voice', 'manifest.json'));

  // Selecting it reloads the engine with it; the status bar names it.
  const readyBefore = await studio.eventCount('model-ready');
  await studio.selectModel('e2e-voice');
  await expect.poll(() => studio.statusModelName()).toBe('e2e-voice');
  const ready = await studio.waitForNextEvent('model-ready', readyBefore);
  expect(ready.modelName).toBe('e2e-voice');

  // Dictation with the adapted model produces a final.
  await studio.openDictation();
  await page.getByRole('button', { name: 'Start dictation' }).click();
  await expect(studio.dictation).toHaveAttribute('data-phase', 'recording');
  await expect.poll(() => studio.dictationClockSec(), { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
  const finalsBefore = await studio.eventCount('dictation-final');
  await page.getByRole('button', { name: 'Stop' }).click();
  const final = await studio.waitForNextEvent('dictation-final', finalsBefore);
  expect(final.words.length).toBeGreaterThan(0);
  expect(await studio.statusModelName()).toBe('e2e-voice');

  // Back to the base model, then remove the adapted one (the bridge is shared with other tests).
  await studio.openVoiceProfile();
  await studio.selectModel(null);
  await expect.poll(() => studio.statusModelName()).toBe(baseName);
  page.once('dialog', (dialog) => void dialog.accept());
  await studio.voiceProfile.getByRole('button', { name: 'Remove e2e-voice' }).click();
  await expect(studio.voiceProfile.getByRole('radio', { name: 'Use e2e-voice' })).toHaveCount(0);
  await expect(stat(path.join(bridge.dataDir, 'profile', 'models', 'e2e-voice'))).rejects.toThrow();
});

test('the vocabulary is saved in the profile and is there after a reload', async ({ studio }) => {
  await studio.openVoiceProfile();
  const vocabulary = studio.voiceProfile.getByTestId('vocabulary');
  const text = vocabulary.getByRole('textbox', { name: 'Vocabulary' });
  await text.fill('Kowalski\n  tensor   processing unit\n# a comment\nKowalski');
  await vocabulary.getByRole('button', { name: 'Save vocabulary' }).click();
  await expect(vocabulary.getByTestId('vocabulary-status')).toHaveText('Saved: 2 entries.');
  await expect(text).toHaveValue('Kowalski\ntensor processing unit');

  await studio.page.reload();
  await studio.waitForEvent('model-ready');
  await studio.openVoiceProfile();
  await expect(studio.voiceProfile.getByRole('textbox', { name: 'Vocabulary' })).toHaveValue(
    'Kowalski\ntensor processing unit',
  );
});

test('unsaved vocabulary survives a visit to another view', async ({ studio }) => {
  await studio.openVoiceProfile();
  const vocabulary = studio.voiceProfile.getByRole('textbox', { name: 'Vocabulary' });
  await vocabulary.fill('Kowalski\nelectroencephalogram');
  await studio.openDictation();
  await studio.openVoiceProfile();
  await expect(vocabulary).toHaveValue('Kowalski\nelectroencephalogram');
  await expect(studio.voiceProfile.getByRole('button', { name: 'Save vocabulary' })).toBeEnabled();
});

test('saving a take marks the end of its audio on the socket, as Stop does for a dictation', async ({
  page,
  bridge,
}) => {
  // Without the mark the bridge waits for frames that will not come before it keeps the take.
  const marks: string[] = [];
  page.on('websocket', (socket) =>
    socket.on('framesent', ({ payload }) => {
      if (payload === DICTATION_END_MARKER) marks.push(String(payload));
    }),
  );
  const studio = await StudioPage.attach(page);
  await studio.open(bridge.url);
  await studio.openVoiceProfile();
  const saved = await studio.recordPrompt(5, 1);
  expect(saved.index).toBe(5);
  await expect.poll(() => marks.length).toBe(1);
});
