/**
 * Saves and restores the user's project (files, transcripts, edits, references) and the transcription
 * queue as JSON in the host's data folder. The renderer sends file ids; the store writes paths, so the
 * saved project survives restarts, and it refuses ids it never issued. Writes are atomic (temp file +
 * rename): a crash mid-save keeps the old file.
 *
 * The host owns the project. Its queue records each job's outcome at once (numbered, `seq`), so a batch
 * interrupted by a crash or a quit neither loses a finished transcript nor redoes it; the renderer sends
 * only what the user did, as operations (main/common/project-ops.ts: edits, cue times, references,
 * selection, files added or removed, the dictation document), which are applied here to the project
 * and saved. Transcripts never come back from the renderer.
 */
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { CueTime, ErrorInfo, FileRef, Project, ProjectOp } from '../common/ipc-contract';
import { carryOver, withCueTime, withWordEdit } from '../common/project-ops';
import type { DictationDocument } from '../common/spoken-commands';
import type { Transcript } from '../common/transcript';
import { isProcessAlive } from './data-lock';
import { HostError } from './errors';
import type { FileRegistry } from './file-registry';
import { ID_PATTERN, project as projectValidator } from './validate';

/** A file as the store knows it: by path, so it survives restarts. */
export interface StoredFile {
  path: string;
  name: string;
  size: number;
  /** The file's id when it was saved, given to it again at the next start (see FileRegistry.restore). */
  id?: string;
}

interface StoredItem extends StoredFile {
  transcript: Transcript | null;
  edits: Record<string, string>;
  error: ErrorInfo | null;
  reference?: string | null;
  set?: string | null;
  relPath?: string | null;
  cueTimes?: Record<string, CueTime>;
}

export interface StoredQueue {
  paused: boolean;
  /** Files still to transcribe, in order (the running one first). */
  pending: StoredFile[];
}

interface StoredProject {
  version: 1;
  items: StoredItem[];
  selectedIndex: number | null;
  /** The number of the last job outcome recorded by the host. */
  seq?: number;
  queue?: StoredQueue;
  dictation?: DictationDocument;
}

/** How a job ended: a transcript or an error. */
export type JobOutcome = { transcript: Transcript } | { error: ErrorInfo };

export const EMPTY_PROJECT: Project = { version: 1, items: [], selectedId: null };

const emptyStored = (): StoredProject => ({ version: 1, items: [], selectedIndex: null });

function applyOutcome(item: StoredItem, outcome: JobOutcome): void {
  if ('transcript' in outcome) {
    // Edits and cue times were made on the old words: each moves to the new word at its time.
    if (item.transcript) {
      const kept = { edits: item.edits, cueTimes: item.cueTimes ?? {} };
      Object.assign(item, carryOver(item.transcript, outcome.transcript, kept));
    }
    item.transcript = outcome.transcript;
    item.error = null;
  } else if (!(outcome.error.code === 'CANCELLED' && item.transcript)) {
    // A cancelled re-run keeps the transcript it had.
    item.error = outcome.error;
  }
}

/** How many dictation results the store remembers until the page adds one to the project. */
const OFFERED_TRANSCRIPTS = 16;

export class ProjectStore {
  private state: StoredProject | null = null;
  private loading: Promise<StoredProject> | null = null;
  /**
   * Transcripts of files not (yet) in the project, by file id: a dictation's recording, which the page
   * may add ("Open in editor"); the host keeps its transcript so the page never sends one.
   */
  private readonly offered = new Map<string, Transcript>();
  /**
   * Files the user took out of the project while this host runs (resolved paths): a job of theirs that
   * finishes afterwards must not bring them back (its transcript is offered, in case they are added again).
   */
  private readonly removed = new Set<string>();
  private writing: Promise<void> = Promise.resolve();
  /** A write that has not started yet: later changes ride along with it. */
  private queuedWrite: Promise<void> | null = null;
  /** The project file existed but could not be read or did not validate: it is no guide to what to keep. */
  private unreadable = false;

  constructor(
    private readonly file: string,
    private readonly registry: FileRegistry,
  ) {}

  /** The project as stored, read from disk once; afterwards the store's memory is the truth. */
  private current(): Promise<StoredProject> {
    if (this.state) return Promise.resolve(this.state);
    this.loading ??= this.read().then((stored) => (this.state = stored));
    return this.loading;
  }

  /**
   * Removes temporary files that saves of processes no longer running left behind (a kill between
   * writing and renaming); a live process's save in progress is left alone.
   */
  private async removeStaleTemps(): Promise<void> {
    const dir = path.dirname(this.file);
    const prefix = `${path.basename(this.file)}.`;
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      const pid = Number(/^\.?(\d+)\.tmp$/.exec(name.slice(prefix.length))?.[1]);
      if (!name.startsWith(prefix) || !Number.isInteger(pid) || pid <= 0 || isProcessAlive(pid)) continue;
      await rm(path.join(dir, name), { force: true }).catch(() => {});
    }
  }

  private async read(): Promise<StoredProject> {
    await this.removeStaleTemps();
    let stored: StoredProject;
    try {
      stored = JSON.parse(await readFile(this.file, 'utf8')) as StoredProject;
    } catch (error) {
      this.unreadable = (error as NodeJS.ErrnoException).code !== 'ENOENT';
      return emptyStored();
    }
    this.unreadable = true; // until it has validated
    if (stored?.version !== 1 || !Array.isArray(stored.items)) return emptyStored();
    const isFile = (f: StoredFile | null | undefined): f is StoredFile =>
      typeof f?.path === 'string' && typeof f.name === 'string';
    const items = stored.items.filter(isFile).map((item): StoredItem => ({
      id: typeof item.id === 'string' && ID_PATTERN.test(item.id) ? item.id : undefined,
      path: item.path,
      name: item.name,
      size: Number(item.size) || 0,
      transcript: item.transcript ?? null,
      edits: item.edits ?? {},
      error: item.error ?? null,
      reference: item.reference ?? null,
      set: item.set ?? null,
      relPath: item.relPath ?? null,
      ...(item.cueTimes ? { cueTimes: item.cueTimes } : {}),
    }));
    const pending = Array.isArray(stored.queue?.pending) ? stored.queue.pending.filter(isFile) : [];
    const result: StoredProject = {
      version: 1,
      items,
      selectedIndex: typeof stored.selectedIndex === 'number' ? stored.selectedIndex : null,
      seq: Number.isInteger(stored.seq) && stored.seq! >= 0 ? stored.seq : 0,
      queue: { paused: stored.queue?.paused === true, pending },
      ...(stored.dictation ? { dictation: stored.dictation } : {}),
    };
    // The file on disk is as untrusted as a renderer payload: hand on only what validates.
    try {
      const validated = projectValidator(this.toProject(result), 'project');
      // An error code outside today's list (a project from an earlier version) comes back as INTERNAL.
      validated.items.forEach((item, i) => (result.items[i].error = item.error));
    } catch {
      return emptyStored();
    }
    this.unreadable = false;
    return result;
  }

  private toProject(stored: StoredProject): Project {
    const items = stored.items.map((item) => ({
      file: this.registry.restore(item.path, item.name, item.size, item.id),
      transcript: item.transcript,
      edits: item.edits,
      error: item.error,
      reference: item.reference ?? null,
      set: item.set ?? null,
      path: item.relPath ?? null,
      ...(item.cueTimes ? { cueTimes: item.cueTimes } : {}),
    }));
    const selected = stored.selectedIndex === null ? undefined : items[stored.selectedIndex];
    return {
      version: 1,
      items,
      selectedId: selected?.file.id ?? null,
      ...(stored.dictation ? { dictation: stored.dictation } : {}),
    };
  }

  async load(): Promise<Project> {
    return this.toProject(await this.current());
  }

  /**
   * Applies the user's operations in order and saves the result. All or nothing: an operation naming a
   * file that was never opened, or one not in the project (for an edit, a cue time or the selection),
   * refuses the whole call with UNKNOWN_FILE before anything changes.
   */
  async apply(ops: readonly ProjectOp[]): Promise<void> {
    const state = await this.current();
    this.check(state, ops);
    let selected = state.selectedIndex === null ? null : (state.items[state.selectedIndex] ?? null);
    for (const op of ops) {
      switch (op.type) {
        case 'add-files':
          for (const added of op.files) {
            const file = this.storedFile(added.fileId);
            this.removed.delete(path.resolve(file.path));
            const item = this.itemFor(state.items, file);
            const offered = this.offered.get(added.fileId);
            if (offered && !item.transcript) item.transcript = offered;
            this.offered.delete(added.fileId);
            if (added.reference !== undefined) item.reference = added.reference;
            if (added.set !== undefined) item.set = added.set;
            if (added.path !== undefined) item.relPath = added.path;
          }
          break;
        case 'remove-file': {
          const item = this.member(state, op.fileId);
          if (!item) break;
          state.items.splice(state.items.indexOf(item), 1);
          this.removed.add(path.resolve(item.path));
          // As the page does: the first file is selected in place of a removed selected one.
          if (selected === item) selected = state.items[0] ?? null;
          break;
        }
        case 'select':
          selected = op.fileId === null ? null : this.member(state, op.fileId)!;
          break;
        case 'edit-word': {
          const item = this.member(state, op.fileId)!;
          item.edits = withWordEdit(item.transcript, item.edits, op.word, op.text);
          break;
        }
        case 'cue-time': {
          const item = this.member(state, op.fileId)!;
          item.cueTimes = withCueTime(item.transcript, item.cueTimes ?? {}, op.word, op.time);
          break;
        }
        case 'dictation':
          state.dictation = op.document;
          break;
      }
    }
    state.selectedIndex = selected ? state.items.indexOf(selected) : null;
    return this.write();
  }

  /** Throws UNKNOWN_FILE for the first operation that names a file it may not (see apply). */
  private check(state: StoredProject, ops: readonly ProjectOp[]): void {
    const members = new Set(state.items.map((item) => path.resolve(item.path)));
    ops.forEach((op, i) => {
      const refuse = (fileId: string, why: string) => {
        throw new HostError('UNKNOWN_FILE', `project operation ${i + 1} (${op.type}): file ${fileId} ${why}`);
      };
      const pathOf = (fileId: string) => {
        const entry = this.registry.get(fileId);
        if (!entry) refuse(fileId, 'was never opened');
        return path.resolve(entry!.path);
      };
      switch (op.type) {
        case 'add-files':
          for (const added of op.files) members.add(pathOf(added.fileId));
          break;
        case 'remove-file': {
          // Removing what is not there is no change (a replay of a removal the host already saved).
          const entry = this.registry.get(op.fileId);
          if (entry) members.delete(path.resolve(entry.path));
          break;
        }
        case 'dictation':
          break;
        default:
          // A file to select, edit or time must be in the project (by then).
          if (op.fileId !== null && !members.has(pathOf(op.fileId)))
            refuse(op.fileId, 'is not in the project');
      }
    });
  }

  private storedFile(fileId: string): StoredFile {
    const entry = this.registry.get(fileId)!;
    return { path: entry.path, name: entry.ref.name, size: entry.ref.size, id: entry.ref.id };
  }

  /** The project's item for a file id, if the file is in the project. */
  private member(state: StoredProject, fileId: string): StoredItem | undefined {
    const entry = this.registry.get(fileId);
    if (!entry) return undefined;
    const wanted = path.resolve(entry.path);
    return state.items.find((item) => path.resolve(item.path) === wanted);
  }

  /**
   * A transcript the host made of a file that is not in the project (a dictation's recording): kept for
   * a while, so that adding the file to the project ("Open in editor") brings it along.
   */
  offerTranscript(fileId: string, transcript: Transcript): void {
    this.offered.delete(fileId);
    this.offered.set(fileId, transcript);
    for (const oldest of this.offered.keys()) {
      if (this.offered.size <= OFFERED_TRANSCRIPTS) break;
      this.offered.delete(oldest);
    }
  }

  private itemFor(items: StoredItem[], file: StoredFile): StoredItem {
    const wanted = path.resolve(file.path);
    const found = items.find((item) => path.resolve(item.path) === wanted);
    if (found) {
      found.id ??= file.id;
      return found;
    }
    // A file queued before the page's operation that adds it: the outcome must not be lost.
    const added: StoredItem = { ...file, transcript: null, edits: {}, error: null };
    items.push(added);
    return added;
  }

  /** Records how a job ended and returns the outcome's number (written at once). */
  async recordOutcome(file: StoredFile, outcome: JobOutcome): Promise<number> {
    const state = await this.current();
    const seq = (state.seq ?? 0) + 1;
    state.seq = seq;
    if (!this.removed.has(path.resolve(file.path))) applyOutcome(this.itemFor(state.items, file), outcome);
    else if (file.id && 'transcript' in outcome) this.offerTranscript(file.id, outcome.transcript);
    this.write().catch(() => {
      // The next write retries with everything; a failing disk is reported by the page's next update.
    });
    return seq;
  }

  /** The saved queue, with its files registered again (they may have moved since: the job will say so). */
  async queue(): Promise<{ paused: boolean; files: FileRef[] }> {
    const queue = (await this.current()).queue ?? { paused: false, pending: [] };
    const files = queue.pending.map((f) => this.registry.restore(f.path, f.name, f.size));
    return { paused: queue.paused, files };
  }

  /**
   * Every file the saved project refers to (its items and its queue), by absolute path; null when the
   * project file could not be read, so that nothing is judged unused on its word.
   */
  async paths(): Promise<string[] | null> {
    const state = await this.current();
    if (this.unreadable) return null;
    return [...state.items, ...(state.queue?.pending ?? [])].map((f) => path.resolve(f.path));
  }

  /** Saves the queue's state: which files are still to do, and whether it is paused. */
  async setQueue(queue: StoredQueue): Promise<void> {
    const state = await this.current();
    state.queue = {
      paused: queue.paused,
      pending: queue.pending.map(({ path, name, size }) => ({ path, name, size })),
    };
    return this.write();
  }

  /** Resolves when every write started or queued so far has finished (or failed). */
  settled(): Promise<void> {
    return this.writing;
  }

  /** Writes the current state; writes are serialised, and a change made while one waits joins it. */
  private write(): Promise<void> {
    if (this.queuedWrite) return this.queuedWrite;
    const write = this.writing.then(async () => {
      this.queuedWrite = null;
      await mkdir(path.dirname(this.file), { recursive: true });
      const temp = `${this.file}.${process.pid}.tmp`;
      // The data reaches the disk before the rename makes it the project: otherwise a power cut soon
      // after a save can leave a renamed but empty file on filesystems that delay allocation.
      const handle = await open(temp, 'w');
      try {
        // Serialised once the temporary file is open: it holds every change made until now.
        await handle.writeFile(JSON.stringify(this.state ?? emptyStored()));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, this.file);
      await syncDirectory(path.dirname(this.file));
    });
    this.queuedWrite = write;
    this.writing = write.catch(() => {});
    return write;
  }
}

/**
 * Makes a rename in `dir` durable: the rename changes the folder, not the file, and until the folder
 * reaches the disk a power cut can bring back the old project (or none). Windows cannot open a folder
 * for this and orders its metadata writes itself, so there it is skipped.
 */
export async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
