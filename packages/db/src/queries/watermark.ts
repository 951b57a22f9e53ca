import type { Sql } from '../types.ts';

/** What the live stream compares between polls: each node's last sample and the newest event. */
export interface Watermark {
  nodes: Map<string, number>;
  eventId: number;
}

/** Two cheap reads (the nodes table and max(events.id)) for GET /api/live. */
export async function readWatermark(sql: Sql): Promise<Watermark> {
  const nodes = await sql.query<{ node_id: string; last_seen_at: Date }>(
    'SELECT node_id, last_seen_at FROM nodes',
    [],
  );
  const events = await sql.query<{ id: string | number }>(
    'SELECT coalesce(max(id), 0)::bigint AS id FROM events',
    [],
  );
  return {
    nodes: new Map(nodes.rows.map((r) => [r.node_id, r.last_seen_at.getTime()])),
    eventId: Number(events.rows[0]?.id ?? 0),
  };
}
