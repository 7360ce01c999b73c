/**
 * Capture from the user's side, for every view that records (dictation, voice-profile enrollment): the
 * session's phase, the level meter (the host's `mic-level` events for native and file capture, the page's
 * own meter for its microphone), the device's name, the elapsed time, and the errors, told through
 * `onError`. `start` opens the microphone (native or the page's) or plays a file; `finish` stops the
 * page's stream before the host's call that ends the session (`stopDictation`, `saveEnrollment`), so its
 * last frames are sent first. Leaving the view while the page's microphone records discards the take.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type {
  DictationStarted,
  DictationStartRequest,
  StudioApi,
  StudioEvent,
} from '../../../main/common/ipc-contract';
import { startMicCapture } from '../api/capture';
import type { MicStream } from '../api/mic-stream';
import { useRecordingClock } from './recording-clock';

export type CapturePhase = 'idle' | 'starting' | 'recording' | 'finishing';

type DictationEnded = Extract<StudioEvent, { type: 'dictation-ended' }>;

export interface CaptureOptions {
  /** The host records with its native recorder (else the page's microphone is streamed to it). */
  native: boolean;
  /** A message for the user: a start that failed, a microphone that went away, a finish that failed. */
  onError: (message: string) => void;
  /** Our session ended without our `finish`: the file played to its end, or another window stopped it. */
  onEndedElsewhere?: (event: DictationEnded) => void;
}

/** What to capture: the microphone (`fileId` absent) or an opened file, and what the session is for. */
export type CaptureRequest = Pick<
  DictationStartRequest,
  'fileId' | 'deviceIndex' | 'typeInto' | 'punctuate' | 'enrollPrompt'
>;

export interface Capture {
  phase: CapturePhase;
  /** 0..1 on the meter's scale (main/common/audio-level.ts). */
  level: number;
  /** The device (or file) being recorded, once a start has said. */
  deviceName: string | null;
  /** Seconds since the recording started. */
  seconds: number;
  /** Starts a session; resolves with what the host started, or null when it failed (told through onError). */
  start: (request: CaptureRequest) => Promise<DictationStarted | null>;
  /** Ends the session with `end` (the host call that ends it); null when that failed (told through onError). */
  finish: <T>(end: () => Promise<T>) => Promise<T | null>;
}

export function useCapture(client: StudioApi, options: CaptureOptions): Capture {
  const [phase, setPhase] = useState<CapturePhase>('idle');
  const [level, setLevel] = useState(0);
  const [deviceName, setDeviceName] = useState<string | null>(null);
  const stream = useRef<MicStream | null>(null);
  // The phase and the callbacks as the host event listener (registered once) sees them.
  const phaseRef = useRef<CapturePhase>('idle');
  useEffect(() => {
    phaseRef.current = phase;
  }, [phase]);
  const optionsRef = useRef(options);
  useEffect(() => {
    optionsRef.current = options;
  });
  const { seconds, start: startClock } = useRecordingClock(phase === 'recording');

  const releaseStream = useCallback(() => {
    stream.current?.stop();
    stream.current = null;
    setLevel(0);
  }, []);

  useEffect(
    () =>
      client.onEvent((event) => {
        if (event.type === 'mic-level') setLevel(event.level);
        // Our own finish has moved on from 'recording' before the host says the session ended.
        else if (event.type === 'dictation-ended' && phaseRef.current === 'recording') {
          releaseStream();
          setPhase('idle');
          optionsRef.current.onEndedElsewhere?.(event);
        }
      }),
    [client, releaseStream],
  );

  // Leaving the view while the page's microphone records releases it and the host's session.
  useEffect(
    () => () => {
      if (!stream.current) return;
      stream.current.stop();
      stream.current = null;
      void client.cancelDictation().catch(() => {});
    },
    [client],
  );

  const start = useCallback(
    async (request: CaptureRequest): Promise<DictationStarted | null> => {
      setPhase('starting');
      try {
        let started: DictationStarted;
        if (request.fileId !== undefined) {
          started = await client.startDictation({ ...request, source: 'file' });
        } else {
          const session = await startMicCapture(
            client,
            optionsRef.current.native,
            request,
            setLevel,
            (name) => {
              stream.current = null;
              setLevel(0);
              optionsRef.current.onError(
                `The microphone "${name}" stopped delivering audio (was it unplugged?). What was recorded so far is kept: press Stop to finish.`,
              );
            },
          );
          stream.current = session.stream;
          started = { ...session.started, deviceName: session.deviceName };
        }
        setDeviceName(started.deviceName);
        startClock();
        setPhase('recording');
        return started;
      } catch (e) {
        optionsRef.current.onError((e as Error).message);
        setPhase('idle');
        return null;
      }
    },
    [client, startClock],
  );

  const finish = useCallback(
    async <T>(end: () => Promise<T>): Promise<T | null> => {
      releaseStream();
      setPhase('finishing');
      try {
        return await end();
      } catch (e) {
        optionsRef.current.onError((e as Error).message);
        return null;
      } finally {
        setPhase('idle');
      }
    },
    [releaseStream],
  );

  return { phase, level, deviceName, seconds, start, finish };
}
