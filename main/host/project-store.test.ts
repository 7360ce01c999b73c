import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileRegistry } from './file-registry';
import { ProjectStore } from './project-store';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'project-store-'));
});
// Retries: a service disposed at the end of a test may still be finishing an atomic save in the folder.
afterEach(() => rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }));

describe('ProjectStore', () => {
  it('removes the temporary files of killed saves, and leaves a running process its own', async () => {
    const file = path.join(dir, 'project.json');
    // The pid of a process that has certainly ended: one we ran to completion.
    const ended = spawnSync(process.execPath, ['-e', '0']).pid;
    await writeFile(`${file}.${ended}.tmp`, '{"version":1,"items":[');
    await writeFile(`${file}.${process.pid}.tmp`, 'in progress');
    await writeFile(path.join(dir, 'other.json.1.tmp'), 'not ours');
    const project = await new ProjectStore(file, new FileRegistry((id) => `/media/${id}`)).load();
    expect(project.items).toEqual([]);
    expect((await readdir(dir)).sort()).toEqual(
      [`project.json.${process.pid}.tmp`, 'other.json.1.tmp'].sort(),
    );
  });
});
