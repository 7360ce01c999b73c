/**
 * Crash isolation end to end: the real engine worker (a forked Node process with a small random model)
 * is killed with SIGKILL in the middle of a long transcription while more files wait in the queue. The
 * user must be told (job-failed with ENGINE_CRASHED, engine status `crashed`), the worker must come back
 * (`ready`, restarts = 1, a new pid), the queue must resume with the remaining jobs, and the transcript
 * finished before the crash must still be in the saved project.
 */
import { wordAt } from '../common/project-ops';
import { readdirSync, readFileSync } from 'node:fs';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { StudioEvent } from '../common/ipc-contract';
import { loadAudioFile } from '../engine/audio/load';
import { encodeWav } from '../engine/audio/wav-writer';
import { createRandomModel } from '../engine/model/random-model';
import { EngineSupervisor } from './engine-supervisor';
import { spawnNodeWorker } from './node-worker';
import { StudioService } from './studio-service';

const SPEECH = fileURLToPath(new URL('../../e2e/fixtures/speech.wav', import.meta.url));
let dir: string;

/** Pids of this process's children that run the engine worker (Linux /proc). */
function engineWorkerPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (ppid === process.pid && cmdline.includes('engine-worker')) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'crash-recovery-'));
  await createRandomModel(path.join(dir, 'model'), { units: 16, seed: 5 });
  await copyFile(SPEECH, path.join(dir, 'first.wav'));
  await copyFile(SPEECH, path.join(dir, 'after-1.wav'));
  await copyFile(SPEECH, path.join(dir, 'after-2.wav'));
  // Three minutes of speech and pauses: long enough that the kill lands mid-transcription.
  const speech = await loadAudioFile(SPEECH, 16000);
  const long = new Float32Array(180 * 16000);
  for (let at = 0; at + speech.length < long.length; at += speech.length + 16000) long.set(speech, at);
  await writeFile(
    path.join(dir, 'long.wav'),
    encodeWav([long], { sampleRate: 16000, bitsPerSample: 16, encoding: 'int' }),
  );
});

afterAll(() => rm(dir, { recursive: true, force: true }));

describe.skipIf(process.platform !== 'linux')('engine crash mid-transcription (real worker, SIGKILL)', () => {
  it('tells the user, restarts the worker, resumes the queue and loses nothing finished', async () => {
    const events: StudioEvent[] = [];
    const engine = new EngineSupervisor({
      spawn: spawnNodeWorker(),
      model: path.join(dir, 'model'),
      modelsDir: null,
      restartDelayMs: 50,
      onStatus: (status) => events.push({ type: 'engine', status }),
    });
    const studio = new StudioService({
      mode: 'browser',
      version: 'test',
      engine,
      projectFile: path.join(dir, 'data', 'project.json'),
      recordingsDir: path.join(dir, 'data', 'recordings'),
      mediaUrl: (id) => `/media/${id}`,
      emit: (event) => events.push(event),
      mic: null,
      micUnavailable: 'test',
    });
    engine.start();
    const waitFor = (predicate: () => boolean, timeout = 60_000) =>
      vi.waitFor(
        () => {
          if (!predicate()) throw new Error('not yet');
        },
        { timeout, interval: 20 },
      );
    try {
      const [first, long, after1, after2] = await studio.addPaths(
        ['first.wav', 'long.wav', 'after-1.wav', 'after-2.wav'].map((f) => path.join(dir, f)),
      );

      // A finished transcript (recorded by the host) and an edit, sent the way the page sends it.
      const firstJob = studio.transcribe(first.id);
      await waitFor(() => events.some((e) => e.type === 'job-done' && e.jobId === firstJob.jobId));
      const done = events.find((e) => e.type === 'job-done' && e.jobId === firstJob.jobId);
      if (done?.type !== 'job-done') throw new Error('unreachable');
      await studio.updateProject([
        { type: 'add-files', files: [{ fileId: first.id }] },
        { type: 'select', fileId: first.id },
        { type: 'edit-word', fileId: first.id, word: wordAt(done.transcript, 0), text: 'corrected' },
      ]);

      // The long job starts; two more wait behind it.
      const longJob = studio.transcribe(long.id);
      const queued = [studio.transcribe(after1.id), studio.transcribe(after2.id)];
      await waitFor(() =>
        events.some((e) => e.type === 'job-progress' && e.jobId === longJob.jobId && e.fraction < 1),
      );
      const [pid] = engineWorkerPids();
      expect(pid).toBeGreaterThan(0);
      process.kill(pid, 'SIGKILL');

      // The user is told, by name, that the engine crashed on this file.
      await waitFor(() => events.some((e) => e.type === 'job-failed' && e.jobId === longJob.jobId));
      const failed = events.find((e) => e.type === 'job-failed' && e.jobId === longJob.jobId);
      expect(failed).toMatchObject({ error: { code: 'ENGINE_CRASHED' } });
      expect(failed?.type === 'job-failed' && failed.error.message).toMatch(/long\.wav/);
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'engine', status: expect.objectContaining({ state: 'crashed' }) }),
      );
      expect(events.some((e) => e.type === 'job-done' && e.jobId === longJob.jobId)).toBe(false);

      // The worker comes back as a new process and the queue carries on, in order.
      for (const ticket of queued) {
        await waitFor(() => events.some((e) => e.type === 'job-done' && e.jobId === ticket.jobId));
      }
      const doneOrder = events.flatMap((e) => (e.type === 'job-done' ? [e.jobId] : []));
      expect(doneOrder).toEqual([firstJob.jobId, ...queued.map((t) => t.jobId)]);
      expect(engine.status).toMatchObject({ state: 'ready', restarts: 1 });
      const [newPid] = engineWorkerPids();
      expect(newPid).toBeGreaterThan(0);
      expect(newPid).not.toBe(pid);

      // Nothing finished is lost: the saved project still has the first transcript and its edit, and the
      // host itself recorded the other outcomes (the crash on long.wav, the two transcripts after it).
      const restored = await studio.loadProject();
      expect(restored.items.map((i) => i.file.name)).toEqual([
        'first.wav',
        'long.wav',
        'after-1.wav',
        'after-2.wav',
      ]);
      expect(restored.items[0].transcript).toEqual(done.transcript);
      expect(restored.items[0].edits).toEqual({ '0': 'corrected' });
      expect(restored.items[1]).toMatchObject({ transcript: null, error: { code: 'ENGINE_CRASHED' } });
      expect(restored.items[2].transcript?.words.length).toBeGreaterThan(0);
      expect(restored.items[3].transcript?.words.length).toBeGreaterThan(0);

      // And the crashed file can simply be tried again.
      const retry = studio.transcribe(long.id);
      await waitFor(() => events.some((e) => e.type === 'job-done' && e.jobId === retry.jobId), 120_000);
    } finally {
      studio.dispose();
      await studio.whenSaved();
    }
  }, 180_000);
});
