import type { SampleRow, Sql } from '../types.ts';

export interface LoadResult {
  inserted: number;
  duplicates: number;
  /** Nodes seen for the first time in this call (a node_first_seen event was recorded). */
  newNodes: string[];
}

/**
 * The batch insert; `onConflict` is '' (optimistic) or the DO NOTHING clause. Without it no
 * row pays ON CONFLICT's speculative pre-check, a second descent of the natural key's index
 * (under load 45 % of PostgreSQL's CPU); the unique index still refuses a duplicate.
 */
const insertSamples = (onConflict: string) => `
WITH input AS (
  SELECT * FROM unnest(
    $1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[],
    $7::float8[], $8::float8[], $9::float8[], $10::float8[], $11::float8[], $12::float8[],
    $13::float8[], $14::int[], $15::text[], $16::bool[], $17::timestamptz[]
  ) AS t(node_id, target, "check", time, country, region, latency_ms, uptime_pct, packet_loss,
         jitter_ms, latency_min_ms, latency_max_ms, latency_median_ms, http_status, extra,
         outlier, received_at)
), inserted AS (
  INSERT INTO samples (node_id, target, "check", time, country, region, latency_ms, uptime_pct,
    packet_loss, jitter_ms, latency_min_ms, latency_max_ms, latency_median_ms, http_status,
    extra, outlier, received_at)
  SELECT node_id, target, "check", time, country, region, latency_ms, uptime_pct, packet_loss,
    jitter_ms, latency_min_ms, latency_max_ms, latency_median_ms, http_status, extra::jsonb,
    outlier, received_at
  FROM input
  ${onConflict}
  RETURNING node_id, target, "check", time
), dirty AS (
  INSERT INTO rollup_dirty (node_id, target, "check", bucket)
  SELECT DISTINCT node_id, target, "check", date_trunc('hour', time, 'UTC') FROM inserted
  ON CONFLICT DO NOTHING
)
SELECT count(*)::int AS inserted FROM inserted`;

const INSERT_NEW_SAMPLES = insertSamples('');
const INSERT_SAMPLES_SKIPPING_DUPLICATES = insertSamples(
  'ON CONFLICT (node_id, target, "check", time) DO NOTHING',
);

/** PostgreSQL's unique_violation, as pg and PGlite report it. */
function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}

/**
 * Inserts the batch assuming it is new (the common case), and only when a row is already
 * stored (a redelivery) runs it again skipping duplicates. Inside a transaction the first try
 * runs under a savepoint, so its failure leaves the caller's transaction usable.
 */
async function insertOnce(sql: Sql, params: unknown[]): Promise<number> {
  if (sql.inTransaction) await sql.query('SAVEPOINT load_samples');
  try {
    const result = await sql.query<{ inserted: number }>(INSERT_NEW_SAMPLES, params);
    return result.rows[0]?.inserted ?? 0;
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    if (sql.inTransaction) await sql.query('ROLLBACK TO SAVEPOINT load_samples');
    const result = await sql.query<{ inserted: number }>(INSERT_SAMPLES_SKIPPING_DUPLICATES, params);
    return result.rows[0]?.inserted ?? 0;
  }
}

const UPSERT_NODES = `
INSERT INTO nodes (node_id, country, region, first_seen_at, last_seen_at)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[])
ON CONFLICT (node_id) DO UPDATE SET
  country = CASE WHEN excluded.last_seen_at >= nodes.last_seen_at THEN excluded.country ELSE nodes.country END,
  region = CASE WHEN excluded.last_seen_at >= nodes.last_seen_at THEN excluded.region ELSE nodes.region END,
  first_seen_at = least(nodes.first_seen_at, excluded.first_seen_at),
  last_seen_at = greatest(nodes.last_seen_at, excluded.last_seen_at),
  version = nodes.version + 1
RETURNING node_id, (xmax = 0) AS created`;

const FIRST_SEEN_EVENTS = `
INSERT INTO events (time, node_id, kind, message, data)
SELECT n.first_seen_at, n.node_id, 'node_first_seen', 'node ' || n.node_id || ' first seen',
       jsonb_build_object('country', n.country, 'region', n.region)
FROM nodes n WHERE n.node_id = ANY($1::text[])`;

interface NodeSummary {
  country: string;
  region: string;
  first: Date;
  last: Date;
}

/** The newest sample of each node decides its country/region; its time is last_seen. */
function summariseNodes(rows: readonly SampleRow[]): Map<string, NodeSummary> {
  const nodes = new Map<string, NodeSummary>();
  for (const row of rows) {
    const seen = nodes.get(row.node_id);
    if (!seen) {
      nodes.set(row.node_id, { country: row.country, region: row.region, first: row.time, last: row.time });
    } else if (row.time >= seen.last) {
      nodes.set(row.node_id, { ...seen, country: row.country, region: row.region, last: row.time });
    } else if (row.time < seen.first) {
      seen.first = row.time;
    }
  }
  return nodes;
}

/**
 * Inserts a batch with one multi-row statement (unnest arrays); duplicates of the natural key
 * (node_id, target, check, time) are skipped (see insertOnce). Run it inside the caller's transaction: it also
 * upserts nodes, records node_first_seen events and marks the touched hours for the rollups.
 */
export async function loadSamples(sql: Sql, rows: readonly SampleRow[]): Promise<LoadResult> {
  if (rows.length === 0) return { inserted: 0, duplicates: 0, newNodes: [] };
  let min = rows[0]!.time;
  let max = min;
  for (const row of rows) {
    if (row.time < min) min = row.time;
    if (row.time > max) max = row.time;
  }
  await sql.query('SELECT ensure_sample_partitions($1, $2)', [min, max]);

  const inserted = await insertOnce(sql, [
    rows.map((r) => r.node_id),
    rows.map((r) => r.target),
    rows.map((r) => r.check),
    rows.map((r) => r.time),
    rows.map((r) => r.country),
    rows.map((r) => r.region),
    rows.map((r) => r.latency_ms),
    rows.map((r) => r.uptime_pct),
    rows.map((r) => r.packet_loss),
    rows.map((r) => r.jitter_ms),
    rows.map((r) => r.latency_min_ms),
    rows.map((r) => r.latency_max_ms),
    rows.map((r) => r.latency_median_ms),
    rows.map((r) => r.http_status),
    rows.map((r) => (r.extra === null ? null : JSON.stringify(r.extra))),
    rows.map((r) => r.outlier),
    rows.map((r) => r.received_at),
  ]);

  const nodes = summariseNodes(rows);
  const ids = [...nodes.keys()];
  const upserted = await sql.query<{ node_id: string; created: boolean }>(UPSERT_NODES, [
    ids,
    ids.map((id) => nodes.get(id)!.country),
    ids.map((id) => nodes.get(id)!.region),
    ids.map((id) => nodes.get(id)!.first),
    ids.map((id) => nodes.get(id)!.last),
  ]);
  const newNodes = upserted.rows.filter((r) => r.created).map((r) => r.node_id);
  if (newNodes.length > 0) await sql.query(FIRST_SEEN_EVENTS, [newNodes]);

  return { inserted, duplicates: rows.length - inserted, newNodes };
}
