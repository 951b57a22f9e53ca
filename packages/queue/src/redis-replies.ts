/** The stream field that holds the JSON QueueEntry (one entry carries a whole batch). */
export const ENTRY_FIELD = 'entry';

/** One stream entry as read: its id and its payload text (null when deleted while pending). */
export interface StreamRecord {
  id: string;
  raw: string | null;
}

/** `[id, [field, value, ...]]` as ioredis returns it; fields are null for deleted entries. */
type RawRecord = [string, string[] | null] | null;

/** The records of one XREADGROUP reply for one stream (null reply = nothing ready). */
export function recordsFromRead(reply: unknown): StreamRecord[] {
  if (!Array.isArray(reply)) return [];
  const first = reply[0] as [string, RawRecord[]] | undefined;
  return toRecords(first?.[1] ?? []);
}

/** XAUTOCLAIM reply: `[nextCursor, records, deletedIds]` (Redis ≥ 7 adds the third part). */
export function parseAutoClaim(reply: unknown): {
  cursor: string;
  records: StreamRecord[];
  deleted: string[];
} {
  const [cursor, records, deleted] = reply as [string, RawRecord[], string[] | undefined];
  return { cursor, records: toRecords(records), deleted: deleted ?? [] };
}

function toRecords(records: RawRecord[]): StreamRecord[] {
  const out: StreamRecord[] = [];
  for (const record of records) {
    if (!record) continue;
    const [id, fields] = record;
    out.push({ id, raw: fields ? payloadOf(fields) : null });
  }
  return out;
}

/** The entry field's value, or every field as JSON when a foreign writer used other fields. */
function payloadOf(fields: string[]): string {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === ENTRY_FIELD) return fields[i + 1] ?? '';
  }
  return JSON.stringify(fields);
}

/** XPENDING extended row: `[id, consumer, idleMs, deliveries]`. */
export type PendingRow = [string, string, number, number];

/** Delivery counts by id from XPENDING extended replies. */
export function deliveryCounts(replies: readonly unknown[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const reply of replies) {
    if (!Array.isArray(reply)) continue;
    for (const row of reply as PendingRow[]) counts.set(row[0], Number(row[3]));
  }
  return counts;
}

/** XPENDING summary: `[count, minId, maxId, consumers]`; the count only. */
export function pendingCount(reply: unknown): number {
  return Array.isArray(reply) ? Number(reply[0] ?? 0) : 0;
}

/** Milliseconds since the oldest pending entry was last delivered (XPENDING - + 1). */
export function oldestIdleMs(reply: unknown): number | null {
  if (!Array.isArray(reply) || reply.length === 0) return null;
  const row = reply[0] as PendingRow;
  return Number(row[2]);
}
