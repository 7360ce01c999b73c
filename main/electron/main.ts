/**
 * Electron main: deliberately thin. It registers the app:// protocol and the permission policy, opens
 * the one hardened window, and wires the shared StudioService (main/host) to IPC, native dialogs, the
 * native microphone and an engine in a utility process. All transcription work happens in that process.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, dialog, globalShortcut, ipcMain, protocol, session, type BrowserWindow } from 'electron';
import type { StudioEvent } from '../common/ipc-contract';
import { EngineSupervisor } from '../host/engine-supervisor';
import { writeExportBundle } from '../host/export-files';
import { loadNativeMic } from '../host/native-mic';
import { StudioService } from '../host/studio-service';
import { spawnUtilityWorker } from './engine-process';
import { registerIpc, type InvokeHandlers } from './ipc';
import { APP_SCHEME_PRIVILEGES, createAppProtocolHandler } from './protocol';
import { APP_ORIGIN, APP_SCHEME, decidePermissionCheck, decidePermissionRequest } from './security';
import { createMainWindow, hardenEveryWebContents, openExternalSafely } from './window';

/** This bundle lives in dist/electron/ (dev and packaged alike); the app root is two levels up. */
const here = path.dirname(fileURLToPath(import.meta.url));
const appRoot = path.resolve(here, '..', '..');

const AUDIO_EXTENSIONS = ['wav', 'flac', 'mp3', 'ogg', 'oga', 'opus'];
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
let service: StudioService | null = null;

async function start(): Promise<void> {
  const packageJson = JSON.parse(await readFile(path.join(appRoot, 'package.json'), 'utf8')) as {
    version: string;
  };
  const modelsDir = app.isPackaged
    ? path.join(process.resourcesPath, 'models')
    : path.join(appRoot, 'models');
  const emit = (event: StudioEvent) =>
    mainWindow?.webContents.send('studio:event' satisfies 'studio:event', event);

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

  const parent = () => mainWindow ?? undefined;
  const handlers: InvokeHandlers = {
    'studio:get-info': () => studio.getInfo(),
    'studio:open-files': async () => {
      const options: Electron.OpenDialogOptions = {
        title: 'Open audio files',
        properties: ['openFile', 'multiSelections'],
        filters: [
          { name: 'Audio', extensions: AUDIO_EXTENSIONS },
          { name: 'All files', extensions: ['*'] },
        ],
      };
      const window = parent();
      const result = window
        ? await dialog.showOpenDialog(window, options)
        : await dialog.showOpenDialog(options);
      return result.canceled ? [] : studio.addPaths(result.filePaths);
    },
    'studio:add-paths': (paths) => studio.addPaths(paths),
    'studio:open-folder': async () => {
      const options: Electron.OpenDialogOptions = {
        title: 'Add a folder of recordings',
        properties: ['openDirectory'],
      };
      const window = parent();
      const result = window
        ? await dialog.showOpenDialog(window, options)
        : await dialog.showOpenDialog(options);
      return result.canceled || !result.filePaths[0] ? null : studio.addFolder(result.filePaths[0]);
    },
    'studio:open-manifest': async () => {
      const options: Electron.OpenDialogOptions = {
        title: 'Add a reference manifest',
        properties: ['openFile'],
        filters: [
          { name: 'Manifest (TSV)', extensions: ['tsv', 'txt'] },
          { name: 'All files', extensions: ['*'] },
        ],
      };
      const window = parent();
      const result = window
        ? await dialog.showOpenDialog(window, options)
        : await dialog.showOpenDialog(options);
      return result.canceled || !result.filePaths[0] ? null : studio.addManifest(result.filePaths[0]);
    },
    'studio:transcribe': (fileId) => studio.transcribe(fileId),
    'studio:get-queue': () => studio.getQueue(),
    'studio:pause-queue': (paused) => studio.pauseQueue(paused),
    'studio:cancel': (jobId) => studio.cancel(jobId),
    'studio:load-project': () => studio.loadProject(),
    'studio:save-project': (project) => studio.saveProject(project),
    'studio:save-export': async ({ suggestedName, format, content }) => {
      const options: Electron.SaveDialogOptions = {
        title: 'Export transcript',
        defaultPath: path.join(app.getPath('documents'), suggestedName),
        filters: [{ name: format.toUpperCase(), extensions: [format] }],
      };
      const window = parent();
      const result = window
        ? await dialog.showSaveDialog(window, options)
        : await dialog.showSaveDialog(options);
      if (result.canceled || !result.filePath) return { saved: false, location: null };
      await writeFile(result.filePath, content, 'utf8');
      return { saved: true, location: result.filePath };
    },
    'studio:save-exports': async ({ files }) => {
      const options: Electron.OpenDialogOptions = {
        title: `Export ${files.length} files into a folder`,
        defaultPath: app.getPath('documents'),
        properties: ['openDirectory', 'createDirectory'],
      };
      const window = parent();
      const result = window
        ? await dialog.showOpenDialog(window, options)
        : await dialog.showOpenDialog(options);
      const dir = result.filePaths[0];
      if (result.canceled || !dir) return { saved: false, location: null };
      // Names are bare, visible file names (validate.ts); files already there are kept (export-files.ts).
      const { renamed } = await writeExportBundle(dir, { files });
      const kept = renamed ? ` (${renamed} renamed: files of those names were already there)` : '';
      return { saved: true, location: `${dir}${kept}` };
    },
    'studio:dictation-start': (request) => studio.startDictation(request),
    'studio:dictation-stop': () => studio.stopDictation(),
    'studio:dictation-cancel': () => studio.cancelDictation(),
    'studio:get-voice-profile': () => studio.getVoiceProfile(),
    'studio:enroll-save': (index, fileId) => studio.saveEnrollment(index, fileId),
    'studio:profile-add-correction': (fileId, text) => studio.addCorrection(fileId, text),
    'studio:adapt-start': (request) => studio.startAdaptation(request),
    'studio:adapt-cancel': () => studio.cancelAdaptation(),
    'studio:select-model': (name) => studio.selectModel(name),
    'studio:delete-model': (name) => studio.deleteModel(name),
    'studio:set-vocabulary': (phrases) => studio.setVocabulary(phrases),
    'studio:set-run-target': (queueUrl) => studio.setRunTarget(queueUrl),
    'studio:open-external': (url) => {
      if (!openExternalSafely(url))
        throw Object.assign(new Error(`Only https links are opened (${url})`), { code: 'REFUSED' });
    },
  };
  registerIpc(ipcMain, handlers, {
    trusted: () => mainWindow?.webContents ?? null,
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
