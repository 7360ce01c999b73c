import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppProtocolHandler } from './protocol';

let dir: string;
let handler: (request: Request) => Promise<Response>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'studio-protocol-'));
  await mkdir(path.join(dir, 'renderer', 'assets'), { recursive: true });
  await writeFile(path.join(dir, 'renderer', 'index.html'), '<!doctype html><title>Speech Studio</title>');
  await writeFile(path.join(dir, 'renderer', 'assets', 'app.js'), 'console.log(1)');
  await writeFile(path.join(dir, 'secret.txt'), 'secret');
  await writeFile(path.join(dir, 'audio.wav'), Buffer.from('0123456789'));
  await writeFile(path.join(dir, 'real.wav'), Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1'));
  await writeFile(path.join(dir, 'evil.html'), '<script>fetch("/api")</script>');
  await writeFile(
    path.join(dir, 'evil.svg'),
    '<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>',
  );
  const files = new Map(
    ['audio.wav', 'real.wav', 'evil.html', 'evil.svg'].map((name, i) => [
      `f${i + 1}`,
      { path: path.join(dir, name) },
    ]),
  );
  handler = createAppProtocolHandler({
    rendererDir: path.join(dir, 'renderer'),
    files: { get: (id: string) => files.get(id) as never },
  });
});

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('app:// protocol', () => {
  it('serves the renderer with the CSP', async () => {
    const response = await handler(new Request('app://studio/index.html'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain('media-src');
    expect(csp).toContain('blob:');
    expect(csp).not.toContain('unsafe-eval');
    expect(await response.text()).toContain('Speech Studio');
    expect((await handler(new Request('app://studio/assets/app.js'))).headers.get('content-type')).toContain(
      'javascript',
    );
  });

  it('serves opened files by id, with byte ranges for seeking', async () => {
    const whole = await handler(new Request('app://studio/media/f1'));
    expect(await whole.text()).toBe('0123456789');
    const part = await handler(new Request('app://studio/media/f1', { headers: { range: 'bytes=2-5' } }));
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 2-5/10');
    expect(await part.text()).toBe('2345');
    expect(
      (await handler(new Request('app://studio/media/f1', { headers: { range: 'bytes=50-' } }))).status,
    ).toBe(416);
  });

  it('serves opened files only as audio or opaque bytes, sandboxed, never as a page or an image', async () => {
    const wav = await handler(new Request('app://studio/media/f2'));
    expect(wav.headers.get('content-type')).toBe('audio/wav');
    for (const id of ['f1', 'f2', 'f3', 'f4']) {
      const response = await handler(new Request(`app://studio/media/${id}`));
      expect(response.status).toBe(200);
      if (id !== 'f2') expect(response.headers.get('content-type')).toBe('application/octet-stream');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'");
      expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="/);
      await response.body?.cancel();
    }
  });

  it('serves nothing else', async () => {
    expect((await handler(new Request('app://studio/media/unknown'))).status).toBe(404);
    expect((await handler(new Request('app://studio/../secret.txt'))).status).toBe(404);
    expect((await handler(new Request('app://studio/%2e%2e/secret.txt'))).status).toBe(404);
    expect((await handler(new Request('app://studio/missing.js'))).status).toBe(404);
    expect((await handler(new Request('app://studio/%E0%A4%A.js'))).status).toBe(404);
    expect((await handler(new Request('app://other/index.html'))).status).toBe(404);
    expect(
      (await handler(new Request('app://studio/index.html', { method: 'POST', body: 'x' }))).status,
    ).toBe(404);
  });
});
