/**
 * The one error shape that crosses a process boundary (engine worker → host → renderer, over Electron IPC
 * or the browser bridge): a code from a closed list and a message worded for the user. Pure TypeScript,
 * shared by the engine worker, the host, the preload and the bridge client.
 */

/** Every code an ErrorInfo can carry; anything else is reported as INTERNAL. */
export const ERROR_CODES = [
  // The engine (main/engine/errors.ts).
  'FILE_NOT_FOUND',
  'UNSUPPORTED_FORMAT',
  'CORRUPT_AUDIO',
  'EMPTY_AUDIO',
  'MODEL_MISSING',
  'MODEL_MISMATCH',
  'CANCELLED',
  // The engine process, as the host sees it.
  'ENGINE_ERROR',
  'ENGINE_BUSY',
  'ENGINE_STOPPED',
  'ENGINE_CRASHED',
  'ENGINE_UNAVAILABLE',
  'ENGINE_OUT_OF_MEMORY',
  // The host's own refusals.
  'INVALID_REQUEST',
  'INVALID_PAYLOAD',
  'UNKNOWN_FILE',
  'UNKNOWN_MODEL',
  'MODEL_EXISTS',
  'NOT_ENOUGH_DATA',
  'ADAPT_BUSY',
  'DICTATION_BUSY',
  'DICTATION_IDLE',
  'DICTATION_EMPTY',
  'DICTATION_TOO_LONG',
  'MIC_UNAVAILABLE',
  'MIC_OPEN_FAILED',
  'MIC_LOST',
  'TEXT_INSERTION_UNAVAILABLE',
  'TEXT_INSERTION_FAILED',
  'RECORDING_TOO_SHORT',
  'RECORDING_TOO_LONG',
  'VOCABULARY_TOO_LONG',
  'BAD_QUEUE_URL',
  'QUEUE_NEEDS_BASE_MODEL',
  'QUEUE_UNREACHABLE',
  'QUEUE_JOB_FAILED',
  'DATA_FOLDER_LOCKED',
  'SHUTDOWN',
  'REFUSED',
  // The transports.
  'UNTRUSTED_SENDER',
  'UNKNOWN_CHANNEL',
  'TOO_LARGE',
  'BUSY',
  'NO_TOKEN',
  'DISCONNECTED',
  'UNAUTHORIZED',
  'HTTP_ERROR',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** An error as shown to the user: a stable code and a message that names the file and the problem. */
export interface ErrorInfo {
  code: ErrorCode;
  message: string;
}

const KNOWN_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && KNOWN_CODES.has(code);
}

/** A failure the user should see as is (bad request, unknown file, dictation misuse, a refused reply). */
export class HostError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }

  get info(): ErrorInfo {
    return { code: this.code, message: this.message };
  }
}

/**
 * Any thrown value as an ErrorInfo: an error with a known `code` keeps it, anything else (a Node system
 * error such as ENOENT, a bug) gets `fallback` with its message.
 */
export function toErrorInfo(error: unknown, fallback: ErrorCode = 'INTERNAL'): ErrorInfo {
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  return { code: isErrorCode(code) ? code : fallback, message };
}

/**
 * How a host answers an invoke, on both transports (Electron IPC, the bridge's HTTP body): errors travel
 * as data, so the renderer shows clean messages.
 */
export type InvokeReply<T> = { ok: true; result: T } | { ok: false; error: ErrorInfo };

/** The result of a reply, or its error thrown as a HostError. */
export function unwrapReply<T>(reply: InvokeReply<T>): T {
  if (!reply.ok) throw new HostError(reply.error.code, reply.error.message);
  return reply.result;
}
