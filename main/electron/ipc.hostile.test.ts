/**
 * Hostile IPC: every invoke channel in the validator map (so channels added later are covered without
 * touching this file) is hit from foreign senders and with malformed and oversized payloads. Each must be
 * answered with a clean refusal — never reach its handler, never throw in main.
 */
import type { WebContents } from 'electron';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { InvokeHandlers, InvokeReply } from '../common/ipc-contract';
import {
  invokeValidators,
  MAX_DICTATION_DOCUMENT_CHARS,
  MAX_PROJECT_OPS,
  PayloadError,
  validateInvoke,
} from '../host/validate';
import { registerIpc } from './ipc';
import { FakeFrame, FakeWebContents } from './testing/fake-electron';

type Listener = (event: unknown, ...args: unknown[]) => unknown;
const CHANNELS = Object.keys(invokeValidators) as (keyof typeof invokeValidators)[];

function setup() {
  const invokes = new Map<string, Listener>();
  const sends = new Map<string, Listener>();
  const window = new FakeWebContents();
  const handlers = Object.fromEntries(
    CHANNELS.map((c) => [c, vi.fn(async () => null)]),
  ) as unknown as InvokeHandlers;
  const onDictationAudio = vi.fn();
  registerIpc(
    {
      handle: (channel: string, listener: Listener) => invokes.set(channel, listener),
      on: (channel: string, listener: Listener) => sends.set(channel, listener),
    } as never,
    handlers,
    { trusted: () => [window as unknown as WebContents], onDictationAudio, log: () => {} },
  );
  const called = (channel: string) =>
    (handlers as unknown as Record<string, ReturnType<typeof vi.fn>>)[channel].mock.calls.length;
  const invoke = async (channel: string, event: unknown, args: unknown[]) =>
    (await invokes.get(channel)!(event, ...args)) as InvokeReply<unknown>;
  const event = (sender: FakeWebContents = window, frame: FakeFrame | null = sender.mainFrame) => ({
    sender,
    senderFrame: frame,
  });
  return { invokes, sends, window, handlers, called, invoke, event, onDictationAudio };
}

/** How many arguments a channel takes, read from its validator (tuples say so when given none). */
function arity(channel: (typeof CHANNELS)[number]): number {
  try {
    validateInvoke(channel, []);
    return 0;
  } catch (error) {
    const n = /expected (\d+) arguments/.exec((error as Error).message)?.[1];
    if (!n) throw error;
    return Number(n);
  }
}

/** Values no argument validator accepts, whatever its schema (string, number, object, array, literal…). */
const HOSTILE_VALUES: [string, unknown][] = [
  ['NaN', NaN],
  ['Infinity', -Infinity],
  ['prototype pollution', JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{}}}')],
  ['Float64Array', new Float64Array(8)],
  ['Date', new Date(0)],
  ['Map', new Map([['a', 1]])],
  ['BigInt', 10n],
  ['deeply nested arrays', JSON.parse('['.repeat(5000) + ']'.repeat(5000))],
  ['class instance', new (class Evil {})()],
];

/** Valid arguments for the channels that exist today: mutating one position at a time tests each. */
const VALID: Record<string, unknown[]> = {
  'studio:add-paths': [['/tmp/a.wav']],
  'studio:transcribe': ['f1'],
  'studio:cancel': ['job-1'],
  'studio:update-project': [
    [
      { type: 'add-files', files: [{ fileId: 'f1' }] },
      { type: 'edit-word', fileId: 'f1', word: { index: 0, start: 0, end: 0.5 }, text: 'hello' },
    ],
  ],
  'studio:save-export': [{ suggestedName: 'a.txt', format: 'txt', content: 'hello' }],
  'studio:dictation-start': [{ source: 'stream', sampleRate: 16000, enrollPrompt: 3 }],
  'studio:open-external': ['https://example.com/'],
  'studio:pause-queue': [true],
  'studio:enroll-save': [0],
  'studio:profile-add-correction': ['f1', 'hello world'],
  'studio:adapt-start': [{ name: 'my-voice.1', epochs: 1, layers: 'top', keepAnyway: true }],
  'studio:select-model': ['my-voice.1'],
  'studio:delete-model': ['my-voice.1'],
  'studio:set-vocabulary': [['Kowalski', 'tensor processing unit']],
  'studio:set-run-target': ['redis://queue.lab:6379'],
  'studio:save-exports': [
    {
      files: [
        { name: 'a.srt', content: '1' },
        { name: 'summary.csv', content: 'x' },
      ],
    },
  ],
};

const refused = (reply: InvokeReply<unknown>, code: string) =>
  expect(reply).toEqual({ ok: false, error: expect.objectContaining({ code }) });

describe('every IPC channel refuses foreign senders', () => {
  let ctx: ReturnType<typeof setup>;
  beforeEach(() => {
    ctx = setup();
  });

  const foreign: [string, () => unknown][] = [
    ['another web contents', () => ctx.event(new FakeWebContents('app://studio/index.html'))],
    ['a sub-frame of the studio window', () => ctx.event(ctx.window, new FakeFrame('app://studio/'))],
    ['a frame that is gone', () => ctx.event(ctx.window, null)],
    [
      'the window after navigating to another site',
      () => {
        ctx.window.mainFrame.url = 'https://evil.example/';
        return ctx.event();
      },
    ],
    [
      'a file:// page',
      () => {
        ctx.window.mainFrame.url = 'file:///tmp/evil.html';
        return ctx.event();
      },
    ],
    [
      'another app:// host',
      () => {
        ctx.window.mainFrame.url = 'app://evil/index.html';
        return ctx.event();
      },
    ],
  ];

  it.each(CHANNELS)('%s', async (channel) => {
    for (const [, make] of foreign) {
      // Even with valid arguments, and before any payload check.
      refused(await ctx.invoke(channel, make(), VALID[channel] ?? []), 'UNTRUSTED_SENDER');
      ctx.window.mainFrame.url = 'app://studio/index.html';
    }
    expect(ctx.called(channel)).toBe(0);
  });

  it('drops dictation audio from every foreign sender', () => {
    for (const [, make] of foreign) {
      ctx.sends.get('studio:dictation-audio')!(make(), new Float32Array(16));
      ctx.window.mainFrame.url = 'app://studio/index.html';
    }
    expect(ctx.onDictationAudio).not.toHaveBeenCalled();
  });
});

describe('every IPC channel refuses malformed payloads', () => {
  let ctx: ReturnType<typeof setup>;
  beforeEach(() => {
    ctx = setup();
  });

  it('has a valid example for channels it knows, and the examples are accepted', async () => {
    for (const [channel, args] of Object.entries(VALID)) {
      if (!(channel in invokeValidators)) continue; // a channel that was removed
      expect(await ctx.invoke(channel, ctx.event(), args)).toMatchObject({ ok: true });
    }
  });

  it.each(CHANNELS)('%s', async (channel) => {
    const n = arity(channel);
    const bad: unknown[][] = [
      new Array(n + 1).fill('x'), // one argument too many
      new Array(10_000).fill(0), // far too many
    ];
    if (n > 0) bad.push([]); // missing arguments
    for (let position = 0; position < n; position++) {
      for (const [, value] of HOSTILE_VALUES) {
        // With a valid example, only this position is wrong; otherwise every position is.
        const args = VALID[channel] ? [...VALID[channel]] : new Array(n).fill(value);
        args[position] = value;
        bad.push(args);
      }
    }
    for (const args of bad) {
      refused(await ctx.invoke(channel, ctx.event(), args), 'INVALID_PAYLOAD');
      expect(() => validateInvoke(channel, args)).toThrow(PayloadError);
    }
    expect(ctx.called(channel)).toBe(0);
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('refuses oversized payloads on the channels that carry data', async () => {
    const big: [string, unknown[]][] = [
      ['studio:add-paths', [Array.from({ length: 1001 }, (_, i) => `/tmp/${i}.wav`)]],
      ['studio:add-paths', [['/' + 'a'.repeat(4096)]]],
      ['studio:transcribe', ['a'.repeat(65)]],
      ['studio:cancel', ['a'.repeat(65)]],
      ['studio:open-external', ['https://x.example/' + 'a'.repeat(2048)]],
      ['studio:enroll-save', [1000]],
      ['studio:enroll-save', [0.5]],
      ['studio:dictation-start', [{ source: 'stream', sampleRate: 16000, enrollPrompt: -1 }]],
      ['studio:dictation-start', [{ source: 'stream', sampleRate: 16000, enrollPrompt: 1.5 }]],
      ['studio:profile-add-correction', ['f1', 'x'.repeat(10_001)]],
      // Model names are folder names inside the profile: no traversal, no separators, bounded.
      ['studio:adapt-start', [{ name: '../evil' }]],
      ['studio:adapt-start', [{ name: 'a..b' }]],
      ['studio:adapt-start', [{ name: 'a/b' }]],
      ['studio:adapt-start', [{ name: 'a'.repeat(65) }]],
      ['studio:adapt-start', [{ name: 'me', epochs: 1000 }]],
      ['studio:adapt-start', [{ name: 'me', profileDir: '/tmp' }]],
      ['studio:select-model', ['..']],
      ['studio:select-model', ['/etc']],
      ['studio:delete-model', ['.hidden']],
      ['studio:set-vocabulary', [['x'.repeat(101)]]],
      ['studio:set-vocabulary', [Array.from({ length: 5001 }, () => 'a')]],
      ['studio:set-vocabulary', [[42]]],
      ['studio:set-run-target', ['']],
      ['studio:set-run-target', ['redis://' + 'x'.repeat(2048)]],
      ['studio:set-run-target', [{ url: 'redis://h' }]],
      [
        'studio:save-export',
        [{ ...(VALID['studio:save-export'][0] as object), content: 'x'.repeat(50_000_001) }],
      ],
      ['studio:save-export', [{ suggestedName: 'a'.repeat(256), format: 'txt', content: '' }]],
      // Project operations: too many, a word too long, a dictation document or history past its limit.
      [
        'studio:update-project',
        Array.from({ length: MAX_PROJECT_OPS + 1 }, () => ({ type: 'select', fileId: null })),
      ],
      [
        'studio:update-project',
        [{ type: 'edit-word', fileId: 'f1', word: { index: 0, start: 0, end: 1 }, text: 'x'.repeat(201) }],
      ],
      [
        'studio:update-project',
        [
          {
            type: 'dictation',
            document: { text: 'x'.repeat(MAX_DICTATION_DOCUMENT_CHARS + 1), additions: [] },
          },
        ],
      ],
      [
        'studio:update-project',
        [
          {
            type: 'dictation',
            document: {
              text: 'x',
              additions: Array.from({ length: 3 }, () => ({
                added: 'y'.repeat(MAX_DICTATION_DOCUMENT_CHARS / 2),
                removed: '',
              })),
            },
          },
        ],
      ],
      [
        'studio:update-project',
        [{ type: 'add-files', files: Array.from({ length: 10_001 }, (_, i) => ({ fileId: `f${i}` })) }],
      ],
    ];
    for (const [channel, args] of big) {
      refused(await ctx.invoke(channel, ctx.event(), args), 'INVALID_PAYLOAD');
      expect(ctx.called(channel)).toBe(0);
    }
  });

  it('drops malformed and oversized dictation audio without throwing', () => {
    const send = ctx.sends.get('studio:dictation-audio')!;
    for (const [, value] of HOSTILE_VALUES) expect(() => send(ctx.event(), value)).not.toThrow();
    expect(() => send(ctx.event(), new Float32Array(192_001))).not.toThrow();
    expect(() => send(ctx.event(), [0.1, 0.2])).not.toThrow();
    expect(() => send(ctx.event())).not.toThrow();
    expect(ctx.onDictationAudio).not.toHaveBeenCalled();
  });

  it('hands on dictation audio only as finite samples within full scale', () => {
    const send = ctx.sends.get('studio:dictation-audio')!;
    send(ctx.event(), new Float32Array([0.5, NaN, Infinity, -Infinity, 1e30, -1e30, -0.25]));
    expect(Array.from(ctx.onDictationAudio.mock.calls[0][0] as Float32Array)).toEqual([
      0.5, 0, 1, -1, 1, -1, -0.25,
    ]);
    const clean = new Float32Array([0.1, -1, 1]);
    send(ctx.event(), clean);
    expect(ctx.onDictationAudio.mock.calls[1][0]).toBe(clean); // nothing to correct: not copied
  });

  it('does not throw in main when the studio window is destroyed while a message is in flight', async () => {
    // Electron throws "Object has been destroyed" from a destroyed web contents' accessors.
    const frame = ctx.window.mainFrame;
    Object.defineProperty(ctx.window, 'mainFrame', {
      get: () => {
        throw new Error('Object has been destroyed');
      },
    });
    const event = { sender: ctx.window, senderFrame: frame };
    expect(() => ctx.sends.get('studio:dictation-audio')!(event, new Float32Array(4))).not.toThrow();
    for (const channel of CHANNELS) {
      refused(await ctx.invoke(channel, event, VALID[channel] ?? []), 'UNTRUSTED_SENDER');
    }
    expect(ctx.onDictationAudio).not.toHaveBeenCalled();
  });

  it('answers handler failures of any shape with a clean error reply', async () => {
    const odd: unknown[] = ['a string', null, undefined, 42, { code: 7 }, new Error('plain')];
    for (const thrown of odd) {
      vi.mocked(ctx.handlers['studio:get-info']).mockRejectedValueOnce(thrown);
      const reply = await ctx.invoke('studio:get-info', ctx.event(), []);
      expect(reply.ok).toBe(false);
      if (!reply.ok) {
        expect(typeof reply.error.code).toBe('string');
        expect(typeof reply.error.message).toBe('string');
      }
    }
  });
});
