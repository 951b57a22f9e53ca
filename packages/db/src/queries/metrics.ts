import type { Aggregation, MetricPoint } from '@fiberstack/contracts';
import type { Sql } from '../types.ts';

export interface MetricsFilter {
  node_id: string;
  start: Date;
  end: Date;
  aggregation: Aggregation;
  target?: string;
  check?: string;
  limit: number;
}

interface RawRow {
  time: Date;
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

const rollup = (table: string) => `
SELECT bucket, target, "check", samples, latency_avg, latency_min, latency_max, latency_p50,
  latency_p95, uptime_pct, packet_loss FROM ${table}
WHERE ${FILTER} AND bucket >= $2 AND bucket < $3
ORDER BY bucket, target, "check" LIMIT $6`;

const ROLLUP_SQL = { hourly: rollup('samples_hourly'), daily: rollup('samples_daily') } as const;

/** Points for one node in [start, end), oldest first; rollups read the ETL-maintained tables. */
export async function queryMetrics(sql: Sql, q: MetricsFilter): Promise<MetricPoint[]> {
  const params = [q.node_id, q.start, q.end, q.target ?? null, q.check ?? null, q.limit];
  if (q.aggregation === 'raw') {
    const { rows } = await sql.query<RawRow>(RAW, params);
    return rows.map((r) => ({
      time: r.time.toISOString(),
      latency_ms: r.latency_ms,
      uptime_pct: r.uptime_pct,
      packet_loss: r.packet_loss,
      target: r.target,
      check: r.check,
      outlier: r.outlier,
    }));
  }
  const { rows } = await sql.query<RollupRow>(ROLLUP_SQL[q.aggregation], params);
  return rows.map((r) => ({
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
  }));
}
