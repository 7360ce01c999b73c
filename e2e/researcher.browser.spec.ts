/**
 * The researcher's workflow in browser mode (issue 8): a folder of recordings with `.txt` references goes
 * through the queue; each file's WER (and the set's pooled figures) must be exactly what `npm run eval`
 * reports for the same files with the same model; the word alignment is shown under the waveform and
 * clicking an error seeks there; the CSV summary carries the same figures.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { scoreFile, sortResults, type EvalRun } from '../main/common/evaluation';
import { expect, FIXTURES, ROOT, test } from './support/fixtures';

const run = promisify(execFile);

/** The folder: two files in a subfolder and one at the top with references, one without. */
const FILES: { path: string; reference: string | null }[] = [
  { path: 'session-a/alpha.wav', reference: 'the quick brown fox jumps over the lazy dog' },
  { path: 'session-a/bravo.wav', reference: 'Hello, world!' },
  { path: 'charlie.wav', reference: 'a much longer reference sentence with many more words than were said' },
  { path: 'delta.wav', reference: null },
];

async function makeFolder(root: string): Promise<void> {
  for (const f of FILES) {
    const target = path.join(root, ...f.path.split('/'));
    await mkdir(path.dirname(target), { recursive: true });
    await copyFile(path.join(FIXTURES, 'speech.wav'), target);
    if (f.reference !== null) await writeFile(target.replace(/\.wav$/, '.txt'), f.reference + '\n');
  }
}

/** `npm run eval` on the folder with the bridge's model: its per-file JSON. */
async function cliEval(root: string, modelDir: string, out: string): Promise<EvalRun> {
  await run(
    process.execPath,
    ['--import', 'tsx', 'main/cli/eval.ts', root, '--model', modelDir, '--out', out, '--quiet'],
    { cwd: ROOT, timeout: 120_000 },
  );
  return JSON.parse(await readFile(out, 'utf8')) as EvalRun;
}

test('a folder with references: the queue completes, WERs match the CLI, an error click seeks', async ({
  studio,
  bridge,
}, testInfo) => {
  test.setTimeout(180_000);
  // The bridge (and its project) is shared by the worker's tests: start from an empty project.
  await studio.removeAllFiles();
  const root = testInfo.outputPath('lab-set');
  await makeFolder(root);
  const cli = cliEval(root, bridge.modelDir, testInfo.outputPath('cli.json'));

  const started = Date.now();
  await studio.addFolder(root);
  await studio.waitForBatchDone(FILES.length, 120_000);
  const batchSec = (Date.now() - started) / 1000;
  await expect(studio.batch).toHaveAttribute('data-failed', '0');

  const result = await cli;
  expect(result.files).toHaveLength(FILES.length);
  expect(result.normalizationText).toBe(
    await studio.page
      .getByTestId('normalisation')
      .evaluate((p) => /normalisation: (.*)\. Counts/.exec(p.textContent ?? '')?.[1]),
  );
  for (const r of result.files) {
    const name = path.basename(r.file);
    expect(r.set).toBe('lab-set');
    // Same audio, same model: the same words (so any WER difference would be the scoring's).
    const { words } = await studio.waitForEvent('transcript-final', { name });
    expect(words.map((w) => w.word).join(' '), name).toBe(r.hypothesis);
    await expect(studio.queueItem(name)).toHaveAttribute('data-path', r.file);
    if (r.wer === undefined) {
      expect(await studio.fileWer(name), name).toBeNull();
    } else {
      expect(await studio.fileWer(name), name).toBe(r.wer);
      expect(Number(await studio.queueItem(name).getAttribute('data-cer')), name).toBe(r.cer);
      const c = r.counts!.words;
      await expect(studio.queueItem(name).getByTestId('queue-score')).toHaveText(
        `WER ${(r.wer * 100).toFixed(1)}% · CER ${(r.cer! * 100).toFixed(1)}% · ${c.substitutions}/${c.deletions}/${c.insertions}`,
      );
    }
  }
  // The set's pooled figures (counts summed over files, as the CLI's table).
  const total = studio.page.getByTestId('eval-total');
  expect(Number(await total.getAttribute('data-wer'))).toBe(result.total.wer);
  expect(Number(await total.getAttribute('data-cer'))).toBe(result.total.cer);
  const w = result.total.words;
  await expect(total).toHaveAttribute('data-sdi', `${w.substitutions}/${w.deletions}/${w.insertions}`);
  await expect(studio.page.getByTestId('eval-set')).toHaveAttribute('data-set', 'lab-set');

  // Sorted by WER, worst first, in the CLI's order (unscored files last).
  await studio.sortFiles('wer');
  expect(await studio.queueOrder()).toEqual(
    sortResults(result.files, 'wer').map((r) => path.basename(r.file)),
  );

  // The CSV summary: one row per file with the CLI's WER (4 decimals), then the set and the total.
  const csv = (await studio.exportCsvSummary()).trim().split('\r\n');
  const header = csv[0].split(',');
  const werColumn = header.indexOf('wer');
  for (const r of result.files.filter((f) => f.wer !== undefined)) {
    const row = csv.find((line) => line.startsWith(`file,lab-set,${r.file},`));
    expect(row, r.file).toBeDefined();
    expect(Number(row!.split(',')[werColumn])).toBe(Number(r.wer!.toFixed(4)));
  }
  expect(csv.at(-1)!.startsWith('total,')).toBe(true);

  // The alignment of the worst file under its waveform; clicking an error moves playback there.
  const worst = sortResults(result.files, 'wer')[0];
  const name = path.basename(worst.file);
  await studio.selectFile(name);
  const { fileId, words } = await studio.waitForEvent('transcript-final', { name });
  await studio.waitForWaveform(fileId, words.length);
  await expect(studio.alignmentTokens).toHaveCount(worst.alignment!.length);
  const ops = await studio.alignmentTokens.evaluateAll((t) => t.map((b) => b.getAttribute('data-op')));
  expect(ops).toEqual(worst.alignment!.map((p) => p.op));
  // An error on a recognised word (substitution or insertion), away from the start, so the seek shows.
  const errorIndex = ops.findIndex(
    (op, i) => (op === 'sub' || op === 'ins') && ops.slice(0, i).some((o) => o !== 'del'),
  );
  expect(errorIndex, 'the worst file should have an error on a recognised word').toBeGreaterThanOrEqual(0);
  const token = studio.alignmentTokens.nth(errorIndex);
  const time = Number(await token.getAttribute('data-time'));
  const hypIndex = ops.slice(0, errorIndex).filter((op) => op !== 'del').length;
  expect(time).toBeCloseTo(words[hypIndex].start, 3); // the error's own word in the transcript
  expect(time).toBeGreaterThan(0);
  await token.click();
  await studio.waitForEvent('seeked', { time: words[hypIndex].start });
  expect(await studio.currentTime()).toBeCloseTo(words[hypIndex].start, 2);
  await expect(studio.word(hypIndex)).toHaveClass(/active/);
  // Errors are marked on the waveform's word regions too.
  expect(await studio.waveform.locator('.region-label.error').count()).toBeGreaterThan(0);
  console.log(
    `researcher e2e: ${FILES.length} files through the queue in ${batchSec.toFixed(1)} s; ` +
      `total WER ${(result.total.wer * 100).toFixed(1)}% (CLI and app identical)`,
  );
});

test('a manifest gives references to files already added (browser mode matches them by path)', async ({
  studio,
}, testInfo) => {
  await studio.removeAllFiles();
  const root = testInfo.outputPath('manifest-set');
  await mkdir(path.join(root, 'sub'), { recursive: true });
  await copyFile(path.join(FIXTURES, 'speech.wav'), path.join(root, 'sub', 'echo.wav'));
  await copyFile(path.join(FIXTURES, 'speech.wav'), path.join(root, 'foxtrot.wav'));
  await studio.addFolder(root);
  await studio.waitForBatchDone(2);
  expect(await studio.fileWer('echo.wav')).toBeNull(); // no .txt beside it
  await expect(studio.page.getByTestId('eval-panel')).toHaveCount(0);

  const manifest = testInfo.outputPath('refs.tsv');
  await writeFile(
    manifest,
    'path\ttranscript\nsub/echo.wav\tone two three\nfoxtrot.wav\tfour\nmissing.wav\tfive\n',
  );
  await studio.addManifest(manifest);
  for (const [name, reference] of [
    ['echo.wav', 'one two three'],
    ['foxtrot.wav', 'four'],
  ] as const) {
    const { words } = await studio.waitForEvent('transcript-final', { name });
    const expected = scoreFile(reference, words.map((w) => w.word).join(' '));
    await expect.poll(() => studio.fileWer(name)).toBe(expected.wer);
  }
  await expect(studio.page.locator('.notices')).toContainText('missing.wav');
  await expect(studio.page.getByTestId('eval-set')).toHaveAttribute('data-set', 'refs');
});
