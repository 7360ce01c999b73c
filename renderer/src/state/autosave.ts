/**
 * Saving the project: the page sends what the user did, as operations (main/common/project-ops.ts), to
 * the host, which owns the project and saves it; transcripts never travel back. Each operation is sent
 * at once (no delay to wait out), one request at a time: operations made while one is in flight go in
 * the next, in order, and a later "set" of the same thing (the same word, the dictation document) takes
 * the place of an earlier one not sent yet. Until the host confirms an operation the page keeps it in
 * the browser's storage, so neither a killed host nor a restarted one (whose new token the page must be
 * opened with again) loses it: the next page load on this origin replays it (see takeUnsent). Replaying
 * is harmless: every operation is an absolute set, so one the host had already applied changes nothing.
 */
import type { Project, ProjectOp } from '../../../main/common/ipc-contract';
import { opFileIds, supersedes, wordAt } from '../../../main/common/project-ops';

/** Where the page keeps the operations the host has not confirmed yet. */
export const UNSENT_KEY = 'speech-studio-unsent-ops';

/** At most this many operations in one request, and about this much JSON (one larger op goes alone). */
export const MAX_BATCH_OPS = 200;
export const MAX_BATCH_CHARS = 512 * 1024;

/** The host refused the operations themselves (a bad value, a file it does not know): sent again, they fail again. */
function isRefusal(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'INVALID_PAYLOAD' || code === 'UNKNOWN_FILE';
}

type Storage = Pick<globalThis.Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** What the storage holds: the operations, and the names of the files they add (to name lost ones). */
export interface Unsent {
  version: 1;
  ops: ProjectOp[];
  names: Record<string, string>;
}

export interface ProjectUpdatesOptions {
  send: (ops: ProjectOp[]) => Promise<void>;
  /** The browser's storage (localStorage); null where there is none. */
  storage: Storage | null;
  /** How many operations the host has not confirmed yet (0: the project is saved). */
  onPending: (pending: number) => void;
  onSent: (ops: ProjectOp[]) => void;
  onError: (error: unknown) => void;
}

export class ProjectUpdates {
  /** Not confirmed yet, oldest first; the first `inFlight` of them are being sent. */
  private ops: ProjectOp[] = [];
  private inFlight = 0;
  /** After a refused request: this many operations go one at a time, so that only the bad one is dropped. */
  private singly = 0;
  private names: Record<string, string> = {};

  constructor(private readonly options: ProjectUpdatesOptions) {}

  get pending(): number {
    return this.ops.length;
  }

  /** The user did something: keep it, and send it. `names`: the names of files it adds. */
  push(ops: readonly ProjectOp[], names: Record<string, string> = {}): void {
    if (ops.length === 0) return;
    for (const op of ops) {
      for (let i = this.ops.length - 1; i >= this.inFlight; i--) {
        if (supersedes(op, this.ops[i])) this.ops.splice(i, 1);
      }
      this.ops.push(op);
    }
    Object.assign(this.names, names);
    this.changed();
    this.flush();
  }

  /**
   * Sends what the host has not confirmed, if no request is in flight. A failed request is not retried
   * by itself (it would fail the same way): the next operation or `flush()` (the server is back) tries
   * again. Operations the host refuses are dropped (the error says why); the others are kept.
   */
  flush(): void {
    if (this.inFlight > 0 || this.ops.length === 0) return;
    const batch = this.nextBatch();
    this.inFlight = batch.length;
    this.options.send(batch).then(
      () => {
        this.settle(batch.length);
        this.options.onSent(batch);
        this.flush();
      },
      (error: unknown) => {
        this.inFlight = 0;
        this.options.onError(error);
        if (!isRefusal(error)) return;
        if (batch.length > 1) this.singly = batch.length;
        else this.settle(1);
        this.flush();
      },
    );
  }

  /** The first `count` operations are done with (confirmed, or refused for good). */
  private settle(count: number): void {
    this.ops.splice(0, count);
    this.inFlight = 0;
    this.singly = Math.max(0, this.singly - count);
    this.changed();
  }

  private nextBatch(): ProjectOp[] {
    if (this.singly > 0) return this.ops.slice(0, 1);
    const batch: ProjectOp[] = [];
    let chars = 0;
    for (const op of this.ops) {
      chars += JSON.stringify(op).length;
      if (batch.length > 0 && (batch.length >= MAX_BATCH_OPS || chars > MAX_BATCH_CHARS)) break;
      batch.push(op);
    }
    return batch;
  }

  private changed(): void {
    const adding = new Set(this.ops.flatMap((op) => (op.type === 'add-files' ? opFileIds(op) : [])));
    this.names = Object.fromEntries(Object.entries(this.names).filter(([id]) => adding.has(id)));
    try {
      if (this.ops.length === 0) this.options.storage?.removeItem(UNSENT_KEY);
      else {
        const unsent: Unsent = { version: 1, ops: this.ops, names: this.names };
        this.options.storage?.setItem(UNSENT_KEY, JSON.stringify(unsent));
      }
    } catch {
      // Over the storage quota (a very long dictation document): the host's copy is all there is until
      // it confirms.
    }
    this.options.onPending(this.ops.length);
  }
}

const OP_TYPES: ReadonlySet<string> = new Set<ProjectOp['type']>([
  'add-files',
  'remove-file',
  'select',
  'edit-word',
  'cue-time',
  'dictation',
]);

/** What a previous page load kept and the host never confirmed, if anything (and if it is well formed). */
export function takeUnsent(storage: Pick<Storage, 'getItem'> | null): Unsent | null {
  let value: unknown;
  try {
    value = JSON.parse(storage?.getItem(UNSENT_KEY) ?? 'null');
  } catch {
    return null;
  }
  const unsent = value as Unsent | null;
  const wellFormed =
    unsent?.version === 1 &&
    Array.isArray(unsent.ops) &&
    unsent.ops.every((op) => typeof op?.type === 'string' && OP_TYPES.has(op.type)) &&
    typeof unsent.names === 'object' &&
    unsent.names !== null;
  // The host validates each operation again when it is replayed: this only keeps the page from tripping.
  return wellFormed ? unsent : null;
}

/** Where the previous version kept the whole project the host had not confirmed. */
export const PREVIOUS_UNSAVED_KEY = 'speech-studio-unsaved-project';

/**
 * What the previous version kept (the whole project, not confirmed by the host, under
 * PREVIOUS_UNSAVED_KEY) as operations, so that an update installed while a page held unsaved edits
 * loses none: each file's corrections and cue times (named by its snapshot's words), references, the
 * selection and the dictation document. Its transcripts are left out (the host has its own), and so are
 * files it no longer lists (nothing is removed on its word). The entry is taken: read once, then removed.
 */
export function takePreviousSnapshot(storage: Pick<Storage, 'getItem' | 'removeItem'> | null): Unsent | null {
  let value: unknown;
  try {
    value = JSON.parse(storage?.getItem(PREVIOUS_UNSAVED_KEY) ?? 'null');
    storage?.removeItem(PREVIOUS_UNSAVED_KEY);
  } catch {
    return null;
  }
  const project = value as Project | null;
  if (project?.version !== 1 || !Array.isArray(project.items)) return null;
  const ops: ProjectOp[] = [];
  const names: Record<string, string> = {};
  for (const item of project.items) {
    const fileId = item?.file?.id;
    if (typeof fileId !== 'string') continue;
    names[fileId] = String(item.file.name);
    ops.push({
      type: 'add-files',
      files: [{ fileId, reference: item.reference ?? null, set: item.set ?? null, path: item.path ?? null }],
    });
    const words = item.transcript?.words ?? [];
    for (const [key, text] of Object.entries(item.edits ?? {}))
      if (words[Number(key)])
        ops.push({ type: 'edit-word', fileId, word: wordAt(item.transcript!, Number(key)), text });
    for (const [key, time] of Object.entries(item.cueTimes ?? {}))
      if (words[Number(key)])
        ops.push({ type: 'cue-time', fileId, word: wordAt(item.transcript!, Number(key)), time });
  }
  if (typeof project.selectedId === 'string' || project.selectedId === null)
    ops.push({ type: 'select', fileId: project.selectedId });
  if (project.dictation) ops.push({ type: 'dictation', document: project.dictation });
  return { version: 1, ops, names };
}

/**
 * The kept operations that can be replayed over the project the host loaded: those about files it has.
 * Files it does not know (added just before it stopped, never saved) cannot be restored: their names are
 * returned so the user can be told to add them again, and operations about them are left out.
 */
export function replayable(loaded: Project, unsent: Unsent): { ops: ProjectOp[]; dropped: string[] } {
  const known = new Set(loaded.items.map((item) => item.file.id));
  const dropped = new Set<string>();
  const ops = unsent.ops.flatMap((op): ProjectOp[] => {
    if (op.type === 'add-files') {
      for (const f of op.files) if (!known.has(f.fileId)) dropped.add(unsent.names[f.fileId] ?? f.fileId);
      const files = op.files.filter((f) => known.has(f.fileId));
      return files.length ? [{ ...op, files }] : [];
    }
    return opFileIds(op).every((id) => known.has(id)) ? [op] : [];
  });
  return { ops, dropped: [...dropped] };
}
