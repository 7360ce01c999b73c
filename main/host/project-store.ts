/**
 * Saves and restores the user's project (files, transcripts, edits) as JSON in the host's data folder.
 * The renderer sends file ids; the store writes paths, so the saved project survives restarts, and it
 * refuses ids it never issued. Writes are atomic (temp file + rename): a crash mid-save keeps the old file.
 */
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { ErrorInfo, Project } from '../common/ipc-contract';
import type { Transcript } from '../common/transcript';
import type { FileRegistry } from './file-registry';
import { PayloadError, project as projectValidator } from './validate';

interface StoredItem {
  path: string;
  name: string;
  size: number;
  transcript: Transcript | null;
  edits: Record<string, string>;
  error: ErrorInfo | null;
}

interface StoredProject {
  version: 1;
  items: StoredItem[];
  selectedIndex: number | null;
}

export const EMPTY_PROJECT: Project = { version: 1, items: [], selectedId: null };

export class ProjectStore {
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly registry: FileRegistry,
  ) {}

  async load(): Promise<Project> {
    let stored: StoredProject;
    try {
      stored = JSON.parse(await readFile(this.file, 'utf8')) as StoredProject;
    } catch {
      return EMPTY_PROJECT;
    }
    if (stored?.version !== 1 || !Array.isArray(stored.items)) return EMPTY_PROJECT;
    const items = stored.items
      .filter((item) => typeof item?.path === 'string' && typeof item.name === 'string')
      .map((item) => ({
        file: this.registry.restore(item.path, item.name, Number(item.size) || 0),
        transcript: item.transcript ?? null,
        edits: item.edits ?? {},
        error: item.error ?? null,
      }));
    const selected = stored.selectedIndex === null ? undefined : items[stored.selectedIndex];
    const project: Project = { version: 1, items, selectedId: selected?.file.id ?? null };
    try {
      // The file on disk is as untrusted as a renderer payload: hand on only what validates.
      return projectValidator(project, 'project');
    } catch {
      return EMPTY_PROJECT;
    }
  }

  async save(project: Project): Promise<void> {
    const items = project.items.map((item, i): StoredItem => {
      const entry = this.registry.get(item.file.id);
      if (!entry) throw new PayloadError(`project.items[${i}].file.id`, 'unknown file id');
      const { transcript, edits, error } = item;
      return { path: entry.path, name: entry.ref.name, size: entry.ref.size, transcript, edits, error };
    });
    const selectedIndex = project.items.findIndex((item) => item.file.id === project.selectedId);
    const stored: StoredProject = {
      version: 1,
      items,
      selectedIndex: selectedIndex < 0 ? null : selectedIndex,
    };
    // Serialise writes so an older snapshot never lands after a newer one.
    const write = this.writing.then(async () => {
      await mkdir(path.dirname(this.file), { recursive: true });
      const temp = `${this.file}.${process.pid}.tmp`;
      // The data reaches the disk before the rename makes it the project: otherwise a power cut soon
      // after a save can leave a renamed but empty file on filesystems that delay allocation.
      const handle = await open(temp, 'w');
      try {
        await handle.writeFile(JSON.stringify(stored));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, this.file);
    });
    this.writing = write.catch(() => {});
    return write;
  }
}
