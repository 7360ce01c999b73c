/**
 * The `app://studio/` protocol: serves the built renderer and the user's opened files (by id, through
 * the host's file table) with the app's CSP. A custom, privileged scheme instead of file:// gives the
 * page a real origin, so the CSP, permission checks and IPC sender checks can name it.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { FileRegistry } from '../host/file-registry';
import { contentSecurityPolicy } from '../host/csp';
import { contentType, parseRange } from '../host/http-range';
import { mediaHeaders } from '../host/media-headers';
import { APP_HOST, APP_SCHEME } from './security';

/** Privileges for `protocol.registerSchemesAsPrivileged` (must run before the app is ready). */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, corsEnabled: true },
} as const;

export interface AppProtocolOptions {
  /** The built renderer (dist/renderer). */
  rendererDir: string;
  files: Pick<FileRegistry, 'get'>;
}

const BASE_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

function notFound(): Response {
  return new Response('not found', { status: 404, headers: { 'content-type': 'text/plain' } });
}

async function fileResponse(
  file: string,
  range: string | null,
  extra: Record<string, string>,
): Promise<Response> {
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) return notFound();
    size = info.size;
  } catch {
    return notFound();
  }
  const headers: Record<string, string> = {
    ...BASE_HEADERS,
    'content-type': contentType(file),
    ...extra,
    'accept-ranges': 'bytes',
  };
  const wanted = parseRange(range, size);
  if (wanted === 'unsatisfiable')
    return new Response(null, { status: 416, headers: { ...headers, 'content-range': `bytes */${size}` } });
  const stream = (options?: { start: number; end: number }) =>
    Readable.toWeb(createReadStream(file, options)) as unknown as ReadableStream<Uint8Array>;
  if (wanted) {
    return new Response(stream(wanted), {
      status: 206,
      headers: {
        ...headers,
        'content-range': `bytes ${wanted.start}-${wanted.end}/${size}`,
        'content-length': String(wanted.end - wanted.start + 1),
      },
    });
  }
  return new Response(stream(), { status: 200, headers: { ...headers, 'content-length': String(size) } });
}

/** The handler for `protocol.handle('app', …)`. */
export function createAppProtocolHandler(
  options: AppProtocolOptions,
): (request: Request) => Promise<Response> {
  const root = path.resolve(options.rendererDir);
  return async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST || request.method !== 'GET') return notFound();
    const media = /^\/media\/([\w-]+)$/.exec(url.pathname);
    if (media) {
      const entry = options.files.get(media[1]);
      if (!entry) return notFound();
      // Served as audio or as opaque bytes, never as a page or an image (see media-headers.ts).
      const headers = await mediaHeaders(entry.path).catch(() => null);
      if (!headers) return notFound();
      return fileResponse(entry.path, request.headers.get('range'), headers);
    }
    let relative: string;
    try {
      relative = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
    } catch {
      return notFound(); // a malformed %-escape names no file
    }
    const file = path.resolve(root, '.' + relative);
    if (!file.startsWith(root + path.sep)) return notFound();
    return fileResponse(file, null, { 'content-security-policy': contentSecurityPolicy() });
  };
}
