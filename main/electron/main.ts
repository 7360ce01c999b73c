/**
 * Electron main: deliberately thin. It registers the app:// protocol and the permission policy, opens
 * the one hardened window, and wires the shared StudioService (main/host) to IPC, native dialogs, the
 * native microphone and an engine in a utility process. All transcription work happens in that process.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  app,
  clipboard,
  dialog,
  globalShortcut,
  ipcMain,
  protocol,
  session,
  type BrowserWindow,
} from 'electron';
import { STUDIO_CHANNELS, type NativeChannel } from '../common/channels';
import { HostError } from '../common/errors';
import { DECODABLE_EXTENSIONS } from '../common/references';
import type { InvokeHandlers, StudioEvent } from '../common/ipc-contract';
import { EngineSupervisor } from '../host/engine-supervisor';
import { writeExportBundle } from '../host/export-files';
import { loadNativeMic } from '../host/native-mic';
import { serviceHandlers } from '../host/service-handlers';
import { StudioService } from '../host/studio-service';
import { TextInsertion } from '../host/text-insertion';
import { spawnUtilityWorker } from './engine-process';
import { registerIpc } from './ipc';
import { APP_SCHEME_PRIVILEGES, createAppProtocolHandler } from './protocol';
import { APP_ORIGIN, APP_SCHEME, decidePermissionCheck, decidePermissionRequest } from './security';
import { createOverlayWindow } from './overlay';
import { createMainWindow, hardenEveryWebContents, openExternalSafely } from './window';

/** This bundle lives in dist/electron/ (dev and packaged alike); the app root is two levels up. */
const here = path.dirname(fileURLToPath(import.meta.url));
const appRoot = path.resolve(here, '..', '..');

/** Starts or stops dictation from any application (the renderer handles the same keys when focused). */
export const DICTATION_SHORTCUT = 'CommandOrControl+Shift+Space';

protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
app.enableSandbox();
// Every web contents, not only the main window's, before any is created.
hardenEveryWebContents(app);
// Started as `electron dist/electron/main.mjs` there is no package.json beside us to name the app (and
// its data folder); packaged, electron-builder's metadata agrees with this.
app.setName('Speech Studio');
// e2e: a throwaway profile (project, recordings) per run.
if (process.env.SPEECH_STUDIO_USER_DATA) app.setPath('userData', process.env.SPEECH_STUDIO_USER_DATA);

// e2e: Chromium's fake microphone (switches must be set before `ready`).
if (process.env.SPEECH_STUDIO_FAKE_MIC) {
  app.commandLine.appendSwitch('use-fake-ui-for-media-stream');
  app.commandLine.appendSwitch('use-fake-device-for-media-stream');
  app.commandLine.appendSwitch('use-file-for-fake-audio-capture', process.env.SPEECH_STUDIO_FAKE_MIC);
}

// One instance: a second launch focuses the first instead of loading a second model.
const primaryInstance = app.requestSingleInstanceLock();
if (!primaryInstance) app.quit();

let mainWindow: BrowserWindow | null = null;
/** While dictating into another application: the always-on-top strip with the level, words and Stop. */
let overlayWindow: BrowserWindow | null = null;

/** Our windows' web contents: where events go, and the only senders IPC accepts. */
const ourContents = () =>
  [mainWindow, overlayWindow].flatMap((w) => (w && !w.isDestroyed() ? [w.webContents] : []));

/** Opens the overlay when a dictation into another application starts, and closes it when it ends. */
function followDictation(event: StudioEvent): void {
  if (event.type === 'dictation-started' && event.started.typeInto === 'focused-app' && !overlayWindow) {
    overlayWindow = createOverlayWindow({
      preload: path.join(here, 'preload.cjs'),
      devTools: !app.isPackaged,
    });
    overlayWindow.on('closed', () => (overlayWindow = null));
  } else if (event.type === 'dictation-ended') {
    overlayWindow?.close();
  }
}
let service: StudioService | null = null;

async function start(): Promise<void> {
  const packageJson = JSON.parse(await readFile(path.join(appRoot, 'package.json'), 'utf8')) as {
    version: string;
  };
  const modelsDir = app.isPackaged
    ? path.join(process.resourcesPath, 'models')
    : path.join(appRoot, 'models');
  const emit = (event: StudioEvent) => {
    for (const contents of ourContents()) contents.send(STUDIO_CHANNELS.onEvent.channel, event);
    followDictation(event);
  };

  const engine = new EngineSupervisor({
    spawn: spawnUtilityWorker(path.join(here, 'engine-worker.mjs')),
    model: process.env.SPEECH_STUDIO_MODEL ?? 'default',
    modelsDir,
    onStatus: (status) => emit({ type: 'engine', status }),
  });
  // The native recorder is optional: without it, dictation uses the renderer's getUserMedia stream.
  const native = process.env.SPEECH_STUDIO_NO_NATIVE_MIC
    ? { mic: null, unavailable: 'disabled by SPEECH_STUDIO_NO_NATIVE_MIC' }
    : loadNativeMic();
  const studio = new StudioService({
    mode: 'electron',
    version: packageJson.version,
    engine,
    projectFile: path.join(app.getPath('userData'), 'project.json'),
    recordingsDir: path.join(app.getPath('userData'), 'recordings'),
    profileDir: path.join(app.getPath('userData'), 'profile'),
    mediaUrl: (id) => `${APP_ORIGIN}/media/${id}`,
    emit,
    mic: native.mic,
    micUnavailable: native.unavailable,
    // Dictation into other applications pastes through the system clipboard where no typing tool exists.
    textInsertion: new TextInsertion({ clipboard }),
  });
  service = studio;

  protocol.handle(
    APP_SCHEME,
    createAppProtocolHandler({ rendererDir: path.join(appRoot, 'dist', 'renderer'), files: studio.files }),
  );

  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const mediaTypes = 'mediaTypes' in details ? details.mediaTypes : undefined;
    callback(
      decidePermissionRequest(permission, {
        requestingUrl: details.requestingUrl,
        isMainFrame: details.isMainFrame,
        mediaTypes,
      }),
    );
  });
  ses.setPermissionCheckHandler((_contents, permission, origin, details) =>
    decidePermissionCheck(permission, origin, details),
  );
  ses.setDevicePermissionHandler(() => false);

  // Every dialog is modal to the studio window when there is one.
  const openDialog = (options: Electron.OpenDialogOptions) =>
    mainWindow ? dialog.showOpenDialog(mainWindow, options) : dialog.showOpenDialog(options);
  const saveDialog = (options: Electron.SaveDialogOptions) =>
    mainWindow ? dialog.showSaveDialog(mainWindow, options) : dialog.showSaveDialog(options);
  /** The one path the user picked, or null when the dialog was cancelled. */
  const pickOne = async (options: Electron.OpenDialogOptions) => {
    const result = await openDialog(options);
    return result.canceled ? null : (result.filePaths[0] ?? null);
  };
  const anyFile = { name: 'All files', extensions: ['*'] };

  // What only Electron does (native dialogs, the shell); the service channels are the StudioService's.
  const nativeHandlers: InvokeHandlers<NativeChannel> = {
    'studio:open-files': async () => {
      const result = await openDialog({
        title: 'Open audio files',
        properties: ['openFile', 'multiSelections'],
        filters: [{ name: 'Audio', extensions: [...DECODABLE_EXTENSIONS] }, anyFile],
      });
      return result.canceled ? [] : studio.addPaths(result.filePaths);
    },
    'studio:add-paths': (paths) => studio.addPaths(paths),
    'studio:open-folder': async () => {
      const dir = await pickOne({ title: 'Add a folder of recordings', properties: ['openDirectory'] });
      return dir ? studio.addFolder(dir) : null;
    },
    'studio:open-manifest': async () => {
      const file = await pickOne({
        title: 'Add a reference manifest',
        properties: ['openFile'],
        filters: [{ name: 'Manifest (TSV)', extensions: ['tsv', 'txt'] }, anyFile],
      });
      return file ? studio.addManifest(file) : null;
    },
    'studio:save-export': async ({ suggestedName, format, content }) => {
      const result = await saveDialog({
        title: 'Export transcript',
        defaultPath: path.join(app.getPath('documents'), suggestedName),
        filters: [{ name: format.toUpperCase(), extensions: [format] }],
      });
      if (result.canceled || !result.filePath) return { saved: false, location: null };
      await writeFile(result.filePath, content, 'utf8');
      return { saved: true, location: result.filePath };
    },
    'studio:save-exports': async ({ files }) => {
      const dir = await pickOne({
        title: `Export ${files.length} files into a folder`,
        defaultPath: app.getPath('documents'),
        properties: ['openDirectory', 'createDirectory'],
      });
      if (!dir) return { saved: false, location: null };
      // Names are bare, visible file names (validate.ts); files already there are kept (export-files.ts).
      const { renamed } = await writeExportBundle(dir, { files });
      const kept = renamed ? ` (${renamed} renamed: files of those names were already there)` : '';
      return { saved: true, location: `${dir}${kept}` };
    },
    'studio:open-external': (url) => {
      if (!openExternalSafely(url)) throw new HostError('REFUSED', `Only https links are opened (${url})`);
    },
  };
  const handlers: InvokeHandlers = { ...serviceHandlers(studio), ...nativeHandlers };
  registerIpc(ipcMain, handlers, {
    trusted: ourContents,
    onDictationAudio: (samples) => studio.pushDictationAudio(samples),
  });

  // Another app may own the shortcut already: dictation then works from the window's own key handler.
  if (
    !globalShortcut.register(DICTATION_SHORTCUT, () => emit({ type: 'shortcut', action: 'toggle-dictation' }))
  )
    console.warn(`${DICTATION_SHORTCUT} is taken by another application; it works inside the window only.`);
  app.on('will-quit', () => globalShortcut.unregisterAll());

  // The engine starts with the adapted model the voice profile selected last, if any.
  void studio.startEngine();
  // A batch interrupted by the last quit carries on (finished files are not redone).
  void studio.restore().catch(() => {});
  mainWindow = createMainWindow({ preload: path.join(here, 'preload.cjs'), devTools: !app.isPackaged });
  mainWindow.on('closed', () => (mainWindow = null));
}

app.on('second-instance', () => {
  if (!mainWindow) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.focus();
});

app.on('window-all-closed', () => {
  service?.dispose();
  service = null;
  app.quit();
});

if (primaryInstance) {
  app.whenReady().then(start).catch(fail);
}

function fail(error: unknown): void {
  dialog.showErrorBox(
    'Speech Studio could not start',
    error instanceof Error ? error.message : String(error),
  );
  app.exit(1);
}
