import { describe, expect, it, vi } from 'vitest';
import { channelRows, STUDIO_CHANNELS } from '../common/channels';
import type { fakeElectron } from './testing/fake-electron';

vi.mock('electron', async () => (await import('./testing/fake-electron')).fakeElectron());

const electron = (await import('electron')) as unknown as ReturnType<typeof fakeElectron>;
await import('../../preload/index');
const api = electron.contextBridge.exposed.studio as Record<string, unknown>;

describe('the preload', () => {
  it('exposes one object, window.studio, of named functions only', () => {
    expect(Object.keys(electron.contextBridge.exposed)).toEqual(['studio']);
    for (const [key, value] of Object.entries(api)) {
      if (key === 'mode') expect(value).toBe('electron');
      else expect(typeof value, key).toBe('function');
    }
    // No generic escape hatches.
    expect(api).not.toHaveProperty('invoke');
    expect(api).not.toHaveProperty('send');
    expect(api).not.toHaveProperty('ipcRenderer');
  });

  it('offers every method of the channel table and nothing else', () => {
    expect(Object.keys(api).sort()).toEqual(['mode', ...Object.keys(STUDIO_CHANNELS)].sort());
  });

  // Every invoke method but addFiles (whose files become paths, below) passes its arguments to its
  // channel unchanged and resolves to the reply's result: a method wired to another channel, an argument
  // dropped or reordered, or a result not unwrapped fails here.
  const passThrough = channelRows('service', 'native').filter((row) => row.method !== 'addFiles');
  it.each(passThrough)('$method invokes $channel with its arguments', async ({ method, channel }) => {
    const args = ['first', 2, { third: true }];
    const result = { answer: method };
    electron.ipcRenderer.invoke.mockResolvedValueOnce({ ok: true, result });
    await expect((api[method] as (...a: unknown[]) => Promise<unknown>)(...args)).resolves.toBe(result);
    expect(electron.ipcRenderer.invoke).toHaveBeenLastCalledWith(channel, ...args);
  });

  it.each(passThrough)('$method rejects with the host error of $channel', async ({ method }) => {
    electron.ipcRenderer.invoke.mockResolvedValueOnce({
      ok: false,
      error: { code: 'UNKNOWN_FILE', message: `refused ${method}` },
    });
    await expect((api[method] as () => Promise<unknown>)()).rejects.toMatchObject({
      name: 'HostError',
      code: 'UNKNOWN_FILE',
      message: `refused ${method}`,
    });
  });

  it('sends dictation audio on its send channel, fire-and-forget', () => {
    const samples = new Float32Array([0.5, -0.5]);
    (api.sendDictationAudio as (s: Float32Array) => void)(samples);
    expect(electron.ipcRenderer.send).toHaveBeenLastCalledWith('studio:dictation-audio', samples);
  });

  it('calls the contract channel and unwraps the reply', async () => {
    electron.ipcRenderer.invoke.mockResolvedValueOnce({ ok: true, result: { jobId: 'j', fileId: 'f' } });
    await expect((api.transcribe as (id: string) => Promise<unknown>)('f')).resolves.toEqual({
      jobId: 'j',
      fileId: 'f',
    });
    expect(electron.ipcRenderer.invoke).toHaveBeenLastCalledWith('studio:transcribe', 'f');
  });

  it('turns error replies into errors with the host message', async () => {
    electron.ipcRenderer.invoke.mockResolvedValueOnce({
      ok: false,
      error: { code: 'UNKNOWN_FILE', message: 'no file with id f' },
    });
    await expect((api.transcribe as (id: string) => Promise<unknown>)('f')).rejects.toThrow(
      'no file with id f',
    );
  });

  it('resolves dropped files to paths in the preload', async () => {
    electron.ipcRenderer.invoke.mockResolvedValueOnce({ ok: true, result: [] });
    await (api.addFiles as (f: unknown[]) => Promise<unknown>)([{ name: 'a.wav', size: 1 }]);
    expect(electron.ipcRenderer.invoke).toHaveBeenLastCalledWith('studio:add-paths', ['/dropped/a.wav']);
  });

  it('subscribes to host events and unsubscribes', () => {
    const listener = vi.fn();
    const off = (api.onEvent as (l: (e: unknown) => void) => () => void)(listener);
    electron.ipcRenderer.emitFromMain('studio:event', { type: 'mic-level', level: 0.5 });
    expect(listener).toHaveBeenCalledWith({ type: 'mic-level', level: 0.5 });
    off();
    expect(electron.ipcRenderer.listenerCount('studio:event')).toBe(0);
  });
});
