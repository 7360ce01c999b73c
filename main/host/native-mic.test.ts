import { describe, expect, it, vi } from 'vitest';
import { MicError, PvRecorderMic, type PvRecorderLike, type PvRecorderModule } from './native-mic';

function fakePv(options: { failOpen?: boolean; failReadAfter?: number } = {}) {
  const recorders: (PvRecorderLike & { reads: number; released: boolean })[] = [];
  const module: PvRecorderModule = {
    PvRecorder: class {
      static getAvailableDevices = () => ['Built-in microphone', 'USB headset'];
      readonly sampleRate = 16000;
      reads = 0;
      released = false;
      constructor(
        readonly frameLength: number,
        readonly deviceIndex = -1,
      ) {
        if (options.failOpen) throw new Error('PvRecorder failed to initialize.');
        recorders.push(this);
      }
      start() {}
      stop() {}
      release() {
        this.released = true;
      }
      getSelectedDevice() {
        return this.deviceIndex < 0 ? 'Built-in microphone' : 'USB headset';
      }
      async read() {
        this.reads++;
        if (options.failReadAfter !== undefined && this.reads > options.failReadAfter)
          throw new Error('device disconnected');
        await new Promise((r) => setTimeout(r, 1));
        return new Int16Array(this.frameLength).fill(16384);
      }
    } as unknown as PvRecorderModule['PvRecorder'],
  };
  return { module, recorders };
}

describe('PvRecorderMic', () => {
  it('lists devices and delivers float frames until stopped', async () => {
    const { module, recorders } = fakePv();
    const mic = new PvRecorderMic(module);
    expect(mic.listDevices()).toEqual([
      { index: 0, name: 'Built-in microphone' },
      { index: 1, name: 'USB headset' },
    ]);
    const frames: Float32Array[] = [];
    expect(mic.start(1, { onFrame: (f) => frames.push(f), onError: vi.fn() })).toEqual({
      deviceName: 'USB headset',
      sampleRate: 16000,
    });
    await vi.waitFor(() => expect(frames.length).toBeGreaterThan(2));
    expect(frames[0][0]).toBeCloseTo(0.5);
    mic.stop();
    expect(recorders[0].released).toBe(true);
  });

  it('reports a device that cannot open', () => {
    const mic = new PvRecorderMic(fakePv({ failOpen: true }).module);
    expect(() => mic.start(-1, { onFrame: vi.fn(), onError: vi.fn() })).toThrow(MicError);
    expect(() => mic.start(-1, { onFrame: vi.fn(), onError: vi.fn() })).toThrow(
      /Could not open the default microphone/,
    );
  });

  it('reports an unplugged device once and releases it', async () => {
    const { module, recorders } = fakePv({ failReadAfter: 2 });
    const mic = new PvRecorderMic(module);
    const onError = vi.fn();
    mic.start(0, { onFrame: vi.fn(), onError });
    await vi.waitFor(() => expect(onError).toHaveBeenCalledOnce());
    expect(onError.mock.calls[0][0]).toMatchObject({ code: 'MIC_LOST' });
    expect(onError.mock.calls[0][0].message).toMatch(/stopped delivering audio .*unplugged/);
    expect(recorders[0].released).toBe(true);
  });
});
