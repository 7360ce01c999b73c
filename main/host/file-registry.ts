/**
 * The host's table of files the user has opened (dialog, drag and drop, upload, recording). The renderer
 * only ever holds an opaque id; media requests and transcription jobs are resolved through this table,
 * so a renderer cannot make the host read a path the user did not choose.
 */
import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { HostError } from '../common/errors';
import type { FileRef } from '../common/ipc-contract';

export interface RegisteredFile {
  ref: FileRef;
  path: string;
}

export class FileRegistryError extends HostError {
  constructor(message: string) {
    super('FILE_NOT_FOUND', message);
  }
}

export class FileRegistry {
  private readonly byId = new Map<string, RegisteredFile>();
  private readonly byPath = new Map<string, RegisteredFile>();

  /** @param mediaUrl builds the URL the renderer uses to fetch a file's bytes */
  constructor(private readonly mediaUrl: (id: string) => string) {}

  /** Registers a file the user chose; it must exist and be a regular file. */
  async register(file: string, displayName?: string): Promise<FileRef> {
    const absolute = path.resolve(file);
    const existing = this.byPath.get(absolute);
    let info;
    try {
      info = await stat(absolute);
    } catch {
      throw new FileRegistryError(`${absolute}: file not found or not readable`);
    }
    if (!info.isFile()) throw new FileRegistryError(`${absolute}: not a regular file`);
    if (existing) {
      existing.ref = { ...existing.ref, size: info.size };
      return existing.ref;
    }
    return this.add(absolute, displayName ?? path.basename(absolute), info.size);
  }

  /**
   * Re-registers a file from a saved project without touching the disk (it may have been moved since),
   * under the id it had when saved if it is free: a page that kept unsaved edits across a restart of the
   * host refers to its files by those ids.
   */
  restore(file: string, name: string, size: number, id?: string): FileRef {
    const absolute = path.resolve(file);
    const known = this.byPath.get(absolute);
    if (known) return known.ref;
    return this.add(absolute, name, size, id && !this.byId.has(id) ? id : undefined);
  }

  get(id: string): RegisteredFile | undefined {
    return this.byId.get(id);
  }

  private add(absolute: string, name: string, size: number, id: string = randomUUID()): FileRef {
    const entry: RegisteredFile = { ref: { id, name, size, mediaUrl: this.mediaUrl(id) }, path: absolute };
    this.byId.set(id, entry);
    this.byPath.set(absolute, entry);
    return entry.ref;
  }
}
