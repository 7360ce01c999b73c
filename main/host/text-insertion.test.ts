import { describe, expect, it } from 'vitest';
import {
  detectTextInsertion,
  eraseCommand,
  TypingSession,
  pasteCommand,
  TextInserter,
  typingCommand,
  type ClipboardAccess,
  type InsertionEnvironment,
  type RunProgram,
} from './text-insertion';

const environment = (
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv,
  tools: string[],
): InsertionEnvironment => ({
  platform,
  env,
  findTool: async (name) => (tools.includes(name) ? `/usr/bin/${name}` : null),
});

describe('text insertion: which tool', () => {
  it("picks each platform's tool, and names what to install when it is missing", async () => {
    const cases: [InsertionEnvironment, string, RegExp | null][] = [
      [environment('linux', { DISPLAY: ':0' }, ['xdotool']), 'xdotool', null],
      [environment('linux', { DISPLAY: ':0' }, []), 'clipboard', /install xdotool/],
      [
        environment('linux', { XDG_SESSION_TYPE: 'wayland', WAYLAND_DISPLAY: 'wayland-0', DISPLAY: ':0' }, [
          'wtype',
          'xdotool',
        ]),
        'wtype',
        null,
      ],
      [environment('linux', { WAYLAND_DISPLAY: 'wayland-0' }, ['ydotool']), 'ydotool', null],
      [
        environment('linux', { WAYLAND_DISPLAY: 'wayland-0' }, ['xdotool']),
        'clipboard',
        /install wtype .* or ydotool/,
      ],
      [environment('linux', {}, ['xdotool']), 'clipboard', /no graphical session/],
      [environment('darwin', {}, ['osascript']), 'osascript', /Accessibility/],
      [environment('win32', {}, ['powershell']), 'sendinput', null],
    ];
    for (const [env, method, hint] of cases) {
      const support = await detectTextInsertion(env);
      expect(support.method, JSON.stringify(env.env)).toBe(method);
      if (hint) expect(support.hint).toMatch(hint);
      else expect(support.hint).toBeNull();
    }
  });

  it('passes dictated text as one argument or as stdin, never inside a command or script', () => {
    const text = '"; rm -rf ~ #\' $(reboot) `id` -n\nnext line';
    expect(typingCommand('xdotool', '/x', text).args.at(-1)).toBe(text);
    expect(typingCommand('xdotool', '/x', text).args.at(-2)).toBe('--');
    expect(typingCommand('wtype', '/w', text).args).toEqual(['--', text]);
    expect(typingCommand('ydotool', '/y', text).args).toEqual(['type', '--', text]);
    const mac = typingCommand('osascript', '/o', text);
    expect(mac.args.at(-1)).toBe(text);
    expect(mac.args.slice(0, -1).join(' ')).not.toContain(text);
    const windows = typingCommand('sendinput', '/p', text);
    expect(windows.input).toBe(text);
    expect(windows.args.join(' ')).not.toContain('rm -rf');
  });
});

describe('text insertion: the clipboard fallback', () => {
  const fakeClipboard = (initial: string): ClipboardAccess & { value: string } => ({
    value: initial,
    readText() {
      return this.value;
    },
    writeText(text) {
      this.value = text;
    },
  });

  it("pastes with the paste key and restores the user's clipboard; inserts in order", async () => {
    const clipboard = fakeClipboard('mine');
    const calls: string[] = [];
    const run: RunProgram = async (file, args) => {
      calls.push(`${file} ${args.join(' ')} [clipboard: ${clipboard.value}]`);
      return '';
    };
    const support = await detectTextInsertion(environment('linux', { WAYLAND_DISPLAY: 'w' }, ['wtype']));
    const inserter = new TextInserter({ support, clipboard, run, preferClipboard: true, restoreAfterMs: 1 });
    await Promise.all([inserter.insert('one'), inserter.insert('two')]);
    expect(calls).toEqual([
      `/usr/bin/wtype ${pasteCommand(support)!.args.join(' ')} [clipboard: one]`,
      `/usr/bin/wtype ${pasteCommand(support)!.args.join(' ')} [clipboard: two]`,
    ]);
    expect(clipboard.value).toBe('mine');
  });

  it('leaves a clipboard the user changed meanwhile alone, and restores it when pasting fails', async () => {
    const clipboard = fakeClipboard('mine');
    const support = await detectTextInsertion(environment('darwin', {}, ['osascript']));
    const copiesMeanwhile = new TextInserter({
      support,
      clipboard,
      preferClipboard: true,
      restoreAfterMs: 1,
      run: async () => {
        clipboard.value = 'copied by the user';
        return '';
      },
    });
    await copiesMeanwhile.insert('dictated');
    expect(clipboard.value).toBe('copied by the user');

    clipboard.value = 'mine';
    const failing = new TextInserter({
      support,
      clipboard,
      preferClipboard: true,
      run: async () => {
        throw new Error('osascript failed: not allowed to send keystrokes');
      },
    });
    await expect(failing.insert('dictated')).rejects.toThrow(/not allowed to send keystrokes/);
    expect(clipboard.value).toBe('mine');
    // The queue goes on after a failure.
    await expect(failing.insert('')).resolves.toBeUndefined();
  });

  it('says what to install when nothing can insert text', async () => {
    const support = await detectTextInsertion(environment('linux', { DISPLAY: ':0' }, []));
    const inserter = new TextInserter({ support, clipboard: fakeClipboard(''), run: async () => '' });
    await expect(inserter.insert('hello')).rejects.toThrow(
      /cannot type into other applications here: install xdotool/,
    );
  });
});

describe('text insertion: a typing session', () => {
  it('sends what each final changes: Backspaces for what it takes back, then the new text', async () => {
    const calls: string[][] = [];
    const run: RunProgram = async (_file, args) => {
      calls.push(args);
      return '';
    };
    const support = await detectTextInsertion(environment('linux', { WAYLAND_DISPLAY: 'w' }, ['wtype']));
    const session = new TypingSession(new TextInserter({ support, run }));
    await session.final({ text: 'hello world' });
    await session.final({ text: 'comma and more' });
    await session.final({ text: 'scratch that' });
    await session.final({ text: '' });
    expect(calls).toEqual([
      ['--', 'Hello world'],
      ['--', ', and more'],
      eraseCommand('wtype', '/usr/bin/wtype', ', and more'.length).args,
    ]);
    expect(session.text).toBe('Hello world');
    expect(eraseCommand('wtype', '/w', 2).args).toEqual(['-k', 'BackSpace', '-k', 'BackSpace']);
    expect(eraseCommand('xdotool', '/x', 3).args).toContain('3');
    expect(eraseCommand('ydotool', '/y', 1).args).toEqual(['key', '14:1', '14:0']);
  });

  it.each([
    [true, ['--', 'Is it done? Yes.']],
    [false, ['--', 'is it done yes']],
  ])("types the punctuation model's text only when the user has it on (%s)", async (punctuate, typed) => {
    const calls: string[][] = [];
    const run: RunProgram = async (_file, args) => {
      calls.push(args);
      return '';
    };
    const support = await detectTextInsertion(environment('linux', { WAYLAND_DISPLAY: 'w' }, ['wtype']));
    const session = new TypingSession(new TextInserter({ support, run }), punctuate);
    await session.final({ text: 'is it done yes', displayText: 'Is it done? Yes.' });
    expect(calls).toEqual([typed]);
  });
});
