/**
 * The browser-mode bridge: serves the built renderer and implements the IPC contract over HTTP
 * (`POST /api/invoke/<channel>`, uploads, media) and a WebSocket (host events out, dictation audio in),
 * so the studio runs in any browser where Electron cannot. Bound to 127.0.0.1; every request and socket
 * must pass `checkRequest` (token + Host + Origin). The engine runs in a child process under the same
 * supervisor Electron uses, so a crash there is survived the same way.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { WebSocketServer, type WebSocket } from 'ws';
import { isServiceChannel, STUDIO_CHANNELS, type ServiceChannel } from '../common/channels';
import { HostError, toErrorInfo } from '../common/errors';
import type { InvokeArgs, InvokeHandlers, InvokeReply, StudioEvent } from '../common/ipc-contract';
import { EngineSupervisor, type SpawnEngineWorker } from '../host/engine-supervisor';
import { spawnNodeWorker } from '../host/node-worker';
import { contentSecurityPolicy } from '../host/csp';
import { lockDataFolder, type DataFolderLock } from '../host/data-lock';
import { FileRegistryError } from '../host/file-registry';
import { contentType, parseRange } from '../host/http-range';
import { mediaHeaders } from '../host/media-headers';
import { StudioService } from '../host/studio-service';
import { serviceHandlers } from '../host/service-handlers';
import { ID_PATTERN, PayloadError, dictationAudio, validateInvoke } from '../host/validate';
import { checkRequest, createToken, TOKEN_COOKIE, TOKEN_QUERY } from './auth';

export interface BridgeOptions {
  /** The built renderer (vite's outDir). */
  staticDir: string;
  /** Model name in models/ or a path to a model folder. */
  model: string;
  /** Where the project, uploads and recordings are kept. */
  dataDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** Fixed token (tests); a random one otherwise. */
  token?: string;
  version?: string;
  /** Override how the engine worker is started (tests). */
  spawnWorker?: SpawnEngineWorker;
}

export interface Bridge {
  /** The URL to open, token included. */
  url: string;
  port: number;
  token: string;
  service: StudioService;
  close(): Promise<void>;
}

/** Uploads are streamed to disk, so they may be large; JSON bodies are held in memory while they parse. */
export const MAX_UPLOAD_BYTES = 2 * 1024 ** 3;
/**
 * Every invoke's arguments. The largest is a project update carrying the dictation document (at most
 * MAX_DICTATION_DOCUMENT_CHARS of text and as much history: under 2 MB even at two bytes a character);
 * the page never sends transcripts, so no request needs more.
 */
export const MAX_REQUEST_BYTES = 2 * 1024 ** 2;
/** JSON bodies held at one moment, all requests together: a flood of large bodies is refused, not buffered. */
export const MAX_BODIES_IN_FLIGHT_BYTES = 16 * 1024 ** 2;

/** How long a dictation stop waits for the socket's end marker before using what has arrived. */
const STREAM_END_WAIT_MS = 2000;
export const DICTATION_END_MARKER = '{"type":"dictation-end"}';

/** A page names itself (a random id per page load) in this header on requests and `?client=` on its socket. */
export const CLIENT_HEADER = 'x-studio-client';
export const CLIENT_QUERY = 'client';

function pageId(value: string | string[] | null | undefined): string | null {
  return typeof value === 'string' && ID_PATTERN.test(value) ? value : null;
}

function sendJson(res: ServerResponse, status: number, body: InvokeReply<unknown>): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

const tooLarge = (what: string, limit: number) =>
  new HostError('TOO_LARGE', `${what} over ${(limit / 1024 ** 2).toFixed(0)} MB are not accepted`);

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge('request bodies', limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * Reads JSON bodies within two bounds: each body's own limit, and the bytes held by all bodies being read
 * at once. A body declared too large is refused before a byte of it is read; one without a declared
 * length reserves its whole limit.
 */
function bodyBudget(total: number) {
  let held = 0;
  return async (req: IncomingMessage, limit: number): Promise<Buffer> => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > limit) throw tooLarge('request bodies', limit);
    const reserved = Number.isFinite(declared) ? declared : limit;
    if (held + reserved > total)
      throw new HostError('BUSY', 'the studio server is busy with other large requests; try again');
    held += reserved;
    try {
      return await readBody(req, limit);
    } finally {
      held -= reserved;
    }
  };
}

/** The HTTP status of a failed request. */
function statusOf(error: unknown): number {
  if (error instanceof HostError && error.code === 'TOO_LARGE') return 413;
  if (error instanceof HostError && error.code === 'BUSY') return 503;
  if (error instanceof PayloadError || error instanceof HostError) return 400;
  return error instanceof FileRegistryError ? 404 : 500;
}

/** A file name safe to put on disk: base name only, no control or path characters. */
export function safeFileName(name: string): string {
  const base = name.split(/[/\\]/).pop() ?? '';
  const cleaned = base
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
    .replace(/[\u0000-\u001f<>:"|?*]/g, '_')
    .replace(/^\.+/, '')
    .slice(0, 200);
  return cleaned || 'audio';
}

/** Where the bridge notes the port it listens on, for the next run on the same data folder. */
export const SERVER_FILE = 'server.json';

async function lastPort(file: string): Promise<number> {
  try {
    const { port } = JSON.parse(await readFile(file, 'utf8')) as { port?: unknown };
    return Number.isInteger(port) && (port as number) > 1023 && (port as number) < 65536
      ? (port as number)
      : 0;
  } catch {
    return 0;
  }
}

/**
 * Removes uploads the saved project does not refer to: files uploaded and never added to a project (or
 * removed from it since) would otherwise stay in the data folder for ever. Run at start, before any page
 * can upload; each upload lives in a folder of its own.
 */
export async function removeOrphanUploads(uploadsDir: string, keep: readonly string[]): Promise<string[]> {
  const kept = new Set(keep.map((file) => path.dirname(path.resolve(file))));
  const removed: string[] = [];
  for (const name of await readdir(uploadsDir).catch(() => [] as string[])) {
    const entry = path.join(uploadsDir, name);
    if (kept.has(entry)) continue;
    await rm(entry, { recursive: true, force: true });
    removed.push(entry);
  }
  return removed;
}

export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const token = options.token ?? createToken();
  const staticDir = path.resolve(options.staticDir);
  const uploadsDir = path.join(options.dataDir, 'uploads');
  await mkdir(uploadsDir, { recursive: true });
  try {
    await stat(path.join(staticDir, 'index.html'));
  } catch {
    throw new Error(`${staticDir}/index.html not found: build the renderer first (npm run build:renderer)`);
  }
  // Before anything in the folder is read: a second server here would save over this one's edits.
  const lock = await lockDataFolder(options.dataDir);
  try {
    return await serve(options, { token, staticDir, uploadsDir, lock });
  } catch (error) {
    await lock.release();
    throw error;
  }
}

async function serve(
  options: BridgeOptions,
  {
    token,
    staticDir,
    uploadsDir,
    lock,
  }: { token: string; staticDir: string; uploadsDir: string; lock: DataFolderLock },
): Promise<Bridge> {
  const sockets = new Set<WebSocket>();
  /** Which page (its `client` id) each socket belongs to: a page may reconnect with a new socket. */
  const pageOf = new WeakMap<WebSocket, string | null>();
  /** The page that owns the stream dictation running now, if one does. */
  let dictationOwner: string | null = null;
  const broadcast = (event: StudioEvent) => {
    if (event.type === 'dictation-ended') dictationOwner = null;
    const text = JSON.stringify(event);
    for (const socket of sockets) if (socket.readyState === socket.OPEN) socket.send(text);
  };
  const engine = new EngineSupervisor({
    spawn: options.spawnWorker ?? spawnNodeWorker(),
    model: options.model,
    modelsDir: null,
    onStatus: (status) => broadcast({ type: 'engine', status }),
  });
  const service = new StudioService({
    mode: 'browser',
    version: options.version ?? '0.0.0',
    engine,
    projectFile: path.join(options.dataDir, 'project.json'),
    recordingsDir: path.join(options.dataDir, 'recordings'),
    profileDir: path.join(options.dataDir, 'profile'),
    mediaUrl: (id) => `/media/${id}?${TOKEN_QUERY}=${encodeURIComponent(token)}`,
    emit: broadcast,
    mic: null,
    micUnavailable: 'browser mode uses the browser microphone',
  });
  const keep = await service.projectPaths();
  if (keep) await removeOrphanUploads(uploadsDir, keep);

  // Dictation audio arrives on the socket, the stop request over HTTP: two connections with no order
  // between them. The page sends an end marker on the socket right after its last frame; the stop
  // waits for it (briefly), so the last frames are never cut off.
  let streamEnded = false;
  const streamEndWaiters: (() => void)[] = [];
  const onStreamEnd = () => {
    streamEnded = true;
    for (const resolve of streamEndWaiters.splice(0)) resolve();
  };
  const waitForStreamEnd = () =>
    streamEnded
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, STREAM_END_WAIT_MS);
          streamEndWaiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });

  // The service channels, as Electron serves them; the native ones (dialogs, the shell) the page does
  // itself. Dictation's start and stop (and the enrollment save, which stops a recording) also keep track
  // of the socket's audio stream.
  const handlers: InvokeHandlers<ServiceChannel> = {
    ...serviceHandlers(service),
    'studio:dictation-start': (request) => {
      if (request.source === 'native')
        throw new HostError('MIC_UNAVAILABLE', 'browser mode records with the browser microphone');
      // A file source plays on the host: no socket audio to wait for at stop.
      streamEnded = request.source === 'file';
      return service.startDictation(request);
    },
    'studio:dictation-stop': async () => {
      await waitForStreamEnd();
      return service.stopDictation();
    },
    'studio:enroll-save': async (index) => {
      await waitForStreamEnd();
      return service.saveEnrollment(index);
    },
  };

  const readJsonBody = bodyBudget(MAX_BODIES_IN_FLIGHT_BYTES);
  let port = 0;
  const securityHeaders = () => ({
    'content-security-policy': contentSecurityPolicy({
      connect: [`ws://127.0.0.1:${port}`, `ws://localhost:${port}`],
    }),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
  });

  async function invoke(req: IncomingMessage, res: ServerResponse, channel: string): Promise<void> {
    if (!isServiceChannel(channel)) {
      sendJson(res, 404, {
        ok: false,
        error: { code: 'UNKNOWN_CHANNEL', message: `${channel} is not available in browser mode` },
      });
      return;
    }
    let args: unknown;
    try {
      args = JSON.parse((await readJsonBody(req, MAX_REQUEST_BYTES)).toString('utf8') || '[]');
    } catch (error) {
      if (error instanceof HostError) throw error;
      throw new PayloadError(channel, 'body is not JSON');
    }
    const validated = validateInvoke(channel, args);
    const handler = handlers[channel] as (...a: unknown[]) => unknown;
    const result = await handler(...(validated as unknown[]));
    if (channel === 'studio:dictation-start') {
      // The page whose microphone feeds a stream session owns it (the page sends audio only after this
      // reply): its frames alone are taken, and when its last socket goes the session ends.
      const [request] = validated as InvokeArgs<'studio:dictation-start'>;
      dictationOwner = request.source === 'stream' ? pageId(req.headers[CLIENT_HEADER]) : null;
    }
    sendJson(res, 200, { ok: true, result: result ?? null });
  }

  async function upload(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > MAX_UPLOAD_BYTES) throw tooLarge('files', MAX_UPLOAD_BYTES);
    const name = safeFileName(url.searchParams.get('name') ?? 'audio');
    const dir = path.join(uploadsDir, randomUUID());
    await mkdir(dir);
    const file = path.join(dir, name);
    let size = 0;
    try {
      await pipeline(
        req,
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            size += chunk.length;
            if (size > MAX_UPLOAD_BYTES) throw tooLarge('files', MAX_UPLOAD_BYTES);
            yield chunk;
          }
        },
        createWriteStream(file),
      );
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    sendJson(res, 200, { ok: true, result: await service.files.register(file, name) });
  }

  async function media(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const entry = service.files.get(id);
    let size: number;
    let headers: Record<string, string>;
    try {
      if (!entry) throw new Error('unknown');
      size = (await stat(entry.path)).size;
      // Served as audio or as opaque bytes, never as a page or an image (see media-headers.ts).
      headers = { ...(await mediaHeaders(entry.path)), 'accept-ranges': 'bytes' };
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const range = parseRange(req.headers.range, size);
    if (range === 'unsatisfiable') {
      res.writeHead(416, { ...headers, 'content-range': `bytes */${size}` }).end();
    } else if (range) {
      res.writeHead(206, {
        ...headers,
        'content-range': `bytes ${range.start}-${range.end}/${size}`,
        'content-length': range.end - range.start + 1,
      });
      await pipeline(createReadStream(entry.path, range), res);
    } else {
      res.writeHead(200, { ...headers, 'content-length': size });
      await pipeline(createReadStream(entry.path), res);
    }
  }

  async function serveStatic(res: ServerResponse, url: URL): Promise<void> {
    let relative: string;
    try {
      relative = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
    } catch {
      res.writeHead(400).end(); // a malformed %-escape is the client's error, not a 500
      return;
    }
    const file = path.resolve(staticDir, '.' + relative);
    if (!file.startsWith(staticDir + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    let size: number;
    try {
      const info = await stat(file);
      if (!info.isFile()) throw new Error('not a file');
      size = info.size;
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const headers: Record<string, string | number> = {
      ...securityHeaders(),
      'content-type': contentType(file),
      'content-length': size,
    };
    if (relative === '/index.html') {
      // The page's own asset requests cannot carry the token, so the first load turns it into a cookie
      // (HttpOnly, SameSite=Strict: other sites' requests never carry it).
      headers['set-cookie'] = `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
      headers['cache-control'] = 'no-store';
    }
    res.writeHead(200, headers);
    await pipeline(createReadStream(file), res);
  }

  const server = createServer((req, res) => {
    let denied: ReturnType<typeof checkRequest>;
    let url: URL;
    try {
      denied = checkRequest(req, { token, port });
      url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    } catch {
      // A request target that does not parse as a URL (`GET http://[`) must not throw out of the
      // listener: that would be an uncaught exception, and any local process could stop the bridge.
      res.writeHead(400, { 'content-type': 'text/plain' }).end('malformed request');
      return;
    }
    if (denied) {
      res.writeHead(denied.status, { 'content-type': 'text/plain' }).end(denied.reason);
      return;
    }
    const route = async () => {
      const invokeMatch = /^\/api\/invoke\/([\w:-]+)$/.exec(url.pathname);
      const mediaMatch = /^\/media\/([\w-]+)$/.exec(url.pathname);
      if (req.method === 'POST' && invokeMatch) return invoke(req, res, invokeMatch[1]);
      if (req.method === 'POST' && url.pathname === '/api/upload') return upload(req, res, url);
      if (req.method === 'GET' && mediaMatch) return media(req, res, mediaMatch[1]);
      if (req.method === 'GET' || req.method === 'HEAD') return serveStatic(res, url);
      res.writeHead(405).end();
    };
    route().catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const status = statusOf(error);
      // A body refused unread is not read to its end either: the connection goes with it.
      if (status === 413) res.setHeader('connection', 'close');
      sendJson(res, status, { ok: false, error: toErrorInfo(error) });
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    let denied: ReturnType<typeof checkRequest>;
    let pathname: string;
    try {
      denied = checkRequest(req, { token, port });
      pathname = new URL(req.url ?? '/', 'http://x').pathname;
    } catch {
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'); // as above: a malformed URL must not throw
      return;
    }
    if (denied || pathname !== '/ws') {
      socket.end(`HTTP/1.1 ${denied?.status ?? 404} ${denied ? 'Forbidden' : 'Not Found'}\r\n\r\n`);
      return;
    }
    const client = pageId(new URL(req.url ?? '/', 'http://x').searchParams.get(CLIENT_QUERY));
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      pageOf.set(ws, client);
      ws.on('close', () => {
        sockets.delete(ws);
        // The page that fed a stream dictation is gone (closed, reloaded, crashed): nothing more can
        // arrive, and no page would offer its Stop. End it; the recording so far is kept.
        const owned = client !== null && client === dictationOwner && service.dictationSession !== null;
        if (owned && ![...sockets].some((other) => pageOf.get(other) === client)) {
          dictationOwner = null;
          service.stopDictation('client-gone').catch(() => {});
        }
      });
      // ws reports protocol violations (e.g. a frame over maxPayload) as an 'error' event and closes the
      // socket itself; without a listener that event would be an uncaught exception in the bridge.
      ws.on('error', () => {});
      ws.on('message', (data, isBinary) => {
        // A page sends two things on the socket: dictation audio (binary little-endian float32 frames)
        // and the end-of-stream marker (text).
        if (!isBinary) {
          if (String(data) === DICTATION_END_MARKER) onStreamEnd();
          return;
        }
        if (!Buffer.isBuffer(data) || data.length % 4 !== 0) return;
        if (dictationOwner !== null && client !== dictationOwner) return; // another page's audio
        const samples = new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length));
        try {
          service.pushDictationAudio(dictationAudio(samples, STUDIO_CHANNELS.sendDictationAudio.channel));
        } catch {
          // Malformed frames are dropped, never allowed to break the session.
        }
      });
      ws.send(JSON.stringify({ type: 'engine', status: engine.status } satisfies StudioEvent));
    });
  });

  const listen = (wanted: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(wanted, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  // The port of the last run on this data folder, when none is asked for: a page left open across a
  // restart stays on the same origin, so it reconnects, and the edits it kept are restored on the new link.
  const serverFile = path.join(options.dataDir, SERVER_FILE);
  const previous = options.port ?? (await lastPort(serverFile));
  try {
    await listen(previous);
  } catch (error) {
    if (options.port !== undefined || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    await listen(0); // taken by something else since: any free port
  }
  port = (server.address() as AddressInfo).port;
  await writeFile(serverFile, JSON.stringify({ port }) + '\n');
  // The engine starts with the adapted model the voice profile selected last, if any.
  void service.startEngine();
  // A batch interrupted by the last shutdown carries on at once, with or without a page open.
  void service.restore().catch(() => {});

  return {
    url: `http://127.0.0.1:${port}/?${TOKEN_QUERY}=${encodeURIComponent(token)}`,
    port,
    token,
    service,
    close: async () => {
      for (const socket of sockets) socket.terminate();
      wss.close();
      service.dispose();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await service.whenSaved();
      await lock.release();
    },
  };
}
