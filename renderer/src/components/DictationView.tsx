/**
 * Live dictation. Audio comes from the host's native recorder, the page's microphone (streamed to the
 * host), or an opened file played at real-time pace; the engine answers while the person speaks:
 * - partial results for the current utterance, the settled words plain and the unstable tail dimmed;
 * - a final per utterance (after a pause), appended to an editable document the user can correct and copy,
 *   with its spoken commands ("full stop", "new paragraph", "scratch that", …) carried out;
 * - at stop, the session's recording, which opens in the editor to replay against the waveform.
 * Ctrl/Cmd+Shift+Space starts and stops (Electron also registers it system-wide).
 */
import { useCallback, useEffect, useRef, useState, type Dispatch, type SetStateAction } from 'react';
import type {
  DictationResult,
  DictationStarted,
  DictationTarget,
  FileRef,
  StudioApi,
  StudioInfo,
  TextInsertionInfo,
} from '../../../main/common/ipc-contract';
import {
  applyUtterance,
  editDictation,
  EMPTY_DICTATION,
  SPOKEN_COMMANDS,
  type DictationDocument,
} from '../../../main/common/spoken-commands';
import { emitAppEvent } from '../state/app-events';
import { partialParts } from '../state/dictation';
import { formatClock } from '../state/transcript-edits';
import { usePunctuationSetting } from '../state/punctuation-setting';
import { utteranceText } from '../../../main/common/display-text';
import { PunctuationToggle } from './PunctuationToggle';
import { useDictationShortcut } from './dictation-shortcut';
import { LevelMeter } from './LevelMeter';
import { DictationCorrections, type DictationSentences } from './DictationCorrections';
import { useCapture } from './use-capture';

interface Partial {
  stable: string;
  tail: string;
}

interface DictationViewProps {
  client: StudioApi;
  info: StudioInfo | null;
  engineReady: boolean;
  /** Opened files, any of which can stand in for the microphone. */
  files: FileRef[];
  onOpenInEditor: (result: DictationResult) => void;
  /**
   * The document and the last session's recording, kept by the app: they outlive the view (another view
   * and back, or "Replay in the editor", must not lose them).
   */
  dictationDocument: DictationDocument;
  setDictationDocument: Dispatch<SetStateAction<DictationDocument>>;
  result: DictationResult | null;
  setResult: (result: DictationResult | null) => void;
  /** The last session's sentences and their corrections, kept by the app for the same reason. */
  sentences: DictationSentences;
  /** Opened by the dictation shortcut from another view: start at once (then `onAutoStart`). */
  autoStart: boolean;
  onAutoStart: () => void;
  /**
   * The session the host is running, whoever started it: one started in another window or before a
   * reload has no recording phase here, but Stop is offered for it all the same.
   */
  hostDictation: DictationStarted | null;
}

/** The microphone, or the id of a file to play instead. */
const MICROPHONE = 'microphone';

export function DictationView({
  client,
  info,
  engineReady,
  files,
  onOpenInEditor,
  dictationDocument,
  setDictationDocument,
  result,
  setResult,
  sentences,
  autoStart,
  onAutoStart,
  hostDictation,
}: DictationViewProps) {
  const [partial, setPartial] = useState<Partial | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const [device, setDevice] = useState(-1);
  const [source, setSource] = useState(MICROPHONE);
  const [typeInto, setTypeInto] = useState<DictationTarget>('studio');
  const [insertion, setInsertion] = useState<TextInsertionInfo | null>(null);
  // What this host can type into other applications with (asked again when the choice is opened).
  const checkInsertion = useCallback(() => {
    client
      .getTextInsertion()
      .then(setInsertion)
      .catch(() => setInsertion(null));
  }, [client]);
  useEffect(checkInsertion, [checkInsertion]);
  const native = info?.mic.source === 'native';
  const capture = useCapture(client, {
    native,
    onError: setError,
    // The file played to its end, or another window stopped the session: its result is shown here.
    onEndedElsewhere: (event) => {
      setPartial(null);
      if (event.result) {
        setResult(event.result);
        const { words, text } = event.result.transcript;
        emitAppEvent('dictation-final', { words, text });
      }
      if (event.reason !== 'source-ended')
        setError(event.error?.message ?? 'Dictation was stopped in another window.');
    },
  });
  const { phase, level, deviceName, seconds: clockSec } = capture;
  // The punctuation setting as the host event listener sees it (it is registered once).
  const [punctuation] = usePunctuationSetting();
  const punctuationRef = useRef(punctuation);
  useEffect(() => {
    punctuationRef.current = punctuation;
  }, [punctuation]);
  const documentRef = useRef<HTMLTextAreaElement | null>(null);

  // Host events: partial and final results, failures (the level and the session's end are the capture
  // hook's). A failure does not end the session: the recording so far is kept, and Stop finishes it.
  useEffect(
    () =>
      client.onEvent((event) => {
        switch (event.type) {
          case 'dictation-partial':
            setPartial(partialParts(event.words, event.stableWords));
            break;
          case 'dictation-final':
            setPartial(null);
            // Punctuation hook: the engine's punctuated final when the setting is on
            setDictationDocument((doc) =>
              applyUtterance(doc, utteranceText(doc.text, event, punctuationRef.current)),
            );
            emitAppEvent('dictation-segment', {
              text: event.text,
              displayText: event.displayText,
              words: event.words,
            });
            break;
          case 'dictation-error':
            setError(event.error.message);
            break;
        }
      }),
    [client, setDictationDocument],
  );

  const { start: startCapture, finish } = capture;
  const start = useCallback(async () => {
    setError(null);
    setResult(null);
    setPartial(null);
    setCopied(false);
    await startCapture({
      ...(source === MICROPHONE ? { deviceIndex: device } : { fileId: source }),
      // Typed text follows the punctuation setting, as the document does.
      ...(typeInto === 'focused-app' ? { typeInto, punctuate: punctuation } : {}),
    });
  }, [device, source, setResult, startCapture, typeInto, punctuation]);

  const stop = useCallback(async () => {
    const done = await finish(() => client.stopDictation());
    if (!done) return;
    setResult(done);
    setPartial(null);
    emitAppEvent('dictation-final', { words: done.transcript.words, text: done.transcript.text });
  }, [client, finish, setResult]);

  // Once per opening (React's development mode runs effects twice).
  const autoStarted = useRef(false);
  useEffect(() => {
    if (!autoStart || autoStarted.current) return;
    autoStarted.current = true;
    onAutoStart();
    void start();
  }, [autoStart, onAutoStart, start]);

  const toggle = useCallback(() => {
    if (phase === 'recording' || (phase === 'idle' && hostDictation)) void stop();
    else if (phase === 'idle' && engineReady) void start();
  }, [engineReady, hostDictation, phase, start, stop]);

  // The shortcut, in the window and (Electron) from anywhere on the system.
  useDictationShortcut(client, toggle);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(dictationDocument.text);
    } catch {
      // The async clipboard can be refused (permissions, no focus): copy the selected text instead.
      const area = documentRef.current;
      area?.select();
      document.execCommand('copy');
    }
    setCopied(true);
  };

  const recording = phase === 'recording';
  // The host dictates, but not for this view (another window, or this page before a reload).
  const elsewhere = phase === 'idle' && hostDictation !== null;
  const idleHint = (
    <>
      Press <strong>Start dictation</strong> (or <kbd>Ctrl</kbd>+<kbd>Shift</kbd>+<kbd>Space</kbd>) and speak:
      words appear as you talk, and each sentence is added below when you pause.
    </>
  );

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
          className={`record-button ${recording || elsewhere ? 'recording' : ''}`}
          onClick={recording || elsewhere ? stop : start}
          disabled={
            phase === 'starting' || phase === 'finishing' || (!engineReady && !recording && !elsewhere)
          }
          aria-pressed={recording || elsewhere}
          aria-keyshortcuts="Control+Shift+Space"
        >
          <span className="record-dot" aria-hidden="true" />
          {recording || elsewhere ? 'Stop' : phase === 'finishing' ? 'Finishing…' : 'Start dictation'}
        </button>
        <label className="device">
          <span className="muted">Input</span>
          <select value={source} onChange={(e) => setSource(e.target.value)} disabled={phase !== 'idle'}>
            <option value={MICROPHONE}>Microphone</option>
            {files.map((f) => (
              <option key={f.id} value={f.id}>
                File: {f.name}
              </option>
            ))}
          </select>
        </label>
        <label className="device">
          <span className="muted">Type into</span>
          <select
            value={typeInto}
            onChange={(e) => setTypeInto(e.target.value as DictationTarget)}
            onFocus={checkInsertion}
            disabled={phase !== 'idle'}
            data-testid="type-into"
          >
            <option value="studio">Speech Studio</option>
            <option value="focused-app" disabled={insertion?.method === 'none'}>
              The focused application
            </option>
          </select>
        </label>
        {native && source === MICROPHONE && info && info.mic.devices.length > 0 && (
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
        <LevelMeter level={level} active={recording} />
        <span className="clock" aria-live="off">
          {recording ? formatClock(clockSec) : ''}
        </span>
      </div>
      {typeInto === 'focused-app' && <TypeIntoNote insertion={insertion} />}
      {elsewhere && (
        <p className="muted" data-testid="dictation-elsewhere">
          Dictation is running ({hostDictation.deviceName}), started in another window or before this page was
          reloaded. Stop ends it and shows what was recorded.
        </p>
      )}
      {!engineReady && phase === 'idle' && !elsewhere && (
        <p className="muted">Dictation is available once the model has loaded.</p>
      )}
      {error && (
        <div className="notice error" role="alert">
          {error}
        </div>
      )}
      <div className="dictation-live" data-testid="dictation-partial" aria-live="off">
        {partial ? (
          <>
            <span className="stable">{partial.stable}</span> <span className="unstable">{partial.tail}</span>
          </>
        ) : (
          <span className="muted">
            {recording ? 'Listening…' : phase === 'idle' && !dictationDocument.text ? idleHint : ''}
          </span>
        )}
      </div>
      <label className="dictation-document-label">
        <span className="muted">Document (editable)</span>
        <textarea
          ref={documentRef}
          className="dictation-document"
          data-testid="dictation-document"
          value={dictationDocument.text}
          onChange={(e) => setDictationDocument((doc) => editDictation(doc, e.target.value))}
          rows={6}
          placeholder="Finished sentences collect here."
        />
      </label>
      <p className="spoken-commands muted" data-testid="spoken-commands">
        <span>Say:</span>
        {SPOKEN_COMMANDS.map((command) => (
          <span key={command.phrases[0]} className="spoken-command">
            {command.phrases.map((phrase, i) => (
              <span key={phrase}>
                {i > 0 && ' or '}
                <q>{phrase}</q>
              </span>
            ))}{' '}
            {command.does}
          </span>
        ))}
      </p>
      <PunctuationToggle />
      <div className="dictation-actions">
        <button type="button" className="secondary" onClick={copy} disabled={!dictationDocument.text}>
          {copied ? 'Copied' : 'Copy text'}
        </button>
        <button
          type="button"
          className="secondary"
          onClick={() => {
            setDictationDocument(EMPTY_DICTATION);
            setCopied(false);
          }}
          disabled={!dictationDocument.text || phase !== 'idle'}
        >
          Clear
        </button>
      </div>
      {result && (
        <div className="dictation-result" data-testid="dictation-result">
          <p className="muted">
            Recording kept: {formatClock(result.transcript.durationSec)} · {result.transcript.words.length}{' '}
            words
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
            Replay in the editor
          </button>
        </div>
      )}
      <DictationCorrections client={client} result={result} list={sentences} />
    </section>
  );
}

/** How finals reach other applications here, and what to install or allow when they cannot. */
function TypeIntoNote({ insertion }: { insertion: TextInsertionInfo | null }) {
  if (!insertion) return null;
  const how =
    insertion.method === 'none'
      ? `Typing into other applications is not available here: ${insertion.hint ?? 'no input tool was found'}.`
      : insertion.method === 'clipboard'
        ? `No typing tool was found (${insertion.hint}); each sentence is pasted through the clipboard, which is put back afterwards.`
        : `Each sentence is typed (${insertion.method}) into the application that has focus when dictation starts: switch to it and press Ctrl+Shift+Space.${insertion.hint ? ` For this, ${insertion.hint}.` : ''}`;
  return (
    <p className="muted" data-testid="type-into-note">
      {how} The text also stays in the document below.
    </p>
  );
}
