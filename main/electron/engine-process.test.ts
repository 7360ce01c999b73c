import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => (await import('./testing/fake-electron')).fakeElectron());

const { utilityProcess } = await import('electron');
const { spawnUtilityWorker } = await import('./engine-process');
const { engineEnvironment, ENGINE_V8_FLAGS } = await import('../host/engine-supervisor');

describe('the engine in an Electron utility process', () => {
  it('starts with the same V8 flags and malloc setting as the Node child of the browser bridge (heap limit, small nursery)', () => {
    const child = { once: vi.fn(), on: vi.fn(), postMessage: vi.fn(), kill: vi.fn(), pid: 1 };
    vi.mocked(utilityProcess.fork).mockReturnValue(child as never);
    spawnUtilityWorker('/app/engine-worker.mjs')();
    const [, , options] = vi.mocked(utilityProcess.fork).mock.calls[0];
    expect(options?.execArgv).toEqual([...ENGINE_V8_FLAGS]);
    expect(ENGINE_V8_FLAGS.some((flag) => flag.startsWith('--max-old-space-size='))).toBe(true);
    // Large freed buffers go back to the system (glibc's malloc), as in the Node child.
    expect(options?.env).toEqual(engineEnvironment());
    expect(options?.env).toMatchObject({ MALLOC_MMAP_THRESHOLD_: '131072' });
  });
});
