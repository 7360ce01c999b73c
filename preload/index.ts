/**
 * The preload: the renderer's only door to main. It exposes `window.studio` with named functions
 * (the contract's StudioApi) and nothing else: no ipcRenderer, no generic invoke/send, no Node. Runs
 * sandboxed with context isolation, bundled to CommonJS (dist/electron/preload.cjs).
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import type {
  EventChannel,
  InvokeArgs,
  InvokeChannel,
  InvokeReply,
  InvokeResult,
  SendChannel,
  StudioApi,
  StudioEvent,
} from '../main/common/ipc-contract';

class HostError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HostError';
  }
}

async function invoke<C extends InvokeChannel>(channel: C, ...args: InvokeArgs<C>): Promise<InvokeResult<C>> {
  const reply = (await ipcRenderer.invoke(channel, ...args)) as InvokeReply<InvokeResult<C>>;
  if (!reply.ok) throw new HostError(reply.error.code, reply.error.message);
  return reply.result;
}

const EVENT_CHANNEL: EventChannel = 'studio:event';
const AUDIO_CHANNEL: SendChannel = 'studio:dictation-audio';

export const studioApi: StudioApi = {
  mode: 'electron',
  getInfo: () => invoke('studio:get-info'),
  openFiles: () => invoke('studio:open-files'),
  // Sandboxed File objects carry no path; webUtils resolves the ones the user actually dropped.
  addFiles: (files) =>
    invoke('studio:add-paths', files.map((file) => webUtils.getPathForFile(file as File)).filter(Boolean)),
  openFolder: () => invoke('studio:open-folder'),
  openManifest: () => invoke('studio:open-manifest'),
  transcribe: (fileId) => invoke('studio:transcribe', fileId),
  getQueue: () => invoke('studio:get-queue'),
  pauseQueue: (paused) => invoke('studio:pause-queue', paused),
  cancel: (jobId) => invoke('studio:cancel', jobId),
  loadProject: () => invoke('studio:load-project'),
  saveProject: (project) => invoke('studio:save-project', project),
  saveExport: (request) => invoke('studio:save-export', request),
  saveExports: (bundle) => invoke('studio:save-exports', bundle),
  startDictation: (request) => invoke('studio:dictation-start', request),
  sendDictationAudio: (samples) => ipcRenderer.send(AUDIO_CHANNEL, samples),
  stopDictation: () => invoke('studio:dictation-stop'),
  cancelDictation: () => invoke('studio:dictation-cancel'),
  openExternal: (url) => invoke('studio:open-external', url),
  getVoiceProfile: () => invoke('studio:get-voice-profile'),
  saveEnrollment: (index, fileId) => invoke('studio:enroll-save', index, fileId),
  addCorrection: (fileId, text) => invoke('studio:profile-add-correction', fileId, text),
  startAdaptation: (request) => invoke('studio:adapt-start', request),
  cancelAdaptation: () => invoke('studio:adapt-cancel'),
  selectModel: (name) => invoke('studio:select-model', name),
  deleteModel: (name) => invoke('studio:delete-model', name),
  setVocabulary: (phrases) => invoke('studio:set-vocabulary', phrases),
  setRunTarget: (queueUrl) => invoke('studio:set-run-target', queueUrl),
  onEvent: (listener) => {
    const forward = (_event: IpcRendererEvent, event: StudioEvent) => listener(event);
    ipcRenderer.on(EVENT_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, forward);
    };
  },
};

contextBridge.exposeInMainWorld('studio', studioApi);
