import type { Sql } from '../types.ts';
import { REFRESH_GROUP_WINDOW } from './regions.ts';
import { rounded } from './sql-json.ts';

/** Latency figures describe the network: HTTP checks (whole requests) count only for uptime and loss. */
const NET = `"check" <> 'http'`;

const HOUR = 3_600_000;

/** The fleet overview's default window, and the one fleet_window holds. */
export const FLEET_WINDOW_HOURS = 24;

/** [start, end) of a window of `hours` whole hours ending with the hour that holds `now`. */
export function windowBounds(now: Date, hours: number): { start: Date; end: Date } {
  const end = new Date(Math.floor(now.getTime() / HOUR) * HOUR + HOUR);
  return { start: new Date(end.getTime() - hours * HOUR), end };
}

/** Sample-weighted averages per node over [$1, $2) from the hourly rollups ($3: one node or all). */
export const WINDOW_SQL = `
SELECT node_id, sum(samples)::int AS samples,
  sum(latency_avg * samples) FILTER (WHERE ${NET}) / nullif(sum(samples) FILTER (WHERE latency_avg IS NOT NULL AND ${NET}), 0) AS latency_avg,
  percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_p95) FILTER (WHERE ${NET}) AS latency_p95,
  sum(uptime_pct * samples) / nullif(sum(samples) FILTER (WHERE uptime_pct IS NOT NULL), 0) AS uptime_pct,
  sum(packet_loss * samples) / nullif(sum(samples) FILTER (WHERE packet_loss IS NOT NULL), 0) AS packet_loss
FROM samples_hourly
WHERE bucket >= $1 AND bucket < $2 AND ($3::text IS NULL OR node_id = $3)
GROUP BY node_id`;

/** Hourly average latency per node over [$1, $2) ($3: one node or all). */
export const SPARK_SQL = `
SELECT node_id, bucket,
  sum(latency_avg * samples) FILTER (WHERE ${NET}) / nullif(sum(samples) FILTER (WHERE latency_avg IS NOT NULL AND ${NET}), 0) AS latency
FROM samples_hourly
WHERE bucket >= $1 AND bucket < $2 AND ($3::text IS NULL OR node_id = $3)
GROUP BY node_id, bucket`;

/**
 * Each node's FleetNode.window and FleetNode.spark over the hourly buckets [$1, $2) as JSON
 * text ($3: one node or all; $4: the window's hours). Every node gets a row: samples 0 and an
 * all-null sparkline when the window holds nothing. The refresher stores these for the 24-hour
 * window; the reader runs it for any other window.
 */
export const WINDOW_DOCS_SQL = `
WITH w AS (${WINDOW_SQL}),
spark AS (${SPARK_SQL}),
arr AS (
  SELECT n.node_id, json_agg(${rounded('sp.latency', 2)} ORDER BY h.i)::text AS spark_doc
  FROM nodes n CROSS JOIN generate_series(0, $4::int - 1) AS h(i)
  LEFT JOIN spark sp ON sp.node_id = n.node_id AND sp.bucket = $1::timestamptz + h.i * interval '1 hour'
  WHERE ($3::text IS NULL OR n.node_id = $3)
  GROUP BY n.node_id
)
SELECT arr.node_id, arr.spark_doc,
  json_build_object('samples', coalesce(w.samples, 0), 'latency_avg_ms', ${rounded('w.latency_avg')},
    'latency_p95_ms', ${rounded('w.latency_p95')}, 'uptime_pct', ${rounded('w.uptime_pct')},
    'packet_loss', ${rounded('w.packet_loss')})::text AS window_doc
FROM arr LEFT JOIN w ON w.node_id = arr.node_id`;

const REFRESH = `
INSERT INTO fleet_window (node_id, window_end, window_doc, spark_doc, refreshed_at)
SELECT node_id, $2, window_doc, spark_doc, now() FROM (${WINDOW_DOCS_SQL}) d
ORDER BY node_id -- one lock order for concurrent refreshers
ON CONFLICT (node_id) DO UPDATE SET
  window_end = excluded.window_end, window_doc = excluded.window_doc, spark_doc = excluded.spark_doc,
  refreshed_at = excluded.refreshed_at`;

const RECORD_REFRESH = `
INSERT INTO fleet_window_refresh (id, window_end, refreshed_at, nodes) VALUES (true, $1, now(), $2)
ON CONFLICT (id) DO UPDATE SET window_end = excluded.window_end, refreshed_at = excluded.refreshed_at,
  nodes = excluded.nodes`;

const STALE = `SELECT EXISTS (SELECT 1 FROM nodes n LEFT JOIN fleet_window f USING (node_id)
  WHERE f.window_end IS DISTINCT FROM $1)
  OR NOT EXISTS (SELECT 1 FROM group_window WHERE window_end = $1 AND g_country = 1) AS stale`;

/**
 * Recomputes every node's row of fleet_window, and group_window (regions.ts), for the window
 * ending with `now`'s hour. With `onlyIfStale`, does nothing when both already hold that
 * window for every node. Returns the number of fleet_window rows written.
 */
export async function refreshFleetWindow(sql: Sql, now: Date, onlyIfStale = false): Promise<number> {
  const { start, end } = windowBounds(now, FLEET_WINDOW_HOURS);
  if (onlyIfStale) {
    const { rows } = await sql.query<{ stale: boolean }>(STALE, [end]);
    if (!rows[0]?.stale) return 0;
  }
  const res = await sql.query(REFRESH, [start, end, null, FLEET_WINDOW_HOURS]);
  await sql.query(RECORD_REFRESH, [end, res.rowCount]);
  // Concurrent refreshers (one per ETL process) take turns: each replaces every row, none adds
  // to another's. The lock mode conflicts with itself, not with readers.
  await sql.query('LOCK TABLE group_window IN SHARE ROW EXCLUSIVE MODE');
  await sql.query('DELETE FROM group_window');
  await sql.query(REFRESH_GROUP_WINDOW, [start, end]);
  return res.rowCount;
}
