/**
 * The preload: the renderer's only door to main. It exposes `window.studio` with named functions
 * (the contract's StudioApi) and nothing else: no ipcRenderer, no generic invoke/send, no Node. Runs
 * sandboxed with context isolation, bundled to CommonJS (dist/electron/preload.cjs).
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { channelRows, clientMethods, STUDIO_CHANNELS, type InvokeMethod } from '../main/common/channels';
import { unwrapReply } from '../main/common/errors';
import type {
  InvokeArgs,
  InvokeChannel,
  InvokeReply,
  InvokeResult,
  StudioApi,
  StudioEvent,
} from '../main/common/ipc-contract';

async function invoke<C extends InvokeChannel>(channel: C, ...args: InvokeArgs<C>): Promise<InvokeResult<C>> {
  return unwrapReply((await ipcRenderer.invoke(channel, ...args)) as InvokeReply<InvokeResult<C>>);
}

/** Every invoke method of the channel table, passing its arguments to its channel as they are. */
const invokers = clientMethods(channelRows('service', 'native'), (channel, ...args) =>
  invoke(channel, ...(args as InvokeArgs<typeof channel>)),
) as Pick<StudioApi, InvokeMethod>;

const EVENT_CHANNEL = STUDIO_CHANNELS.onEvent.channel;

export const studioApi: StudioApi = {
  ...invokers,
  mode: 'electron',
  // Sandboxed File objects carry no path; webUtils resolves the ones the user actually dropped.
  addFiles: (files) =>
    invoke(
      STUDIO_CHANNELS.addFiles.channel,
      files.map((file) => webUtils.getPathForFile(file as File)).filter(Boolean),
    ),
  sendDictationAudio: (samples) => ipcRenderer.send(STUDIO_CHANNELS.sendDictationAudio.channel, samples),
  onEvent: (listener) => {
    const forward = (_event: IpcRendererEvent, event: StudioEvent) => listener(event);
    ipcRenderer.on(EVENT_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, forward);
    };
  },
};

contextBridge.exposeInMainWorld('studio', studioApi);
