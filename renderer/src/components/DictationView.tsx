/**
 * Dictation: record from the microphone, then transcribe the recording when the user stops. The host
 * captures natively when it can (Electron + pvrecorder); otherwise the page captures with getUserMedia
 * and streams the audio to the host. Live, word-by-word results come with the live-dictation engine;
 * this view shows what is honest today: a level meter while recording and the final text after.
 */
import { useEffect, useRef, useState } from 'react';
import type { DictationResult, StudioApi, StudioInfo } from '../../../main/common/ipc-contract';
import { emitAppEvent } from '../state/app-events';
import { formatClock } from '../state/transcript-edits';
import { startMicStream, type MicStream } from '../api/mic-stream';

type Phase = 'idle' | 'starting' | 'recording' | 'transcribing';

interface DictationViewProps {
  client: StudioApi;
  info: StudioInfo | null;
  engineReady: boolean;
  onOpenInEditor: (result: DictationResult) => void;
}

export function DictationView({ client, info, engineReady, onOpenInEditor }: DictationViewProps) {
  const [phase, setPhase] = useState<Phase>('idle');
  const [level, setLevel] = useState(0);
  const [startedAt, setStartedAt] = useState(0);
  const [now, setNow] = useState(0);
  const [result, setResult] = useState<DictationResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [device, setDevice] = useState(-1);
  const [deviceName, setDeviceName] = useState<string | null>(null);
  const stream = useRef<MicStream | null>(null);
  const native = info?.mic.source === 'native';

  // Tick the elapsed-time display while recording.
  useEffect(() => {
    if (phase !== 'recording') return;
    const timer = setInterval(() => setNow(performance.now()), 200);
    return () => clearInterval(timer);
  }, [phase]);

  // Host-side dictation events: the native level meter, and failures (e.g. the device was unplugged),
  // which end the session.
  useEffect(
    () =>
      client.onEvent((event) => {
        if (event.type === 'mic-level') {
          setLevel(event.level);
        } else if (event.type === 'dictation-error') {
          stream.current?.stop();
          stream.current = null;
          setError(event.error.message);
          setPhase('idle');
        }
      }),
    [client],
  );

  // Leaving the view while recording releases the microphone and the host session.
  useEffect(
    () => () => {
      if (stream.current) {
        stream.current.stop();
        stream.current = null;
        void client.cancelDictation().catch(() => {});
      }
    },
    [client],
  );

  const start = async () => {
    setError(null);
    setResult(null);
    setPhase('starting');
    try {
      if (native) {
        const started = await client.startDictation({ source: 'native', deviceIndex: device });
        setDeviceName(started.deviceName);
      } else {
        let hostReady = false;
        const mic = await startMicStream((samples) => {
          if (hostReady) client.sendDictationAudio(samples);
        }, setLevel);
        stream.current = mic;
        setDeviceName(mic.deviceName);
        try {
          await client.startDictation({ source: 'stream', sampleRate: mic.sampleRate });
        } catch (e) {
          mic.stop();
          stream.current = null;
          throw e;
        }
        hostReady = true;
      }
      setStartedAt(performance.now());
      setNow(performance.now());
      setPhase('recording');
    } catch (e) {
      setError((e as Error).message);
      setPhase('idle');
    }
  };

  const stop = async () => {
    stream.current?.stop();
    stream.current = null;
    setPhase('transcribing');
    setLevel(0);
    try {
      const done = await client.stopDictation();
      setResult(done);
      emitAppEvent('dictation-final', { words: done.transcript.words, text: done.transcript.text });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setPhase('idle');
    }
  };

  const recording = phase === 'recording';

  return (
    <section className="dictation" aria-label="Dictation" data-testid="dictation" data-phase={phase}>
      <header className="dictation-header">
        <h1>Dictation</h1>
        <span className="muted">
          {deviceName ?? (native ? 'Microphone captured by the app' : 'Browser / system microphone')}
        </span>
      </header>
      <div className="dictation-controls">
        <button
          type="button"
          className={`record-button ${recording ? 'recording' : ''}`}
          onClick={recording ? stop : start}
          disabled={phase === 'starting' || phase === 'transcribing' || (!engineReady && !recording)}
          aria-pressed={recording}
        >
          <span className="record-dot" aria-hidden="true" />
          {recording ? 'Stop' : phase === 'transcribing' ? 'Transcribing…' : 'Start dictation'}
        </button>
        {native && info && info.mic.devices.length > 0 && (
          <label className="device">
            <span className="muted">Microphone</span>
            <select
              value={device}
              onChange={(e) => setDevice(Number(e.target.value))}
              disabled={phase !== 'idle'}
            >
              <option value={-1}>System default</option>
              {info.mic.devices.map((d) => (
                <option key={d.index} value={d.index}>
                  {d.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <div
          className="meter"
          role="meter"
          aria-label="Input level"
          aria-valuemin={0}
          aria-valuemax={1}
          aria-valuenow={level}
        >
          <div className="meter-fill" style={{ transform: `scaleX(${recording ? level : 0})` }} />
        </div>
        <span className="clock" aria-live="off">
          {recording ? formatClock((now - startedAt) / 1000) : ''}
        </span>
      </div>
      {!engineReady && phase === 'idle' && (
        <p className="muted">Dictation is available once the model has loaded.</p>
      )}
      {error && (
        <div className="notice error" role="alert">
          {error}
        </div>
      )}
      <div className="dictation-result" data-testid="dictation-result" aria-live="polite">
        {result ? (
          <>
            <p className="dictation-text">
              {result.transcript.text || <span className="muted">(no words recognised)</span>}
            </p>
            <div className="dictation-words">
              {result.transcript.words.map((w, i) => (
                <span
                  key={i}
                  className="chip small"
                  data-testid="dictation-word"
                  data-start={w.start.toFixed(3)}
                  data-end={w.end.toFixed(3)}
                >
                  {w.word} <span className="muted">{formatClock(w.start)}</span>
                </span>
              ))}
            </div>
            <button type="button" className="secondary" onClick={() => onOpenInEditor(result)}>
              Open in editor
            </button>
          </>
        ) : (
          <p className="muted">
            {phase === 'recording' ? (
              'Listening… the text appears when you stop.'
            ) : phase === 'transcribing' ? (
              'Transcribing the recording…'
            ) : (
              <>
                Press <strong>Start dictation</strong>, speak, then <strong>Stop</strong>: the recording is
                transcribed when you stop.
              </>
            )}
          </p>
        )}
      </div>
    </section>
  );
}
