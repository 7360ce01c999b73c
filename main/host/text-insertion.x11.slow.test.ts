/**
 * Typing into another application for real: a private Xvfb display, Chromium windows with text areas (the
 * "other applications"), and xdotool, as a Linux X11 user has them. CI installs xvfb and xdotool.
 */
import { execFileSync } from 'node:child_process';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utteranceText } from '../common/display-text';
import { applyUtterance, EMPTY_DICTATION } from '../common/spoken-commands';
import {
  detectTextInsertion,
  findOnPath,
  TextInserter,
  TypingSession,
  type ClipboardAccess,
} from './text-insertion';
import { startXDisplay, type XDisplay } from './testing/xvfb';

let x: XDisplay;
const xEnv = () => x.env;
const editorWindow = (title: string): Promise<Page> => x.editorWindow(title);

/** What the studio finds on this X display; the tools it runs then talk to that display too. */
async function xSupport() {
  process.env.DISPLAY = x.display;
  return detectTextInsertion({ platform: 'linux', env: xEnv(), findTool: (n) => findOnPath(n) });
}

beforeAll(async () => {
  x = await startXDisplay();
}, 60_000);

afterAll(() => x?.close());

describe('typing into the focused X11 application', () => {
  it('detects xdotool in an X11 session', async () => {
    const support = await xSupport();
    expect(support.method).toBe('xdotool');
    expect(support.tool).toMatch(/xdotool$/);
  });

  it('types finals, punctuation and shell-looking text included, in order, into the window that had focus', async () => {
    const support = await xSupport();
    const editor = await editorWindow('Editor');
    const inserter = new TextInserter({ support });
    await inserter.rememberTarget();
    expect(inserter.target).toMatch(/^\d+$/);

    // The user clicks into another window (as the studio's own window might take focus): the text still
    // goes to the window that had focus when dictation started.
    const other = await editorWindow('Other');
    const finals = ['Hello, world.', ' -rf $(echo pwned) "quoted" it\'s 5 > 3;', ' Done?'];
    await Promise.all(finals.map((text) => inserter.insert(text)));
    await expect.poll(() => editor.locator('#doc').inputValue(), { timeout: 30_000 }).toBe(finals.join(''));
    expect(await other.locator('#doc').inputValue()).toBe('');
  }, 120_000);
  it('pastes through the clipboard when asked to, and gives the user their clipboard back', async () => {
    // The X clipboard through xclip, standing in for Electron's clipboard API.
    const clipboard: ClipboardAccess = {
      readText: () => {
        try {
          return execFileSync('xclip', ['-selection', 'clipboard', '-o'], { env: xEnv(), encoding: 'utf8' });
        } catch {
          return ''; // nothing on the clipboard yet
        }
      },
      writeText: async (text) => {
        execFileSync('xclip', ['-selection', 'clipboard', '-i'], {
          env: xEnv(),
          input: text,
          stdio: ['pipe', 'ignore', 'ignore'],
        });
        // xclip returns before its background copy owns the selection (its request may not have reached
        // the X server yet): under CI load the paste key once arrived first and Chromium pasted the old
        // clipboard. Electron's clipboard is synchronous; wait until this one serves the new text too.
        await expect.poll(() => clipboard.readText(), { timeout: 30_000, interval: 20 }).toBe(text);
      },
    };
    await clipboard.writeText("the user's own clipboard");
    const support = await xSupport();
    const editor = await editorWindow('Pasted');
    // Chromium reads the clipboard when it handles the paste key, which CI's load delayed past 1.5 s (it
    // then pasted nothing, or the user's own text): the restore waits long enough for a loaded machine.
    // The restore is the same code whatever the delay.
    const inserter = new TextInserter({ support, clipboard, preferClipboard: true, restoreAfterMs: 10_000 });
    expect(inserter.method).toBe('clipboard');
    await inserter.rememberTarget();
    await inserter.insert('Pasted, not typed: ünïcödé — “quotes”.');
    await expect
      .poll(() => editor.locator('#doc').inputValue(), { timeout: 30_000 })
      .toBe('Pasted, not typed: ünïcödé — “quotes”.');
    expect(await clipboard.readText()).toBe("the user's own clipboard");
  }, 120_000);
  it('carries out spoken commands in the other application as the studio document does: marks, lines, "scratch that"', async () => {
    const support = await xSupport();
    const editor = await editorWindow('Commands');
    const inserter = new TextInserter({ support });
    await inserter.rememberTarget();
    const session = new TypingSession(inserter);
    const finals = [
      'hello world full stop',
      'new line this part is wrong',
      'scratch that',
      'new paragraph is it done question mark',
    ];
    for (const final of finals) await session.final({ text: final });
    const expected = finals.reduce(
      (doc, final) => applyUtterance(doc, utteranceText(doc.text, { text: final }, true)),
      EMPTY_DICTATION,
    ).text;
    expect(expected).toBe('Hello world.\n\nIs it done?');
    expect(session.text).toBe(expected);
    await expect.poll(() => editor.locator('#doc').inputValue(), { timeout: 30_000 }).toBe(expected);
  }, 120_000);
});
