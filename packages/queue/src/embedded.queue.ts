import {
  type Db,
  type InboxRow,
  inboxAppend,
  inboxDeadLetter,
  inboxDelete,
  inboxLease,
  inboxStats,
  insertSampleErrors,
} from '@fiberstack/db';
import { parseQueueEntry } from './entry.ts';
import type { Delivery, Queue, ReadOptions, RejectedSample } from './queue.ts';
import { notifyAppend, waitForAppend } from './wakeup.ts';

export interface EmbeddedQueueOptions {
  db: Db;
  /** How long a read entry stays leased to its consumer before others may take it. */
  leaseMs?: number;
  /** Poll interval while a read blocks (appends in this process wake it earlier). */
  pollMs?: number;
}

export const DEFAULT_LEASE_MS = 60_000;
export const DEFAULT_POLL_MS = 200;

/**
 * The embedded queue: a durable inbox table in the application database. Append is one
 * committed INSERT; read leases rows; ack, deadLetter and reject run inside the caller's
 * load transaction (`settlesInTransaction`), so rows and acks commit together.
 */
export function createEmbeddedQueue(options: EmbeddedQueueOptions): Queue {
  const { db } = options;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const closing = new AbortController();

  async function read(opts: ReadOptions): Promise<Delivery[]> {
    const deadline = Date.now() + Math.max(0, opts.blockMs);
    for (;;) {
      if (closing.signal.aborted) return [];
      const rows = await inboxLease(db, { consumer: opts.consumer, max: opts.max, leaseMs });
      const remaining = deadline - Date.now();
      if (rows.length > 0 || remaining <= 0) return rows.map(toDelivery);
      await waitForAppend(db, Math.min(pollMs, remaining), closing.signal);
    }
  }

  return {
    kind: 'embedded',
    settlesInTransaction: true,
    async append(entry) {
      const id = await inboxAppend(db, { message_id: entry.message_id, payload: JSON.stringify(entry) });
      notifyAppend(db);
      return id;
    },
    read,
    async ack(ids, tx) {
      await inboxDelete(tx ?? db, ids);
    },
    async deadLetter(delivery, reason, tx) {
      await inboxDeadLetter(tx ?? db, delivery.id, reason);
    },
    async reject(samples, tx) {
      await insertSampleErrors(tx ?? db, samples.map(toErrorRow));
    },
    stats: () => inboxStats(db),
    async ping() {
      await db.query('SELECT 1 FROM queue_inbox LIMIT 1');
    },
    async close() {
      // The database belongs to the caller; only wake and release blocked readers.
      closing.abort();
    },
  };
}

function toDelivery(row: InboxRow): Delivery {
  return { id: row.id, deliveries: row.deliveries, entry: parseQueueEntry(row.payload), raw: row.payload };
}

function toErrorRow(s: RejectedSample) {
  return { message_id: s.message_id, sample_index: s.index, reason: s.reason, sample: s.sample };
}
