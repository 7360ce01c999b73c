/**
 * The host's errors: HostError and toErrorInfo (main/common/errors.ts, shared with the renderer side),
 * and the host's own rule for errors about a user's file.
 */
import { HostError, toErrorInfo, type ErrorInfo } from '../common/errors';

export { HostError, toErrorInfo, type ErrorInfo } from '../common/errors';

/**
 * An error about a file the host registered, worded with the name the user knows it by: the engine's
 * messages name the file by its path, and uploads and recordings live in a data folder.
 */
export function aboutFile(error: unknown, file: { path: string; name: string }): ErrorInfo {
  const info = toErrorInfo(error);
  return { ...info, message: info.message.replaceAll(file.path, file.name) };
}

/** The same, as a HostError to throw. */
export function fileError(error: unknown, file: { path: string; name: string }): HostError {
  const info = aboutFile(error, file);
  return new HostError(info.code, info.message);
}
