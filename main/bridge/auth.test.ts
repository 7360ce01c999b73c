import { describe, expect, it } from 'vitest';
import { checkRequest, createToken, requestToken } from './auth';

const token = 'test-token-123';
const port = 4321;

function request(options: {
  url?: string;
  host?: string;
  origin?: string;
  token?: string;
  cookie?: string;
  remote?: string;
}) {
  const headers: Record<string, string> = { host: options.host ?? `127.0.0.1:${port}` };
  if (options.origin) headers.origin = options.origin;
  if (options.token) headers['x-studio-token'] = options.token;
  if (options.cookie) headers.cookie = options.cookie;
  return {
    url: options.url ?? '/api/invoke/studio:get-info',
    headers,
    socket: { remoteAddress: options.remote ?? '127.0.0.1' },
  };
}

describe('bridge auth', () => {
  it('accepts the token from the header, the query string or the cookie', () => {
    expect(checkRequest(request({ token }), { token, port })).toBeNull();
    expect(checkRequest(request({ url: `/media/x?token=${token}` }), { token, port })).toBeNull();
    expect(checkRequest(request({ cookie: `other=1; studio_token=${token}` }), { token, port })).toBeNull();
    expect(requestToken(request({ token: 'a', url: '/?token=b' }))).toBe('a');
  });

  it('rejects a missing or wrong token', () => {
    expect(checkRequest(request({}), { token, port })).toEqual({
      status: 401,
      reason: 'missing or wrong token',
    });
    expect(checkRequest(request({ token: 'wrong' }), { token, port })?.status).toBe(401);
    expect(checkRequest(request({ token: token + 'x' }), { token, port })?.status).toBe(401);
    expect(checkRequest(request({ url: '/?token=' }), { token, port })?.status).toBe(401);
  });

  it('rejects other origins even with the token (a web page posting to localhost)', () => {
    const denied = checkRequest(request({ token, origin: 'https://evil.example' }), { token, port });
    expect(denied).toEqual({ status: 403, reason: 'cross-origin request from https://evil.example' });
    expect(checkRequest(request({ token, origin: 'http://127.0.0.1:9999' }), { token, port })?.status).toBe(
      403,
    );
    expect(checkRequest(request({ token, origin: 'null' }), { token, port })?.status).toBe(403);
    expect(checkRequest(request({ token, origin: `http://localhost:${port}` }), { token, port })).toBeNull();
  });

  it('rejects a foreign Host header (DNS rebinding)', () => {
    expect(checkRequest(request({ token, host: `evil.example:${port}` }), { token, port })?.status).toBe(403);
    expect(checkRequest(request({ token, host: '127.0.0.1:1' }), { token, port })?.status).toBe(403);
  });

  it('rejects non-loopback peers', () => {
    expect(checkRequest(request({ token, remote: '192.168.1.20' }), { token, port })).toEqual({
      status: 403,
      reason: 'only local connections are accepted',
    });
    expect(checkRequest(request({ token, remote: '::1' }), { token, port })).toBeNull();
  });

  it('creates long random tokens', () => {
    const a = createToken();
    expect(a).toMatch(/^[\w-]{32}$/);
    expect(createToken()).not.toBe(a);
  });
});
