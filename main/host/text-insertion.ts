/**
 * Dictation into whatever application has focus: each final is typed there by the platform's own input
 * tool, or pasted through the clipboard (which is put back afterwards) when no typing tool is present.
 *
 * - Linux X11: `xdotool type` (into the window that had focus when dictation started, re-activated if
 *   focus moved to the studio meanwhile);
 * - Linux Wayland: `wtype` (wlroots compositors), else `ydotool type` (needs the ydotoold service);
 * - macOS: System Events keystrokes through `osascript` (the app needs the Accessibility permission);
 * - Windows: SendInput with Unicode key events, through PowerShell.
 *
 * Text always travels as a process argument or through stdin, never through a shell or a script's
 * source, so dictated text cannot run commands whatever it contains. Plain Node: the Electron main process
 * and tests use it alike; the clipboard (an Electron API) is passed in.
 */
import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { HostError } from '../common/errors';
import type { TextInsertionInfo } from '../common/ipc-contract';
import { utteranceText } from '../common/display-text';
import {
  additionOf,
  applyUtterance,
  EMPTY_DICTATION,
  type DictationDocument,
} from '../common/spoken-commands';

export type InsertionMethod = 'xdotool' | 'wtype' | 'ydotool' | 'osascript' | 'sendinput' | 'clipboard';

export interface InsertionSupport {
  /** What will insert text; 'clipboard' when no typing tool was found (or the platform has none). */
  method: InsertionMethod;
  /**
   * Full path of the tool the method runs; it also presses the paste key for the clipboard path. Null
   * with method 'clipboard': then nothing here can send keys, so nothing can insert text.
   */
  tool: string | null;
  /** What to install (or allow) for direct typing, shown in the UI when the method is the fallback. */
  hint: string | null;
}

export interface InsertionEnvironment {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** Finds an executable on PATH (tests give their own). */
  findTool(name: string): Promise<string | null>;
}

/** The platform clipboard (Electron's `clipboard` in the app). */
export interface ClipboardAccess {
  readText(): string | Promise<string>;
  writeText(text: string): void | Promise<void>;
}

/** Runs a program without a shell; resolves with its stdout, rejects with its stderr's first line. */
export type RunProgram = (file: string, args: string[], options?: { input?: string }) => Promise<string>;

export async function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  const extensions = process.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    for (const extension of extensions) {
      const candidate = path.join(dir, name + extension);
      try {
        await access(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return null;
}

export const runProgram: RunProgram = (file, args, options = {}) =>
  new Promise((resolve, reject) => {
    const input = options.input;
    const child = spawn(file, args, {
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      shell: false,
      windowsHide: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk.slice(0, 65536)));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk.slice(0, 65536)));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else
        reject(new Error(`${path.basename(file)} failed: ${stderr.trim().split('\n')[0] || `exit ${code}`}`));
    });
    if (input !== undefined) {
      // A program that exits without reading its input is reported by its exit code, not as EPIPE.
      child.stdin!.on('error', () => {});
      child.stdin!.end(input);
    }
  });

const defaultEnvironment = (): InsertionEnvironment => ({
  platform: process.platform,
  env: process.env,
  findTool: (name) => findOnPath(name),
});

/** Which Linux display server the session runs: Wayland sessions may still run X apps via Xwayland. */
function linuxSession(env: NodeJS.ProcessEnv): 'wayland' | 'x11' | 'none' {
  if (env.XDG_SESSION_TYPE === 'wayland' || (env.WAYLAND_DISPLAY && !env.DISPLAY)) return 'wayland';
  if (env.DISPLAY) return 'x11';
  if (env.WAYLAND_DISPLAY) return 'wayland';
  return 'none';
}

/** Finds the best way to insert text here, and what is missing for a better one. */
export async function detectTextInsertion(
  environment: InsertionEnvironment = defaultEnvironment(),
): Promise<InsertionSupport> {
  const { platform, env, findTool } = environment;
  if (platform === 'darwin') {
    const tool = await findTool('osascript');
    return {
      method: tool ? 'osascript' : 'clipboard',
      tool,
      hint: 'allow Speech Studio in System Settings → Privacy & Security → Accessibility',
    };
  }
  if (platform === 'win32') {
    const tool = (await findTool('powershell')) ?? (await findTool('pwsh'));
    return {
      method: tool ? 'sendinput' : 'clipboard',
      tool,
      hint: tool ? null : 'PowerShell is missing',
    };
  }
  const session = linuxSession(env);
  if (session === 'x11') {
    const tool = await findTool('xdotool');
    return {
      method: tool ? 'xdotool' : 'clipboard',
      tool,
      hint: tool ? null : 'install xdotool (e.g. sudo apt install xdotool)',
    };
  }
  if (session === 'wayland') {
    const wtype = await findTool('wtype');
    if (wtype) return { method: 'wtype', tool: wtype, hint: null };
    const ydotool = await findTool('ydotool');
    if (ydotool) return { method: 'ydotool', tool: ydotool, hint: null };
    return {
      method: 'clipboard',
      tool: null,
      hint: 'install wtype (wlroots compositors) or ydotool (e.g. sudo apt install wtype)',
    };
  }
  return { method: 'clipboard', tool: null, hint: 'no graphical session was found' };
}

/**
 * PowerShell that types the UTF-16 text read from stdin with SendInput (KEYEVENTF_UNICODE, so any
 * character and keyboard layout work). The text never becomes part of the script.
 */
export const SENDINPUT_SCRIPT = `
$ErrorActionPreference = 'Stop'
Add-Type -TypeDefinition @'
using System; using System.Runtime.InteropServices;
public static class SpeechStudioKeys {
  [StructLayout(LayoutKind.Sequential)] struct KEYBDINPUT { public ushort wVk; public ushort wScan; public uint dwFlags; public uint time; public IntPtr dwExtraInfo; }
  [StructLayout(LayoutKind.Explicit, Size = 40)] struct INPUT { [FieldOffset(0)] public uint type; [FieldOffset(8)] public KEYBDINPUT ki; }
  [DllImport("user32.dll", SetLastError = true)] static extern uint SendInput(uint n, INPUT[] inputs, int size);
  public static void Type(string text) {
    foreach (char c in text) {
      var down = new INPUT { type = 1 }; down.ki.wScan = c; down.ki.dwFlags = 4;
      var up = new INPUT { type = 1 }; up.ki.wScan = c; up.ki.dwFlags = 4 | 2;
      if (SendInput(2, new[] { down, up }, Marshal.SizeOf(typeof(INPUT))) != 2) throw new Exception("SendInput was blocked");
    }
  }
}
'@
[SpeechStudioKeys]::Type([Console]::In.ReadToEnd())
`;

const OSASCRIPT_TYPE = [
  '-e',
  'on run argv',
  '-e',
  'tell application "System Events" to keystroke (item 1 of argv)',
  '-e',
  'end run',
];

/** The program and arguments that type `text` with a direct method. */
export function typingCommand(
  method: Exclude<InsertionMethod, 'clipboard'>,
  tool: string,
  text: string,
): { file: string; args: string[]; input?: string } {
  switch (method) {
    case 'xdotool':
      // `--` ends the options: a final starting with "-" is text, not a flag.
      return {
        file: tool,
        args: ['type', '--clearmodifiers', '--delay', '2', '--', text],
      };
    case 'wtype':
      return { file: tool, args: ['--', text] };
    case 'ydotool':
      return { file: tool, args: ['type', '--', text] };
    case 'osascript':
      return { file: tool, args: [...OSASCRIPT_TYPE, text] };
    case 'sendinput':
      return {
        file: tool,
        args: ['-NoProfile', '-NonInteractive', '-Command', SENDINPUT_SCRIPT],
        input: text,
      };
  }
}

/** Windows: keys in WScript.Shell's SendKeys notation (only fixed keys, never dictated text). */
const sendKeys = (powershell: string, keys: string) => ({
  file: powershell,
  args: [
    '-NoProfile',
    '-NonInteractive',
    '-Command',
    `(New-Object -ComObject WScript.Shell).SendKeys('${keys}')`,
  ],
});

/** The program and arguments that press Backspace `count` times (to take back what was typed). */
export function eraseCommand(
  method: Exclude<InsertionMethod, 'clipboard'>,
  tool: string,
  count: number,
): { file: string; args: string[]; input?: string } {
  const n = Math.max(1, Math.floor(count));
  switch (method) {
    case 'xdotool':
      return {
        file: tool,
        args: ['key', '--clearmodifiers', '--repeat', String(n), '--delay', '2', 'BackSpace'],
      };
    case 'wtype':
      return { file: tool, args: Array.from({ length: n }, () => ['-k', 'BackSpace']).flat() };
    case 'ydotool':
      // Linux input event code 14 is KEY_BACKSPACE: pressed (:1) and released (:0).
      return { file: tool, args: ['key', ...Array.from({ length: n }, () => ['14:1', '14:0']).flat()] };
    case 'osascript':
      return {
        file: tool,
        args: [
          '-e',
          `tell application "System Events" to repeat ${n} times`,
          '-e',
          'key code 51',
          '-e',
          'end repeat',
        ],
      };
    case 'sendinput':
      return sendKeys(tool, `{BS ${n}}`);
  }
}

/** The program and arguments that press the platform's paste shortcut. */
export function pasteCommand(
  support: InsertionSupport,
): { file: string; args: string[]; input?: string } | null {
  const tool = support.tool;
  if (!tool) return null;
  if (support.method === 'xdotool') {
    return {
      file: tool,
      args: ['key', '--clearmodifiers', 'ctrl+v'],
    };
  }
  switch (support.method) {
    case 'wtype':
      return { file: tool, args: ['-M', 'ctrl', 'v', '-m', 'ctrl'] };
    case 'ydotool':
      return { file: tool, args: ['key', 'ctrl+v'] };
    case 'osascript':
      return {
        file: tool,
        args: ['-e', 'tell application "System Events" to keystroke "v" using command down'],
      };
    case 'sendinput':
      return sendKeys(tool, '^v');
    default:
      return null;
  }
}

export interface TextInserterOptions {
  support: InsertionSupport;
  clipboard?: ClipboardAccess;
  run?: RunProgram;
  /**
   * How long the pasted text stays on the clipboard before the user's own is put back. Nothing says when
   * the target has read it, and a busy machine delays that by hundreds of milliseconds (a CI run saw more
   * than 300 ms): too short and the user's old clipboard is pasted in place of their words, so the
   * default errs long.
   */
  restoreAfterMs?: number;
  /** Force the clipboard path even when a typing tool exists (some applications drop synthetic keys). */
  preferClipboard?: boolean;
}

/**
 * Types finals into the application that had focus when dictation started. Calls are serialised, so
 * finals arrive in order even when one insertion is slow.
 */
export class TextInserter {
  private readonly run: RunProgram;
  private targetWindow: string | null = null;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: TextInserterOptions) {
    this.run = options.run ?? runProgram;
  }

  get method(): InsertionMethod {
    const { support, preferClipboard } = this.options;
    return preferClipboard && support.method !== 'clipboard' ? 'clipboard' : support.method;
  }

  /**
   * Remembers the focused window (X11: its id), called when the dictation shortcut is pressed, before
   * any studio window takes focus.
   */
  async rememberTarget(): Promise<void> {
    const xdotool = this.xdotool();
    if (!xdotool) return;
    // The window manager's idea of the active window where there is one, else the X input focus.
    for (const query of ['getactivewindow', 'getwindowfocus']) {
      try {
        this.targetWindow = (await this.run(xdotool, [query])).trim() || null;
        if (this.targetWindow) return;
      } catch {
        // No window manager (getactivewindow) or no focused window: try the next, else type wherever focus is.
      }
    }
  }

  private xdotool(): string | null {
    const { support } = this.options;
    return support.method === 'xdotool' ? support.tool : null;
  }

  /** X11: gives the remembered window the focus again when it has moved (e.g. to the studio). */
  private async refocusTarget(): Promise<void> {
    const xdotool = this.xdotool();
    const target = this.targetWindow;
    if (!xdotool || !target) return;
    const focused = await this.run(xdotool, ['getwindowfocus']).then(
      (id) => id.trim(),
      () => '',
    );
    if (focused === target) return;
    try {
      await this.run(xdotool, ['windowactivate', '--sync', target]);
    } catch {
      // Without a window manager there is no activation; setting the input focus is what remains.
      await this.run(xdotool, ['windowfocus', '--sync', target]);
    }
  }

  get target(): string | null {
    return this.targetWindow;
  }

  /** Inserts `text`; resolves when it has been typed (or pasted), rejects with a readable error. */
  insert(text: string): Promise<void> {
    return this.replaceEnd(0, text);
  }

  /**
   * Takes back the last `erase` characters typed (Backspace), then inserts `text`: how a spoken command
   * such as "scratch that" or a full stop after a space reaches another application.
   */
  replaceEnd(erase: number, text: string): Promise<void> {
    const next = this.queue.then(async () => {
      if (erase > 0) await this.eraseNow(erase);
      await this.insertNow(text);
    });
    this.queue = next.catch(() => {});
    return next;
  }

  private async eraseNow(count: number): Promise<void> {
    const { support } = this.options;
    const method = support.method === 'clipboard' ? null : support.method;
    if (!method || !support.tool) {
      throw new Error(`cannot correct text in other applications here: ${support.hint ?? 'no input tool'}`);
    }
    await this.refocusTarget();
    const command = eraseCommand(method, support.tool, count);
    await this.run(command.file, command.args);
  }

  private async insertNow(text: string): Promise<void> {
    if (text === '') return;
    const { support } = this.options;
    await this.refocusTarget();
    if (this.method !== 'clipboard' && support.tool) {
      const command = typingCommand(this.method as Exclude<InsertionMethod, 'clipboard'>, support.tool, text);
      await this.run(command.file, command.args, command.input === undefined ? {} : { input: command.input });
      return;
    }
    await this.paste(text);
  }

  private async paste(text: string): Promise<void> {
    const { clipboard, support, restoreAfterMs = 1500 } = this.options;
    const command = pasteCommand(support);
    if (!clipboard || !command) {
      throw new Error(`cannot type into other applications here: ${support.hint ?? 'no input tool'}`);
    }
    const saved = await clipboard.readText();
    await clipboard.writeText(text);
    try {
      await this.run(command.file, command.args);
      // The target reads the clipboard when it handles the key, possibly after the tool has returned.
      await new Promise((resolve) => setTimeout(resolve, restoreAfterMs));
    } finally {
      // Put the user's clipboard back unless something else replaced ours meanwhile.
      if ((await clipboard.readText()) === text) await clipboard.writeText(saved);
    }
  }
}

/**
 * Dictation into another application: each final goes through the same spoken commands and spacing as
 * the studio's own dictation document (main/common/spoken-commands.ts), and the change it makes to that
 * document is sent as keystrokes: Backspaces for what it took back ("scratch that", a space before a
 * full stop), then the new text.
 */
export class TypingSession {
  private document: DictationDocument = EMPTY_DICTATION;

  /** `punctuate`: type the punctuation model's marks and capitals (the user's setting), else the words. */
  constructor(
    private readonly inserter: TextInserter,
    private readonly punctuate = true,
  ) {}

  /** The text typed so far, as the target application should now show it (unless the user edited it). */
  get text(): string {
    return this.document.text;
  }

  /** A final as the engine gives it: the words as recognised, and punctuated when the model is on. */
  async final(final: { text: string; displayText?: string }): Promise<void> {
    const before = this.document.text;
    // As the dictation view builds its document (the first word of the document capitalised too).
    const after = applyUtterance(this.document, utteranceText(before, final, this.punctuate));
    this.document = after;
    const { removed, added } = additionOf(before, after.text);
    // Characters, as the user sees them (a surrogate pair is one Backspace).
    const erase = Array.from(removed).length;
    if (erase === 0 && added === '') return;
    await this.inserter.replaceEnd(erase, added);
  }
}

/**
 * The host's side of "Type into: the focused application": what is available (detected afresh each time,
 * so a tool installed while the app runs is found) and a typing session per dictation.
 */
export class TextInsertion {
  constructor(
    private readonly options: {
      environment?: InsertionEnvironment;
      /** The platform clipboard, for the paste fallback (Electron's; the browser bridge has none). */
      clipboard?: ClipboardAccess;
      run?: RunProgram;
    } = {},
  ) {}

  private async usable(): Promise<{ support: InsertionSupport; info: TextInsertionInfo }> {
    const support = await detectTextInsertion(this.options.environment);
    const canPaste = this.options.clipboard !== undefined && pasteCommand(support) !== null;
    const method = support.method !== 'clipboard' ? support.method : canPaste ? 'clipboard' : 'none';
    return { support, info: { method, hint: support.hint } };
  }

  async describe(): Promise<TextInsertionInfo> {
    return (await this.usable()).info;
  }

  /**
   * A typing session into the application that has focus now (call it when dictation starts); a
   * HostError naming what to install when nothing here can type into other applications.
   */
  async startSession(punctuate = true): Promise<TypingSession> {
    const { support, info } = await this.usable();
    if (info.method === 'none') {
      throw new HostError(
        'TEXT_INSERTION_UNAVAILABLE',
        `Typing into other applications is not available here: ${support.hint ?? 'no input tool was found'}.`,
      );
    }
    const inserter = new TextInserter({ support, clipboard: this.options.clipboard, run: this.options.run });
    await inserter.rememberTarget();
    return new TypingSession(inserter, punctuate);
  }
}
