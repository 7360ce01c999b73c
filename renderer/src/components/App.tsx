/**
 * The studio window: toolbar, notices, the file queue with the waveform and transcript editor of the
 * selected file, the dictation view and the status bar. State lives in one reducer; the host is reached
 * only through the StudioApi it is given.
 */
import {
  useCallback,
  useEffect,
  useMemo,
  useReducer,
  useRef,
  useState,
  type DragEvent,
  type SetStateAction,
} from 'react';
import type {
  BatchAdded,
  CueTime,
  AddedFile,
  DictationResult,
  DroppedFile,
  FileRef,
  ProjectOp,
  StudioApi,
  StudioEvent,
} from '../../../main/common/ipc-contract';
import { toCsv, type SortKey } from '../../../main/common/evaluation';
import type { DictationDocument } from '../../../main/common/spoken-commands';
import { withoutDisplayText } from '../../../main/common/display-text';
import type { ExportFormat, Transcript } from '../../../main/common/transcript';
import { editedCues, exportContent, shownWords as wordsAsShown } from '../state/cue-edits';
import { usePunctuationSetting } from '../state/punctuation-setting';
import { PunctuationToggle } from './PunctuationToggle';
import { emitAppEvent } from '../state/app-events';
import {
  alignmentMarks,
  batchProgress,
  evaluationSummary,
  finishedResults,
  isFailed,
  itemScore,
  matchManifest,
  sortItems,
  wordErrors,
} from '../state/evaluation';
import { dictationTooLong, wordAt } from '../../../main/common/project-ops';
import { ProjectUpdates, replayable, takePreviousSnapshot, takeUnsent } from '../state/autosave';
import { initialState, reducer, type Item } from '../state/studio-state';
import { formatClock, formatDuration, wordIndexAt } from '../state/transcript-edits';
import { AlignmentStrip } from './AlignmentStrip';
import { CueView } from './CueView';
import { useDictationSentences } from './DictationCorrections';
import { DictationView } from './DictationView';
import { useDictationShortcut } from './dictation-shortcut';
import { RunOn } from './RunOn';
import { VoiceProfileView } from './VoiceProfileView';
import { EvalPanel } from './EvalPanel';
import { ExportMenu } from './ExportMenu';
import { Notices } from './Notices';
import { Queue } from './Queue';
import { StatusBar } from './StatusBar';
import { TranscriptEditor } from './TranscriptEditor';
import { learnFromEdit } from '../state/learn-from-edit';
import { Waveform, type PlayerHandle } from './Waveform';

type View = 'files' | 'dictation' | 'voice';
/** The selected file as text (paragraphs) or as subtitle cues. */
type EditorView = 'transcript' | 'cues';

/** The server is gone or refuses this page's token: shown by the connection notice, not per request. */
function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'DISCONNECTED' || code === 'UNAUTHORIZED';
}

/** The browser's local storage, where the page keeps what the host has not confirmed (null if refused). */
function browserStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

function isTextTarget(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return (
    !!el &&
    (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable)
  );
}

function baseName(name: string): string {
  return name.replace(/\.[^.]+$/, '') || name;
}

export function App({ client }: { client: StudioApi }) {
  const [punctuation] = usePunctuationSetting();
  const punctuated = useCallback((t: Transcript) => (punctuation ? t : withoutDisplayText(t)), [punctuation]);
  const [state, dispatch] = useReducer(reducer, initialState);
  const [view, setView] = useState<View>('files');
  const [dragging, setDragging] = useState(false);
  const [time, setTime] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [selectedWord, setSelectedWord] = useState(-1);
  const [editorView, setEditorView] = useState<EditorView>('transcript');
  const player = useRef<PlayerHandle>(null);

  const notifyError = useCallback((error: unknown) => {
    dispatch({
      type: 'notice',
      kind: 'error',
      message: error instanceof Error ? error.message : String(error),
    });
  }, []);

  // Stable, so that a re-render does not restart the timers of the notices that dismiss themselves.
  const dismissNotice = useCallback((id: number) => dispatch({ type: 'dismiss', id }), []);

  // ---- Saving: what the user does to the project, sent to the host as operations (state/autosave.ts) ---
  const [unsaved, setUnsaved] = useState(0);
  /** How many requests the host has confirmed (each one announced as `project-saved`). */
  const [confirmed, setConfirmed] = useState(0);
  /** The selection as the host has it (or has been sent). */
  const hostSelection = useRef<string | null>(null);
  const updates = useMemo(
    () =>
      new ProjectUpdates({
        send: (ops) => client.updateProject(ops),
        storage: browserStorage(),
        onPending: setUnsaved,
        onSent: () => setConfirmed((n) => n + 1),
        // A lost or restarted server is shown once, in the notices and the status bar, not per save.
        onError: (error) => {
          if (!isConnectionError(error)) notifyError(error);
        },
      }),
    [client, notifyError],
  );
  /** Applies what the user did here and sends it to the host. */
  const act = useCallback(
    (op: ProjectOp) => {
      dispatch({ type: 'project-op', op });
      updates.push([op]);
    },
    [updates],
  );

  // ---- Host connection: info, events, the saved project ------------------------------------------------
  useEffect(() => {
    const off = client.onEvent((event: StudioEvent) => {
      // Dictation events are the dictation view's own business.
      if (event.type !== 'mic-level' && event.type !== 'dictation-error')
        dispatch({ type: 'host-event', event });
    });
    return off;
  }, [client]);

  // Info and the saved project: at start, and again when the server comes back if it was not there then.
  const connected = state.connection === 'ok';
  const loading = useRef(false);
  useEffect(() => {
    if (!connected || state.projectLoaded || loading.current) return;
    loading.current = true;
    client
      .getInfo()
      .then((info) => dispatch({ type: 'info', info }))
      .catch((error: unknown) => {
        if (!isConnectionError(error)) notifyError(error);
      });
    client
      .loadProject()
      .then(async (loaded) => {
        dispatch({ type: 'project-loaded', project: loaded });
        hostSelection.current = loaded.selectedId;
        // What a previous page load did that the host never confirmed (it was killed, or restarted with
        // a new token) is replayed here and sent again.
        // (Or the whole project the previous version kept, as operations: an update loses nothing.)
        const kept = takeUnsent(browserStorage()) ?? takePreviousSnapshot(browserStorage());
        const { ops, dropped } = kept ? replayable(loaded, kept) : { ops: [], dropped: [] };
        for (const op of ops) dispatch({ type: 'project-op', op });
        updates.push(ops);
        const restored = ops.filter((op) => op.type !== 'select').length;
        if (restored > 0) {
          const message = 'Restored edits the studio server had not saved.';
          dispatch({ type: 'notice', kind: 'info', message });
          emitAppEvent('edits-restored', { operations: restored, message });
        }
        if (dropped.length)
          notifyError(
            `${dropped.length} file(s) added just before the studio server stopped were not saved; add them again: ${dropped.join(', ')}`,
          );
        // Files the host is still working on (a batch resumed after a restart, or another window's).
        dispatch({ type: 'queue-state', queue: await client.getQueue() });
      })
      .catch((error: unknown) => {
        // No server (or one that refuses this page): load nothing, and so save nothing over the kept edits.
        loading.current = false;
        if (isConnectionError(error)) return;
        notifyError(error);
        dispatch({ type: 'project-loaded', project: { version: 1, items: [], selectedId: null } });
      });
  }, [client, notifyError, connected, state.projectLoaded, updates]);

  // Selection changes with what the user does (a click, an added file, a removal): the host follows it.
  useEffect(() => {
    if (!state.projectLoaded || state.selectedId === hostSelection.current) return;
    hostSelection.current = state.selectedId;
    updates.push([{ type: 'select', fileId: state.selectedId }]);
  }, [updates, state.projectLoaded, state.selectedId]);
  // Back in touch with the server: what it has not confirmed is sent again.
  useEffect(() => {
    if (connected) updates.flush();
  }, [updates, connected]);

  // ---- Named app events for automation: model ready, transcripts final/failed --------------------------
  const engineState = state.engine?.state ?? 'starting';
  useEffect(() => {
    document.documentElement.dataset.engineState = engineState;
    if (engineState === 'ready') {
      emitAppEvent('model-ready', {
        modelName: state.engine?.modelName ?? null,
        backend: state.engine?.backend?.label ?? null,
      });
    }
  }, [engineState, state.engine?.modelName, state.engine?.backend?.label]);

  const announced = useRef(new Map<string, Transcript | string>());
  useEffect(() => {
    for (const item of state.items) {
      const key =
        item.status === 'done'
          ? item.transcript
          : item.status === 'error'
            ? `${item.error?.code}:${item.jobId}`
            : null;
      if (!key || announced.current.get(item.file.id) === key) continue;
      announced.current.set(item.file.id, key);
      if (item.status === 'done' && item.transcript) {
        emitAppEvent('transcript-final', {
          fileId: item.file.id,
          name: item.file.name,
          words: item.transcript.words,
        });
      } else if (item.error) {
        emitAppEvent('transcript-failed', { fileId: item.file.id, name: item.file.name, ...item.error });
      }
    }
  }, [state.items]);

  // ---- Files -----------------------------------------------------------------------------------------
  const transcribe = useCallback(
    (fileId: string) => {
      client
        .transcribe(fileId)
        .then((ticket) => dispatch({ type: 'job-started', fileId, jobId: ticket.jobId }))
        .catch(notifyError);
    },
    [client, notifyError],
  );

  /** Files added here become part of the host's project (with what a folder or manifest said of them). */
  const addToProject = useCallback(
    (files: AddedFile[], refs: readonly FileRef[]) =>
      updates.push([{ type: 'add-files', files }], Object.fromEntries(refs.map((ref) => [ref.id, ref.name]))),
    [updates],
  );

  const addFiles = useCallback(
    async (pick: () => Promise<Awaited<ReturnType<StudioApi['openFiles']>>>) => {
      try {
        const files = await pick();
        if (files.length === 0) return;
        setView('files');
        dispatch({ type: 'files-added', files });
        addToProject(
          files.map((file) => ({ fileId: file.id })),
          files,
        );
        for (const file of files) transcribe(file.id);
      } catch (error) {
        notifyError(error);
      }
    },
    [transcribe, notifyError, addToProject],
  );

  const openFiles = useCallback(() => void addFiles(() => client.openFiles()), [addFiles, client]);

  // ---- Batches: a folder or a manifest, with references --------------------------------------------------
  const itemsRef = useRef(state.items);
  useEffect(() => {
    itemsRef.current = state.items;
  });
  // Announced for automation once the host has confirmed a request (state/autosave.ts).
  useEffect(() => {
    if (confirmed > 0) emitAppEvent('project-saved', { items: itemsRef.current.length });
  }, [confirmed]);
  const addBatch = useCallback(
    async (pick: () => Promise<BatchAdded | null>) => {
      try {
        const added = await pick();
        if (!added) return;
        setView('files');
        let references: Map<string, string> | undefined;
        if (added.unmatched.length > 0) {
          const { matches, missing } = matchManifest(itemsRef.current, added.unmatched);
          references = matches;
          dispatch({
            type: 'notice',
            kind: missing.length ? 'error' : 'info',
            message:
              `${added.set}: references for ${matches.size} file(s) in the project` +
              (missing.length
                ? `; ${missing.length} listed file(s) are not in the project (add their folder first): ` +
                  missing.slice(0, 5).join(', ') +
                  (missing.length > 5 ? ', …' : '')
                : ''),
          });
        }
        dispatch({ type: 'batch-added', added, references });
        addToProject(
          [
            ...added.files.map((f) => ({
              fileId: f.file.id,
              reference: f.reference,
              set: added.set,
              path: f.path,
            })),
            ...[...(references ?? [])].map(([fileId, reference]) => ({ fileId, reference, set: added.set })),
          ],
          added.files.map((f) => f.file),
        );
        for (const warning of added.warnings) dispatch({ type: 'notice', kind: 'info', message: warning });
        const done = new Set(itemsRef.current.filter((i) => i.transcript).map((i) => i.file.id));
        for (const { file } of added.files) if (!done.has(file.id)) transcribe(file.id);
      } catch (error) {
        notifyError(error);
      }
    },
    [transcribe, notifyError, addToProject],
  );
  const openFolder = useCallback(() => void addBatch(() => client.openFolder()), [addBatch, client]);
  const openManifest = useCallback(() => void addBatch(() => client.openManifest()), [addBatch, client]);

  const [sortKey, setSortKey] = useState<SortKey>('input');
  const sortedItems = useMemo(() => sortItems(state.items, sortKey), [state.items, sortKey]);
  const progress = useMemo(() => batchProgress(state.items, state.rate), [state.items, state.rate]);
  const hasReferences = state.items.some((i) => i.reference !== null);
  const summary = useMemo(() => evaluationSummary(state.items), [state.items]);

  const pauseQueue = useCallback(
    (paused: boolean) => void client.pauseQueue(paused).catch(notifyError),
    [client, notifyError],
  );
  const cancelAll = useCallback(() => {
    // Waiting files first, so that cancelling the running one does not start the next.
    const busy = itemsRef.current.filter((i) => i.jobId && (i.status === 'queued' || i.status === 'running'));
    const ordered = [
      ...busy.filter((i) => i.status === 'queued'),
      ...busy.filter((i) => i.status === 'running'),
    ];
    void (async () => {
      for (const item of ordered) await client.cancel(item.jobId!).catch(notifyError);
    })();
  }, [client, notifyError]);
  const retryFailed = useCallback(() => {
    for (const item of itemsRef.current) if (isFailed(item)) transcribe(item.file.id);
  }, [transcribe]);

  const exportAll = useCallback(
    async (format: ExportFormat) => {
      const used = new Set<string>();
      const files = itemsRef.current
        .filter((i) => i.transcript)
        .map((i) => {
          // Flattened path inside the set, so that same-named files in different folders stay apart.
          // No leading dot either: the host refuses to write hidden files.
          const stem =
            baseName((i.path ?? i.file.name).replace(/[/\\]/g, '__')).replace(/^\.+/, '') || 'audio';
          let name = `${stem}.${format}`;
          for (let n = 2; used.has(name); n++) name = `${stem}-${n}.${format}`;
          used.add(name);
          return {
            name,
            content: exportContent(punctuated(i.transcript!), i.edits, i.cueTimes, format, i.file.name),
          };
        });
      try {
        const result = await client.saveExports({ files });
        if (result.saved) {
          dispatch({
            type: 'notice',
            kind: 'info',
            message: `Exported ${files.length} files (${result.location})`,
          });
          emitAppEvent('exported', { format, name: `${files.length} files` });
        }
      } catch (error) {
        notifyError(error);
      }
    },
    [client, notifyError, punctuated],
  );
  const exportCsv = useCallback(async () => {
    const results = finishedResults(sortItems(itemsRef.current, sortKey));
    const { sets, total } = evaluationSummary(itemsRef.current);
    try {
      const result = await client.saveExport({
        suggestedName: 'summary.csv',
        format: 'csv',
        content: toCsv(results, sets, total),
      });
      if (result.saved) {
        dispatch({ type: 'notice', kind: 'info', message: `Exported ${result.location ?? 'summary.csv'}` });
        emitAppEvent('exported', { format: 'csv', name: 'summary.csv' });
      }
    } catch (error) {
      notifyError(error);
    }
  }, [client, notifyError, sortKey]);
  const dropFiles = useCallback(
    (files: readonly DroppedFile[]) => void addFiles(() => client.addFiles(files)),
    [addFiles, client],
  );

  const selected: Item | undefined = state.items.find((i) => i.file.id === state.selectedId);
  // Punctuation hook: with the setting off, the transcript is shown and exported as the recogniser spelt it
  const selectedTranscript = selected?.transcript;
  const transcript = useMemo(
    () => (selectedTranscript ? punctuated(selectedTranscript) : null),
    [selectedTranscript, punctuated],
  );
  const edits = useMemo(() => selected?.edits ?? {}, [selected?.edits]);
  const shownWords = useMemo(() => (transcript ? wordsAsShown(transcript, edits) : []), [transcript, edits]);
  const activeIndex = useMemo(() => {
    const i = wordIndexAt(shownWords, time);
    return i >= 0 && time <= shownWords[i].end + 0.05 ? i : -1;
  }, [shownWords, time]);

  const seekToWord = useCallback(
    (index: number) => {
      const word = shownWords[index];
      if (!word) return;
      setSelectedWord(index);
      player.current?.seek(word.start);
    },
    [shownWords],
  );

  // Evaluation of the selected file: its alignment placed on the audio, errors marked on the waveform.
  const score = selected ? itemScore(selected) : undefined;
  const marks = useMemo(
    () => (score && transcript ? alignmentMarks(score, transcript.words) : []),
    [score, transcript],
  );
  const wordErrorMarks = useMemo(
    () => (score && transcript ? wordErrors(marks, transcript.words.length) : undefined),
    [marks, score, transcript],
  );
  const seekToTime = useCallback((time: number) => {
    setSelectedWord(-1);
    player.current?.seek(time);
  }, []);
  const seekToMark = useCallback(
    (time: number, wordIndex: number) => (wordIndex >= 0 ? seekToWord(wordIndex) : seekToTime(time)),
    [seekToWord, seekToTime],
  );

  const selectedId = selected?.file.id;
  const selectedEdits = selected?.edits;
  const editWord = useCallback(
    (index: number, text: string) => {
      if (!selectedId || !selectedTranscript) return;
      act({ type: 'edit-word', fileId: selectedId, word: wordAt(selectedTranscript, index), text });
      // The corrected segment's audio and text can teach the recogniser (the voice profile's setting).
      if (transcript && selectedEdits)
        learnFromEdit(client, selectedId, transcript, selectedEdits, index, text);
    },
    [client, selectedId, selectedTranscript, transcript, selectedEdits, act],
  );

  // The cue view: the cues of the words as shown, with the times set there.
  const cueTimes = useMemo(() => selected?.cueTimes ?? {}, [selected?.cueTimes]);
  const cues = useMemo(
    () => (editorView === 'cues' ? editedCues(shownWords, cueTimes) : []),
    [editorView, shownWords, cueTimes],
  );
  const setCueTime = useCallback(
    (firstWord: number, time: CueTime | null) => {
      if (selectedId && selectedTranscript)
        act({ type: 'cue-time', fileId: selectedId, word: wordAt(selectedTranscript, firstWord), time });
    },
    [selectedId, selectedTranscript, act],
  );

  // The player stays at the top of the editor while the transcript scrolls under it; words scrolled into
  // view (keyboard, seeks) must land below it, not behind it.
  const playerRef = useRef<HTMLDivElement>(null);
  const [playerHeight, setPlayerHeight] = useState(0);
  useEffect(() => {
    const element = playerRef.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setPlayerHeight(element.offsetHeight));
    observer.observe(element);
    return () => observer.disconnect();
  }, [selected?.file.id]);

  const exportAs = useCallback(
    async (format: ExportFormat) => {
      if (!selected?.transcript) return;
      const content = exportContent(
        punctuated(selected.transcript),
        selected.edits,
        selected.cueTimes,
        format,
        selected.file.name,
      );
      const suggestedName = `${baseName(selected.file.name)}.${format}`;
      try {
        const result = await client.saveExport({ suggestedName, format, content });
        if (result.saved) {
          dispatch({ type: 'notice', kind: 'info', message: `Exported ${result.location ?? suggestedName}` });
          emitAppEvent('exported', { format, name: suggestedName });
        }
      } catch (error) {
        notifyError(error);
      }
    },
    [client, selected, notifyError, punctuated],
  );

  const dictationFiles = useMemo(() => state.items.map((i) => i.file), [state.items]);
  // The dictation document and recording live here, not in the view: switching views keeps them. The
  // document is part of the project state, so it is saved with the project and survives a reload.
  const dictationDocument = state.dictationDocument;
  // The newest document, ahead of the render that shows it: an update is applied to it here, so that the
  // host is sent exactly what the page shows.
  const latestDocument = useRef(dictationDocument);
  useEffect(() => {
    latestDocument.current = dictationDocument;
  }, [dictationDocument]);
  const setDictationDocument = useCallback(
    (next: SetStateAction<DictationDocument>) => {
      const document = typeof next === 'function' ? next(latestDocument.current) : next;
      if (document === latestDocument.current) return;
      latestDocument.current = document;
      // Past the host's limit the document stays on the page, unsaved, and the user is told (once).
      const tooLong = dictationTooLong(document);
      if (tooLong) {
        dispatch({ type: 'project-op', op: { type: 'dictation', document } });
        dispatch({ type: 'notice', kind: 'error', message: tooLong });
      } else act({ type: 'dictation', document });
    },
    [act],
  );
  const [dictationResult, setDictationResult] = useState<DictationResult | null>(null);
  const dictationSentences = useDictationSentences(client);
  // The dictation shortcut in another view (or, in Electron, from another application) opens the dictation
  // view and starts there; in the dictation view, the view itself handles it.
  const [dictationAutoStart, setDictationAutoStart] = useState(false);
  const clearDictationAutoStart = useCallback(() => setDictationAutoStart(false), []);
  const openDictation = useCallback(() => {
    setView('dictation');
    setDictationAutoStart(engineState === 'ready');
  }, [engineState]);
  useDictationShortcut(client, view === 'dictation' ? null : openDictation);
  // Stop from the status bar, for a session running while another view is shown: its result opens in
  // the dictation view.
  const stopHostDictation = useCallback(() => {
    client
      .stopDictation()
      .then((result) => {
        setDictationResult(result);
        setView('dictation');
        emitAppEvent('dictation-final', { words: result.transcript.words, text: result.transcript.text });
      })
      .catch(notifyError);
  }, [client, notifyError]);
  // The vocabulary's unsaved text lives here too, so that switching views keeps it.
  const [vocabularyDraft, setVocabularyDraft] = useState<string | null>(null);
  const openDictationInEditor = useCallback(
    (result: DictationResult) => {
      dispatch({ type: 'files-added', files: [result.file] });
      // The host kept the transcript it made of the recording: the project gets it from there.
      addToProject([{ fileId: result.file.id }], [result.file]);
      dispatch({
        type: 'host-event',
        event: {
          type: 'job-done',
          jobId: 'dictation',
          fileId: result.file.id,
          transcript: result.transcript,
        },
      });
      setView('files');
    },
    [addToProject],
  );

  // Switching files starts at the beginning with no word selected.
  const selectFile = useCallback((fileId: string) => {
    dispatch({ type: 'project-op', op: { type: 'select', fileId } });
    setSelectedWord(-1);
    setTime(0);
    setPlaying(false);
  }, []);

  // ---- Keyboard: Ctrl/Cmd+O open, Space play/pause, ←/→ previous/next word ------------------------------
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'o') {
        event.preventDefault();
        openFiles();
        return;
      }
      if (view !== 'files' || isTextTarget(event.target) || event.ctrlKey || event.metaKey || event.altKey)
        return;
      if (event.key === ' ') {
        event.preventDefault();
        player.current?.playPause();
      } else if ((event.key === 'ArrowRight' || event.key === 'ArrowLeft') && shownWords.length > 0) {
        event.preventDefault();
        const from = selectedWord >= 0 ? selectedWord : Math.max(0, activeIndex);
        const next =
          event.key === 'ArrowRight'
            ? Math.min(shownWords.length - 1, selectedWord < 0 ? from : from + 1)
            : Math.max(0, from - 1);
        seekToWord(next);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [openFiles, view, shownWords.length, selectedWord, activeIndex, seekToWord]);

  // ---- Drag and drop anywhere in the window ------------------------------------------------------------
  const onDragOver = (event: DragEvent) => {
    if (!event.dataTransfer.types.includes('Files')) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    setDragging(true);
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const files = Array.from(event.dataTransfer.files);
    if (files.length > 0) dropFiles(files);
  };

  const running = state.items.filter((i) => i.status === 'running' || i.status === 'queued').length;
  const queueText = running > 0 ? `Transcribing ${running} file${running === 1 ? '' : 's'}` : null;
  const engineReady = engineState === 'ready';

  return (
    <div
      className="app"
      data-project={!state.projectLoaded ? 'loading' : unsaved === 0 ? 'saved' : 'unsaved'}
      onDragOver={onDragOver}
      onDragLeave={(e) => {
        if (e.currentTarget === e.target) setDragging(false);
      }}
      onDrop={onDrop}
    >
      <header className="toolbar">
        <div className="brand" aria-label="Speech Studio">
          <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
            <rect x="2" y="9" width="3" height="6" rx="1.5" />
            <rect x="7" y="5" width="3" height="14" rx="1.5" />
            <rect x="12" y="2" width="3" height="20" rx="1.5" />
            <rect x="17" y="7" width="3" height="10" rx="1.5" />
          </svg>
          <span>Speech Studio</span>
        </div>
        {/* A segmented switch (toggle buttons), so Tab and Enter/Space are all it takes. */}
        <div className="tabs" role="group" aria-label="View">
          <button type="button" aria-pressed={view === 'files'} onClick={() => setView('files')}>
            Files
          </button>
          <button type="button" aria-pressed={view === 'dictation'} onClick={() => setView('dictation')}>
            Dictation
          </button>
          <button type="button" aria-pressed={view === 'voice'} onClick={() => setView('voice')}>
            Voice profile
          </button>
        </div>
        <button type="button" className="primary" onClick={openFiles} title="Open audio files (Ctrl+O)">
          Open files…
        </button>
        <button
          type="button"
          className="secondary"
          onClick={openFolder}
          title="Add a folder: its audio files (subfolders too), each with the .txt beside it as its reference"
        >
          Add folder…
        </button>
        <button
          type="button"
          className="secondary"
          onClick={openManifest}
          title="Add a reference manifest (TSV: audio path, tab, transcript)"
        >
          Add manifest…
        </button>
        <RunOn
          key={state.info?.queueUrl ?? 'local'}
          client={client}
          queueUrl={state.info?.queueUrl ?? null}
        />
      </header>

      {/* Always rendered: the grid's rows are toolbar, notices, content, status bar. */}
      <div className="notices">
        {state.connection !== 'ok' && (
          <div className="notice error" role="alert" data-testid="connection-lost">
            <span className="notice-text">
              {state.connection === 'unauthorized' ? (
                <>
                  <strong>The studio server was restarted.</strong> Open the new link that{' '}
                  <code>npm run web</code> printed (in this tab or another): edits not saved yet are kept in
                  this browser and restored there.
                </>
              ) : (
                <>
                  <strong>The studio server cannot be reached.</strong> Reconnecting… Edits are kept in this
                  browser until it is back.
                </>
              )}
            </span>
          </div>
        )}
        {state.engine?.state === 'failed' && (
          <div className="notice error" role="alert" data-testid="engine-failed">
            <span className="notice-text">
              <strong>The speech engine is unavailable.</strong> {state.engine.message}
            </span>
          </div>
        )}
        <Notices notices={state.notices} onDismiss={dismissNotice} />
      </div>

      <main className="content">
        {view === 'voice' ? (
          <VoiceProfileView
            client={client}
            info={state.info}
            engineReady={engineReady}
            items={state.items}
            vocabularyDraft={vocabularyDraft}
            setVocabularyDraft={setVocabularyDraft}
          />
        ) : view === 'dictation' ? (
          <DictationView
            client={client}
            info={state.info}
            engineReady={engineReady}
            files={dictationFiles}
            onOpenInEditor={openDictationInEditor}
            dictationDocument={dictationDocument}
            setDictationDocument={setDictationDocument}
            result={dictationResult}
            setResult={setDictationResult}
            sentences={dictationSentences}
            autoStart={dictationAutoStart}
            onAutoStart={clearDictationAutoStart}
            hostDictation={state.dictation}
          />
        ) : state.items.length === 0 ? (
          <div className="empty-state" data-testid="empty-state">
            <svg viewBox="0 0 64 64" width="72" height="72" aria-hidden="true">
              <path d="M8 32h6M18 22v20M26 14v36M34 24v16M42 18v28M50 28v8M56 32h0" />
            </svg>
            <h1>Transcribe audio with word timings</h1>
            <p>
              Drop audio files here, or{' '}
              <button type="button" className="link-button" onClick={openFiles}>
                open files
              </button>{' '}
              (Ctrl+O). WAV, FLAC, MP3 and OGG are supported; several files go to a queue.
            </p>
            <p className="muted">
              Everything runs on this computer: audio never leaves it (unless you choose a queue under Run
              on).
            </p>
          </div>
        ) : (
          <div className="workspace">
            <Queue
              items={sortedItems}
              selectedId={state.selectedId}
              onSelect={selectFile}
              onRetry={transcribe}
              onCancel={(item) => item.jobId && void client.cancel(item.jobId).catch(notifyError)}
              onRemove={(fileId) => act({ type: 'remove-file', fileId })}
              progress={progress}
              paused={state.paused}
              onPause={pauseQueue}
              onCancelAll={cancelAll}
              onRetryFailed={retryFailed}
              sortKey={sortKey}
              onSort={setSortKey}
              scoreOf={itemScore}
            />
            <div className="workspace-main">
              {hasReferences && (
                <EvalPanel
                  sets={summary.sets}
                  total={summary.total}
                  canExport={state.items.some((i) => i.transcript)}
                  onExportAll={(format) => void exportAll(format)}
                  onExportCsv={() => void exportCsv()}
                />
              )}
              {selected && (
                <section
                  className="editor"
                  aria-label={`Editor: ${selected.file.name}`}
                  data-testid="editor"
                  data-state={selected.status}
                  style={{ scrollPaddingTop: playerHeight + 8 }}
                >
                  <div className="player" data-testid="player" ref={playerRef}>
                    <div className="editor-header">
                      <button
                        type="button"
                        className="play-button"
                        onClick={() => player.current?.playPause()}
                        aria-label={playing ? 'Pause (Space)' : 'Play (Space)'}
                        title={playing ? 'Pause (Space)' : 'Play (Space)'}
                      >
                        {playing ? (
                          <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
                            <rect x="6" y="5" width="4" height="14" rx="1" />
                            <rect x="14" y="5" width="4" height="14" rx="1" />
                          </svg>
                        ) : (
                          <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
                            <path d="M8 5v14l11-7z" />
                          </svg>
                        )}
                      </button>
                      <div className="editor-title">
                        <h1 title={selected.file.name}>{selected.file.name}</h1>
                        <span className="muted" data-testid="clock">
                          {formatClock(time)}
                          {transcript ? ` / ${formatClock(transcript.durationSec)}` : ''}
                        </span>
                      </div>
                      {transcript && (
                        <span className="muted meta">
                          {transcript.words.length} words · {transcript.model} ·{' '}
                          {transcript.rtf < 1
                            ? `${(1 / Math.max(transcript.rtf, 1e-3)).toFixed(1)}× real time`
                            : `RTF ${transcript.rtf.toFixed(2)}`}
                        </span>
                      )}
                      {/* With the file it exports, and in view with the player. */}
                      <ExportMenu disabled={!transcript} onExport={(f) => void exportAs(f)} />
                    </div>
                    <Waveform
                      key={selected.file.id}
                      ref={player}
                      fileId={selected.file.id}
                      url={selected.file.mediaUrl}
                      words={shownWords}
                      activeIndex={activeIndex}
                      errors={wordErrorMarks}
                      onTime={setTime}
                      onPlayingChange={setPlaying}
                      onWordClick={seekToWord}
                    />
                  </div>
                  {score && transcript && <AlignmentStrip score={score} marks={marks} onSeek={seekToMark} />}
                  {selected.status === 'error' && selected.error && (
                    <div className="notice error file-error" role="alert" data-testid="file-error">
                      <span className="notice-text">{selected.error.message}</span>
                      <button
                        type="button"
                        className="secondary"
                        onClick={() => transcribe(selected.file.id)}
                      >
                        Retry
                      </button>
                    </div>
                  )}
                  {(selected.status === 'queued' || selected.status === 'running') && !transcript && (
                    <p className="muted pending">
                      {selected.status === 'queued'
                        ? 'Waiting for the engine…'
                        : `Transcribing… ${Math.round(selected.fraction * 100)}%`}
                      {selected.etaSec !== null && selected.status === 'running'
                        ? ` (about ${formatDuration(selected.etaSec)} left)`
                        : ''}
                    </p>
                  )}
                  {transcript && (
                    <>
                      {transcript.warnings && transcript.warnings.length > 0 && (
                        // What the engine noticed about the input (a truncated or damaged file, audio too
                        // short): the transcript is what could be read, and the user must know that.
                        <ul className="transcript-warnings" role="status" data-testid="transcript-warnings">
                          {transcript.warnings.map((warning) => (
                            <li key={warning}>{warning}</li>
                          ))}
                        </ul>
                      )}
                      <div className="tabs editor-views" role="group" aria-label="Show">
                        <button
                          type="button"
                          aria-pressed={editorView === 'transcript'}
                          onClick={() => setEditorView('transcript')}
                        >
                          Transcript
                        </button>
                        <button
                          type="button"
                          aria-pressed={editorView === 'cues'}
                          onClick={() => setEditorView('cues')}
                        >
                          Subtitles
                        </button>
                      </div>
                      {editorView === 'cues' ? (
                        <CueView
                          cues={cues}
                          durationSec={transcript.durationSec}
                          onSetTime={setCueTime}
                          onSeek={seekToTime}
                        />
                      ) : (
                        <>
                          <TranscriptEditor
                            words={transcript.words}
                            edits={edits}
                            activeIndex={activeIndex}
                            selectedIndex={selectedWord}
                            onSelect={seekToWord}
                            onEdit={editWord}
                          />
                          <PunctuationToggle />
                          <p className="hint muted">
                            <kbd>Space</kbd> play/pause · <kbd>←</kbd> <kbd>→</kbd> previous/next word · click
                            a word to jump to it · double-click, <kbd>F2</kbd> or type to correct ·{' '}
                            <span className="low-sample">underlined</span> words are uncertain
                          </p>
                        </>
                      )}
                    </>
                  )}
                </section>
              )}
            </div>
          </div>
        )}
      </main>

      <StatusBar
        info={state.info}
        engine={state.engine}
        queueText={queueText}
        connection={state.connection}
        dictating={state.dictation !== null && view !== 'dictation'}
        onStopDictation={stopHostDictation}
      />
      {dragging && (
        <div className="drop-overlay" aria-hidden="true">
          <div>Drop audio files to transcribe</div>
        </div>
      )}
    </div>
  );
}
