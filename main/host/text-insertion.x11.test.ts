/**
 * Typing into another application for real: a private Xvfb display, Chromium windows with text areas (the
 * "other applications"), and xdotool, as a Linux X11 user has them. CI installs xvfb and xdotool.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyUtterance, EMPTY_DICTATION } from '../common/spoken-commands';
import {
  detectTextInsertion,
  findOnPath,
  TextInserter,
  TypingSession,
  type ClipboardAccess,
} from './text-insertion';

const browserPath =
  process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

let xvfb: ChildProcess;
let display = '';
let browser: Browser;

/** Starts Xvfb on a free display number (it prints the number it took on the given fd). */
async function startXvfb(): Promise<void> {
  xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
  });
  display = await new Promise<string>((resolve, reject) => {
    let out = '';
    (xvfb.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(`:${out.trim()}`);
    });
    xvfb.on('exit', (code) => reject(new Error(`Xvfb exited with ${code}`)));
  });
}

/** A window whose text area has focus, standing in for the user's editor. */
async function editorWindow(title: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.setContent(
    `<title>${title}</title><textarea id="doc" autofocus style="width:90vw;height:80vh"></textarea>`,
  );
  await page.bringToFront();
  await page.locator('#doc').focus();
  return page;
}

const xEnv = () => ({ ...process.env, DISPLAY: display, XDG_SESSION_TYPE: 'x11', WAYLAND_DISPLAY: '' });

/** What the studio finds on this X display; the tools it runs then talk to that display too. */
async function xSupport() {
  process.env.DISPLAY = display;
  return detectTextInsertion({ platform: 'linux', env: xEnv(), findTool: (n) => findOnPath(n) });
}

beforeAll(async () => {
  await startXvfb();
  browser = await chromium.launch({
    headless: false,
    executablePath: browserPath,
    env: xEnv(),
    args: ['--no-sandbox', '--disable-gpu'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  xvfb?.kill();
});

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
      writeText: (text) =>
        execFileSync('xclip', ['-selection', 'clipboard', '-i'], {
          env: xEnv(),
          input: text,
          stdio: ['pipe', 'ignore', 'ignore'],
        }),
    };
    clipboard.writeText("the user's own clipboard");
    const support = await xSupport();
    const editor = await editorWindow('Pasted');
    const inserter = new TextInserter({ support, clipboard, preferClipboard: true, restoreAfterMs: 300 });
    expect(inserter.method).toBe('clipboard');
    await inserter.rememberTarget();
    await inserter.insert('Pasted, not typed: ünïcödé — “quotes”.');
    await expect
      .poll(() => editor.locator('#doc').inputValue(), { timeout: 30_000 })
      .toBe('Pasted, not typed: ünïcödé — “quotes”.');
    expect(clipboard.readText()).toBe("the user's own clipboard");
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
    for (const final of finals) await session.final(final);
    const expected = finals.reduce(applyUtterance, EMPTY_DICTATION).text;
    expect(expected).toBe('hello world.\n\nIs it done?');
    expect(session.text).toBe(expected);
    await expect.poll(() => editor.locator('#doc').inputValue(), { timeout: 30_000 }).toBe(expected);
  }, 120_000);
});
