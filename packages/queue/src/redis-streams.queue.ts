import { hostname } from 'node:os';
import type { QueueEntry, QueueStats } from '@fiberstack/contracts';
import type { Redis } from 'ioredis';
import { DEAD_LETTER_AFTER } from './constants.ts';
import type { Delivery, Queue, ReadOptions, RejectedSample } from './queue.ts';
import { ensureReady, openRedisConnections, trackReady } from './redis-connection.ts';
import { QueueFullError, toQueueError } from './redis-errors.ts';
import { DEFAULT_GROUP, DEFAULT_STREAM, redisStreamKeys } from './redis-keys.ts';
import { createRedisReader } from './redis-reader.ts';
import { ENTRY_FIELD, oldestIdleMs, pendingCount } from './redis-replies.ts';

export interface RedisStreamsQueueOptions {
  /** A connection owned by the caller (not closed by close()); or `url` to let the queue own one. */
  redis?: Redis;
  url?: string;
  stream?: string;
  group?: string;
  /** Default consumer name when a read does not name one. */
  consumer?: string;
  /** Callers dead-letter an entry once its delivery count reaches this. */
  deadLetterAfter?: number;
  /** Pending entries idle longer than this are reclaimed from crashed consumers (XAUTOCLAIM). */
  claimIdleMs?: number;
  /** How often a reader runs XAUTOCLAIM; default min(claimIdleMs, 5 s). */
  claimIntervalMs?: number;
  /** Appends fail with QueueFullError while the stream holds at least this many entries. */
  highWaterMark?: number;
  /** Prefix for every key, to isolate tests sharing one Redis. */
  keyPrefix?: string;
  /** Per-command timeout on the main connection (a half-open connection fails after this). */
  commandTimeoutMs?: number;
  /** Reads never block longer than this, whatever they ask. */
  maxBlockMs?: number;
  /** Connection errors (reconnects are automatic); default: ignored. */
  onError?: (error: Error) => void;
}

export type RedisStreamsQueue = Queue & {
  hold(consumer: string, ids: readonly string[]): () => void;
  /** True while the stream length is at or above the high-water mark. */
  highWater(): Promise<boolean>;
  readonly deadLetterAfter: number;
};

export const DEFAULT_CLAIM_IDLE_MS = 30_000;
export const DEFAULT_HIGH_WATER_MARK = 1_000_000;
/** XADD MAXLEN ~ cap of the error stream: a review log, not data. */
export const ERROR_STREAM_MAXLEN = 100_000;
/** Appends check the stream length at most this often (cached between). */
const DEPTH_CACHE_MS = 250;

/**
 * The production queue: one Redis stream, one consumer group, XACK after the ETL committed.
 * Entries are never trimmed by length: `ack` XDELs only entries it has just XACKed (safe
 * because the stream has exactly one consumer group), and `append` refuses new entries at the
 * high-water mark instead, so unconsumed data is never dropped.
 */
export function createRedisStreamsQueue(options: RedisStreamsQueueOptions): RedisStreamsQueue {
  const keys = redisStreamKeys(options.stream ?? DEFAULT_STREAM, options.keyPrefix);
  const group = options.group ?? DEFAULT_GROUP;
  const claimIdleMs = options.claimIdleMs ?? DEFAULT_CLAIM_IDLE_MS;
  const highWaterMark = options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
  const commandTimeoutMs = options.commandTimeoutMs ?? 1_000;
  const maxBlockMs = options.maxBlockMs ?? 5_000;
  const defaultConsumer = options.consumer ?? `${hostname()}-${process.pid}`;
  const conn = openRedisConnections({
    redis: options.redis,
    url: options.url,
    commandTimeoutMs,
    maxBlockMs,
    onError: options.onError ?? (() => {}),
  });
  const { main } = conn;
  trackReady(main);
  trackReady(conn.blocking);
  const ready = (operation: string) => ensureReady(main, operation, commandTimeoutMs);
  const reader = createRedisReader({
    conn,
    keys,
    group,
    claimIdleMs,
    claimIntervalMs: options.claimIntervalMs ?? Math.min(claimIdleMs, 5_000),
    maxBlockMs,
    waitMs: commandTimeoutMs,
  });

  let depth = { value: 0, at: Number.NEGATIVE_INFINITY };
  let depthRefresh: Promise<number> | null = null;
  async function currentDepth(): Promise<number> {
    if (Date.now() - depth.at < DEPTH_CACHE_MS) return depth.value;
    depthRefresh ??= main.xlen(keys.stream).then(
      (value) => {
        depth = { value, at: Date.now() };
        depthRefresh = null;
        return value;
      },
      (error: unknown) => {
        depthRefresh = null;
        throw error;
      },
    );
    return depthRefresh;
  }

  async function run<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      await ready(operation);
      return await fn();
    } catch (error) {
      throw toQueueError(operation, error);
    }
  }

  async function exec(operation: string, multi: ReturnType<Redis['multi']>): Promise<void> {
    const results = await multi.exec();
    if (!results) throw new Error(`${operation}: transaction aborted`);
    for (const [error] of results) if (error) throw error;
  }

  return {
    kind: 'redis',
    settlesInTransaction: false,
    deadLetterAfter: options.deadLetterAfter ?? DEAD_LETTER_AFTER,

    append: (entry: QueueEntry) =>
      run('append', async () => {
        const length = await currentDepth();
        if (length >= highWaterMark) throw new QueueFullError(length, highWaterMark);
        const id = await main.xadd(keys.stream, '*', ENTRY_FIELD, JSON.stringify(entry));
        if (id === null) throw new Error('XADD returned no id');
        depth.value += 1;
        return id;
      }),

    read: (opts: ReadOptions): Promise<Delivery[]> =>
      run('read', () => reader.read({ ...opts, consumer: opts.consumer || defaultConsumer })),

    ack: (ids: readonly string[]) =>
      run('ack', async () => {
        if (ids.length === 0) return;
        // XDEL right after XACK: the only group has processed them, nothing else reads them.
        await exec(
          'ack',
          main
            .multi()
            .xack(keys.stream, group, ...ids)
            .xdel(keys.stream, ...ids),
        );
      }),

    hold(consumer: string, ids: readonly string[]): () => void {
      if (ids.length === 0) return () => {};
      // XCLAIM … JUSTID by the owner resets the entries' idle time without incrementing their
      // delivery count, so XAUTOCLAIM never takes them while the owner is alive and retrying.
      const touch = () => {
        main.xclaim(keys.stream, group, consumer, 0, ...ids, 'JUSTID').catch(() => {
          // Redis unreachable: the next tick tries again; the entries stay pending either way.
        });
      };
      const timer = setInterval(touch, Math.max(10, Math.floor(claimIdleMs / 3)));
      timer.unref();
      return () => clearInterval(timer);
    },

    deadLetter: (delivery: Delivery, reason: string) =>
      run('deadLetter', async () => {
        const record = ['payload', delivery.raw, 'reason', reason];
        record.push('deliveries', String(delivery.deliveries), 'original_id', delivery.id);
        await exec(
          'deadLetter',
          main
            .multi()
            .xadd(keys.dead, '*', ...record)
            .xack(keys.stream, group, delivery.id)
            .xdel(keys.stream, delivery.id),
        );
      }),

    reject: (samples: readonly RejectedSample[]) =>
      run('reject', async () => {
        if (samples.length === 0) return;
        const multi = main.multi();
        for (const s of samples) {
          multi.xadd(
            keys.errors,
            'MAXLEN',
            '~',
            ERROR_STREAM_MAXLEN,
            '*',
            ...['message_id', s.message_id, 'index', String(s.index), 'reason', s.reason],
            ...['sample', JSON.stringify(s.sample) ?? 'null'],
          );
        }
        await exec('reject', multi);
      }),

    stats: () =>
      run('stats', async (): Promise<QueueStats> => {
        const results = await main
          .pipeline()
          .xlen(keys.stream)
          .xpending(keys.stream, group)
          .xpending(keys.stream, group, '-', '+', 1)
          .xlen(keys.dead)
          .xlen(keys.errors)
          .exec();
        if (!results) throw new Error('stats pipeline returned nothing');
        const value = (i: number) => {
          const [error, result] = results[i] ?? [null, null];
          // NOGROUP before the first read created the group: nothing is pending yet.
          if (error && !String(error.message).startsWith('NOGROUP')) throw error;
          return error ? null : result;
        };
        const idle = oldestIdleMs(value(2));
        return {
          kind: 'redis',
          depth: Number(value(0) ?? 0),
          pending: pendingCount(value(1)),
          oldest_pending_age_s: idle === null ? null : idle / 1000,
          dead_letter: Number(value(3) ?? 0),
          errors: Number(value(4) ?? 0),
        };
      }),

    highWater: () => run('highWater', async () => (await main.xlen(keys.stream)) >= highWaterMark),

    ping: () =>
      run('ping', async () => {
        await main.ping();
      }),

    async close() {
      reader.close();
      conn.blocking.disconnect();
      if (!conn.ownsMain) return;
      try {
        await main.quit();
      } catch {
        main.disconnect();
      }
    },
  };
}
