import type { Aggregation, MetricPoint } from '@fiberstack/contracts';
import type { Db, Sql } from '../types.ts';
import { jsonRows, jsonText } from './json-rows.ts';
import { iso, rounded } from './sql-json.ts';

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

const FILTER = `node_id = $1 AND ($4::text IS NULL OR target = $4) AND ($5::text IS NULL OR "check" = $5)`;

const RAW = `
SELECT time, latency_ms, uptime_pct, packet_loss, target, "check", outlier FROM samples
WHERE ${FILTER} AND time >= $2 AND time < $3
ORDER BY time, target, "check" LIMIT $6`;

const ORDER = 'r.time, r.target, r."check"';

// Every sample in range is read; each bucket keeps its extremes, so a spike is never averaged away.
// Buckets are aligned to the Unix epoch ($7 seconds), the same for every request. The columns are
// the contract's MetricPoint (no percentiles per bucket: left out, not null 3,000 times), so the
// rows go out as the database encodes them. Averages are rounded to 0.001 (a microsecond, a
// thousandth of a percent), the precision the probes measure with: half the bytes of 17-digit
// doubles for a week's answer.
const BUCKET = `date_bin(make_interval(secs => $7), time, timestamptz '1970-01-01 00:00:00+00')`;
const RAW_BUCKETED = `
SELECT ${iso(BUCKET)} AS time, ${rounded('avg(latency_ms)')} AS latency_ms,
  ${rounded('avg(uptime_pct)')} AS uptime_pct, ${rounded('avg(packet_loss)')} AS packet_loss, target, "check",
  min(latency_ms) AS latency_min_ms, max(latency_ms) AS latency_max_ms, count(*)::int AS samples,
  bool_or(outlier) AS outlier
FROM samples
WHERE ${FILTER} AND time >= $2 AND time < $3
GROUP BY ${BUCKET}, target, "check" ORDER BY 1, target, "check" LIMIT $6`;

// Rollup rows as the contract's MetricPoint (the bucket's start as `time`, its sample-weighted
// average as `latency_ms`), so the API can send the database's JSON as it is.
const rollup = (table: string) => `
SELECT ${iso('bucket')} AS time, latency_avg AS latency_ms, uptime_pct, packet_loss, target, "check",
  latency_min AS latency_min_ms, latency_max AS latency_max_ms, latency_p50 AS latency_p50_ms,
  latency_p95 AS latency_p95_ms, samples, bucket FROM ${table}
WHERE ${FILTER} AND bucket >= $2 AND bucket < $3
ORDER BY bucket, target, "check" LIMIT $6`;

const ROLLUP_SQL = { hourly: rollup('samples_hourly'), daily: rollup('samples_daily') } as const;

/**
 * A long raw range as min/avg/max per bucket of `bucketSeconds`: the JSON array text of
 * MetricPoints, oldest first, as the database wrote it (the API sends it unchanged).
 */
export function queryBucketedJson(sql: Sql, q: MetricsFilter & { bucketSeconds: number }): Promise<string> {
  const params = [q.node_id, q.start, q.end, q.target ?? null, q.check ?? null, q.limit, q.bucketSeconds];
  return jsonText(sql, RAW_BUCKETED, params, ORDER);
}

/**
 * Hourly or daily rollup points: the JSON array text of MetricPoints, oldest first (the API sends
 * it unchanged). On PostgreSQL rows come from the driver and are written by JSON.stringify: for a
 * week of hourly points (168 rows, 7 doubles each) json_agg took 2–3 ms, plain rows about 0.9 ms
 * including their parsing here (bench query, another node each call: p95 4.6–4.8 against
 * 5.2–5.7 ms). PGlite decodes rows one by one in WebAssembly, so there the database's json_agg
 * is faster (p95 6.0–7.9 against 10.9–11.8 ms). Both write the shortest text that reads back as
 * the same double.
 */
export async function queryRollupJson(
  sql: Sql,
  q: MetricsFilter & { aggregation: 'hourly' | 'daily' },
): Promise<string> {
  const params = [q.node_id, q.start, q.end, q.target ?? null, q.check ?? null, q.limit];
  const columns =
    'time, latency_ms, uptime_pct, packet_loss, target, "check", latency_min_ms, latency_max_ms, latency_p50_ms, latency_p95_ms, samples';
  const points = `SELECT ${columns} FROM (${ROLLUP_SQL[q.aggregation]}) p`;
  if ((sql as Partial<Db>).engine === 'pglite') return jsonText(sql, points, params, ORDER);
  const { rows } = await sql.query<MetricPoint>(`${points} ORDER BY p.bucket, p.target, p."check"`, params);
  return JSON.stringify(rows);
}

/** Points for one node in [start, end), oldest first; rollups read the ETL-maintained tables. */
export async function queryMetrics(sql: Sql, q: MetricsFilter): Promise<MetricPoint[]> {
  const params = [q.node_id, q.start, q.end, q.target ?? null, q.check ?? null, q.limit];
  if (q.aggregation === 'raw' && q.bucketSeconds !== undefined)
    return JSON.parse(
      await queryBucketedJson(sql, { ...q, bucketSeconds: q.bucketSeconds }),
    ) as MetricPoint[];
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
  return JSON.parse(await queryRollupJson(sql, { ...q, aggregation: q.aggregation })) as MetricPoint[];
}
