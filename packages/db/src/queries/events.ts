import type { Sql } from '../types.ts';

export interface NewEvent {
  time: Date;
  node_id: string | null;
  kind: string;
  message: string;
  data?: unknown;
}

export interface EventRow {
  id: number;
  time: string;
  node_id: string | null;
  kind: string;
  message: string;
  data: unknown;
}

export interface EventSearch {
  /** Web-search syntax ("node silent", "-outlier", "\"packet loss\""). */
  q?: string;
  node_id?: string;
  kind?: string;
  limit: number;
}

/** One multi-row insert; returns how many rows were written. */
export async function insertEvents(sql: Sql, events: readonly NewEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  const result = await sql.query(
    `INSERT INTO events (time, node_id, kind, message, data)
     SELECT time, node_id, kind, message, data::jsonb
     FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[])
       AS t(time, node_id, kind, message, data)`,
    [
      events.map((e) => e.time),
      events.map((e) => e.node_id),
      events.map((e) => e.kind),
      events.map((e) => e.message),
      events.map((e) => (e.data === undefined ? null : JSON.stringify(e.data))),
    ],
  );
  return result.rowCount;
}

/** Newest first; full-text search over kind, node and message when q is given. */
export async function searchEvents(sql: Sql, s: EventSearch): Promise<EventRow[]> {
  const { rows } = await sql.query<Omit<EventRow, 'time'> & { time: Date }>(
    `SELECT id, time, node_id, kind, message, data FROM events
     WHERE ($1::text IS NULL OR search @@ websearch_to_tsquery('english', $1))
       AND ($2::text IS NULL OR node_id = $2)
       AND ($3::text IS NULL OR kind = $3)
     ORDER BY time DESC, id DESC LIMIT $4`,
    [s.q ?? null, s.node_id ?? null, s.kind ?? null, s.limit],
  );
  return rows.map((r) => ({ ...r, time: r.time.toISOString() }));
}
