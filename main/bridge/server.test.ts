/**
 * The bridge over real HTTP and WebSocket connections (with a scripted engine worker): it serves the
 * app and the contract to the token holder on the loopback origin, and nothing to anyone else.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { FileRef, StudioEvent } from '../common/ipc-contract';
import { fakeWorkers } from '../host/testing/fake-worker';
import { DICTATION_END_MARKER, safeFileName, startBridge, type Bridge } from './server';

let dir: string;
let bridge: Bridge;
let base: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bridge-'));
  await mkdir(path.join(dir, 'static', 'assets'), { recursive: true });
  await writeFile(path.join(dir, 'static', 'index.html'), '<!doctype html><title>Speech Studio</title>');
  await writeFile(path.join(dir, 'static', 'assets', 'app.js'), 'console.log(1)');
  await writeFile(path.join(dir, 'secret.txt'), 'secret');
  bridge = await startBridge({
    staticDir: path.join(dir, 'static'),
    dataDir: path.join(dir, 'data'),
    model: 'unused',
    token: 'the-token',
    spawnWorker: fakeWorkers().spawn,
  });
  base = `http://127.0.0.1:${bridge.port}`;
});

afterAll(async () => {
  await bridge?.close();
  await rm(dir, { recursive: true, force: true });
});

const auth = { 'x-studio-token': 'the-token' };

function invoke(channel: string, args: unknown[], headers: Record<string, string> = auth) {
  return fetch(`${base}/api/invoke/${channel}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(args),
  });
}

/** A raw request, so the Host header can be forged (fetch does not allow it). */
function rawGet(pathname: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: bridge.port, path: pathname, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

function connect(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ ws: WebSocket; first: Promise<StudioEvent> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const first = new Promise<StudioEvent>((r) => ws.once('message', (data) => r(JSON.parse(String(data)))));
    ws.once('open', () => resolve({ ws, first }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

describe('bridge: who may connect', () => {
  it('prints a 127.0.0.1 URL with the token', () => {
    expect(bridge.url).toBe(`http://127.0.0.1:${bridge.port}/?token=the-token`);
  });

  it('serves the page only with the token, and turns it into a strict cookie', async () => {
    expect((await fetch(`${base}/`)).status).toBe(401);
    expect((await fetch(`${base}/?token=nope`)).status).toBe(401);
    const page = await fetch(bridge.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Speech Studio');
    expect(page.headers.get('set-cookie')).toBe('studio_token=the-token; HttpOnly; SameSite=Strict; Path=/');
    expect(page.headers.get('content-security-policy')).toContain(
      `connect-src 'self' ws://127.0.0.1:${bridge.port}`,
    );
    expect(
      (await fetch(`${base}/assets/app.js`, { headers: { cookie: 'studio_token=the-token' } })).status,
    ).toBe(200);
    expect((await fetch(`${base}/assets/app.js`)).status).toBe(401);
  });

  it('rejects API calls without the right token', async () => {
    expect((await invoke('studio:get-info', [], {})).status).toBe(401);
    expect((await invoke('studio:get-info', [], { 'x-studio-token': 'wrong' })).status).toBe(401);
    expect((await invoke('studio:get-info', [])).status).toBe(200);
  });

  it('rejects cross-origin requests and forged Host headers, token or not', async () => {
    expect((await invoke('studio:get-info', [], { ...auth, origin: 'https://evil.example' })).status).toBe(
      403,
    );
    expect(await rawGet('/?token=the-token', { host: `evil.example:${bridge.port}` })).toBe(403);
    expect(await rawGet('/?token=the-token', { host: `localhost:${bridge.port}` })).toBe(200);
  });

  it('accepts a WebSocket only with the token and from the app origin', async () => {
    const url = `ws://127.0.0.1:${bridge.port}/ws`;
    await expect(connect(url)).rejects.toThrow('HTTP 401');
    await expect(connect(`${url}?token=wrong`)).rejects.toThrow('HTTP 401');
    await expect(connect(`${url}?token=the-token`, { origin: 'https://evil.example' })).rejects.toThrow(
      'HTTP 403',
    );
    const { ws, first } = await connect(`${url}?token=the-token`, { origin: base });
    expect(await first).toMatchObject({ type: 'engine' });
    ws.close();
  });

  it('does not serve files outside the app', async () => {
    expect(await rawGet('/../secret.txt?token=the-token', { host: `127.0.0.1:${bridge.port}` })).not.toBe(
      200,
    );
    expect((await fetch(`${base}/%2e%2e/secret.txt`, { headers: auth })).status).not.toBe(200);
    expect((await fetch(`${base}/media/unknown`, { headers: auth })).status).toBe(404);
  });
});

describe('bridge: the contract', () => {
  it('validates payloads and refuses channels the browser does not use', async () => {
    const bad = await invoke('studio:transcribe', [42]);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('INVALID_PAYLOAD');
    expect((await invoke('studio:add-paths', [['/etc/passwd']])).status).toBe(404);
    expect((await invoke('studio:open-external', ['https://x.example'])).status).toBe(404);
    expect((await invoke('no-such-channel', [])).status).toBe(404);
  });

  it('uploads, serves with ranges, transcribes and pushes events over the socket', async () => {
    const { ws, first } = await connect(`ws://127.0.0.1:${bridge.port}/ws?token=the-token`);
    await first;
    const events: StudioEvent[] = [];
    ws.on('message', (data) => events.push(JSON.parse(String(data))));

    const upload = await fetch(`${base}/api/upload?name=${encodeURIComponent('../../my talk.wav')}`, {
      method: 'POST',
      headers: auth,
      body: Buffer.from('RIFF0123456789'),
    });
    expect(upload.status).toBe(200);
    const ref = ((await upload.json()) as { result: FileRef }).result;
    expect(ref).toMatchObject({ name: 'my talk.wav', size: 14 });
    expect(ref.mediaUrl).toBe(`/media/${ref.id}?token=the-token`);

    const part = await fetch(`${base}${ref.mediaUrl}`, { headers: { range: 'bytes=4-7' } });
    expect(part.status).toBe(206);
    expect(await part.text()).toBe('0123');

    const ticket = await invoke('studio:transcribe', [ref.id]);
    expect(ticket.status).toBe(200);
    await expect.poll(() => events.find((e) => e.type === 'job-done')).toMatchObject({ fileId: ref.id });
    ws.close();
  });

  it('streams dictation audio over the socket', async () => {
    const { ws, first } = await connect(`ws://127.0.0.1:${bridge.port}/ws?token=the-token`);
    await first;
    expect((await invoke('studio:dictation-start', [{ source: 'stream', sampleRate: 16000 }])).status).toBe(
      200,
    );
    ws.send(new Float32Array(1600).fill(0.1));
    ws.send(Buffer.from([1, 2, 3])); // malformed: dropped
    ws.send(DICTATION_END_MARKER);
    // The stop arrives on another connection; the end marker guarantees the frames were counted.
    const stop = await invoke('studio:dictation-stop', []);
    expect(stop.status).toBe(200);
    const result = ((await stop.json()) as { result: { transcript: { words: unknown[] }; file: FileRef } })
      .result;
    expect(result.file.size).toBe(44 + 1600 * 2);
    // The (fake) live engine's final for the session.
    expect(result.transcript.words).toHaveLength(1);
    ws.close();
  });
});

it('makes upload names safe', () => {
  expect(safeFileName('../../etc/passwd')).toBe('passwd');
  expect(safeFileName('C:\\Users\\a\\b.wav')).toBe('b.wav');
  expect(safeFileName('..')).toBe('audio');
  expect(safeFileName('a<b>:c.wav')).toBe('a_b__c.wav');
  expect(safeFileName('.hidden.wav')).toBe('hidden.wav');
});
