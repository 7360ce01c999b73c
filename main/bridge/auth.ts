/**
 * Who may talk to the browser bridge. It listens on 127.0.0.1 only, but any web page the user visits can
 * also reach 127.0.0.1, so every HTTP request and WebSocket upgrade must prove it came from the studio
 * page: it carries the random per-run token, its Host is the bridge itself (defeats DNS rebinding) and,
 * when the browser sends an Origin, that origin is the bridge's own.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_HEADER = 'x-studio-token';
export const TOKEN_QUERY = 'token';
export const TOKEN_COOKIE = 'studio_token';

export function createToken(): string {
  return randomBytes(24).toString('base64url');
}

export interface AuthFailure {
  status: 401 | 403;
  reason: string;
}

function sameToken(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

export function isLoopbackAddress(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

/** The origins (scheme://host:port) the studio page itself is served from. */
export function allowedOrigins(port: number): string[] {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
}

/** The token a request carries, from the header, the query string or the cookie (in that order). */
export function requestToken(req: Pick<IncomingMessage, 'headers' | 'url'>): string | undefined {
  const header = req.headers[TOKEN_HEADER];
  if (typeof header === 'string') return header;
  const query = new URL(req.url ?? '/', 'http://bridge.invalid').searchParams.get(TOKEN_QUERY);
  if (query) return query;
  return cookie(req.headers.cookie, TOKEN_COOKIE);
}

/** Returns null when the request may proceed, else why not. */
export function checkRequest(
  req: Pick<IncomingMessage, 'headers' | 'url'> & { socket: { remoteAddress?: string } },
  expected: { token: string; port: number },
): AuthFailure | null {
  if (!isLoopbackAddress(req.socket.remoteAddress))
    return { status: 403, reason: 'only local connections are accepted' };
  const origins = allowedOrigins(expected.port);
  const host = req.headers.host;
  if (!host || !origins.includes(`http://${host}`))
    return { status: 403, reason: `unexpected Host header ${host ?? '(none)'}` };
  const origin = req.headers.origin;
  if (origin !== undefined && !origins.includes(origin))
    return { status: 403, reason: `cross-origin request from ${origin}` };
  if (!sameToken(requestToken(req), expected.token)) return { status: 401, reason: 'missing or wrong token' };
  return null;
}
