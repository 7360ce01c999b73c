/**
 * The options `transcribe` and `eval` share for running on the queue instead of this computer, so both
 * commands spell, check and document them alike.
 */
import { UsageError } from '../cli/command-line';
import { INLINE_AUDIO_LIMIT_BYTES } from './jobs';
import { parseRedisUrl, type RedisTarget } from './redis-connection';

export interface QueueCliOptions {
  redis: RedisTarget;
  /** Workers read every file at the submitter's path (shared storage); no audio goes through Redis. */
  sharedPaths: boolean;
}

export const queueOption = {
  /** For node:util parseArgs. */
  flags: {
    queue: { type: 'string' },
    'shared-paths': { type: 'boolean', default: false },
  },
  /** The parsed queue options, or undefined for a local run; a bad URL is a usage error. */
  parse(values: { queue?: string; 'shared-paths'?: boolean }): QueueCliOptions | undefined {
    if (values.queue === undefined) {
      if (values['shared-paths']) throw new UsageError('--shared-paths needs --queue URL');
      return undefined;
    }
    try {
      return { redis: parseRedisUrl(values.queue), sharedPaths: values['shared-paths'] ?? false };
    } catch (error) {
      throw new UsageError(`--queue: ${(error as Error).message}`);
    }
  },
} as const;

/** The help lines, with descriptions starting at `column`. */
export function queueUsage(column: number): string {
  const limitMb = INLINE_AUDIO_LIMIT_BYTES / 2 ** 20;
  const line = (flag: string, text: string[]) =>
    text.map((t, i) => `  ${(i === 0 ? flag : '').padEnd(column - 2)} ${t}\n`).join('');
  return (
    line('--queue URL', [
      'run on the workers of the queue in Redis at URL (npm run worker) instead of this',
      `computer; files up to ${limitMb} MB are sent through Redis, larger ones by path`,
    ]) + line('--shared-paths', ['with --queue: send every file by path (workers share this storage)'])
  );
}
