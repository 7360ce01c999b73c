/**
 * Saves and restores the user's project (files, transcripts, edits, references) and the transcription
 * queue as JSON in the host's data folder. The renderer sends file ids; the store writes paths, so the
 * saved project survives restarts, and it refuses ids it never issued. Writes are atomic (temp file +
 * rename): a crash mid-save keeps the old file.
 *
 * Two parties change the project: the renderer (autosaved snapshots: files, edits, references) and the
 * host's queue (which files are still to do, and each job's outcome as it finishes). The host records an
 * outcome at once, numbered (`seq`), so a batch interrupted by a crash or a quit neither loses a finished
 * transcript nor redoes it; a renderer snapshot says up to which outcome it is current (`resultsSeen`),
 * and outcomes it has not seen yet are laid over it instead of being overwritten.
 */
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { CueTime, ErrorInfo, FileRef, Project } from '../common/ipc-contract';
import type { DictationDocument } from '../common/spoken-commands';
import type { Transcript } from '../common/transcript';
import { isProcessAlive } from './data-lock';
import type { FileRegistry } from './file-registry';
import { ID_PATTERN, PayloadError, project as projectValidator } from './validate';

/** A file as the store knows it: by path, so it survives restarts. */
export interface StoredFile {
  path: string;
  name: string;
  size: number;
}

interface StoredItem extends StoredFile {
  /** The file's id when it was saved, given to it again at the next start (see FileRegistry.restore). */
  id?: string;
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

/** The same job's transcript (a snapshot that already holds it); a re-run differs at least in its timing. */
function sameTranscript(a: Transcript, b: Transcript): boolean {
  return (
    a === b ||
    (a.text === b.text &&
      a.durationSec === b.durationSec &&
      a.rtf === b.rtf &&
      a.model === b.model &&
      a.words.length === b.words.length)
  );
}

function applyOutcome(item: StoredItem, outcome: JobOutcome): void {
  if ('transcript' in outcome) {
    if (item.transcript && sameTranscript(item.transcript, outcome.transcript)) return;
    // Edits are indexed against the old words: a fresh transcript starts without them (as in the renderer).
    if (item.transcript) {
      item.edits = {};
      item.cueTimes = {};
    }
    item.transcript = outcome.transcript;
    item.error = null;
  } else if (!(outcome.error.code === 'CANCELLED' && item.transcript)) {
    // A cancelled re-run keeps the transcript it had.
    item.error = outcome.error;
  }
}

export class ProjectStore {
  private state: StoredProject | null = null;
  private loading: Promise<StoredProject> | null = null;
  /** Outcomes recorded by the host, oldest first, until a renderer snapshot says it has seen them. */
  private outcomes: { seq: number; file: StoredFile; outcome: JobOutcome }[] = [];
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
      resultsSeen: stored.seq ?? 0,
      ...(stored.dictation ? { dictation: stored.dictation } : {}),
    };
  }

  async load(): Promise<Project> {
    return this.toProject(await this.current());
  }

  /** Saves a renderer snapshot; outcomes newer than the snapshot are kept on top of it. */
  async save(project: Project): Promise<void> {
    const items = project.items.map((item, i): StoredItem => {
      const entry = this.registry.get(item.file.id);
      if (!entry) throw new PayloadError(`project.items[${i}].file.id`, 'unknown file id');
      const { transcript, edits, error } = item;
      return {
        id: entry.ref.id,
        path: entry.path,
        name: entry.ref.name,
        size: entry.ref.size,
        transcript,
        edits,
        error,
        reference: item.reference ?? null,
        set: item.set ?? null,
        relPath: item.path ?? null,
        ...(item.cueTimes ? { cueTimes: item.cueTimes } : {}),
      };
    });
    const state = await this.current();
    const seen = project.resultsSeen ?? 0;
    this.outcomes = this.outcomes.filter((o) => o.seq > seen);
    for (const { file, outcome } of this.outcomes) applyOutcome(this.itemFor(items, file), outcome);
    const selectedIndex = project.items.findIndex((item) => item.file.id === project.selectedId);
    state.items = items;
    state.selectedIndex = selectedIndex < 0 ? null : selectedIndex;
    state.dictation = project.dictation;
    return this.write();
  }

  private itemFor(items: StoredItem[], file: StoredFile): StoredItem {
    const found = items.find((item) => item.path === file.path);
    if (found) return found;
    // A file queued before the renderer's first save that lists it: the outcome must not be lost.
    const added: StoredItem = { ...file, transcript: null, edits: {}, error: null };
    items.push(added);
    return added;
  }

  /** Records how a job ended and returns the outcome's number (written at once). */
  async recordOutcome(file: StoredFile, outcome: JobOutcome): Promise<number> {
    const state = await this.current();
    const seq = (state.seq ?? 0) + 1;
    state.seq = seq;
    applyOutcome(this.itemFor(state.items, file), outcome);
    this.outcomes.push({ seq, file, outcome });
    this.write().catch(() => {
      // The next write retries with everything; a failing disk is reported by the renderer's saves.
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
