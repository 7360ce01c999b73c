/**
 * A private X display for tests of typing into other applications: Xvfb on a free display number, and a
 * headed Chromium window on it whose text area has the focus (the "other application").
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright';

export const CHROMIUM_PATH =
  process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

export interface XDisplay {
  /** ":N" */
  display: string;
  /** The environment of a program on this display (an X11 session, no Wayland). */
  env: NodeJS.ProcessEnv;
  browser: Browser;
  /** A new window whose text area has the keyboard focus. */
  editorWindow(title: string): Promise<Page>;
  close(): Promise<void>;
}

export async function startXDisplay(): Promise<XDisplay> {
  // -displayfd: Xvfb picks a free display number and writes it on fd 3.
  const xvfb: ChildProcess = spawn(
    'Xvfb',
    ['-displayfd', '3', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'],
    {
      stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
    },
  );
  const display = await new Promise<string>((resolve, reject) => {
    let out = '';
    (xvfb.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(`:${out.trim()}`);
    });
    xvfb.on('error', reject);
    xvfb.on('exit', (code) => reject(new Error(`Xvfb exited with ${code}`)));
  });
  const env = { ...process.env, DISPLAY: display, XDG_SESSION_TYPE: 'x11', WAYLAND_DISPLAY: '' };
  const browser = await chromium.launch({
    headless: false,
    executablePath: CHROMIUM_PATH,
    env,
    args: ['--no-sandbox', '--disable-gpu'],
  });
  return {
    display,
    env,
    browser,
    async editorWindow(title) {
      const page = await (await browser.newContext()).newPage();
      await page.setContent(
        `<title>${title}</title><textarea id="doc" autofocus style="width:90vw;height:80vh"></textarea>`,
      );
      await page.bringToFront();
      await page.locator('#doc').focus();
      return page;
    },
    async close() {
      await browser.close();
      xvfb.kill();
    },
  };
}
