import { Redis, type RedisOptions } from 'ioredis';
import { QueueUnavailableError } from './redis-errors.ts';

export interface RedisConnections {
  /** Appends, acks, stats and non-blocking reads. Fails fast while Redis is unreachable. */
  main: Redis;
  /** XREADGROUP BLOCK only, so appends never queue behind a blocked read. */
  blocking: Redis;
  /** True when `main` was created here (close() quits it); `blocking` is always ours. */
  ownsMain: boolean;
}

export interface ConnectOptions {
  redis?: Redis;
  url?: string;
  /** Per-command timeout on the main connection. */
  commandTimeoutMs: number;
  /** The longest BLOCK a read may ask for; the blocking connection times out a bit later. */
  maxBlockMs: number;
  onError: (error: Error) => void;
}

/**
 * Fail-fast settings: no offline queue (a command while disconnected rejects at once instead
 * of waiting for a reconnect), one retry, a command timeout for half-open connections.
 * Commands issued in the same tick (pushes arriving together) go out in one write
 * (auto-pipelining: push p99 at 2,000 single-sample pushes/s 23 → 17 ms on 2 cores).
 */
function failFast(commandTimeoutMs: number): RedisOptions {
  return {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: commandTimeoutMs,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(times * 100, 2_000),
    enableAutoPipelining: true,
  };
}

export function openRedisConnections(options: ConnectOptions): RedisConnections {
  let main: Redis;
  let ownsMain = false;
  if (options.redis) {
    main = options.redis;
  } else if (options.url) {
    main = new Redis(options.url, failFast(options.commandTimeoutMs));
    ownsMain = true;
    main.on('error', options.onError);
  } else {
    throw new Error('createRedisStreamsQueue needs `redis` or `url`');
  }
  const blocking = main.duplicate({
    ...failFast(options.maxBlockMs + 5_000),
    maxRetriesPerRequest: 0,
  });
  blocking.on('error', options.onError);
  return { main, blocking, ownsMain };
}

/**
 * Resolves when `redis` can take a command now. Before the first connection completes it
 * waits up to `waitMs`; once it has been connected, a lost connection fails at once (the API
 * answers 503 immediately instead of hanging while Redis is down).
 */
export async function ensureReady(redis: Redis, operation: string, waitMs: number): Promise<void> {
  const status = redis.status;
  if (status === 'ready') return;
  if (status === 'wait') {
    redis.connect().catch(() => {
      // Reported through the 'error' event and the wait below.
    });
  } else if (status !== 'connecting' && status !== 'connect') {
    throw new QueueUnavailableError(operation, new Error(`redis connection is ${status}`));
  }
  if (everReady.has(redis)) {
    throw new QueueUnavailableError(operation, new Error(`redis connection is ${status}`));
  }
  await waitForReady(redis, operation, waitMs);
}

const everReady = new WeakSet<Redis>();

function waitForReady(redis: Redis, operation: string, waitMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('end', onEnd);
      if (error) reject(error);
      else resolve();
    };
    const onReady = () => done();
    const onEnd = () => done(new QueueUnavailableError(operation, new Error('redis connection ended')));
    const timer = setTimeout(
      () => done(new QueueUnavailableError(operation, new Error(`not connected after ${waitMs} ms`))),
      waitMs,
    );
    redis.once('ready', onReady);
    redis.once('end', onEnd);
  });
}

/** Remembers connections that reached 'ready' at least once (see ensureReady). */
export function trackReady(redis: Redis): void {
  if (redis.status === 'ready') everReady.add(redis);
  redis.on('ready', () => everReady.add(redis));
}
