/**
 * What main.ts sets up as it loads, before the app is ready (the fake app never becomes ready, so the
 * studio itself does not start): every web contents the app will ever create is hardened, not only the
 * main window's.
 */
import { describe, expect, it, vi } from 'vitest';
import { FakeWebContents, fakeEvent, type FakeApp } from './testing/fake-electron';

vi.mock('electron', async () => (await import('./testing/fake-electron')).fakeElectron());

const electron = await import('electron');
await import('./main');
const app = electron.app as unknown as FakeApp;

describe('main.ts at load', () => {
  it('enables the sandbox for every renderer', () => {
    expect(app.enableSandbox).toHaveBeenCalled();
  });

  it('hardens every web contents as it is created, whichever window it belongs to', () => {
    expect(app.listenerCount('web-contents-created')).toBe(1);
    // Not the main window's: a devtools window, or anything a library might open.
    const other = new FakeWebContents('app://studio/other.html');
    app.emit('web-contents-created', fakeEvent(), other);
    expect(other.windowOpenHandler?.({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    const away = fakeEvent();
    other.emit('will-navigate', away, 'https://evil.example/');
    expect(away.defaultPrevented).toBe(true);
    const webview = fakeEvent();
    other.emit('will-attach-webview', webview, {}, {});
    expect(webview.defaultPrevented).toBe(true);
  });
});
