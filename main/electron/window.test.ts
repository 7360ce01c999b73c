import { beforeEach, describe, expect, it, vi } from 'vitest';
import { EventEmitter } from 'node:events';
import type { App, WebContents } from 'electron';
import { FakeBrowserWindow, FakeWebContents, fakeEvent } from './testing/fake-electron';

vi.mock('electron', async () => (await import('./testing/fake-electron')).fakeElectron());

const { createMainWindow, hardenEveryWebContents, hardenWebContents, webPreferences } =
  await import('./window');
const { shell } = await import('electron');

describe('the window factory', () => {
  beforeEach(() => {
    FakeBrowserWindow.instances = [];
    vi.mocked(shell.openExternal).mockClear();
  });

  it('sets every security option explicitly', () => {
    createMainWindow({ preload: '/app/dist/electron/preload.cjs', devTools: false });
    const [window] = FakeBrowserWindow.instances;
    expect(window.options.webPreferences).toEqual({
      preload: '/app/dist/electron/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      devTools: false,
    });
  });

  it('loads the renderer from app:// and shows the window only when it is ready', () => {
    createMainWindow({ preload: '/p.cjs', devTools: true });
    const [window] = FakeBrowserWindow.instances;
    expect(window.loadURL).toHaveBeenCalledWith('app://studio/index.html');
    expect(window.options.show).toBe(false);
    expect(window.show).not.toHaveBeenCalled();
    window.emit('ready-to-show');
    expect(window.show).toHaveBeenCalledOnce();
  });

  it('never sets the insecure options, whatever the arguments', () => {
    for (const devTools of [true, false]) {
      const prefs = webPreferences('/p.cjs', devTools);
      expect(prefs.nodeIntegration).toBe(false);
      expect(prefs.contextIsolation).toBe(true);
      expect(prefs.sandbox).toBe(true);
    }
  });
});

describe('web contents hardening', () => {
  function hardened() {
    const contents = new FakeWebContents();
    hardenWebContents(contents as unknown as WebContents);
    return contents;
  }

  beforeEach(() => vi.mocked(shell.openExternal).mockClear());

  it('denies every new window and sends only https links to the system browser', () => {
    const contents = hardened();
    expect(contents.windowOpenHandler!({ url: 'https://example.com/help' })).toEqual({ action: 'deny' });
    expect(shell.openExternal).toHaveBeenCalledWith('https://example.com/help');
    for (const url of [
      'http://example.com',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'app://studio/index.html',
      'not a url',
    ]) {
      expect(contents.windowOpenHandler!({ url })).toEqual({ action: 'deny' });
    }
    expect(shell.openExternal).toHaveBeenCalledTimes(1);
  });

  it('blocks navigation away from the app', () => {
    const contents = hardened();
    const away = fakeEvent();
    contents.emit('will-navigate', away, 'https://evil.example/');
    expect(away.defaultPrevented).toBe(true);
    const dropped = fakeEvent();
    contents.emit('will-navigate', dropped, 'file:///home/user/song.wav');
    expect(dropped.defaultPrevented).toBe(true);
    const inside = fakeEvent();
    contents.emit('will-navigate', inside, 'app://studio/index.html');
    expect(inside.defaultPrevented).toBe(false);
    const redirect = fakeEvent();
    contents.emit('will-redirect', redirect, 'https://evil.example/');
    expect(redirect.defaultPrevented).toBe(true);
  });

  it('refuses to attach <webview> elements', () => {
    const contents = hardened();
    const event = fakeEvent();
    contents.emit('will-attach-webview', event, {}, {});
    expect(event.defaultPrevented).toBe(true);
  });

  it('is applied by the app to every web contents as it is created, once', () => {
    const app = new EventEmitter();
    hardenEveryWebContents(app as unknown as App);
    const contents = new FakeWebContents();
    app.emit('web-contents-created', fakeEvent(), contents);
    contents.emit('will-navigate', fakeEvent(), 'https://example.com/');
    expect(shell.openExternal).toHaveBeenCalledTimes(1); // one listener: one browser tab, not two
    expect(contents.windowOpenHandler).not.toBeNull();
  });
});
