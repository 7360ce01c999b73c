/**
 * Main's side of the IPC contract. Every invoke and send goes through one wrapper that checks the
 * sender (our window's main frame, on the app:// origin) and validates the payload against the schema
 * before a handler runs; replies are `{ ok, result | error }` so the renderer gets clean error messages.
 */
import type { IpcMain, IpcMainEvent, IpcMainInvokeEvent, WebContents } from 'electron';
import { channelRows, STUDIO_CHANNELS } from '../common/channels';
import { toErrorInfo } from '../common/errors';
import type { InvokeHandlers, InvokeReply } from '../common/ipc-contract';
import { dictationAudio, PayloadError, validateInvoke } from '../host/validate';
import { isAppUrl } from './security';

/**
 * Why a sender is refused, or null when it is the top frame of one of our windows (the studio, and the
 * dictation overlay while it is open) on the app origin.
 */
export function senderProblem(
  event: IpcMainEvent | IpcMainInvokeEvent,
  trusted: () => readonly WebContents[],
): string | null {
  // A web contents destroyed while its message was in flight throws from its accessors; that must
  // refuse the message, not throw in main (from an ipcMain.on listener it would be an uncaught exception).
  try {
    const frame = event.senderFrame;
    if (!frame) return 'the sending frame is gone';
    if (!trusted().some((contents) => contents.id === event.sender.id)) return 'not the studio window';
    if (frame !== event.sender.mainFrame) return 'not the top-level frame';
    if (!isAppUrl(frame.url)) return `unexpected origin ${frame.url}`;
    return null;
  } catch (error) {
    return `the sender cannot be inspected (${error instanceof Error ? error.message : String(error)})`;
  }
}

/** Registers every invoke channel (the mapped type makes a missing handler a compile error). */
export function registerIpc(
  ipcMain: Pick<IpcMain, 'handle' | 'on'>,
  handlers: InvokeHandlers,
  options: {
    trusted: () => readonly WebContents[];
    onDictationAudio: (samples: Float32Array) => void;
    log?: (message: string) => void;
  },
): void {
  const log = options.log ?? ((message: string) => console.warn(message));
  for (const { channel } of channelRows('service', 'native')) {
    ipcMain.handle(channel, async (event, ...args: unknown[]): Promise<InvokeReply<unknown>> => {
      const problem = senderProblem(event, options.trusted);
      if (problem) {
        log(`IPC ${channel} refused: ${problem}`);
        return { ok: false, error: { code: 'UNTRUSTED_SENDER', message: 'request refused' } };
      }
      try {
        const validated = validateInvoke(channel, args) as unknown[];
        const handler = handlers[channel] as (...a: unknown[]) => unknown;
        return { ok: true, result: (await handler(...validated)) ?? null };
      } catch (error) {
        if (error instanceof PayloadError) log(`IPC ${channel}: ${error.message}`);
        return { ok: false, error: toErrorInfo(error) };
      }
    });
  }
  const audioChannel = STUDIO_CHANNELS.sendDictationAudio.channel;
  ipcMain.on(audioChannel, (event, samples: unknown) => {
    if (senderProblem(event, options.trusted)) return;
    try {
      options.onDictationAudio(dictationAudio(samples, audioChannel));
    } catch (error) {
      log(`IPC ${audioChannel} dropped: ${(error as Error).message}`);
    }
  });
}
