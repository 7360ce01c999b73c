/**
 * Starts a microphone session on the host through the dictation channels, the way the app captures
 * everywhere (dictation, voice-profile enrollment): the host's native recorder when it has one, else the
 * page's microphone streamed to the host. The level comes from the page's own meter for a stream; for
 * native capture the host sends `mic-level` events.
 */
import type { DictationStarted, DictationTarget, StudioApi } from '../../../main/common/ipc-contract';
import { startMicStream, type MicStream } from './mic-stream';

export interface CaptureSession {
  started: DictationStarted;
  /** The page's stream, when the page captures (stop it before asking the host to stop). */
  stream: MicStream | null;
  deviceName: string;
}

/** `onLost`: the page's microphone went away mid-session (native capture reports it as a host event). */
export async function startMicCapture(
  client: StudioApi,
  native: boolean,
  deviceIndex: number,
  onLevel: (level: number) => void,
  onLost: (deviceName: string) => void = () => {},
  typeInto: DictationTarget = 'studio',
): Promise<CaptureSession> {
  const target = typeInto === 'focused-app' ? { typeInto } : {};
  if (native) {
    const started = await client.startDictation({ source: 'native', deviceIndex, ...target });
    return { started, stream: null, deviceName: started.deviceName };
  }
  let hostReady = false;
  const mic = await startMicStream(
    (samples) => {
      if (hostReady) client.sendDictationAudio(samples);
    },
    onLevel,
    onLost,
  );
  try {
    const started = await client.startDictation({ source: 'stream', sampleRate: mic.sampleRate, ...target });
    hostReady = true;
    return { started, stream: mic, deviceName: mic.deviceName };
  } catch (e) {
    mic.stop();
    throw e;
  }
}
