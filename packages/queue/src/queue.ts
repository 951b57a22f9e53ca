import type { QueueEntry, QueueStats } from '@fiberstack/contracts';
import type { Sql } from '@fiberstack/db';

/** One entry handed to a consumer. */
export interface Delivery {
  /** Queue-specific id (inbox row id, Redis stream id). */
  id: string;
  /** How many times it has been handed out, this time included (1 on first delivery). */
  deliveries: number;
  /** The parsed entry, or null when the stored payload is not a valid entry (poison). */
  entry: QueueEntry | null;
  /** The stored payload as text, kept for the dead-letter record. */
  raw: string;
}

/** An invalid sample, recorded in the error stream for review. */
export interface RejectedSample {
  message_id: string;
  index: number;
  reason: string;
  sample: unknown;
}

export interface ReadOptions {
  consumer: string;
  max: number;
  /** Wait up to this long when nothing is ready. */
  blockMs: number;
}

/**
 * At-least-once queue between the API and the ETL. Embedded: a durable inbox table in the
 * same database, acked by delete inside the ETL's load transaction. Redis Streams: one
 * consumer group, XACK after commit. The ETL's idempotent insert turns at-least-once into
 * exactly-once rows.
 */
export interface Queue {
  readonly kind: 'embedded' | 'redis';
  /** True when ack/deadLetter/reject must run inside the load transaction (embedded). */
  readonly settlesInTransaction: boolean;
  /** Resolves only once the entry is durable; the API answers 202 after that. */
  append(entry: QueueEntry): Promise<string>;
  /** A consumer first gets its own unacked entries, then new ones, then reclaimed idle ones. */
  read(options: ReadOptions): Promise<Delivery[]>;
  ack(ids: readonly string[], tx?: Sql): Promise<void>;
  /**
   * Keeps deliveries this consumer still works on (e.g. a batch retried through a database
   * outage) from being handed to another consumer as idle, without counting a delivery.
   * Returns the function that ends the hold. Queues without idle reclaim may omit it.
   */
  hold?(consumer: string, ids: readonly string[]): () => void;
  /** Moves one delivery to the dead-letter store with its reason, and acks it. */
  deadLetter(delivery: Delivery, reason: string, tx?: Sql): Promise<void>;
  /** Records invalid samples in the error stream. */
  reject(samples: readonly RejectedSample[], tx?: Sql): Promise<void>;
  /** Depth, pending, oldest pending age, dead-letter and error counts. */
  stats(): Promise<QueueStats>;
  /** Throws when the queue's store is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
