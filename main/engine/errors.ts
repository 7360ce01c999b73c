import { displayName } from '../common/display-names';

/**
 * Typed engine errors. Every failure the user can meet has its own class and code, and a message that
 * names the file (or model) and the problem, so the CLI, the app and the bridge can show it as is. The
 * name in the message is escaped for display (a newline or an escape sequence in it cannot forge output);
 * `subject` keeps it as given.
 */

export type EngineErrorCode =
  | 'FILE_NOT_FOUND'
  | 'UNSUPPORTED_FORMAT'
  | 'CORRUPT_AUDIO'
  | 'EMPTY_AUDIO'
  | 'MODEL_MISSING'
  | 'MODEL_MISMATCH'
  | 'CANCELLED';

export abstract class EngineError extends Error {
  abstract readonly code: EngineErrorCode;
  /** The audio file or model directory the error is about. */
  readonly subject: string;

  constructor(subject: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.subject = subject;
    this.name = new.target.name;
  }
}

export class FileNotFoundError extends EngineError {
  readonly code = 'FILE_NOT_FOUND';
  /** `problem` replaces the generic reason when it is known (e.g. the path is a folder). */
  constructor(file: string, options?: { cause?: unknown; problem?: string }) {
    super(file, `${displayName(file)}: ${options?.problem ?? 'file not found or not readable'}`, options);
  }
}

/** The formats the engine accepts, as the user is told (README "Command line" and errors). */
export const SUPPORTED_FORMATS = 'WAV, FLAC, MP3, Ogg Vorbis, Ogg Opus';

export class UnsupportedFormatError extends EngineError {
  readonly code = 'UNSUPPORTED_FORMAT';
  constructor(file: string, detail: string) {
    super(file, `${displayName(file)}: unsupported audio format: ${detail}; supported: ${SUPPORTED_FORMATS}`);
  }
}

export class CorruptAudioError extends EngineError {
  readonly code = 'CORRUPT_AUDIO';
  constructor(file: string, detail: string, options?: { cause?: unknown }) {
    super(file, `${displayName(file)}: corrupt audio data (${detail})`, options);
  }
}

export class EmptyAudioError extends EngineError {
  readonly code = 'EMPTY_AUDIO';
  constructor(file: string) {
    super(file, `${displayName(file)}: the file contains no audio samples`);
  }
}

export class ModelMissingError extends EngineError {
  readonly code = 'MODEL_MISSING';
  constructor(modelDir: string, detail: string, options?: { cause?: unknown }) {
    super(modelDir, `model ${displayName(modelDir)}: ${detail}`, options);
  }
}

export class ModelMismatchError extends EngineError {
  readonly code = 'MODEL_MISMATCH';
  constructor(modelDir: string, detail: string) {
    super(modelDir, `model ${displayName(modelDir)}: manifest and weights do not match (${detail})`);
  }
}

export class CancelledError extends EngineError {
  readonly code = 'CANCELLED';
  constructor(subject: string) {
    super(subject, `${displayName(subject)}: transcription cancelled`);
  }
}

export function isEngineError(error: unknown): error is EngineError {
  return error instanceof EngineError;
}
