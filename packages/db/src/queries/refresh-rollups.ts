import type { Db } from '../types.ts';
import { refreshFleetWindow } from './fleet-window.ts';
import { BUMP_ROLLUP_GENERATION } from './rollup-generation.ts';

export interface RefreshOptions {
  /** Most dirty hourly buckets handled per call (oldest first); default 5,000. */
  maxBuckets?: number;
  /** The clock for the fleet window (tests); default now. */
  now?: Date;
}

export interface RefreshResult {
  hourly: number;
  daily: number;
  /** Nodes whose 24-hour fleet window was recomputed. */
  fleet: number;
}

const CLAIM_DIRTY = `
CREATE TEMP TABLE IF NOT EXISTS rollup_claim (
  node_id text, target text, "check" text, bucket timestamptz
) ON COMMIT DROP`;

const TAKE_DIRTY = `
WITH taken AS (
  DELETE FROM rollup_dirty WHERE (node_id, target, "check", bucket) IN (
    SELECT node_id, target, "check", bucket FROM rollup_dirty
    ORDER BY bucket LIMIT $1 FOR UPDATE SKIP LOCKED
  ) RETURNING node_id, target, "check", bucket
)
INSERT INTO rollup_claim SELECT node_id, target, "check", bucket FROM taken`;

/** One statement per granularity: aggregates raw samples of the claimed buckets, then upserts. */
function upsertRollup(table: 'samples_hourly' | 'samples_daily', unit: 'hour' | 'day'): string {
  return `
WITH keys AS (
  SELECT DISTINCT node_id, target, "check", date_trunc('${unit}', bucket, 'UTC') AS bucket FROM rollup_claim
), agg AS (
  SELECT k.node_id, k.target, k."check", k.bucket, count(*)::int AS samples,
    avg(s.latency_ms) AS latency_avg, min(s.latency_ms) AS latency_min, max(s.latency_ms) AS latency_max,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY s.latency_ms) AS latency_p50,
    percentile_cont(0.95) WITHIN GROUP (ORDER BY s.latency_ms) AS latency_p95,
    avg(s.uptime_pct) AS uptime_pct, avg(s.packet_loss) AS packet_loss
  FROM keys k
  JOIN samples s ON s.node_id = k.node_id AND s.target = k.target AND s."check" = k."check"
    AND s.time >= k.bucket AND s.time < k.bucket + interval '1 ${unit}'
  GROUP BY k.node_id, k.target, k."check", k.bucket
)
INSERT INTO ${table} (node_id, target, "check", bucket, samples, latency_avg, latency_min, latency_max,
  latency_p50, latency_p95, uptime_pct, packet_loss)
SELECT * FROM agg
ON CONFLICT (node_id, target, "check", bucket) DO UPDATE SET
  samples = excluded.samples, latency_avg = excluded.latency_avg, latency_min = excluded.latency_min,
  latency_max = excluded.latency_max, latency_p50 = excluded.latency_p50,
  latency_p95 = excluded.latency_p95, uptime_pct = excluded.uptime_pct, packet_loss = excluded.packet_loss`;
}

const HOURLY = upsertRollup('samples_hourly', 'hour');
const DAILY = upsertRollup('samples_daily', 'day');

/**
 * Recomputes the hourly buckets marked dirty by loadSamples (and the days containing them)
 * from raw samples, then clears those marks: all in one transaction, so a crash leaves the
 * marks in place. Late data simply marks an old hour dirty again. Concurrent refreshers
 * claim disjoint buckets (SKIP LOCKED). A change raises the rollups' generation (rollup-generation.ts).
 */
export async function refreshRollups(db: Db, opts: RefreshOptions = {}): Promise<RefreshResult> {
  const maxBuckets = opts.maxBuckets ?? 5_000;
  return db.transaction(async (tx) => {
    await tx.query(CLAIM_DIRTY);
    const claimed = await tx.query(TAKE_DIRTY, [maxBuckets]);
    const now = opts.now ?? new Date();
    // Nothing new: the fleet window only needs work when the hour rolled over or a node is new.
    if (claimed.rowCount === 0)
      return { hourly: 0, daily: 0, fleet: await refreshFleetWindow(tx, now, true) };
    const hourly = await tx.query(HOURLY, []);
    const daily = await tx.query(DAILY, []);
    if (hourly.rowCount + daily.rowCount > 0) await tx.query(BUMP_ROLLUP_GENERATION, []);
    return { hourly: hourly.rowCount, daily: daily.rowCount, fleet: await refreshFleetWindow(tx, now) };
  });
}
