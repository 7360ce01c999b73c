/**
 * Saving the project: every change is sent to the host at once (no delay to wait out), one save at a
 * time; a change made while a save is in flight is sent when it returns (only the newest: each save is
 * the whole project). Until the host confirms a change, the page keeps it in the browser's storage, so
 * neither a killed host nor a restarted one (whose new token the page must be opened with again) loses
 * it: the next page load on this origin restores it (see restoreUnsaved).
 */
import type { Project } from '../../../main/common/ipc-contract';

/** Where the page keeps the project the host has not confirmed yet. */
export const UNSAVED_KEY = 'speech-studio-unsaved-project';

export interface AutosaveOptions {
  save: (project: Project) => Promise<void>;
  /** The browser's storage (localStorage); null where there is none. */
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;
  onSaved: (json: string, project: Project) => void;
  onError: (error: unknown) => void;
}

export class Autosaver {
  private saved: string | null = null;
  private latest: string | null = null;
  private inFlight = false;

  constructor(private readonly options: AutosaveOptions) {}

  /** The project changed (`json` is toProject's snapshot as JSON): keep it, and send it. */
  change(json: string): void {
    this.latest = json;
    if (json !== this.saved) this.keep(json);
    this.flush();
  }

  /**
   * Sends the newest snapshot if the host has not confirmed it and no save is in flight. A failed save
   * is not retried by itself (it would fail the same way): the next change or `flush()` (the server is
   * back) tries again.
   */
  flush(): void {
    const json = this.latest;
    if (this.inFlight || json === null || json === this.saved) return;
    this.inFlight = true;
    const project = JSON.parse(json) as Project;
    this.options.save(project).then(
      () => {
        this.inFlight = false;
        this.saved = json;
        if (json === this.latest) this.options.storage?.removeItem(UNSAVED_KEY);
        this.options.onSaved(json, project);
        this.flush();
      },
      (error: unknown) => {
        this.inFlight = false;
        this.options.onError(error);
      },
    );
  }

  private keep(json: string): void {
    try {
      this.options.storage?.setItem(UNSAVED_KEY, json);
    } catch {
      // Over the storage quota (a very large project): the host's copy is all there is until it saves.
    }
  }
}

/** The snapshot a previous page load kept and the host never confirmed, if any (and if it is one). */
export function takeUnsaved(storage: Pick<Storage, 'getItem'> | null): Project | null {
  let value: unknown;
  try {
    value = JSON.parse(storage?.getItem(UNSAVED_KEY) ?? 'null');
  } catch {
    return null;
  }
  const project = value as Project | null;
  const wellFormed =
    project?.version === 1 &&
    Array.isArray(project.items) &&
    project.items.every(
      (item) => typeof item?.file?.id === 'string' && typeof item.edits === 'object' && item.edits !== null,
    );
  return wellFormed ? project : null;
}

/**
 * Lays a kept snapshot over the project the host loaded: the snapshot is the user's newest view (its
 * edits, references, removals, order and selection), on the host's file handles (their media URLs carry
 * the new token). A transcript the host finished while the page was away fills an item that had none.
 * Files the host does not know (added just before it stopped, never saved) cannot be restored: their
 * names are returned so the user can be told to add them again.
 */
export function restoreUnsaved(loaded: Project, unsaved: Project): { project: Project; dropped: string[] } {
  const byId = new Map(loaded.items.map((item) => [item.file.id, item]));
  const dropped: string[] = [];
  const items = unsaved.items.flatMap((kept) => {
    const known = byId.get(kept.file.id);
    if (!known) {
      dropped.push(kept.file.name);
      return [];
    }
    return kept.transcript
      ? [{ ...kept, file: known.file }]
      : [
          {
            ...kept,
            file: known.file,
            transcript: known.transcript,
            edits: known.edits,
            cueTimes: known.cueTimes,
            error: known.error,
          },
        ];
  });
  const selectedId = items.some((i) => i.file.id === unsaved.selectedId)
    ? unsaved.selectedId
    : loaded.selectedId;
  // The kept snapshot's dictation document is the newer one (the host never confirmed it).
  const dictation = unsaved.dictation ?? loaded.dictation;
  return { project: { ...loaded, items, selectedId, ...(dictation ? { dictation } : {}) }, dropped };
}
