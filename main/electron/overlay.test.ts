import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeBrowserWindow } from './testing/fake-electron';

vi.mock('electron', async () => (await import('./testing/fake-electron')).fakeElectron());

const { createOverlayWindow, OVERLAY_URL } = await import('./overlay');
const { webPreferences } = await import('./window');

describe('the dictation overlay window', () => {
  beforeEach(() => {
    FakeBrowserWindow.instances = [];
  });

  it("is hardened like the main window and loads the app's own overlay view", () => {
    createOverlayWindow({ preload: '/app/preload.cjs', devTools: false });
    const [window] = FakeBrowserWindow.instances;
    expect(window.options.webPreferences).toEqual(webPreferences('/app/preload.cjs', false));
    expect(window.loadURL).toHaveBeenCalledWith(OVERLAY_URL);
    expect(OVERLAY_URL).toMatch(/^app:\/\/studio\/index\.html#overlay$/);
  });

  it('stays on top, never takes the focus from the application being dictated into, and shows without activating', () => {
    createOverlayWindow({ preload: '/p.cjs', devTools: false });
    const [window] = FakeBrowserWindow.instances;
    expect(window.options).toMatchObject({
      alwaysOnTop: true,
      focusable: false,
      skipTaskbar: true,
      frame: false,
      show: false,
    });
    expect(window.setAlwaysOnTop).toHaveBeenCalledWith(true, 'floating');
    window.emit('ready-to-show');
    expect(window.showInactive).toHaveBeenCalled();
    expect(window.show).not.toHaveBeenCalled();
    // Bottom centre of the display's work area.
    expect(window.options.x).toBe((1920 - 460) / 2);
    expect((window.options.y as number) + (window.options.height as number)).toBeLessThanOrEqual(1040);
  });
});
