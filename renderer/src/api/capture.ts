/**
 * Starts a microphone session on the host through the dictation channels, the way the app captures
 * everywhere (dictation, voice-profile enrollment; see components/use-capture.ts): the host's native
 * recorder when it has one, else the page's microphone streamed to the host. The level comes from the
 * page's own meter for a stream; for native capture the host sends `mic-level` events.
 */
import type { DictationStarted, DictationStartRequest, StudioApi } from '../../../main/common/ipc-contract';
import { startMicStream, type MicStream } from './mic-stream';

export interface CaptureSession {
  started: DictationStarted;
  /** The page's stream, when the page captures (stop it before asking the host to stop). */
  stream: MicStream | null;
  deviceName: string;
}

/**
 * `request`: the device (native), where finals are typed, or the enrollment prompt recorded.
 * `onLost`: the page's microphone went away mid-session (native capture reports it as a host event).
 */
export async function startMicCapture(
  client: StudioApi,
  native: boolean,
  request: Pick<DictationStartRequest, 'deviceIndex' | 'typeInto' | 'punctuate' | 'enrollPrompt'>,
  onLevel: (level: number) => void,
  onLost: (deviceName: string) => void = () => {},
): Promise<CaptureSession> {
  const { deviceIndex, ...purpose } = request;
  if (native) {
    const started = await client.startDictation({
      ...purpose,
      source: 'native',
      deviceIndex: deviceIndex ?? -1,
    });
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
    const started = await client.startDictation({ ...purpose, source: 'stream', sampleRate: mic.sampleRate });
    hostReady = true;
    return { started, stream: mic, deviceName: mic.deviceName };
  } catch (e) {
    mic.stop();
    throw e;
  }
}
