import type { QueueStats } from '@fiberstack/contracts';
import type { Sql } from '../types.ts';

/** One inbox row handed to a consumer by `inboxLease`. */
export interface InboxRow {
  id: string;
  message_id: string;
  payload: string;
  /** Delivery count including this one. */
  deliveries: number;
}

export interface InboxLeaseOptions {
  consumer: string;
  max: number;
  leaseMs: number;
}

/** One invalid sample for the error stream (`sample_errors`). */
export interface SampleErrorRow {
  message_id: string;
  sample_index: number;
  reason: string;
  sample: unknown;
}

/** Appends one entry; resolves with its id once committed. */
export async function inboxAppend(sql: Sql, entry: { message_id: string; payload: string }): Promise<string> {
  const result = await sql.query<{ id: string }>(
    'INSERT INTO queue_inbox (message_id, payload) VALUES ($1, $2) RETURNING id::text AS id',
    [entry.message_id, entry.payload],
  );
  const row = result.rows[0];
  if (!row) throw new Error('queue_inbox insert returned no id');
  return row.id;
}

/**
 * Leases up to `max` rows for `consumer`, atomically: first the rows this consumer already
 * holds (a restarted consumer gets its own unacked entries back), then unleased or
 * lease-expired rows, by id. Each leased row's delivery count is incremented.
 */
export async function inboxLease(sql: Sql, options: InboxLeaseOptions): Promise<InboxRow[]> {
  const result = await sql.query<InboxRow>(
    `UPDATE queue_inbox AS q
        SET deliveries = q.deliveries + 1,
            leased_by = $1,
            leased_until = now() + ($3::integer * interval '1 millisecond')
      WHERE q.id IN (
        SELECT i.id FROM queue_inbox AS i
         WHERE i.leased_by = $1 OR i.leased_until IS NULL OR i.leased_until < now()
         ORDER BY (i.leased_by IS NOT DISTINCT FROM $1) DESC, i.id
         LIMIT $2
         FOR UPDATE SKIP LOCKED)
      RETURNING q.id::text AS id, q.message_id, q.payload, q.deliveries::integer AS deliveries`,
    [options.consumer, Math.max(0, Math.trunc(options.max)), Math.max(1, Math.trunc(options.leaseMs))],
  );
  return result.rows
    .map((r) => ({ ...r, deliveries: Number(r.deliveries) }))
    .sort((a, b) => compareIds(a.id, b.id));
}

/** Deletes settled rows (the embedded queue's ack). */
export async function inboxDelete(sql: Sql, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await sql.query('DELETE FROM queue_inbox WHERE id = ANY($1::bigint[])', [[...ids]]);
  return result.rowCount;
}

/** Moves one row to `queue_dead_letter` with its reason and removes it from the inbox. */
export async function inboxDeadLetter(sql: Sql, id: string, reason: string): Promise<void> {
  await sql.query(
    `WITH moved AS (DELETE FROM queue_inbox WHERE id = $1::bigint
                    RETURNING message_id, payload, deliveries)
     INSERT INTO queue_dead_letter (message_id, payload, deliveries, reason)
     SELECT message_id, payload, deliveries, $2 FROM moved`,
    [id, reason],
  );
}

/** Records invalid samples in the error stream, one multi-row insert. */
export async function insertSampleErrors(sql: Sql, rows: readonly SampleErrorRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await sql.query(
    `INSERT INTO sample_errors (message_id, sample_index, reason, sample)
     SELECT * FROM unnest($1::text[], $2::integer[], $3::text[], $4::text[]::jsonb[])`,
    [
      rows.map((r) => r.message_id),
      rows.map((r) => r.sample_index),
      rows.map((r) => r.reason),
      rows.map((r) => toJsonText(r.sample)),
    ],
  );
  return result.rowCount;
}

/** Depth, pending (leased) rows, age of the oldest unacked entry, dead letters and errors. */
export async function inboxStats(sql: Sql): Promise<QueueStats> {
  const result = await sql.query<{
    depth: number;
    pending: number;
    oldest: number | null;
    dead_letter: number;
    errors: number;
  }>(
    `SELECT (SELECT count(*) FROM queue_inbox)::integer AS depth,
            (SELECT count(*) FROM queue_inbox WHERE leased_by IS NOT NULL)::integer AS pending,
            (SELECT extract(epoch FROM now() - min(enqueued_at)) FROM queue_inbox)::float8 AS oldest,
            (SELECT count(*) FROM queue_dead_letter)::integer AS dead_letter,
            (SELECT count(*) FROM sample_errors)::integer AS errors`,
  );
  const row = result.rows[0];
  if (!row) throw new Error('queue stats returned no row');
  return {
    kind: 'embedded',
    depth: Number(row.depth),
    pending: Number(row.pending),
    oldest_pending_age_s: row.oldest === null ? null : Math.max(0, Number(row.oldest)),
    dead_letter: Number(row.dead_letter),
    errors: Number(row.errors),
  };
}

function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** JSON text for a jsonb column: the value itself, or its string form when not representable. */
function toJsonText(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  if (text === undefined) text = JSON.stringify(String(value));
  // jsonb cannot hold U+0000.
  return text.replace(/\\u0000/g, '\\ufffd');
}
