import type { Aggregation, MetricPoint } from '@fiberstack/contracts';
import type { Sql } from '../types.ts';
import { jsonRows } from './json-rows.ts';

export interface MetricsFilter {
  node_id: string;
  start: Date;
  end: Date;
  aggregation: Aggregation;
  target?: string;
  check?: string;
  limit: number;
  /** Raw only: bucket seconds (≥ 60) to return min/avg/max per bucket instead of every sample. */
  bucketSeconds?: number;
}

/** Raw and bucketed rows arrive as JSON (see jsonRows): times are ISO strings. */
interface RawRow {
  time: string;
  latency_ms: number | null;
  uptime_pct: number | null;
  packet_loss: number | null;
  target: string;
  check: string;
  outlier: boolean;
}

interface RollupRow {
  bucket: Date;
  target: string;
  check: string;
  samples: number;
  latency_avg: number | null;
  latency_min: number | null;
  latency_max: number | null;
  latency_p50: number | null;
  latency_p95: number | null;
  uptime_pct: number | null;
  packet_loss: number | null;
}

const FILTER = `node_id = $1 AND ($4::text IS NULL OR target = $4) AND ($5::text IS NULL OR "check" = $5)`;

const RAW = `
SELECT time, latency_ms, uptime_pct, packet_loss, target, "check", outlier FROM samples
WHERE ${FILTER} AND time >= $2 AND time < $3
ORDER BY time, target, "check" LIMIT $6`;

/** A bucketed raw row (as JSON): a rollup row without percentiles, with the bucket's start as time. */
type BucketRow = Omit<RollupRow, 'bucket' | 'latency_p50' | 'latency_p95'> & {
  time: string;
  outlier: boolean;
};

const ORDER = 'r.time, r.target, r."check"';

// Every sample in range is read; each bucket keeps its extremes, so a spike is never averaged away.
// Averages are rounded to 0.001 (a microsecond, a thousandth of a percent), the precision the
// probes measure with: half the bytes of 17-digit doubles for a week's answer.
// Buckets are aligned to the Unix epoch ($7 seconds), the same for every request.
const RAW_BUCKETED = `
SELECT date_bin(make_interval(secs => $7), time, timestamptz '1970-01-01 00:00:00+00') AS time, target,
  "check", count(*)::int AS samples, round(avg(latency_ms)::numeric, 3)::float8 AS latency_avg,
  min(latency_ms) AS latency_min, max(latency_ms) AS latency_max,
  round(avg(uptime_pct)::numeric, 3)::float8 AS uptime_pct,
  round(avg(packet_loss)::numeric, 3)::float8 AS packet_loss, bool_or(outlier) AS outlier
FROM samples
WHERE ${FILTER} AND time >= $2 AND time < $3
GROUP BY 1, 2, 3 ORDER BY 1, 2, 3 LIMIT $6`;

const rollup = (table: string) => `
SELECT bucket, target, "check", samples, latency_avg, latency_min, latency_max, latency_p50,
  latency_p95, uptime_pct, packet_loss FROM ${table}
WHERE ${FILTER} AND bucket >= $2 AND bucket < $3
ORDER BY bucket, target, "check" LIMIT $6`;

const ROLLUP_SQL = { hourly: rollup('samples_hourly'), daily: rollup('samples_daily') } as const;

/** Points for one node in [start, end), oldest first; rollups read the ETL-maintained tables. */
export async function queryMetrics(sql: Sql, q: MetricsFilter): Promise<MetricPoint[]> {
  const params = [q.node_id, q.start, q.end, q.target ?? null, q.check ?? null, q.limit];
  if (q.aggregation === 'raw' && q.bucketSeconds !== undefined) {
    const rows = (await jsonRows<BucketRow>(sql, RAW_BUCKETED, [...params, q.bucketSeconds], ORDER)).map(
      (r) => ({
        ...toPoint({ ...r, bucket: new Date(r.time), latency_p50: null, latency_p95: null }),
        outlier: r.outlier,
      }),
    );
    // No percentiles per bucket: the fields are left out rather than sent as null 3,000 times.
    return rows.map(({ latency_p50_ms: _p50, latency_p95_ms: _p95, ...point }) => point);
  }
  if (q.aggregation === 'raw') {
    const rows = await jsonRows<RawRow>(sql, RAW, params, ORDER);
    return rows.map((r) => ({
      time: new Date(r.time).toISOString(),
      latency_ms: r.latency_ms,
      uptime_pct: r.uptime_pct,
      packet_loss: r.packet_loss,
      target: r.target,
      check: r.check,
      outlier: r.outlier,
    }));
  }
  const rows = await jsonRows<Omit<RollupRow, 'bucket'> & { bucket: string }>(
    sql,
    ROLLUP_SQL[q.aggregation],
    params,
    'r.bucket, r.target, r."check"',
  );
  return rows.map((r) => toPoint({ ...r, bucket: new Date(r.bucket) }));
}

function toPoint(r: RollupRow): MetricPoint {
  return {
    time: r.bucket.toISOString(),
    latency_ms: r.latency_avg,
    uptime_pct: r.uptime_pct,
    packet_loss: r.packet_loss,
    target: r.target,
    check: r.check,
    latency_min_ms: r.latency_min,
    latency_max_ms: r.latency_max,
    latency_p50_ms: r.latency_p50,
    latency_p95_ms: r.latency_p95,
    samples: r.samples,
  };
}
