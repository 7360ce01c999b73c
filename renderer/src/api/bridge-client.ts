/**
 * The StudioApi over the browser-mode bridge: invoke channels as HTTP POSTs, host events and dictation
 * audio over one WebSocket. Files come from a file input or drag and drop and are uploaded; exports are
 * downloads. Every request carries the per-run token the bridge printed in the URL.
 */
import {
  channelRows,
  clientMethods,
  STUDIO_CHANNELS,
  type NativeMethod,
  type ServiceMethod,
} from '../../../main/common/channels';
import { HostError, isErrorCode, unwrapReply } from '../../../main/common/errors';
import type {
  BatchAdded,
  BatchFile,
  ConnectionState,
  DroppedFile,
  FileRef,
  InvokeArgs,
  InvokeChannel,
  InvokeReply,
  InvokeResult,
  StudioApi,
  StudioEvent,
} from '../../../main/common/ipc-contract';
import {
  DECODABLE_EXTENSIONS,
  isAudioFile,
  pairAudioWithReferences,
  parseReferenceManifest,
  parseReferenceText,
} from '../../../main/common/references';

const TOKEN_KEY = 'speech-studio-token';

/**
 * Takes the token from `?token=` (then removes it from the address bar, so it is not shared by
 * accident) or from this tab's session storage after a reload.
 */
function takeToken(): string {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  const stored = sessionStorage.getItem(TOKEN_KEY);
  if (!stored)
    throw new HostError(
      'NO_TOKEN',
      'This page needs the link printed by `npm run web` (it contains the access token).',
    );
  return stored;
}

async function errorFrom(response: Response): Promise<HostError> {
  try {
    const reply = (await response.json()) as InvokeReply<unknown>;
    if (!reply.ok && isErrorCode(reply.error?.code))
      return new HostError(reply.error.code, reply.error.message);
  } catch {
    // not JSON: fall through
  }
  return new HostError('HTTP_ERROR', `The studio server answered ${response.status} ${response.statusText}`);
}

function pickFiles(
  options: { directory?: boolean; accept?: string; multiple?: boolean } = {},
): Promise<File[]> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.multiple = options.multiple ?? true;
    // A folder: every file under it, each with its path inside (`webkitRelativePath`).
    if (options.directory) input.webkitdirectory = true;
    else input.accept = options.accept ?? ['audio/*', ...DECODABLE_EXTENSIONS.map((e) => `.${e}`)].join(',');
    input.style.display = 'none';
    input.addEventListener('change', () => {
      resolve(Array.from(input.files ?? []));
      input.remove();
    });
    input.addEventListener('cancel', () => {
      resolve([]);
      input.remove();
    });
    document.body.append(input);
    input.click();
  });
}

/** The path of a file picked with its folder, without the folder's own name ("set/a/b.wav" → "a/b.wav"). */
function insidePath(file: File): string {
  const parts = (file.webkitRelativePath || file.name).split('/');
  return parts.length > 1 ? parts.slice(1).join('/') : parts[0];
}

/**
 * A folder picked in the browser, paired as `npm run eval` pairs a folder (main/common/references.ts):
 * audio files anywhere under it, each with the `.txt` of the same name beside it; hidden entries skipped.
 */
async function readFolder(
  files: readonly File[],
  upload: (file: File) => Promise<FileRef>,
): Promise<BatchAdded | null> {
  if (files.length === 0) return null;
  const set = (files[0].webkitRelativePath || '').split('/')[0] || 'folder';
  const visible = files.filter(
    (f) =>
      !insidePath(f)
        .split('/')
        .some((part) => part.startsWith('.')),
  );
  const byPath = new Map(visible.map((f) => [insidePath(f), f]));
  const { pairs, unmatchedTexts } = pairAudioWithReferences([...byPath.keys()]);
  const added: BatchFile[] = [];
  for (const pair of pairs) {
    const reference = pair.referenceFile
      ? parseReferenceText(await byPath.get(pair.referenceFile)!.text())
      : null;
    added.push({ file: await upload(byPath.get(pair.audio)!), path: pair.audio, reference });
  }
  // Files without a reference are counted once transcribed, in the Evaluation panel, as the CLI counts them.
  const warnings: string[] = [];
  if (unmatchedTexts.length) {
    const shown = unmatchedTexts.slice(0, 5).join(', ') + (unmatchedTexts.length > 5 ? ', …' : '');
    warnings.push(`${set}: ${unmatchedTexts.length} .txt file(s) match no audio file: ${shown}`);
  }
  if (added.length === 0) warnings.push(`${set}: no audio files found`);
  return { set, files: added, unmatched: [], warnings };
}

const UNAUTHORIZED_MESSAGE =
  'The studio server was restarted, so this page’s access link no longer works. Open the new link that ' +
  '`npm run web` printed (in this tab or another): edits not yet saved are kept in this browser and restored.';

export function createBridgeClient(): StudioApi {
  const token = takeToken();
  // This page load's own name: the bridge ties a microphone dictation to the page that feeds it, and ends
  // it when the page goes (closed, reloaded) instead of dictating for a page that no longer exists.
  const pageId = crypto.randomUUID();
  const listeners = new Set<(event: StudioEvent) => void>();
  const dispatch = (event: StudioEvent) => {
    for (const listener of listeners) listener(event);
  };
  let socket: WebSocket | null = null;
  let retryMs = 250;
  let connection: ConnectionState = 'ok';
  const setConnection = (state: ConnectionState) => {
    // A refused token stays refused: only a new link (a new page load) helps.
    if (state === connection || connection === 'unauthorized') return;
    connection = state;
    dispatch({ type: 'connection', state });
  };

  const authHeaders = { 'x-studio-token': token, 'x-studio-client': pageId };
  /**
   * A request to the bridge. No answer means the server is gone (for now); a refused token means it was
   * restarted (with a new token): either way the page says so, rather than failing quietly.
   */
  const request = async (url: string, init: RequestInit): Promise<Response> => {
    let response: Response;
    try {
      response = await fetch(url, init);
    } catch {
      setConnection('lost');
      throw new HostError('DISCONNECTED', 'The studio server is not reachable (was it stopped?).');
    }
    if (response.status === 401) {
      setConnection('unauthorized');
      throw new HostError('UNAUTHORIZED', UNAUTHORIZED_MESSAGE);
    }
    if (!response.ok) throw await errorFrom(response);
    return response;
  };

  const connect = () => {
    const query = `token=${encodeURIComponent(token)}&client=${pageId}`;
    const ws = new WebSocket(`ws://${window.location.host}/ws?${query}`);
    ws.binaryType = 'arraybuffer';
    ws.addEventListener('open', () => {
      retryMs = 250;
      setConnection('ok');
    });
    ws.addEventListener('message', (message) => {
      if (typeof message.data !== 'string') return;
      dispatch(JSON.parse(message.data) as StudioEvent);
    });
    ws.addEventListener('close', () => {
      if (socket !== ws || connection === 'unauthorized') return;
      // A browser does not say why an upgrade failed: ask over HTTP whether the server is there and
      // still takes this page's token (a restarted one does not).
      void fetch(`/api/invoke/${STUDIO_CHANNELS.getInfo.channel}`, {
        method: 'POST',
        headers: authHeaders,
        body: '[]',
      })
        .then((response) => setConnection(response.status === 401 ? 'unauthorized' : 'lost'))
        .catch(() => setConnection('lost'))
        .finally(() => {
          if (connection === 'unauthorized') return;
          // The bridge restarting (or a sleeping laptop) must not leave the page deaf: reconnect.
          setTimeout(connect, retryMs);
          retryMs = Math.min(retryMs * 2, 5000);
        });
    });
    socket = ws;
  };
  connect();

  async function invoke<C extends InvokeChannel>(
    channel: C,
    ...args: InvokeArgs<C>
  ): Promise<InvokeResult<C>> {
    const response = await request(`/api/invoke/${channel}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...authHeaders },
      body: JSON.stringify(args),
    });
    return unwrapReply((await response.json()) as InvokeReply<InvokeResult<C>>);
  }

  async function upload(file: File): Promise<FileRef> {
    const response = await request(`/api/upload?name=${encodeURIComponent(file.name)}`, {
      method: 'POST',
      headers: { ...authHeaders, 'content-type': 'application/octet-stream' },
      body: file,
    });
    return unwrapReply((await response.json()) as InvokeReply<FileRef>);
  }

  const addFiles = async (files: readonly DroppedFile[]) => {
    const refs: FileRef[] = [];
    for (const file of files) refs.push(await upload(file as File));
    return refs;
  };

  const download = (name: string, content: string, type: string) => {
    const url = URL.createObjectURL(new Blob([content], { type: `${type};charset=utf-8` }));
    const link = document.createElement('a');
    link.href = url;
    link.download = name;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  const mimeType = (name: string) =>
    name.endsWith('.json')
      ? 'application/json'
      : name.endsWith('.vtt')
        ? 'text/vtt'
        : name.endsWith('.csv')
          ? 'text/csv'
          : 'text/plain';

  /** The service channels, as HTTP requests to the bridge. */
  const serviceCalls = clientMethods(channelRows('service'), (channel, ...args) =>
    invoke(channel, ...(args as InvokeArgs<typeof channel>)),
  ) as Pick<StudioApi, ServiceMethod>;

  /** What Electron main does natively (dialogs, the shell), the page does itself here. */
  const inThePage: Pick<StudioApi, NativeMethod> = {
    openFiles: async () => addFiles(await pickFiles()),
    addFiles,
    openFolder: async () => readFolder(await pickFiles({ directory: true }), upload),
    openManifest: async () => {
      const [file] = await pickFiles({ accept: '.tsv,.txt,text/tab-separated-values', multiple: false });
      if (!file) return null;
      // The page cannot open the paths a manifest lists: its references are matched to the project's files.
      const entries = parseReferenceManifest(await file.text(), file.name);
      const set = file.name.replace(/\.[^.]+$/, '') || file.name;
      const unmatched = entries
        .filter((e) => isAudioFile(e.audio))
        .map((e) => ({ path: e.audio, reference: e.reference }));
      return { set, files: [], unmatched, warnings: [] };
    },
    saveExport: async ({ suggestedName, content }) => {
      download(suggestedName, content, mimeType(suggestedName));
      return { saved: true, location: suggestedName };
    },
    saveExports: async ({ files }) => {
      // A page cannot write a folder: one download per file (the browser may ask once to allow several).
      for (const file of files) {
        download(file.name, file.content, mimeType(file.name));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return { saved: files.length > 0, location: `${files.length} downloads` };
    },
    openExternal: async (url) => {
      if (new URL(url).protocol !== 'https:')
        throw new HostError('REFUSED', `only https links are opened (${url})`);
      window.open(url, '_blank', 'noopener,noreferrer');
    },
  };

  const endAudio = () => {
    if (socket?.readyState === WebSocket.OPEN) socket.send('{"type":"dictation-end"}');
  };

  return {
    ...serviceCalls,
    ...inThePage,
    mode: 'browser',
    sendDictationAudio: (samples) => {
      if (socket?.readyState === WebSocket.OPEN) socket.send(samples);
    },
    // Both end a capture: the end of the audio is marked on the socket first, so the bridge knows every
    // frame has arrived (without it, it waits a while for frames that will not come).
    stopDictation: () => {
      endAudio();
      return invoke(STUDIO_CHANNELS.stopDictation.channel);
    },
    saveEnrollment: (index) => {
      endAudio();
      return invoke(STUDIO_CHANNELS.saveEnrollment.channel, index);
    },
    onEvent: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
