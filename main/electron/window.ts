/**
 * The one window factory. Every security-relevant option is set explicitly here (not left to defaults
 * that change between Electron versions), and every web contents is hardened the same way: no new
 * windows, no navigation away from the app, no <webview>, external links only after URL checks.
 */
import { BrowserWindow, nativeTheme, shell, type App, type WebContents, type WebPreferences } from 'electron';
import { APP_ENTRY_URL, isAppUrl, isSafeExternalUrl } from './security';

/** The renderer runs with no Node, no Electron and a sandbox: it can reach main only through the preload. */
export function webPreferences(preload: string, devTools: boolean): WebPreferences {
  return {
    preload,
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
    devTools,
  };
}

/** Opens a link in the system browser if, and only if, it is a safe https URL. */
export function openExternalSafely(url: string): boolean {
  if (!isSafeExternalUrl(url)) return false;
  void shell.openExternal(url);
  return true;
}

/** Applied to every web contents the app creates (see hardenEveryWebContents). */
export function hardenWebContents(contents: WebContents): void {
  // New windows are never created; https links go to the system browser instead.
  contents.setWindowOpenHandler(({ url }) => {
    openExternalSafely(url);
    return { action: 'deny' };
  });
  // The page never navigates away from the app (a dropped file or a link must not replace it).
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) {
      event.preventDefault();
      openExternalSafely(url);
    }
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/**
 * Hardens every web contents the moment it is created: the main window's, and any other (a devtools
 * window, something a library opens), so no window is ever left without the rules above. Registered
 * before the first window is created.
 */
export function hardenEveryWebContents(app: Pick<App, 'on'>): void {
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
}

export interface MainWindowOptions {
  preload: string;
  devTools: boolean;
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 880,
    minHeight: 560,
    title: 'Speech Studio',
    show: false,
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#0f1115' : '#f6f7f9',
    autoHideMenuBar: true,
    webPreferences: webPreferences(options.preload, options.devTools),
  });
  // Its web contents was hardened as it was created (hardenEveryWebContents).
  window.once('ready-to-show', () => window.show());
  void window.loadURL(APP_ENTRY_URL);
  return window;
}
