/**
 * Every list a user hands us by path — boost lists, reference manifests, reference transcripts — is read
 * through here: it must be a regular file (a FIFO would block for ever, /dev/zero never ends, a folder
 * is a mistake) and at most a stated size, checked on the open handle so nothing can be swapped in
 * between the check and the read, and never read past that size.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { displayName } from '../common/display-names';

/** Size limits per kind of list: far above any real one, far below what could hurt. */
export const USER_FILE_LIMITS = {
  /** 5,000 phrases of ≤ 100 characters (MAX_BOOST_PHRASES) fit easily. */
  boostList: 1 << 20,
  /** Hundreds of thousands of manifest lines. */
  manifest: 64 << 20,
  /** One file's reference transcript: hours of speech. */
  reference: 4 << 20,
} as const;

export class UserFileError extends Error {
  override name = 'UserFileError';
  /** The path as given. */
  readonly file: string;
  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(`${displayName(file)}: ${problem}`, options);
    this.file = file;
  }
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(bytes < 10 * 2 ** 20 ? 2 : 0)} MB`;

/** Reads a user-supplied text file (UTF-8) of at most `maxBytes`, or throws UserFileError saying why not. */
export async function readUserTextFile(file: string, maxBytes: number): Promise<string> {
  let handle;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer for ever.
    handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new UserFileError(
      file,
      code === 'ENOENT' ? 'file not found' : `cannot be opened (${code ?? cause})`,
      {
        cause,
      },
    );
  }
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw new UserFileError(file, 'is a folder, not a text file');
    if (!info.isFile()) throw new UserFileError(file, 'is not a regular file (a device, FIFO or socket)');
    if (info.size > maxBytes)
      throw new UserFileError(file, `is ${mb(info.size)}; at most ${mb(maxBytes)} is read`);
    // One byte more than the size seen: if the file grew in between, that byte fills and we stop there.
    const buffer = Buffer.alloc(info.size + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) throw new UserFileError(file, 'changed while it was being read');
    }
    return buffer.toString('utf8', 0, length);
  } finally {
    await handle.close();
  }
}
