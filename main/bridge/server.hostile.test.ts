/**
 * Hostile clients against the browser bridge over real sockets: every channel in the validator map
 * (channels added later are covered automatically) without the token, with a wrong one, from another
 * Origin, with a forged Host; malformed, deeply nested and oversized bodies (one at a time and many at
 * once); malformed request lines and URLs; traversal; uploads of HTML and SVG served back; WebSocket
 * abuse: malformed and oversized frames, non-finite samples, another page's audio, dropped sockets. Every request must get a refusal and the bridge must stay up: an uncaught
 * exception in the server would fail this file (vitest reports it), and a final request must still work.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type { StudioEvent, StudioInfo } from '../common/ipc-contract';
import { fakeWorkers } from '../host/testing/fake-worker';
import { invokeValidators } from '../host/validate';
import { MAX_BODIES_IN_FLIGHT_BYTES, MAX_REQUEST_BYTES, startBridge, type Bridge } from './server';

const TOKEN = 'hostile-test-token';
const CHANNELS = Object.keys(invokeValidators);
let dir: string;
let bridge: Bridge;
let base: string;
let host: string;
const workers = fakeWorkers();

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bridge-hostile-'));
  await mkdir(path.join(dir, 'static'), { recursive: true });
  await writeFile(path.join(dir, 'static', 'index.html'), '<!doctype html><title>Speech Studio</title>');
  bridge = await startBridge({
    staticDir: path.join(dir, 'static'),
    dataDir: path.join(dir, 'data'),
    model: 'unused',
    token: TOKEN,
    spawnWorker: workers.spawn,
  });
  host = `127.0.0.1:${bridge.port}`;
  base = `http://${host}`;
});

afterAll(async () => {
  await bridge?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Sends raw bytes and returns the status line (or what happened to the connection). */
function raw(text: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(bridge.port, '127.0.0.1', () => socket.end(text));
    let out = '';
    const done = (why: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(why);
    };
    const timer = setTimeout(() => done(out.split('\r\n')[0] || 'no answer'), 5000);
    socket.on('data', (d) => (out += d.toString('latin1')));
    socket.on('close', () => done(out.split('\r\n')[0] || 'closed without an answer'));
    socket.on('error', () => done(out.split('\r\n')[0] || 'connection reset'));
  });
}

const post = (channel: string, body: string | Buffer, headers: Record<string, string> = {}) =>
  fetch(`${base}/api/invoke/${channel}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-studio-token': TOKEN, ...headers },
    body,
  });

async function stillServing(): Promise<void> {
  const reply = await post('studio:get-info', '[]');
  expect(reply.status).toBe(200);
}

describe('bridge: network exposure', () => {
  it('listens on the loopback interface only', async () => {
    expect(bridge.url.startsWith(`http://127.0.0.1:${bridge.port}/`)).toBe(true);
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((a) => a && !a.internal && a.family === 'IPv4');
    if (!external) return; // a machine with no other interface has nothing else to listen on
    const reached = await new Promise<boolean>((resolve) => {
      const socket = net.connect(bridge.port, external.address, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    expect(reached).toBe(false);
  });
});

describe.each(CHANNELS)('bridge channel %s refuses', (channel) => {
  it('requests without the token, with a wrong one, from another Origin or with a forged Host', async () => {
    expect((await post(channel, '[]', { 'x-studio-token': '' })).status).toBe(401);
    expect((await post(channel, '[]', { 'x-studio-token': TOKEN.slice(0, -1) + 'X' })).status).toBe(401);
    expect((await post(channel, '[]', { 'x-studio-token': TOKEN + TOKEN })).status).toBe(401);
    // The token in the cookie of a cross-site request (a page elsewhere posting to the bridge).
    for (const origin of ['https://evil.example', 'null', `http://127.0.0.1:${bridge.port + 1}`]) {
      expect((await post(channel, '[]', { origin })).status).toBe(403);
    }
    const forged = await raw(
      `POST /api/invoke/${channel} HTTP/1.1\r\nHost: evil.example:${bridge.port}\r\nx-studio-token: ${TOKEN}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n[]`,
    );
    expect(forged).toMatch(/^HTTP\/1\.1 403/);
  });

  it('malformed and oversized bodies', async () => {
    const bodies: (string | Buffer)[] = [
      'not json',
      '{"an":"object"}',
      '"a string"',
      'null',
      '[' + '"x",'.repeat(10_000) + '"x"]',
      '['.repeat(100_000) + ']'.repeat(100_000),
      '[{"__proto__":{"polluted":true}}]',
      Buffer.from([0xff, 0xfe, 0x00, 0x5b]),
    ];
    for (const body of bodies) {
      const reply = await post(channel, body);
      // 400 for a bad payload, 404 for channels the browser does not use; never 200 or 500.
      expect([400, 404]).toContain(reply.status);
      await reply.body?.cancel();
    }
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});

describe('bridge: oversized and malformed requests', () => {
  const declaring = (channel: string, bytes: number, body = '') =>
    `POST /api/invoke/${channel} HTTP/1.1\r\nHost: ${host}\r\nx-studio-token: ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${bytes}\r\n\r\n${body}`;

  it("refuses a body declared over its channel's limit before reading a byte of it", async () => {
    // Only the headers are sent: the answer must come without the body.
    // The project channel takes operations, not the whole project: the same 2 MB as any other request.
    expect(await raw(declaring('studio:update-project', MAX_REQUEST_BYTES + 1))).toMatch(/^HTTP\/1\.1 413/);
    expect(await raw(declaring('studio:update-project', 60 * 1024 ** 2))).toMatch(/^HTTP\/1\.1 413/);
    expect(await raw(declaring('studio:get-info', MAX_REQUEST_BYTES + 1))).toMatch(/^HTTP\/1\.1 413/);
    await stillServing();
  });

  it('cuts a body that grows past its limit without declaring it', async () => {
    const body = Buffer.alloc(MAX_REQUEST_BYTES + 1024, 0x20);
    const reply = await post('studio:set-vocabulary', body).catch((error: unknown) => error);
    // Either a 413 or the connection is cut; the server must not take it.
    if (reply instanceof Response) expect(reply.status).toBe(413);
    await stillServing();
  }, 60_000);

  it('refuses large bodies beyond what all requests together may hold, and frees their share', async () => {
    // Requests that declare the largest body and send it slowly hold their share of the budget.
    const share = MAX_REQUEST_BYTES;
    const count = Math.floor(MAX_BODIES_IN_FLIGHT_BYTES / share);
    const held = Array.from({ length: count }, () => net.connect(bridge.port, '127.0.0.1'));
    await Promise.all(held.map((socket) => new Promise((resolve) => socket.once('connect', resolve))));
    for (const socket of held) socket.write(declaring('studio:update-project', share, '[[{"type":'));
    // The server has started all those reads once one more is refused; until then, try again.
    let more = '';
    for (let attempt = 0; attempt < 200 && !/ 503/.test(more); attempt++)
      more = await raw(declaring('studio:update-project', share, '['));
    expect(more).toMatch(/^HTTP\/1\.1 503/);
    for (const socket of held) socket.destroy();
    // Their share is given back when they go: a body of the same size is read again (and fails as JSON).
    let after = '';
    for (let attempt = 0; attempt < 200 && !/ 400/.test(after); attempt++)
      after = await raw(declaring('studio:update-project', 2, 'x]'));
    expect(after).toMatch(/^HTTP\/1\.1 400/);
    await stillServing();
  });

  it('refuses an upload that declares more than 2 GB before reading it', async () => {
    const status = await raw(
      `POST /api/upload?name=a.wav HTTP/1.1\r\nHost: ${host}\r\nx-studio-token: ${TOKEN}\r\nContent-Length: 3000000000\r\nConnection: close\r\n\r\nRIFF`,
    );
    expect(status).toMatch(/^HTTP\/1\.1 413/);
  });

  it('refuses uploads and media without the token', async () => {
    expect((await fetch(`${base}/api/upload?name=a.wav`, { method: 'POST', body: 'RIFF' })).status).toBe(401);
    expect((await fetch(`${base}/media/anything`)).status).toBe(401);
    expect(
      (await fetch(`${base}/media/..%2f..%2fetc%2fpasswd`, { headers: { 'x-studio-token': TOKEN } })).status,
    ).not.toBe(200);
  });

  it('survives malformed request lines, URLs and headers', async () => {
    const requests = [
      `GET http://[ HTTP/1.1\r\nHost: ${host}\r\n\r\n`, // an absolute URL that does not parse
      `GET http://[ HTTP/1.1\r\nHost: ${host}\r\nx-studio-token: ${TOKEN}\r\n\r\n`,
      `GET /%E0%A4%A?token=${TOKEN} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`, // bad escape
      `GET /?token=${TOKEN} HTTP/1.0\r\n\r\n`, // no Host at all
      `GET /?token=${TOKEN} HTTP/1.1\r\nHost: ${host}\r\nHost: evil.example\r\n\r\n`,
      `DELETE /api/invoke/studio:get-info?token=${TOKEN} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
      `POST /api/invoke/studio:get-info HTTP/1.1\r\nHost: ${host}\r\nx-studio-token: ${TOKEN}\r\nContent-Length: 10\r\n\r\n[`, // short body
      `GARBAGE\r\n\r\n`,
      Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00]), // a TLS hello
    ];
    for (const request of requests) {
      const status = await raw(request);
      expect(status).not.toMatch(/^HTTP\/1\.1 (200|5\d\d)/);
    }
    await stillServing();
  });
});

/** Uploads `body` as `name` (with the token, as the page does) and returns its media URL. */
async function uploaded(name: string, body: string | Buffer): Promise<string> {
  const reply = await fetch(`${base}/api/upload?name=${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: { 'x-studio-token': TOKEN },
    body,
  });
  expect(reply.status).toBe(200);
  return ((await reply.json()) as { result: { mediaUrl: string } }).result.mediaUrl;
}

describe('bridge: uploads served back', () => {
  // The token rides in the media URL's query string and the page's cookie: a document served from
  // /media/ would run its script on the studio's origin with both (stored XSS).
  const evil = {
    'evil.html': '<!doctype html><script>fetch("/api/invoke/studio:load-project",{method:"POST"})</script>',
    'evil.svg': '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>',
    'evil.wav': '<html><script>alert(1)</script></html>', // an audio name does not make it audio
    'evil.xml': '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><script>1</script></html>',
  };

  it.each(Object.entries(evil))(
    '%s comes back as inert bytes, never as a page or an image',
    async (name, body) => {
      const reply = await fetch(`${base}${await uploaded(name, body)}`);
      expect(reply.status).toBe(200);
      expect(reply.headers.get('content-type')).toBe('application/octet-stream');
      expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
      expect(reply.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'");
      expect(reply.headers.get('content-disposition')).toMatch(/^attachment; /);
      expect(await reply.text()).toBe(body); // the bytes themselves are the user's, unchanged
    },
  );

  it('audio comes back as audio, by its content', async () => {
    const wav = Buffer.concat([Buffer.from('RIFF\x24\0\0\0WAVEfmt ', 'latin1'), Buffer.alloc(32)]);
    const reply = await fetch(`${base}${await uploaded('named.html', wav)}`);
    expect(reply.headers.get('content-type')).toBe('audio/wav');
    expect(reply.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'");
    await reply.body?.cancel();
  });
});

describe('bridge: WebSocket abuse', () => {
  const url = () => `ws://${host}/ws`;
  const open = (target: string, headers: Record<string, string> = {}) =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(target, { headers });
      ws.once('open', () => resolve(ws));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });

  it('refuses sockets without the token, from another Origin, or on another path', async () => {
    await expect(open(url())).rejects.toThrow('HTTP 401');
    await expect(open(`${url()}?token=${TOKEN}`, { origin: 'https://evil.example' })).rejects.toThrow(
      'HTTP 403',
    );
    await expect(open(`ws://${host}/other?token=${TOKEN}`)).rejects.toThrow(/HTTP 404|socket hang up/);
    const status = await raw(
      `GET http://[ HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    expect(status).not.toMatch(/^HTTP\/1\.1 101/);
  });

  it('hands the engine only finite samples within full scale (NaN, ±Inf, 1e30 on the socket)', async () => {
    const started = await post(
      'studio:dictation-start',
      JSON.stringify([{ source: 'stream', sampleRate: 16000 }]),
    );
    expect(started.status).toBe(200);
    const ws = await open(`${url()}?token=${TOKEN}`);
    ws.send(new Float32Array([0.5, NaN, Infinity, -Infinity, 1e30, -1e30, -0.25]));
    const worker = workers.workers.at(-1)!;
    const liveAudio = () => worker.received.flatMap((m) => (m.type === 'live-audio' ? [...m.samples] : []));
    await vi.waitFor(() => expect(liveAudio()).toHaveLength(7));
    expect(liveAudio()).toEqual([0.5, 0, 1, -1, 1, -1, -0.25]);
    ws.close();
    expect((await post('studio:dictation-cancel', '[]')).status).toBe(200);
  });

  it('ends a microphone dictation when the page feeding it goes; other pages cannot feed it', async () => {
    const page = (id: string) => open(`${url()}?token=${TOKEN}&client=${id}`);
    const [feeder, feederTwin, other] = [await page('page-a'), await page('page-a'), await page('page-b')];
    const events: StudioEvent[] = [];
    other.on('message', (data) => events.push(JSON.parse(String(data)) as StudioEvent));
    const start = [{ source: 'stream', sampleRate: 16000 }];
    expect(
      (await post('studio:dictation-start', JSON.stringify(start), { 'x-studio-client': 'page-a' })).status,
    ).toBe(200);
    const info = async () =>
      ((await (await post('studio:get-info', '[]')).json()) as { result: StudioInfo }).result;
    expect((await info()).dictation).toMatchObject({ source: 'stream', sampleRate: 16000 });
    const worker = workers.workers.at(-1)!;
    feeder.send(new Float32Array(1600).fill(0.1));
    await vi.waitFor(() => expect(worker.liveSamples).toBe(1600));
    other.send(new Float32Array(800).fill(0.1)); // not the dictating page's: dropped
    feeder.send(new Float32Array(1600).fill(0.1));
    await vi.waitFor(() => expect(worker.liveSamples).toBe(3200));
    // One of the page's sockets going is not the page going.
    feederTwin.close();
    feederTwin.terminate();
    await vi.waitFor(() => expect(feederTwin.readyState).toBe(WebSocket.CLOSED));
    expect((await info()).dictation).not.toBeNull();
    // The page closes or reloads: its last socket drops without a word.
    feeder.terminate();
    await vi.waitFor(() => expect(events.some((e) => e.type === 'dictation-ended')).toBe(true));
    const ended = events.find((e) => e.type === 'dictation-ended') as Extract<
      StudioEvent,
      { type: 'dictation-ended' }
    >;
    expect(ended.reason).toBe('client-gone');
    expect(ended.result?.transcript.durationSec).toBeCloseTo(0.2, 6); // the recording is kept
    expect((await info()).dictation).toBeNull();
    // The next page can dictate at once.
    expect(
      (await post('studio:dictation-start', JSON.stringify(start), { 'x-studio-client': 'page-b' })).status,
    ).toBe(200);
    expect((await post('studio:dictation-cancel', '[]')).status).toBe(200);
    other.close();
  });

  it('drops malformed frames, closes on oversized ones, and keeps serving', async () => {
    const ws = await open(`${url()}?token=${TOKEN}`);
    ws.on('error', () => {}); // the client side sees the close; this test is about the server
    ws.send(Buffer.from([1, 2, 3]));
    ws.send('{"type":"something-else"}');
    ws.send('x'.repeat(10_000));
    ws.send(new Float32Array([NaN, Infinity, -Infinity, 1e30]));
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send(Buffer.alloc(2 * 1024 * 1024)); // over the 1 MB frame limit
    expect(await closed).toBe(1009);
    await stillServing();
  });
});
