/**
 * Native microphone capture with @picovoice/pvrecorder-node (prebuilt N-API binaries in its npm package,
 * fixed 16 kHz mono). Used by Electron main; when the module cannot load (unsupported platform, missing
 * binary) the app falls back to the renderer's getUserMedia stream, and says why in the status bar.
 */
import { createRequire } from 'node:module';
import { HostError } from '../common/errors';
import type { MicDevice } from '../common/ipc-contract';

export interface MicHandlers {
  /** Mono float frames in [-1, 1] at the reported sample rate. */
  onFrame(samples: Float32Array): void;
  /** Capture stopped on its own (device unplugged, driver error); the session is over. */
  onError(error: Error): void;
}

export interface MicCapture {
  listDevices(): MicDevice[];
  /** Starts capture on `deviceIndex` (-1: system default); throws a MicError when the device cannot open. */
  start(deviceIndex: number, handlers: MicHandlers): { deviceName: string; sampleRate: number };
  stop(): void;
}

export class MicError extends HostError {
  constructor(code: 'MIC_OPEN_FAILED' | 'MIC_LOST', message: string) {
    super(code, message);
  }
}

/** The slice of pvrecorder's API we use (its own types are fine, but this keeps tests independent of it). */
export interface PvRecorderLike {
  readonly sampleRate: number;
  start(): void;
  stop(): void;
  read(): Promise<Int16Array>;
  getSelectedDevice(): string;
  release(): void;
}

export interface PvRecorderModule {
  PvRecorder: {
    new (frameLength: number, deviceIndex?: number): PvRecorderLike;
    getAvailableDevices(): string[];
  };
}

/** 512 samples = 32 ms at 16 kHz: small enough for a responsive level meter. */
const FRAME_LENGTH = 512;

export class PvRecorderMic implements MicCapture {
  private session: { recorder: PvRecorderLike; active: boolean } | null = null;

  constructor(private readonly pv: PvRecorderModule) {}

  listDevices(): MicDevice[] {
    return this.pv.PvRecorder.getAvailableDevices().map((name, index) => ({ index, name }));
  }

  start(deviceIndex: number, handlers: MicHandlers): { deviceName: string; sampleRate: number } {
    this.stop();
    let recorder: PvRecorderLike;
    try {
      recorder = new this.pv.PvRecorder(FRAME_LENGTH, deviceIndex);
      recorder.start();
    } catch (cause) {
      const which = deviceIndex < 0 ? 'the default microphone' : `microphone #${deviceIndex}`;
      throw new MicError(
        'MIC_OPEN_FAILED',
        `Could not open ${which}: ${(cause as Error).message}. Is a microphone connected?`,
      );
    }
    const session = { recorder, active: true };
    this.session = session;
    const deviceName = recorder.getSelectedDevice();
    void (async () => {
      while (session.active) {
        let frame: Int16Array;
        try {
          frame = await recorder.read();
        } catch (cause) {
          if (!session.active) return;
          this.release(session);
          handlers.onError(
            new MicError(
              'MIC_LOST',
              `Microphone "${deviceName}" stopped delivering audio (${(cause as Error).message}); was it unplugged?`,
            ),
          );
          return;
        }
        if (!session.active) return;
        const samples = new Float32Array(frame.length);
        for (let i = 0; i < frame.length; i++) samples[i] = frame[i] / 32768;
        handlers.onFrame(samples);
      }
    })();
    return { deviceName, sampleRate: recorder.sampleRate };
  }

  stop(): void {
    if (this.session) this.release(this.session);
  }

  private release(session: { recorder: PvRecorderLike; active: boolean }): void {
    if (!session.active) return;
    session.active = false;
    if (this.session === session) this.session = null;
    try {
      session.recorder.stop();
    } finally {
      session.recorder.release();
    }
  }
}

/** Loads pvrecorder; returns the reason instead of throwing so the caller can fall back. */
export function loadNativeMic(): { mic: MicCapture; unavailable: null } | { mic: null; unavailable: string } {
  try {
    const require = createRequire(import.meta.url);
    const pv = require('@picovoice/pvrecorder-node') as PvRecorderModule;
    const mic = new PvRecorderMic(pv);
    mic.listDevices();
    return { mic, unavailable: null };
  } catch (error) {
    return { mic: null, unavailable: `native recorder could not load: ${(error as Error).message}` };
  }
}
