/**
 * The StudioApi over the browser-mode bridge: invoke channels as HTTP POSTs, host events and dictation
 * audio over one WebSocket. Files come from a file input or drag and drop and are uploaded; exports are
 * downloads. Every request carries the per-run token the bridge printed in the URL.
 */
import type {
  DroppedFile,
  FileRef,
  InvokeArgs,
  InvokeChannel,
  InvokeResult,
  StudioApi,
  StudioEvent,
} from '../../../main/common/ipc-contract';

const TOKEN_KEY = 'speech-studio-token';

export class HostError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HostError';
  }
}

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
    const body = (await response.json()) as { error?: { code: string; message: string } };
    if (body.error) return new HostError(body.error.code, body.error.message);
  } catch {
    // not JSON: fall through
  }
  return new HostError(
    `HTTP_${response.status}`,
    `The studio server answered ${response.status} ${response.statusText}`,
  );
}

function pickFiles(): Promise<File[]> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.multiple = true;
    input.accept = 'audio/*,.wav,.flac,.mp3,.ogg,.opus,.oga';
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

export function createBridgeClient(): StudioApi {
  const token = takeToken();
  const listeners = new Set<(event: StudioEvent) => void>();
  let socket: WebSocket | null = null;
  let retryMs = 250;

  const connect = () => {
    const ws = new WebSocket(`ws://${window.location.host}/ws?token=${encodeURIComponent(token)}`);
    ws.binaryType = 'arraybuffer';
    ws.addEventListener('open', () => (retryMs = 250));
    ws.addEventListener('message', (message) => {
      if (typeof message.data !== 'string') return;
      const event = JSON.parse(message.data) as StudioEvent;
      for (const listener of listeners) listener(event);
    });
    ws.addEventListener('close', () => {
      if (socket !== ws) return;
      // The bridge restarting (or a sleeping laptop) must not leave the page deaf: reconnect.
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5000);
    });
    socket = ws;
  };
  connect();

  async function invoke<C extends InvokeChannel>(
    channel: C,
    ...args: InvokeArgs<C>
  ): Promise<InvokeResult<C>> {
    const response = await fetch(`/api/invoke/${channel}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-studio-token': token },
      body: JSON.stringify(args),
    });
    if (!response.ok) throw await errorFrom(response);
    return ((await response.json()) as { result: InvokeResult<C> }).result;
  }

  async function upload(file: File): Promise<FileRef> {
    const response = await fetch(`/api/upload?name=${encodeURIComponent(file.name)}`, {
      method: 'POST',
      headers: { 'x-studio-token': token, 'content-type': 'application/octet-stream' },
      body: file,
    });
    if (!response.ok) throw await errorFrom(response);
    return ((await response.json()) as { result: FileRef }).result;
  }

  const addFiles = async (files: readonly DroppedFile[]) => {
    const refs: FileRef[] = [];
    for (const file of files) refs.push(await upload(file as File));
    return refs;
  };

  return {
    mode: 'browser',
    getInfo: () => invoke('studio:get-info'),
    openFiles: async () => addFiles(await pickFiles()),
    addFiles,
    transcribe: (fileId) => invoke('studio:transcribe', fileId),
    cancel: (jobId) => invoke('studio:cancel', jobId),
    loadProject: () => invoke('studio:load-project'),
    saveProject: (project) => invoke('studio:save-project', project),
    saveExport: async ({ suggestedName, content, format }) => {
      const type = format === 'json' ? 'application/json' : format === 'vtt' ? 'text/vtt' : 'text/plain';
      const url = URL.createObjectURL(new Blob([content], { type: `${type};charset=utf-8` }));
      const link = document.createElement('a');
      link.href = url;
      link.download = suggestedName;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      return { saved: true, location: suggestedName };
    },
    startDictation: (request) => invoke('studio:dictation-start', request),
    sendDictationAudio: (samples) => {
      if (socket?.readyState === WebSocket.OPEN) socket.send(samples);
    },
    stopDictation: () => {
      // Marks the end of the audio on the socket, so the bridge knows every frame has arrived.
      if (socket?.readyState === WebSocket.OPEN) socket.send('{"type":"dictation-end"}');
      return invoke('studio:dictation-stop');
    },
    cancelDictation: () => invoke('studio:dictation-cancel'),
    openExternal: async (url) => {
      if (new URL(url).protocol !== 'https:')
        throw new HostError('REFUSED', `only https links are opened (${url})`);
      window.open(url, '_blank', 'noopener,noreferrer');
    },
    onEvent: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
