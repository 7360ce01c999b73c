/**
 * The dictation overlay: while dictating into another application, a small always-on-top strip shows the
 * level, the partial text and Stop. It never takes the keyboard focus (the text must keep going to the
 * application the user is writing in), and it is hardened exactly like the main window: same web
 * preferences, same renderer (its #overlay view), same preload API, same app:// origin and CSP.
 */
import { BrowserWindow, screen } from 'electron';
import { APP_ENTRY_URL } from './security';
import { webPreferences } from './window';

export const OVERLAY_URL = `${APP_ENTRY_URL}#overlay`;
const WIDTH = 460;
const HEIGHT = 88;

export interface OverlayOptions {
  preload: string;
  devTools: boolean;
}

export function createOverlayWindow(options: OverlayOptions): BrowserWindow {
  // Bottom centre of the screen the pointer is on, above the taskbar or dock.
  const { workArea } = screen.getDisplayNearestPoint(screen.getCursorScreenPoint());
  const window = new BrowserWindow({
    width: WIDTH,
    height: HEIGHT,
    x: Math.round(workArea.x + (workArea.width - WIDTH) / 2),
    y: Math.round(workArea.y + workArea.height - HEIGHT - 24),
    title: 'Speech Studio — dictating',
    frame: false,
    resizable: false,
    movable: true,
    minimizable: false,
    maximizable: false,
    fullscreenable: false,
    skipTaskbar: true,
    alwaysOnTop: true,
    // Clicks reach its Stop button, but it never becomes the focused window.
    focusable: false,
    show: false,
    webPreferences: webPreferences(options.preload, options.devTools),
  });
  window.setAlwaysOnTop(true, 'floating');
  window.setVisibleOnAllWorkspaces(true, { visibleOnFullScreen: true });
  // showInactive: shown without taking focus from the application being dictated into.
  window.once('ready-to-show', () => window.showInactive());
  void window.loadURL(OVERLAY_URL);
  return window;
}
