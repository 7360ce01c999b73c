/**
 * A stand-in for the `electron` module in unit tests (the binary cannot run on CI machines). Only what
 * main/electron and the preload touch is modelled, as plain objects that record what they are given.
 * Use with `vi.mock('electron', async () => (await import('./testing/fake-electron')).fakeElectron())`.
 */
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

export class FakeFrame {
  constructor(public url: string) {}
}

export class FakeWebContents extends EventEmitter {
  private static nextId = 1;
  readonly id = FakeWebContents.nextId++;
  mainFrame: FakeFrame;
  windowOpenHandler: ((details: { url: string }) => { action: 'allow' | 'deny' }) | null = null;
  readonly send = vi.fn();

  constructor(url = 'app://studio/index.html') {
    super();
    this.mainFrame = new FakeFrame(url);
  }

  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'allow' | 'deny' }): void {
    this.windowOpenHandler = handler;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static instances: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  readonly loadURL = vi.fn(async (_url: string) => {});
  readonly show = vi.fn();
  readonly showInactive = vi.fn();
  readonly setAlwaysOnTop = vi.fn();
  readonly setVisibleOnAllWorkspaces = vi.fn();
  readonly isDestroyed = vi.fn(() => false);

  constructor(readonly options: Record<string, unknown>) {
    super();
    FakeBrowserWindow.instances.push(this);
  }
}

/** A navigation-style event whose preventDefault is observable. */
export function fakeEvent() {
  return {
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true;
    },
  };
}

/**
 * The app object main.ts drives at load time. `whenReady` never resolves: a test sees what main.ts sets
 * up before the app is ready (schemes, sandbox, app-wide listeners), without starting the studio.
 */
export class FakeApp extends EventEmitter {
  readonly isPackaged = false;
  readonly commandLine = { appendSwitch: vi.fn() };
  readonly enableSandbox = vi.fn();
  readonly setName = vi.fn();
  readonly setPath = vi.fn();
  readonly getPath = vi.fn((name: string) => `/fake/${name}`);
  readonly requestSingleInstanceLock = vi.fn(() => true);
  readonly whenReady = vi.fn(() => new Promise<void>(() => {}));
  readonly quit = vi.fn();
  readonly exit = vi.fn();
}

export function fakeElectron() {
  const exposed: Record<string, unknown> = {};
  const rendererListeners = new EventEmitter();
  const module = {
    app: new FakeApp(),
    protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() },
    screen: {
      getCursorScreenPoint: vi.fn(() => ({ x: 100, y: 100 })),
      getDisplayNearestPoint: vi.fn(() => ({ workArea: { x: 0, y: 0, width: 1920, height: 1040 } })),
    },
    dialog: { showErrorBox: vi.fn(), showOpenDialog: vi.fn(), showSaveDialog: vi.fn() },
    clipboard: { readText: vi.fn(() => ''), writeText: vi.fn() },
    globalShortcut: { register: vi.fn(() => true), unregisterAll: vi.fn() },
    ipcMain: { handle: vi.fn(), on: vi.fn() },
    session: { defaultSession: {} },
    BrowserWindow: FakeBrowserWindow,
    nativeTheme: { shouldUseDarkColors: false },
    shell: { openExternal: vi.fn(async (_url: string) => {}) },
    utilityProcess: { fork: vi.fn() },
    contextBridge: {
      exposed,
      exposeInMainWorld: vi.fn((key: string, api: unknown) => {
        exposed[key] = api;
      }),
    },
    ipcRenderer: {
      invoke: vi.fn(async (_channel: string, ..._args: unknown[]): Promise<unknown> => ({
        ok: true,
        result: null,
      })),
      send: vi.fn(),
      on: vi.fn((channel: string, listener: (...args: unknown[]) => void) =>
        rendererListeners.on(channel, listener),
      ),
      removeListener: vi.fn((channel: string, listener: (...args: unknown[]) => void) =>
        rendererListeners.removeListener(channel, listener),
      ),
      emitFromMain: (channel: string, payload: unknown) => rendererListeners.emit(channel, {}, payload),
      listenerCount: (channel: string) => rendererListeners.listenerCount(channel),
    },
    webUtils: { getPathForFile: vi.fn((file: { name: string }) => `/dropped/${file.name}`) },
  };
  return { ...module, default: module };
}
