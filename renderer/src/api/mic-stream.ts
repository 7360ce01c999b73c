/**
 * The renderer-side microphone: getUserMedia → AudioWorklet → float frames handed to a callback (which
 * sends them to the host). Used in browser mode, and in Electron when the native recorder cannot load.
 */
import { frameMeterLevel } from '../../../main/common/audio-level';
import workletUrl from './mic-worklet.ts?worker&url';

export interface MicStream {
  sampleRate: number;
  deviceName: string;
  /** Stops capture and releases the device (idempotent). */
  stop(): void;
}

export class MicPermissionError extends Error {
  readonly code = 'MIC_DENIED';
}

/**
 * `onLost` is called if the device goes away while capturing (unplugged, revoked): capture has then
 * stopped, and whatever was sent so far is all there is.
 */
export async function startMicStream(
  onFrame: (samples: Float32Array) => void,
  onLevel: (level: number) => void,
  onLost: (deviceName: string) => void = () => {},
): Promise<MicStream> {
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false },
      video: false,
    });
  } catch (error) {
    const reason = error instanceof DOMException ? error.name : String(error);
    throw new MicPermissionError(
      reason === 'NotAllowedError'
        ? 'Microphone access was denied. Allow it in the browser or system settings and try again.'
        : reason === 'NotFoundError'
          ? 'No microphone was found. Connect one and try again.'
          : `The microphone could not be opened (${reason}).`,
    );
  }
  const context = new AudioContext();
  try {
    await context.audioWorklet.addModule(workletUrl);
  } catch (error) {
    stream.getTracks().forEach((t) => t.stop());
    await context.close();
    throw error;
  }
  const source = context.createMediaStreamSource(stream);
  const node = new AudioWorkletNode(context, 'studio-capture');
  // Connected to the output through a muted gain so the graph is pulled, without monitoring the mic.
  const mute = context.createGain();
  mute.gain.value = 0;
  source.connect(node).connect(mute).connect(context.destination);
  node.port.onmessage = (message: MessageEvent<Float32Array>) => {
    const samples = message.data;
    onFrame(samples);
    onLevel(frameMeterLevel(samples));
  };
  const [track] = stream.getAudioTracks();
  const deviceName = track?.label || 'microphone';
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    node.port.onmessage = null;
    source.disconnect();
    node.disconnect();
    stream.getTracks().forEach((t) => t.stop());
    void context.close();
  };
  // "ended" fires when the device disappears, not when we stop the track ourselves.
  track?.addEventListener('ended', () => {
    if (stopped) return;
    stop();
    onLost(deviceName);
  });
  return { sampleRate: context.sampleRate, deviceName, stop };
}
