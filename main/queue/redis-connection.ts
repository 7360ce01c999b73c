/**
 * The Redis that carries the transcription queue: a URL given on the command line becomes connection
 * options, and a quick check tells a mistyped host or a server that is down apart from a queue that is
 * merely empty, in one line, before anything waits on it.
 */

export class RedisUrlError extends Error {}

/** What a URL says; both ioredis and BullMQ's connection option take it as is. */
export interface RedisConnectionSettings {
  host: string;
  port: number;
  db?: number;
  username?: string;
  password?: string;
  tls?: { servername: string };
}

export interface RedisTarget {
  /** The URL without its password, for messages and logs. */
  display: string;
  options: RedisConnectionSettings;
}

const EXPECTED = 'expected redis://[user:password@]host[:port][/db] or rediss://…';

/** Parses a redis:// or rediss:// URL; anything else is a RedisUrlError whose message is one line. */
export function parseRedisUrl(text: string): RedisTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RedisUrlError(`not a Redis URL: ${JSON.stringify(text)} (${EXPECTED})`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    throw new RedisUrlError(`not a Redis URL: ${JSON.stringify(text)} (${EXPECTED})`);
  if (url.hostname === '') throw new RedisUrlError(`the Redis URL ${JSON.stringify(text)} names no host`);
  if (url.search !== '' || url.hash !== '')
    throw new RedisUrlError(`the Redis URL ${JSON.stringify(text)} has a query or fragment; ${EXPECTED}`);
  const dbText = url.pathname.replace(/^\//, '');
  if (!/^\d*$/.test(dbText))
    throw new RedisUrlError(`the Redis URL's database must be a number, got ${JSON.stringify(dbText)}`);
  const port = url.port === '' ? 6379 : Number(url.port);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const options: RedisConnectionSettings = {
    host,
    port,
    ...(dbText === '' ? {} : { db: Number(dbText) }),
    ...(url.username === '' ? {} : { username: decodeURIComponent(url.username) }),
    ...(url.password === '' ? {} : { password: decodeURIComponent(url.password) }),
    ...(url.protocol === 'rediss:' ? { tls: { servername: host } } : {}),
  };
  const shown = new URL(url.href);
  if (shown.password !== '') shown.password = '***';
  return { display: shown.href.replace(/\/$/, ''), options };
}

/**
 * Connects once and pings, without ioredis's endless reconnecting: resolves when the server answers,
 * rejects with a one-line reason (refused, timed out, wrong password…) otherwise.
 */
export async function checkRedisReachable(target: RedisTarget, timeoutMs = 5000): Promise<void> {
  // Loaded when first needed: the Electron main process bundles this module but rarely uses a queue.
  const { Redis } = await import('ioredis');
  const client = new Redis({
    ...target.options,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // The socket's own error (ECONNREFUSED, ENOTFOUND…) arrives as an event; connect() itself then
  // rejects with a bare "Connection is closed", which says nothing about why.
  let socketError: Error | undefined;
  client.on('error', (error: Error) => (socketError ??= error));
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    const reason = (socketError ?? (error as Error)).message.split('\n')[0] || String(error);
    throw new RedisUrlError(`cannot reach Redis at ${target.display}: ${reason}`);
  } finally {
    client.disconnect();
  }
}
