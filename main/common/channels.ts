/**
 * The one channel table: each StudioApi method, the channel that carries it and its kind. The preload,
 * the bridge client, Electron main's handlers and the bridge's handlers are all built from it, and the
 * contract's InvokeChannels type is derived from it and StudioApi (ipc-contract.ts). Adding a channel is
 * one entry here (with its method in StudioApi), its validator (main/host/validate.ts) and its handler:
 * a `service` method on StudioService, or a `native` handler in main/electron/main.ts. Leaving either
 * out fails to compile. Plain data, so the sandboxed preload and the renderer can load it.
 */
import type { StudioApi } from './ipc-contract';

/**
 * - `service`: an invoke answered by the host's StudioService, in Electron and in the browser bridge;
 * - `native`: an invoke answered by Electron main (dialogs, the shell); in a browser the page does it
 *   itself (a file input, uploads, downloads, window.open) and the bridge does not serve it;
 * - `send`: fire-and-forget, renderer → host;
 * - `event`: host → renderer, every StudioEvent.
 */
export type ChannelKind = 'service' | 'native' | 'send' | 'event';

/** Every StudioApi member but `mode` is carried by a channel. */
export type ApiMethod = Exclude<keyof StudioApi, 'mode'>;

export interface ChannelSpec {
  readonly channel: `studio:${string}`;
  readonly kind: ChannelKind;
}

export const STUDIO_CHANNELS = {
  getInfo: { channel: 'studio:get-info', kind: 'service' },
  openFiles: { channel: 'studio:open-files', kind: 'native' },
  // The preload resolves dropped File objects to paths: the channel carries the paths.
  addFiles: { channel: 'studio:add-paths', kind: 'native' },
  openFolder: { channel: 'studio:open-folder', kind: 'native' },
  openManifest: { channel: 'studio:open-manifest', kind: 'native' },
  transcribe: { channel: 'studio:transcribe', kind: 'service' },
  getQueue: { channel: 'studio:get-queue', kind: 'service' },
  pauseQueue: { channel: 'studio:pause-queue', kind: 'service' },
  cancel: { channel: 'studio:cancel', kind: 'service' },
  loadProject: { channel: 'studio:load-project', kind: 'service' },
  updateProject: { channel: 'studio:update-project', kind: 'service' },
  saveExport: { channel: 'studio:save-export', kind: 'native' },
  saveExports: { channel: 'studio:save-exports', kind: 'native' },
  startDictation: { channel: 'studio:dictation-start', kind: 'service' },
  sendDictationAudio: { channel: 'studio:dictation-audio', kind: 'send' },
  stopDictation: { channel: 'studio:dictation-stop', kind: 'service' },
  cancelDictation: { channel: 'studio:dictation-cancel', kind: 'service' },
  openExternal: { channel: 'studio:open-external', kind: 'native' },
  getVoiceProfile: { channel: 'studio:get-voice-profile', kind: 'service' },
  saveEnrollment: { channel: 'studio:enroll-save', kind: 'service' },
  addCorrection: { channel: 'studio:profile-add-correction', kind: 'service' },
  startAdaptation: { channel: 'studio:adapt-start', kind: 'service' },
  cancelAdaptation: { channel: 'studio:adapt-cancel', kind: 'service' },
  selectModel: { channel: 'studio:select-model', kind: 'service' },
  deleteModel: { channel: 'studio:delete-model', kind: 'service' },
  setVocabulary: { channel: 'studio:set-vocabulary', kind: 'service' },
  getLearning: { channel: 'studio:learning-get', kind: 'service' },
  setLearning: { channel: 'studio:learning-set', kind: 'service' },
  learnFromCorrection: { channel: 'studio:learning-add', kind: 'service' },
  forgetLearning: { channel: 'studio:learning-forget', kind: 'service' },
  setRunTarget: { channel: 'studio:set-run-target', kind: 'service' },
  getTextInsertion: { channel: 'studio:get-text-insertion', kind: 'service' },
  onEvent: { channel: 'studio:event', kind: 'event' },
} as const satisfies { readonly [M in ApiMethod]: ChannelSpec };

export type ChannelTable = typeof STUDIO_CHANNELS;

/** The methods whose channel is of kind K. */
export type MethodOfKind<K extends ChannelKind> = {
  [M in ApiMethod]: ChannelTable[M]['kind'] extends K ? M : never;
}[ApiMethod];

export type ServiceMethod = MethodOfKind<'service'>;
export type NativeMethod = MethodOfKind<'native'>;
export type InvokeMethod = ServiceMethod | NativeMethod;
export type ServiceChannel = ChannelTable[ServiceMethod]['channel'];
export type NativeChannel = ChannelTable[NativeMethod]['channel'];

/** A row of the table: method, channel, kind. */
export interface ChannelRow<M extends ApiMethod = ApiMethod> {
  method: M;
  channel: ChannelTable[M]['channel'];
  kind: ChannelTable[M]['kind'];
}

/** The table's rows of the given kinds, in table order. */
export function channelRows<K extends ChannelKind>(...kinds: K[]): ChannelRow<MethodOfKind<K>>[] {
  return (Object.keys(STUDIO_CHANNELS) as ApiMethod[])
    .map((method) => ({ method, ...STUDIO_CHANNELS[method] }))
    .filter((row) => (kinds as ChannelKind[]).includes(row.kind)) as ChannelRow<MethodOfKind<K>>[];
}

/**
 * The client side of a transport: one method per row, named as in StudioApi, each passing its arguments
 * to `call` with the row's channel. The rows' types are checked against the contract by type (the
 * result is typed by the caller as the slice of StudioApi it implements).
 */
export function clientMethods<M extends ApiMethod>(
  rows: readonly ChannelRow<M>[],
  call: (channel: ChannelRow<M>['channel'], ...args: unknown[]) => unknown,
): Record<M, (...args: unknown[]) => unknown> {
  return Object.fromEntries(
    rows.map(({ method, channel }) => [method, (...args: unknown[]) => call(channel, ...args)]),
  ) as Record<M, (...args: unknown[]) => unknown>;
}

const SERVICE_CHANNELS: ReadonlySet<string> = new Set(channelRows('service').map((row) => row.channel));

/** Whether `channel` is answered by the StudioService (and so served by the browser bridge too). */
export function isServiceChannel(channel: string): channel is ServiceChannel {
  return SERVICE_CHANNELS.has(channel);
}
