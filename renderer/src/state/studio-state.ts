/**
 * The renderer's state: the project's files with their queue status, transcripts and edits, the
 * engine status and user-facing notices. One reducer, so every host event and user action is a plain,
 * testable transition. What the user does to the project is a ProjectOp (main/common/project-ops.ts),
 * applied here by the same rules the host applies it by, and sent to the host (state/autosave.ts).
 */
import type {
  BatchAdded,
  ConnectionState,
  CueTime,
  DictationStarted,
  EngineStatus,
  ErrorInfo,
  FileRef,
  Project,
  ProjectOp,
  QueueState,
  StudioEvent,
  StudioInfo,
} from '../../../main/common/ipc-contract';
import { carryOver, withCueTime, withWordEdit } from '../../../main/common/project-ops';
import { EMPTY_DICTATION, type DictationDocument } from '../../../main/common/spoken-commands';
import type { Transcript } from '../../../main/common/transcript';

export type ItemStatus = 'idle' | 'queued' | 'running' | 'done' | 'error';

export interface Item {
  file: FileRef;
  status: ItemStatus;
  jobId: string | null;
  fraction: number;
  etaSec: number | null;
  transcript: Transcript | null;
  edits: Record<string, string>;
  /** Subtitle cue times set in the cue view, by the cue's first word (see `ProjectItem.cueTimes`). */
  cueTimes: Record<string, CueTime>;
  error: ErrorInfo | null;
  /** Evaluation: the reference transcript, the set the file came from and its path inside it. */
  reference: string | null;
  set: string | null;
  path: string | null;
}

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  message: string;
}

/** How long an informational notice stays before it dismisses itself. */
export const INFO_NOTICE_MS = 6000;

/** An informational notice goes by itself; an error stays until dismissed, so that none goes unseen. */
export function noticeLifetimeMs(notice: Notice): number | null {
  return notice.kind === 'error' ? null : INFO_NOTICE_MS;
}

export interface StudioState {
  info: StudioInfo | null;
  engine: EngineStatus | null;
  items: Item[];
  selectedId: string | null;
  /** False until the saved project has been restored: nothing is saved before, so it cannot be overwritten. */
  projectLoaded: boolean;
  notices: Notice[];
  /** The host's queue is paused (no new file starts). */
  paused: boolean;
  /** Processing seconds over file bytes, for files finished in this session: the batch ETA's rate. */
  rate: { bytes: number; sec: number };
  /** Browser mode: whether the studio server is reachable and takes this page's token. */
  connection: ConnectionState;
  /** The dictation session the host is running (started here, in another window or before a reload). */
  dictation: DictationStarted | null;
  /** The dictation view's document, saved with the project. */
  dictationDocument: DictationDocument;
}

export type Action =
  | { type: 'info'; info: StudioInfo }
  | { type: 'project-loaded'; project: Project }
  | { type: 'files-added'; files: FileRef[] }
  | { type: 'batch-added'; added: BatchAdded; references?: Map<string, string> }
  | { type: 'queue-state'; queue: QueueState }
  | { type: 'job-started'; fileId: string; jobId: string }
  | { type: 'host-event'; event: StudioEvent }
  /** Something the user did to the project (an edit, a cue's times, a removal…), or one kept to replay. */
  | { type: 'project-op'; op: ProjectOp }
  | { type: 'notice'; kind: Notice['kind']; message: string }
  | { type: 'dismiss'; id: number };

export const initialState: StudioState = {
  info: null,
  engine: null,
  items: [],
  selectedId: null,
  projectLoaded: false,
  notices: [],
  paused: false,
  rate: { bytes: 0, sec: 0 },
  connection: 'ok',
  dictation: null,
  dictationDocument: EMPTY_DICTATION,
};

let nextNoticeId = 1;

export function newItem(file: FileRef): Item {
  return {
    file,
    status: 'idle',
    jobId: null,
    fraction: 0,
    etaSec: null,
    transcript: null,
    edits: {},
    cueTimes: {},
    error: null,
    reference: null,
    set: null,
    path: null,
  };
}

function updateItem(state: StudioState, fileId: string, patch: (item: Item) => Partial<Item>): StudioState {
  let changed = false;
  const items = state.items.map((item) => {
    if (item.file.id !== fileId) return item;
    changed = true;
    return { ...item, ...patch(item) };
  });
  return changed ? { ...state, items } : state;
}

function onHostEvent(state: StudioState, event: StudioEvent): StudioState {
  switch (event.type) {
    case 'queue-paused':
      return { ...state, paused: event.paused };
    case 'connection':
      return { ...state, connection: event.state };
    case 'dictation-started':
      return { ...state, dictation: event.started };
    case 'dictation-ended':
      return { ...state, dictation: null };
    case 'engine': {
      let next: StudioState = { ...state, engine: event.status };
      if (event.status.state === 'crashed' && event.status.message) {
        next = addNotice(next, 'error', event.status.message);
      }
      return next;
    }
    case 'job-queued':
      return updateItem(state, event.fileId, () => ({
        status: 'queued',
        jobId: event.jobId,
        error: null,
        fraction: 0,
        etaSec: null,
      }));
    case 'job-progress':
      return updateItem(state, event.fileId, () => ({
        status: 'running',
        jobId: event.jobId,
        fraction: event.fraction,
        etaSec: event.etaSec,
      }));
    case 'job-done': {
      const item = state.items.find((i) => i.file.id === event.fileId);
      const t = event.transcript;
      const rate =
        item && event.seq !== undefined
          ? { bytes: state.rate.bytes + item.file.size, sec: state.rate.sec + t.rtf * t.durationSec }
          : state.rate;
      // A fresh transcript replaces the old one; edits and cue times move to its words at their times,
      // as the host moves them (project-ops.ts).
      return updateItem({ ...state, rate }, event.fileId, (item) => ({
        status: 'done',
        fraction: 1,
        etaSec: 0,
        transcript: event.transcript,
        ...(item.transcript ? carryOver(item.transcript, event.transcript, item) : {}),
        error: null,
      }));
    }
    case 'job-failed':
      return updateItem(state, event.fileId, (item) => ({
        // A cancelled re-run keeps the transcript it had.
        status: item.transcript && event.error.code === 'CANCELLED' ? 'done' : 'error',
        error: event.error,
        etaSec: null,
      }));
    default:
      return state;
  }
}

function addNotice(state: StudioState, kind: Notice['kind'], message: string): StudioState {
  // The same message twice in a row (e.g. repeated crashes) is shown once.
  if (state.notices.some((n) => n.message === message)) return state;
  return { ...state, notices: [...state.notices.slice(-4), { id: nextNoticeId++, kind, message }] };
}

export function reducer(state: StudioState, action: Action): StudioState {
  switch (action.type) {
    case 'info':
      return {
        ...state,
        info: action.info,
        engine: state.engine ?? action.info.engine,
        dictation: action.info.dictation ?? null,
      };
    case 'project-loaded': {
      const restored = action.project.items.map((p): Item => ({
        ...newItem(p.file),
        transcript: p.transcript,
        edits: p.edits,
        cueTimes: p.cueTimes ?? {},
        error: p.error,
        status: p.transcript ? 'done' : p.error ? 'error' : 'idle',
        fraction: p.transcript ? 1 : 0,
        reference: p.reference ?? null,
        set: p.set ?? null,
        path: p.path ?? null,
      }));
      const known = new Set(restored.map((i) => i.file.id));
      const items = [...restored, ...state.items.filter((i) => !known.has(i.file.id))];
      const selectedId = state.selectedId ?? action.project.selectedId ?? items[0]?.file.id ?? null;
      // A document dictated before the project arrived (a fast start) is not replaced by the saved one.
      const dictationDocument =
        state.dictationDocument.text === '' && action.project.dictation
          ? action.project.dictation
          : state.dictationDocument;
      return { ...state, items, selectedId, projectLoaded: true, dictationDocument };
    }
    case 'batch-added': {
      const { added, references } = action;
      const byId = new Map(added.files.map((f) => [f.file.id, f]));
      const known = new Set(state.items.map((i) => i.file.id));
      const items = state.items.map((item) => {
        const fromBatch = byId.get(item.file.id);
        if (fromBatch)
          return { ...item, reference: fromBatch.reference, set: added.set, path: fromBatch.path };
        const reference = references?.get(item.file.id);
        return reference === undefined ? item : { ...item, reference, set: added.set };
      });
      for (const f of added.files) {
        if (!known.has(f.file.id))
          items.push({ ...newItem(f.file), reference: f.reference, set: added.set, path: f.path });
      }
      const selectedId = state.selectedId ?? added.files[0]?.file.id ?? null;
      return { ...state, items, selectedId };
    }
    case 'queue-state': {
      const jobs = new Map(action.queue.jobs.map((j) => [j.fileId, j]));
      const items = state.items.map((item): Item => {
        const job = jobs.get(item.file.id);
        return job
          ? { ...item, status: job.state, jobId: job.jobId, fraction: job.fraction, etaSec: job.etaSec }
          : item;
      });
      return { ...state, items, paused: action.queue.paused };
    }
    case 'files-added': {
      const known = new Set(state.items.map((i) => i.file.id));
      const added = action.files.filter((f) => !known.has(f.id));
      const items = [...state.items, ...added.map(newItem)];
      return { ...state, items, selectedId: added[0]?.id ?? action.files[0]?.id ?? state.selectedId };
    }
    case 'job-started':
      // The host's events for this job may already have arrived (a corrupt file fails at once): keep them.
      return updateItem(state, action.fileId, (item) =>
        item.jobId === action.jobId ? {} : { jobId: action.jobId, status: 'queued', error: null },
      );
    case 'host-event':
      return onHostEvent(state, action.event);
    case 'project-op':
      return applyOp(state, action.op);
    case 'notice':
      return addNotice(state, action.kind, action.message);
    case 'dismiss':
      return { ...state, notices: state.notices.filter((n) => n.id !== action.id) };
  }
}

/** A project operation applied to the page's state, by the rules the host applies it by (project-ops.ts). */
function applyOp(state: StudioState, op: ProjectOp): StudioState {
  switch (op.type) {
    case 'add-files': {
      // The files themselves come with files-added/batch-added (which know their names); this sets what
      // a folder or a manifest said about them.
      let next = state;
      for (const added of op.files) {
        next = updateItem(next, added.fileId, () => ({
          ...(added.reference !== undefined ? { reference: added.reference } : {}),
          ...(added.set !== undefined ? { set: added.set } : {}),
          ...(added.path !== undefined ? { path: added.path } : {}),
        }));
      }
      return next;
    }
    case 'remove-file': {
      const items = state.items.filter((i) => i.file.id !== op.fileId);
      if (items.length === state.items.length) return state;
      const selectedId = state.selectedId === op.fileId ? (items[0]?.file.id ?? null) : state.selectedId;
      return { ...state, items, selectedId };
    }
    case 'select':
      return { ...state, selectedId: op.fileId };
    case 'edit-word':
      return updateItem(state, op.fileId, (item) => ({
        edits: withWordEdit(item.transcript, item.edits, op.word, op.text),
      }));
    case 'cue-time':
      return updateItem(state, op.fileId, (item) => ({
        cueTimes: withCueTime(item.transcript, item.cueTimes, op.word, op.time),
      }));
    case 'dictation':
      return { ...state, dictationDocument: op.document };
  }
}
