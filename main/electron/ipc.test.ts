import type { IpcMainEvent, IpcMainInvokeEvent, WebContents } from 'electron';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { channelRows } from '../common/channels';
import type { InvokeHandlers, InvokeReply, ProjectOp } from '../common/ipc-contract';
import { invokeValidators } from '../host/validate';
import { registerIpc, senderProblem } from './ipc';
import { FakeFrame, FakeWebContents } from './testing/fake-electron';

type Handler = (event: unknown, ...args: unknown[]) => unknown;

function setup() {
  const invokes = new Map<string, Handler>();
  const sends = new Map<string, Handler>();
  const ipcMain = {
    handle: vi.fn((channel: string, handler: Handler) => invokes.set(channel, handler)),
    on: vi.fn((channel: string, handler: Handler) => sends.set(channel, handler)),
  };
  const window = new FakeWebContents();
  const handlers = Object.fromEntries(
    channelRows('service', 'native').map(({ channel: c }) => [c, vi.fn(async () => `${c} result`)]),
  ) as unknown as InvokeHandlers;
  const onDictationAudio = vi.fn();
  const log = vi.fn();
  registerIpc(ipcMain as never, handlers, {
    trusted: () => [window as unknown as WebContents],
    onDictationAudio,
    log,
  });
  const event = (options: { sender?: FakeWebContents; frame?: FakeFrame | null } = {}) => {
    const sender = options.sender ?? window;
    return { sender, senderFrame: options.frame === undefined ? sender.mainFrame : options.frame };
  };
  const invoke = (channel: string, e: ReturnType<typeof event>, ...args: unknown[]) =>
    invokes.get(channel)!(e, ...args) as Promise<InvokeReply<unknown>>;
  return { invokes, sends, handlers, window, event, invoke, onDictationAudio, log };
}

describe('IPC registration', () => {
  let ctx: ReturnType<typeof setup>;
  beforeEach(() => {
    ctx = setup();
  });

  it('registers a handler for every channel of the table, each with a validator', () => {
    expect([...ctx.invokes.keys()].sort()).toEqual(Object.keys(invokeValidators).sort());
    expect([...ctx.sends.keys()]).toEqual(['studio:dictation-audio']);
  });

  it('passes validated arguments from the studio window to the handler', async () => {
    const reply = await ctx.invoke('studio:transcribe', ctx.event(), 'file-1');
    expect(reply).toEqual({ ok: true, result: 'studio:transcribe result' });
    expect(ctx.handlers['studio:transcribe']).toHaveBeenCalledWith('file-1');
  });

  it('accepts well-formed project operations', async () => {
    const ops: ProjectOp[] = [
      { type: 'add-files', files: [{ fileId: 'a', reference: 'hello', set: 'corpus', path: 'x/a.wav' }] },
      { type: 'select', fileId: 'a' },
      { type: 'edit-word', fileId: 'a', word: { index: 0, start: 0, end: 0.5 }, text: 'hello' },
      { type: 'cue-time', fileId: 'a', word: { index: 0, start: 0, end: 0.5 }, time: { start: 0, end: 1 } },
      { type: 'cue-time', fileId: 'a', word: { index: 0, start: 0, end: 0.5 }, time: null },
      { type: 'remove-file', fileId: 'a' },
      { type: 'dictation', document: { text: 'Hi.', additions: [{ added: 'Hi.', removed: '' }] } },
    ];
    expect(await ctx.invoke('studio:update-project', ctx.event(), ops)).toEqual({
      ok: true,
      result: 'studio:update-project result',
    });
    expect(ctx.handlers['studio:update-project']).toHaveBeenCalledWith(ops);
  });
});

describe('IPC sender validation', () => {
  let ctx: ReturnType<typeof setup>;
  beforeEach(() => {
    ctx = setup();
  });

  async function expectRefused(e: ReturnType<ReturnType<typeof setup>['event']>) {
    const reply = await ctx.invoke('studio:get-info', e);
    expect(reply).toEqual({ ok: false, error: { code: 'UNTRUSTED_SENDER', message: 'request refused' } });
    expect(ctx.handlers['studio:get-info']).not.toHaveBeenCalled();
  }

  it('refuses a sub-frame (iframe) of the studio window', async () => {
    await expectRefused(ctx.event({ frame: new FakeFrame('app://studio/index.html') }));
  });

  it('refuses another web contents', async () => {
    await expectRefused(ctx.event({ sender: new FakeWebContents('app://studio/index.html') }));
  });

  it('refuses the studio window once it shows another origin', async () => {
    ctx.window.mainFrame.url = 'https://evil.example/';
    await expectRefused(ctx.event());
  });

  it('refuses a sender whose frame is gone', async () => {
    await expectRefused(ctx.event({ frame: null }));
  });

  it('explains each refusal', () => {
    const trusted = () => [ctx.window as unknown as WebContents];
    const check = (e: ReturnType<typeof ctx.event>) =>
      senderProblem(e as unknown as IpcMainInvokeEvent, trusted);
    expect(check(ctx.event())).toBeNull();
    expect(check(ctx.event({ frame: new FakeFrame('app://studio/') }))).toBe('not the top-level frame');
    expect(check(ctx.event({ sender: new FakeWebContents() }))).toBe('not the studio window');
    expect(senderProblem(ctx.event() as unknown as IpcMainEvent, () => [])).toBe('not the studio window');
    // The dictation overlay, while open, is one of our windows too; another web contents is not.
    const overlay = new FakeWebContents();
    const both = () => [ctx.window as unknown as WebContents, overlay as unknown as WebContents];
    expect(senderProblem(ctx.event({ sender: overlay }) as unknown as IpcMainEvent, both)).toBeNull();
    expect(senderProblem(ctx.event({ sender: new FakeWebContents() }) as unknown as IpcMainEvent, both)).toBe(
      'not the studio window',
    );
  });

  it('drops dictation audio from a foreign frame', () => {
    ctx.sends.get('studio:dictation-audio')!(
      ctx.event({ frame: new FakeFrame('app://studio/') }),
      new Float32Array(4),
    );
    expect(ctx.onDictationAudio).not.toHaveBeenCalled();
    ctx.sends.get('studio:dictation-audio')!(ctx.event(), new Float32Array(4));
    expect(ctx.onDictationAudio).toHaveBeenCalledOnce();
  });
});

describe('IPC payload validation', () => {
  let ctx: ReturnType<typeof setup>;
  beforeEach(() => {
    ctx = setup();
  });

  const malformed: [string, unknown[]][] = [
    ['studio:transcribe', [42]],
    ['studio:transcribe', ['../../etc/passwd']],
    ['studio:transcribe', ['ok', 'extra']],
    ['studio:transcribe', []],
    ['studio:get-info', ['unexpected']],
    ['studio:add-paths', [['relative/path.wav']]],
    ['studio:add-paths', ['/not/an/array.wav']],
    ['studio:add-paths', [['/tmp/a\0.wav']]],
    ['studio:save-export', [{ suggestedName: '../../.bashrc', format: 'txt', content: 'x' }]],
    ['studio:save-export', [{ suggestedName: 'a.exe', format: 'exe', content: 'x' }]],
    ['studio:update-project', [{ type: 'select', fileId: null }]], // not a list
    ['studio:update-project', [[{ type: 'drop-tables' }]]],
    ['studio:update-project', [[{ type: 'select', fileId: null, extra: true }]]],
    ['studio:update-project', [[{ type: 'select', fileId: '../a' }]]],
    [
      'studio:update-project',
      [[{ type: 'edit-word', fileId: 'a', word: { index: -1, start: 0, end: 1 }, text: 'x' }]],
    ],
    [
      'studio:update-project',
      [[{ type: 'edit-word', fileId: 'a', word: { index: 0, start: 0, end: 1 }, text: 7 }]],
    ],
    [
      'studio:update-project',
      [
        [
          {
            type: 'cue-time',
            fileId: 'a',
            word: { index: 0, start: 0, end: 1 },
            time: { start: NaN, end: 1 },
          },
        ],
      ],
    ],
    [
      'studio:update-project',
      [[JSON.parse('{"type":"select","fileId":null,"__proto__":{"polluted":true}}')]],
    ],
    ['studio:dictation-start', [{ source: 'native', deviceIndex: 1.5 }]],
    ['studio:dictation-start', [{ source: 'stream', sampleRate: 1e9 }]],
    ['studio:open-external', [{ url: 'https://x' }]],
  ];

  it.each(malformed)('%s rejects %j', async (channel, args) => {
    const reply = await ctx.invoke(channel, ctx.event(), ...args);
    expect(reply.ok).toBe(false);
    expect(reply.ok || reply.error.code).toBe('INVALID_PAYLOAD');
    expect(
      (ctx.handlers as unknown as Record<string, ReturnType<typeof vi.fn>>)[channel],
    ).not.toHaveBeenCalled();
  });

  it('drops dictation audio that is not a bounded Float32Array', () => {
    const send = ctx.sends.get('studio:dictation-audio')!;
    send(ctx.event(), [0.1, 0.2]);
    send(ctx.event(), new Float64Array(4));
    send(ctx.event(), new Float32Array(500_000));
    expect(ctx.onDictationAudio).not.toHaveBeenCalled();
  });

  it('turns handler errors into clean error replies', async () => {
    vi.mocked(ctx.handlers['studio:transcribe']).mockRejectedValueOnce(
      Object.assign(new Error('no file with id x'), { code: 'UNKNOWN_FILE' }),
    );
    expect(await ctx.invoke('studio:transcribe', ctx.event(), 'x')).toEqual({
      ok: false,
      error: { code: 'UNKNOWN_FILE', message: 'no file with id x' },
    });
  });
});

describe('batch channels', () => {
  it('refuses export bundles whose names could leave the chosen folder or hide a file', async () => {
    const ctx = setup();
    for (const name of ['../x.txt', 'a/b.txt', 'a\\b.txt', '..', '.', 'C:x.txt', '', '.bashrc', '.x.txt']) {
      const reply = await ctx.invoke('studio:save-exports', ctx.event(), { files: [{ name, content: 'x' }] });
      expect(reply, name).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    }
    const ok = await ctx.invoke('studio:save-exports', ctx.event(), {
      files: [{ name: 'talk.srt', content: '1' }],
    });
    expect(ok).toMatchObject({ ok: true });
  });

  it('takes a strict boolean for pausing the queue', async () => {
    const ctx = setup();
    for (const bad of ['true', 1, null, {}]) {
      const reply = await ctx.invoke('studio:pause-queue', ctx.event(), bad);
      expect(reply).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    }
    expect(ctx.handlers['studio:pause-queue']).not.toHaveBeenCalled();
  });
});
