import { parseQueueEntry } from './entry.ts';
import type { Delivery, ReadOptions } from './queue.ts';
import { ensureReady, type RedisConnections } from './redis-connection.ts';
import type { RedisStreamKeys } from './redis-keys.ts';
import { deliveryCounts, parseAutoClaim, recordsFromRead, type StreamRecord } from './redis-replies.ts';

export interface RedisReaderOptions {
  conn: RedisConnections;
  keys: RedisStreamKeys;
  group: string;
  claimIdleMs: number;
  claimIntervalMs: number;
  maxBlockMs: number;
  /** How long the first read waits for the initial connection. */
  waitMs: number;
}

/**
 * The consumer side of the Redis Streams queue. Each read returns the first non-empty of:
 * 1. this consumer's own pending entries (once after start: what it held when it crashed),
 * 2. entries idle > claimIdleMs reclaimed from any consumer (XAUTOCLAIM, every claimIntervalMs),
 * 3. new entries (XREADGROUP '>' BLOCK on its own connection).
 * Delivery counts of 1 and 2 come from XPENDING; new entries are on their first delivery.
 */
export function createRedisReader(options: RedisReaderOptions) {
  const { conn, keys, group } = options;
  const { main, blocking } = conn;
  /** Own-PEL scan position per consumer; absent = not started, 'done' = drained. */
  const history = new Map<string, string>();
  let claimCursor = '0-0';
  let lastClaimAt = Number.NEGATIVE_INFINITY;
  let groupCreated: Promise<void> | null = null;
  let closed = false;

  function ensureGroup(): Promise<void> {
    groupCreated ??= main
      .xgroup('CREATE', keys.stream, group, '0', 'MKSTREAM')
      .then(
        () => undefined,
        (error: unknown) => {
          if (error instanceof Error && error.message.startsWith('BUSYGROUP')) return;
          throw error;
        },
      )
      .catch((error: unknown) => {
        groupCreated = null;
        throw error;
      });
    return groupCreated;
  }

  async function withCounts(records: StreamRecord[], consumer: string): Promise<Delivery[]> {
    const live = records.filter((r) => r.raw !== null);
    const gone = records.filter((r) => r.raw === null).map((r) => r.id);
    // Pending but deleted (cannot happen through this queue, which XDELs only after XACK).
    if (gone.length > 0) await main.xack(keys.stream, group, ...gone);
    if (live.length === 0) return [];
    const pipeline = main.pipeline();
    for (const r of live) pipeline.xpending(keys.stream, group, r.id, r.id, 1, consumer);
    const results = (await pipeline.exec()) ?? [];
    const counts = deliveryCounts(results.map(([error, reply]) => (error ? null : reply)));
    return live.map((r) => toDelivery(r, counts.get(r.id) ?? 1));
  }

  async function readOwnPending(consumer: string, max: number): Promise<Delivery[] | null> {
    const cursor = history.get(consumer) ?? '0';
    if (cursor === 'done') return null;
    const reply = await main.xreadgroup(
      'GROUP',
      group,
      consumer,
      'COUNT',
      max,
      'STREAMS',
      keys.stream,
      cursor,
    );
    const records = recordsFromRead(reply);
    const last = records.at(-1);
    if (!last) {
      history.set(consumer, 'done');
      return null;
    }
    history.set(consumer, last.id);
    return withCounts(records, consumer);
  }

  async function reclaim(consumer: string, max: number): Promise<Delivery[] | null> {
    // Continue a scan that stopped mid-way at once; start a new one every claimIntervalMs.
    if (claimCursor === '0-0' && Date.now() - lastClaimAt < options.claimIntervalMs) return null;
    if (claimCursor === '0-0') lastClaimAt = Date.now();
    const reply = await main.xautoclaim(
      keys.stream,
      group,
      consumer,
      options.claimIdleMs,
      claimCursor,
      'COUNT',
      max,
    );
    const claimed = parseAutoClaim(reply);
    claimCursor = claimed.cursor;
    if (claimed.records.length === 0) return null;
    return withCounts(claimed.records, consumer);
  }

  async function readNew(consumer: string, max: number, blockMs: number): Promise<Delivery[]> {
    await ensureReady(blocking, 'read', options.waitMs);
    const block = Math.max(0, Math.min(blockMs, options.maxBlockMs));
    const args = ['GROUP', group, consumer, 'COUNT', max] as const;
    const reply =
      block > 0
        ? await blocking.xreadgroup(...args, 'BLOCK', block, 'STREAMS', keys.stream, '>')
        : await main.xreadgroup(...args, 'STREAMS', keys.stream, '>');
    return recordsFromRead(reply).map((r) => toDelivery(r, 1));
  }

  async function readOnce(opts: ReadOptions): Promise<Delivery[]> {
    await ensureGroup();
    const max = Math.max(1, opts.max);
    const own = await readOwnPending(opts.consumer, max);
    if (own && own.length > 0) return own;
    const claimed = await reclaim(opts.consumer, max);
    if (claimed && claimed.length > 0) return claimed;
    return readNew(opts.consumer, max, opts.blockMs);
  }

  return {
    async read(opts: ReadOptions): Promise<Delivery[]> {
      if (closed) return [];
      try {
        return await readOnce(opts);
      } catch (error) {
        // close() disconnects the blocking connection under a pending read: not a failure.
        if (closed) return [];
        // The group vanished (Redis restarted without persistence, or the key was deleted).
        if (!(error instanceof Error && error.message.startsWith('NOGROUP'))) throw error;
        groupCreated = null;
        return readOnce(opts);
      }
    },
    close() {
      closed = true;
    },
  };
}

function toDelivery(record: StreamRecord, deliveries: number): Delivery {
  const raw = record.raw ?? '';
  return { id: record.id, deliveries, entry: parseQueueEntry(raw), raw };
}
