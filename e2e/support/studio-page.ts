/**
 * Page object over the studio UI. Waits are on the app's named events (renderer/src/state/
 * app-event-types.ts), which an init script records from the first moment of the page, and on
 * state attributes (`data-state`, `data-ready`); never on sleeps.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, type Locator, type Page } from '@playwright/test';
import type { ExportFormat, Word } from '../../main/common/transcript';
import { APP_EVENT_NAMES, type AppEventName, type AppEvents } from '../../renderer/src/state/app-event-types';

interface RecordedEvent {
  name: string;
  detail: unknown;
}

/**
 * The slice of the page's globals these functions use. They run in the browser (page.evaluate), but this
 * file is compiled with the Node project, which has no DOM library.
 */
interface PageGlobals {
  __studioEvents?: RecordedEvent[];
  addEventListener(type: string, listener: (event: { detail?: unknown }) => void): void;
  DataTransfer: new () => { items: { add(file: File): void } };
  atob(data: string): string;
}

/** The selection and clipboard globals the text-selection helpers use (in the page). */
interface SelectionGlobals {
  getSelection(): { toString(): string } | null;
  document: {
    addEventListener(
      type: 'copy',
      listener: (event: { clipboardData: { getData(type: string): string } | null }) => void,
      options: { once: boolean },
    ): void;
  };
  __copied?: string | null;
}

/** Installed before any page script runs, so no event can be missed. */
function recordAppEvents(names: readonly string[]): void {
  const page = globalThis as unknown as PageGlobals;
  const events: RecordedEvent[] = [];
  page.__studioEvents = events;
  for (const name of names) {
    page.addEventListener(`studio:${name}`, (e) => events.push({ name, detail: e.detail }));
  }
}

export class StudioPage {
  constructor(readonly page: Page) {}

  /** Installs the event recorder; call before the first navigation. */
  static async attach(page: Page): Promise<StudioPage> {
    await page.addInitScript(recordAppEvents, APP_EVENT_NAMES);
    return new StudioPage(page);
  }

  /** Navigates to the studio and waits for the model to be ready and the page to paint. */
  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await this.waitForEvent('model-ready');
    await this.ensureFrames();
  }

  /**
   * Waits until the page paints (a requestAnimationFrame callback runs). Every click first waits for its
   * target to be stable over two animation frames; in CI a freshly loaded page's first click once waited
   * out the test's 60 s there with no "not stable" message, the frames seemingly stopped (as headless
   * Chromium does for a page it treats as in the background). Bringing the page to the front is the known
   * way to restart them; if that fails too, the error says so at once instead of a silent timeout.
   */
  async ensureFrames(): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const painted = await this.page.evaluate(
        () =>
          new Promise<boolean>((resolve) => {
            const frames = globalThis as unknown as { requestAnimationFrame(callback: () => void): number };
            frames.requestAnimationFrame(() => resolve(true));
            setTimeout(() => resolve(false), 3000);
          }),
      );
      if (painted) return;
      await this.page.bringToFront();
    }
    throw new Error('the page paints no frames: requestAnimationFrame never fires, so no click can run');
  }

  /**
   * Resolves with the first recorded event `name` whose detail matches `where` (a subset of fields, or a
   * predicate evaluated here after fetching). Past events count, so tests give files unique names.
   */
  async waitForEvent<K extends AppEventName>(
    name: K,
    where: Partial<Record<keyof AppEvents[K], unknown>> = {},
    timeout = 30_000,
  ): Promise<AppEvents[K]> {
    const handle = await this.page.waitForFunction(
      ({ name, where }) =>
        (globalThis as unknown as PageGlobals).__studioEvents?.find(
          (e) =>
            e.name === name &&
            Object.entries(where as Record<string, unknown>).every(
              ([k, v]) => (e.detail as Record<string, unknown>)[k] === v,
            ),
        )?.detail,
      { name, where },
      { timeout },
    );
    return (await handle.jsonValue()) as AppEvents[K];
  }

  /** Number of recorded events of this name (to wait for the next one). */
  async eventCount(name: AppEventName): Promise<number> {
    return this.page.evaluate(
      (n) => (globalThis as unknown as PageGlobals).__studioEvents?.filter((e) => e.name === n).length ?? 0,
      name,
    );
  }

  async waitForNextEvent<K extends AppEventName>(
    name: K,
    after: number,
    timeout = 30_000,
  ): Promise<AppEvents[K]> {
    const handle = await this.page.waitForFunction(
      ({ name, after }) =>
        (globalThis as unknown as PageGlobals).__studioEvents?.filter((e) => e.name === name)[after]?.detail,
      { name, after },
      { timeout },
    );
    return (await handle.jsonValue()) as AppEvents[K];
  }

  // ---- Files -------------------------------------------------------------------------------------------

  /** Opens files through the toolbar's "Open files…" (the file dialog). */
  async openFiles(...files: string[]): Promise<void> {
    const chooser = this.page.waitForEvent('filechooser');
    await this.page.getByRole('button', { name: 'Open files…' }).click();
    await (await chooser).setFiles(files);
  }

  /** Drops a file onto the window, as the OS does on drag and drop. */
  async dropFile(file: string): Promise<void> {
    const bytes = (await readFile(file)).toString('base64');
    const name = path.basename(file);
    const dataTransfer = await this.page.evaluateHandle(
      ({ bytes, name }) => {
        const page = globalThis as unknown as PageGlobals;
        const data = Uint8Array.from(page.atob(bytes), (c) => c.charCodeAt(0));
        const transfer = new page.DataTransfer();
        transfer.items.add(new File([data], name, { type: 'audio/wav' }));
        return transfer;
      },
      { bytes, name },
    );
    const target = this.page.locator('.app');
    await target.dispatchEvent('dragover', { dataTransfer });
    await target.dispatchEvent('drop', { dataTransfer });
  }

  queueItem(name: string): Locator {
    return this.page.locator(`[data-testid="queue-item"][data-file-name="${name}"]`);
  }

  /**
   * Removes every file from the project, as a user does: select a file, then its Remove button (shown only
   * for the selected file or under the pointer, so the first file must be selected, not assumed selected:
   * a page loaded after a dictation can select another file than the first).
   */
  async removeAllFiles(): Promise<void> {
    await this.ensureFrames();
    const items = this.page.getByTestId('queue-item');
    while ((await items.count()) > 0) {
      const first = items.first();
      await first.locator('.queue-select').click();
      await first.getByRole('button', { name: /^Remove .* from the project$/ }).click();
    }
    await expect(this.page.getByTestId('empty-state')).toBeVisible();
  }

  async selectFile(name: string): Promise<void> {
    await this.queueItem(name).locator('.queue-select').click();
  }

  /** Waits until the file's transcript is final; returns its words. */
  async waitForTranscript(name: string): Promise<Word[]> {
    const { words } = await this.waitForEvent('transcript-final', { name });
    await expect(this.queueItem(name)).toHaveAttribute('data-state', 'done');
    return words;
  }

  async waitForFailure(name: string): Promise<AppEvents['transcript-failed']> {
    const failure = await this.waitForEvent('transcript-failed', { name });
    await expect(this.queueItem(name)).toHaveAttribute('data-state', 'error');
    return failure;
  }

  // ---- Waveform and transcript -----------------------------------------------------------------------

  get waveform(): Locator {
    return this.page.getByTestId('waveform');
  }

  get words(): Locator {
    return this.page.getByTestId('transcript').locator('.word[data-index]');
  }

  word(index: number): Locator {
    return this.page.getByTestId('transcript').locator(`.word[data-index="${index}"]`);
  }

  /** The transcript's paragraphs. */
  get paragraphs(): Locator {
    return this.page.getByTestId('transcript').locator('p.paragraph');
  }

  /** The start time of each segment (a button that seeks there). */
  get segmentTimes(): Locator {
    return this.page.getByTestId('transcript').getByRole('button', { name: /^Play from / });
  }

  /** Drags the mouse from the start of word `from` to the end of word `to`, as a person selects text. */
  async dragSelectWords(from: number, to: number): Promise<void> {
    const start = await this.word(from).boundingBox();
    const end = await this.word(to).boundingBox();
    if (!start || !end) throw new Error('the words to select are not on screen');
    await this.page.mouse.move(start.x + 1, start.y + start.height / 2);
    await this.page.mouse.down();
    await this.page.mouse.move(end.x + end.width - 1, end.y + end.height / 2, { steps: 10 });
    await this.page.mouse.up();
  }

  /** The page's text selection, as the browser serialises it. */
  async selectedText(): Promise<string> {
    return this.page.evaluate(
      () => (globalThis as unknown as SelectionGlobals).getSelection()?.toString() ?? '',
    );
  }

  /** Presses Ctrl+C and returns the text the page put on the clipboard (null if it left it to the browser). */
  async copySelection(): Promise<string | null> {
    await this.page.evaluate(() => {
      const page = globalThis as unknown as SelectionGlobals;
      page.__copied = null;
      // Bubbling to the document comes after the app's own handler (React listens at its root).
      page.document.addEventListener(
        'copy',
        (event) => {
          page.__copied = event.clipboardData?.getData('text/plain') || null;
        },
        { once: true },
      );
    });
    await this.page.keyboard.press('Control+C');
    return this.page.evaluate(() => (globalThis as unknown as SelectionGlobals).__copied ?? null);
  }

  /** Waits for the waveform with its word regions (the audio may be drawn before the transcript exists). */
  async waitForWaveform(fileId: string, regions: number): Promise<AppEvents['waveform-ready']> {
    const ready = await this.waitForEvent('waveform-ready', { fileId, regions });
    await expect(this.waveform).toHaveAttribute('data-ready', 'true');
    return ready;
  }

  /** The playback position, as the waveform reports it. */
  async currentTime(): Promise<number> {
    return Number(await this.waveform.getAttribute('data-current-time'));
  }

  async editWord(index: number, text: string): Promise<void> {
    const input = this.page.getByRole('textbox', { name: `Correct word ${index + 1}` });
    // Once in CI (2026-12-05) a double-click opened no correction box: its first click seeks, and the
    // second may land after the page has moved. A user double-clicks again, and so does this helper.
    await expect(async () => {
      if (!(await input.isVisible())) await this.word(index).dblclick({ timeout: 5_000 });
      await expect(input).toBeVisible({ timeout: 5_000 });
    }).toPass({ timeout: 60_000 });
    await input.fill(text);
    await input.press('Enter');
    await expect(this.word(index)).toHaveText(text);
  }

  /** Exports the selected transcript through the browser download and returns its text. */
  async exportAs(format: ExportFormat): Promise<{ name: string; content: string }> {
    const download = this.page.waitForEvent('download');
    await this.page
      .getByRole('group', { name: 'Export' })
      .getByRole('button', { name: format.toUpperCase() })
      .click();
    const file = await download;
    const stream = await file.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return { name: file.suggestedFilename(), content: Buffer.concat(chunks).toString('utf8') };
  }

  /** Waits until every change so far has been saved by the host. */
  async waitForProjectSaved(): Promise<void> {
    await expect(this.page.locator('.app')).toHaveAttribute('data-project', 'saved');
  }

  // ---- Dictation ---------------------------------------------------------------------------------------

  async openDictation(): Promise<void> {
    await this.page.getByRole('group', { name: 'View' }).getByRole('button', { name: 'Dictation' }).click();
    await expect(this.page.getByTestId('dictation')).toBeVisible();
  }

  /**
   * Opens the dictation view with an opened file as its input (the file plays as the microphone). It first
   * waits for the file's transcript: a file that finishes opening selects itself in the editor, which
   * would take the view away from dictation after the click (a race that failed in CI).
   */
  async useFileAsMicrophone(name: string): Promise<void> {
    await this.waitForTranscript(name);
    await this.openDictation();
    await this.dictation
      .getByRole('combobox', { name: 'Input', exact: true })
      .selectOption({ label: `File: ${name}` });
  }

  get dictation(): Locator {
    return this.page.getByTestId('dictation');
  }

  /**
   * Empties the dictation document (in the dictation view). It is saved with the project, which the
   * tests of a worker share: an earlier test's dictation is in it.
   */
  async clearDictationDocument(): Promise<void> {
    await expect(this.page.locator('.app')).not.toHaveAttribute('data-project', 'loading');
    const clear = this.dictation.getByRole('button', { name: 'Clear' });
    if (await clear.isEnabled()) await clear.click();
    await expect(this.dictation.getByTestId('dictation-document')).toHaveValue('');
  }

  /** The live partial result currently shown (empty when none). */
  async dictationPartialText(): Promise<string> {
    const spans = this.dictation.getByTestId('dictation-partial').locator('.stable, .unstable');
    return (await spans.allTextContents()).join(' ').trim();
  }

  /** Seconds on the dictation's recording clock (the app's own measure, not a sleep). */
  async dictationClockSec(): Promise<number> {
    const [m, s] = ((await this.dictation.locator('.clock').textContent()) || '0:0').split(':').map(Number);
    return m * 60 + s;
  }
  // ---- Batches and evaluation ------------------------------------------------------------------------

  /** Adds a folder through "Add folder…" (a directory picker in browser mode). */
  async addFolder(dir: string): Promise<void> {
    const chooser = this.page.waitForEvent('filechooser');
    await this.page.getByRole('button', { name: 'Add folder…' }).click();
    await (await chooser).setFiles(dir);
  }

  /** Adds a reference manifest through "Add manifest…". */
  async addManifest(file: string): Promise<void> {
    const chooser = this.page.waitForEvent('filechooser');
    await this.page.getByRole('button', { name: 'Add manifest…' }).click();
    await (await chooser).setFiles(file);
  }

  /** The batch's overall progress bar (present when more than one file is in the queue). */
  get batch(): Locator {
    return this.page.getByTestId('batch');
  }

  /** Waits until every file of the batch is finished (transcribed or failed). */
  async waitForBatchDone(total: number, timeout = 60_000): Promise<void> {
    await expect(this.batch).toHaveAttribute('data-total', String(total), { timeout });
    await expect(this.batch).toHaveAttribute('data-finished', String(total), { timeout });
  }

  /** A file's WER as the queue shows it (full precision, from `data-wer`); null when it is not scored. */
  async fileWer(name: string): Promise<number | null> {
    const value = await this.queueItem(name).getAttribute('data-wer');
    return value === null ? null : Number(value);
  }

  /** The queue's file names, top to bottom. */
  async queueOrder(): Promise<string[]> {
    return this.page
      .getByTestId('queue-item')
      .evaluateAll((items) => items.map((item) => item.getAttribute('data-file-name') ?? ''));
  }

  async sortFiles(key: 'input' | 'wer' | 'cer' | 'name'): Promise<void> {
    await this.page.getByRole('combobox', { name: 'Sort files' }).selectOption(key);
  }

  /** The selected file's alignment tokens (reference against hypothesis) under the waveform. */
  get alignmentTokens(): Locator {
    return this.page.getByTestId('alignment').locator('button.align-token');
  }

  /** Exports the evaluation's CSV summary (a download in browser mode) and returns its text. */
  async exportCsvSummary(): Promise<string> {
    const download = this.page.waitForEvent('download');
    await this.page.getByRole('button', { name: 'CSV summary' }).click();
    const stream = await (await download).createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  // ---- Voice profile (speaker adaptation) --------------------------------------------------------------

  async openVoiceProfile(): Promise<void> {
    await this.page
      .getByRole('group', { name: 'View' })
      .getByRole('button', { name: 'Voice profile' })
      .click();
    await expect(this.voiceProfile).toBeVisible();
    await expect(this.voiceProfile.getByTestId('enrollment-prompt')).not.toHaveText('…');
  }

  get voiceProfile(): Locator {
    return this.page.getByTestId('voice-profile');
  }

  /** The enrollment prompt list's entry `index` (0-based). */
  enrollmentPrompt(index: number): Locator {
    return this.voiceProfile.getByRole('list', { name: 'Enrollment prompts' }).getByRole('button').nth(index);
  }

  /** Records prompt `index` for at least `seconds` (the view's own clock) and waits until it is kept. */
  async recordPrompt(index: number, seconds: number): Promise<AppEvents['enrollment-saved']> {
    await this.enrollmentPrompt(index).click();
    const before = await this.eventCount('enrollment-saved');
    const card = this.voiceProfile.locator('.vp-prompt-card');
    await card.getByRole('button', { name: /^Record/ }).click();
    await expect(card.getByRole('button', { name: 'Stop' })).toBeVisible();
    await expect
      .poll(async () => {
        const [m, s] = ((await card.locator('.clock').textContent()) || '0:0').split(':').map(Number);
        return m * 60 + s;
      })
      .toBeGreaterThanOrEqual(seconds);
    await card.getByRole('button', { name: 'Stop' }).click();
    return this.waitForNextEvent('enrollment-saved', before);
  }

  /** Starts an adaptation from the form and waits for its outcome. */
  async adapt(options: { name: string; epochs: number; keepAnyway?: boolean }, timeout = 120_000) {
    const form = this.voiceProfile.locator('.vp-adapt-form');
    await form.getByLabel('Name').fill(options.name);
    await form.getByLabel('Epochs').fill(String(options.epochs));
    if (options.keepAnyway) await form.getByLabel(/Keep the adapted model/).check();
    const before = await this.eventCount('adapt-done');
    await form.getByRole('button', { name: 'Adapt to my voice' }).click();
    return this.waitForNextEvent('adapt-done', before, timeout);
  }

  /** Selects a model in the profile (null: the base) and waits until the engine has loaded it. */
  async selectModel(name: string | null): Promise<void> {
    const before = await this.eventCount('model-selected');
    const list = this.voiceProfile.getByTestId('model-list');
    const radio =
      name === null ? list.getByRole('radio').first() : list.getByRole('radio', { name: `Use ${name}` });
    // A click, not check(): the radio turns checked only once the engine has loaded the model.
    await radio.click();
    const selected = await this.waitForNextEvent('model-selected', before, 60_000);
    expect(selected.name).toBe(name);
    await expect(radio).toBeChecked();
  }

  /** The model name the status bar shows. */
  async statusModelName(): Promise<string> {
    const text = await this.page.getByTestId('statusbar').getByTitle('Acoustic model').textContent();
    return (text ?? '').replace(/^\s*Model\s*/, '').trim();
  }
}
