import {
  type CurrentState,
  DEFAULT_FLEET_THRESHOLDS,
  type FleetNode,
  type FleetResponse,
  type FleetThresholds,
  type HttpPhasePoint,
  nodeStatus,
  type TargetStats,
  type WindowStats,
} from '@fiberstack/contracts';
import type { Sql } from '../types.ts';
import { FLEET_WINDOW_HOURS, SPARK_SQL, WINDOW_SQL, windowBounds } from './fleet-window.ts';
import { jsonRows } from './json-rows.ts';

export interface FleetOptions {
  now: Date;
  /** Window for the averages and the sparkline; default 24. */
  windowHours?: number;
  thresholds?: FleetThresholds;
  /** Only this node (the node page). */
  node_id?: string;
}

interface StateRow {
  node_id: string;
  country: string;
  region: string;
  /** ISO 8601 (the rows arrive as one JSON document, see jsonRows). */
  first_seen_at: string;
  last_seen_at: string;
  cur_latency: number | null;
  cur_uptime: number | null;
  cur_loss: number | null;
  cur_targets: number;
  /** fleet_window's row for the requested window, when the refresher has written it. */
  w_samples: number | null;
  w_latency_avg: number | null;
  w_latency_p95: number | null;
  w_uptime: number | null;
  w_loss: number | null;
  w_spark: (number | null)[] | null;
}

interface WindowRow {
  node_id: string;
  samples: number;
  latency_avg: number | null;
  latency_p95: number | null;
  uptime_pct: number | null;
  packet_loss: number | null;
}

interface SparkRow {
  node_id: string;
  bucket: Date;
  latency: number | null;
}

const CURRENT = (bounded: boolean) => `
  SELECT avg(s.latency_ms) FILTER (WHERE s."check" <> 'http') AS latency, avg(s.uptime_pct) AS uptime, avg(s.packet_loss) AS loss,
    count(DISTINCT s.target)::int AS targets
  FROM samples s
  WHERE s.node_id = n.node_id AND s.time > n.last_seen_at - interval '10 minutes' AND s.time <= n.last_seen_at
    ${bounded ? 'AND s.time > $3' : ''}`;

const STATE_PART = (bounded: boolean) => `
SELECT n.node_id, n.country, n.region, n.first_seen_at, n.last_seen_at,
  cur.latency AS cur_latency, cur.uptime AS cur_uptime, cur.loss AS cur_loss, cur.targets AS cur_targets,
  fw.samples AS w_samples, fw.latency_avg AS w_latency_avg, fw.latency_p95 AS w_latency_p95,
  fw.uptime_pct AS w_uptime, fw.packet_loss AS w_loss, fw.spark AS w_spark
FROM nodes n
LEFT JOIN fleet_window fw ON fw.node_id = n.node_id AND fw.window_end = $2
LEFT JOIN LATERAL (${CURRENT(bounded)}) cur ON true
WHERE ($1::text IS NULL OR n.node_id = $1)
  AND n.last_seen_at ${bounded ? '>=' : '<'} $3::timestamptz + interval '10 minutes'`;

/**
 * Current state: averages over the 10 minutes up to each node's last sample (index range scan
 * per node). Nodes heard from since $3 (the window's start) read with the extra bound
 * `time > $3`, which the planner uses to drop every older partition once; without it each of
 * the 1,000 per-node scans prunes all partitions again at run time (46 ms instead of 15 ms for
 * 1,000 nodes on PostgreSQL 15). Nodes silent since before $3 (few) read without it.
 */
const STATE = `${STATE_PART(true)}
UNION ALL
${STATE_PART(false)}`;

interface Windows {
  byNode: Map<string, WindowRow>;
  sparkByNode: Map<string, (number | null)[]>;
}

/** The windows as fleet_window holds them (written by refreshRollups). */
function fromFleetWindow(rows: StateRow[]): Windows {
  const byNode = new Map<string, WindowRow>();
  const sparkByNode = new Map<string, (number | null)[]>();
  for (const r of rows) {
    if (r.w_samples && r.w_samples > 0)
      byNode.set(r.node_id, {
        node_id: r.node_id,
        samples: r.w_samples,
        latency_avg: r.w_latency_avg,
        latency_p95: r.w_latency_p95,
        uptime_pct: r.w_uptime,
        packet_loss: r.w_loss,
      });
    sparkByNode.set(
      r.node_id,
      (r.w_spark ?? []).map((v) => round(v, 2)),
    );
  }
  return { byNode, sparkByNode };
}

/** The windows aggregated from the hourly rollups now (another window length, or not yet written). */
async function fromRollups(
  sql: Sql,
  w: { start: Date; end: Date; hours: number; node: string | null },
): Promise<Windows> {
  const windows = await sql.query<WindowRow>(WINDOW_SQL, [w.start, w.end, w.node]);
  const sparks = await sql.query<SparkRow>(SPARK_SQL, [w.start, w.end, w.node]);
  const byNode = new Map(windows.rows.map((r) => [r.node_id, r]));
  const sparkByNode = new Map<string, (number | null)[]>();
  for (const s of sparks.rows) {
    let arr = sparkByNode.get(s.node_id);
    if (!arr) {
      arr = new Array<number | null>(w.hours).fill(null);
      sparkByNode.set(s.node_id, arr);
    }
    const idx = Math.floor((s.bucket.getTime() - w.start.getTime()) / HOUR);
    if (idx >= 0 && idx < w.hours) arr[idx] = round(s.latency, 2);
  }
  return { byNode, sparkByNode };
}

const DEMO = `SELECT EXISTS (SELECT 1 FROM events WHERE kind = 'demo_data') AS demo`;

const HOUR = 3_600_000;
const EMPTY_WINDOW: WindowStats = {
  samples: 0,
  latency_avg_ms: null,
  latency_p95_ms: null,
  uptime_pct: null,
  packet_loss: null,
};

const round = (v: number | null, digits = 3): number | null =>
  v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits;

/**
 * Every node's latest state, window averages, hourly sparkline and health status
 * (up | degraded | down | silent by the thresholds). Three small queries: nodes with a
 * lateral index scan for the current state, then two reads of the hourly rollups.
 */
export async function queryFleet(sql: Sql, opts: FleetOptions): Promise<FleetResponse> {
  const hours = opts.windowHours ?? FLEET_WINDOW_HOURS;
  const thresholds = opts.thresholds ?? DEFAULT_FLEET_THRESHOLDS;
  const { start, end } = windowBounds(opts.now, hours);
  const node = opts.node_id ?? null;
  const state = { rows: await jsonRows<StateRow>(sql, STATE, [node, end, start], 'r.node_id') };
  const demo = await sql.query<{ demo: boolean }>(DEMO, []);
  const precomputed = hours === FLEET_WINDOW_HOURS && state.rows.every((r) => r.w_spark !== null);
  const { byNode, sparkByNode } = precomputed
    ? fromFleetWindow(state.rows)
    : await fromRollups(sql, { start, end, hours, node });

  const counts = { up: 0, degraded: 0, down: 0, silent: 0 };
  const nodes: FleetNode[] = state.rows.map((r) => {
    const current: CurrentState = {
      latency_ms: round(r.cur_latency),
      uptime_pct: round(r.cur_uptime),
      packet_loss: round(r.cur_loss),
      targets: r.cur_targets ?? 0,
    };
    const status = nodeStatus(opts.now.getTime(), Date.parse(r.last_seen_at), current, thresholds);
    counts[status] += 1;
    const w = byNode.get(r.node_id);
    return {
      node_id: r.node_id,
      country: r.country,
      region: r.region,
      status,
      first_seen_at: new Date(r.first_seen_at).toISOString(),
      last_seen_at: new Date(r.last_seen_at).toISOString(),
      current,
      window: w
        ? {
            samples: w.samples,
            latency_avg_ms: round(w.latency_avg),
            latency_p95_ms: round(w.latency_p95),
            uptime_pct: round(w.uptime_pct),
            packet_loss: round(w.packet_loss),
          }
        : EMPTY_WINDOW,
      spark: sparkByNode.get(r.node_id) ?? new Array<number | null>(hours).fill(null),
    };
  });
  return {
    generated_at: opts.now.toISOString(),
    window_hours: hours,
    demo: demo.rows[0]?.demo === true,
    thresholds,
    counts,
    nodes,
  };
}

export interface NodeRange {
  node_id: string;
  start: Date;
  end: Date;
}

interface TargetRow {
  target: string;
  check: string;
  last_time: Date | null;
  samples: number;
  latency_avg: number | null;
  latency_min: number | null;
  latency_max: number | null;
  latency_p95: number | null;
  uptime_pct: number | null;
  packet_loss: number | null;
}

const TARGETS = `
SELECT target, "check", max(bucket) AS last_time, sum(samples)::int AS samples,
  sum(latency_avg * samples) / nullif(sum(samples) FILTER (WHERE latency_avg IS NOT NULL), 0) AS latency_avg,
  min(latency_min) AS latency_min, max(latency_max) AS latency_max,
  percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_p95) AS latency_p95,
  sum(uptime_pct * samples) / nullif(sum(samples) FILTER (WHERE uptime_pct IS NOT NULL), 0) AS uptime_pct,
  sum(packet_loss * samples) / nullif(sum(samples) FILTER (WHERE packet_loss IS NOT NULL), 0) AS packet_loss
FROM samples_hourly
WHERE node_id = $1 AND bucket >= date_trunc('hour', $2::timestamptz, 'UTC') AND bucket < $3
GROUP BY target, "check" ORDER BY "check", target`;

/** Per target and check of one node over a range, from the hourly rollups. */
export async function queryNodeTargets(sql: Sql, r: NodeRange): Promise<TargetStats[]> {
  const { rows } = await sql.query<TargetRow>(TARGETS, [r.node_id, r.start, r.end]);
  return rows.map((t) => ({
    target: t.target,
    check: t.check,
    last_time: t.last_time?.toISOString() ?? null,
    samples: t.samples,
    latency_avg_ms: round(t.latency_avg),
    latency_min_ms: round(t.latency_min),
    latency_max_ms: round(t.latency_max),
    latency_p95_ms: round(t.latency_p95),
    uptime_pct: round(t.uptime_pct),
    packet_loss: round(t.packet_loss),
  }));
}

interface PhaseRow {
  time: string;
  target: string;
  dns: number | null;
  connect: number | null;
  tls: number | null;
  ttfb: number | null;
  total: number | null;
  http_status: number | null;
}

const phase = (key: string, agg: string) => `${agg}((extra->'http'->>'${key}')::float8)`;
const PHASE_FILTER = `node_id = $1 AND time >= $2 AND time < $3 AND "check" = 'http' AND extra ? 'http'`;

const PHASES = `
SELECT time, target, ${phase('dns_ms', '')} AS dns, ${phase('connect_ms', '')} AS connect,
  ${phase('tls_ms', '')} AS tls, ${phase('ttfb_ms', '')} AS ttfb, ${phase('total_ms', '')} AS total, http_status
FROM samples WHERE ${PHASE_FILTER}
ORDER BY time DESC LIMIT $4`;

// Averages per epoch-aligned bucket of $4 seconds; the worst (highest) status code of the bucket.
const PHASES_BUCKETED = `
SELECT date_bin(make_interval(secs => $4), time, timestamptz '1970-01-01 00:00:00+00') AS time, target,
  ${phase('dns_ms', 'avg')} AS dns, ${phase('connect_ms', 'avg')} AS connect, ${phase('tls_ms', 'avg')} AS tls,
  ${phase('ttfb_ms', 'avg')} AS ttfb, ${phase('total_ms', 'avg')} AS total, max(http_status) AS http_status
FROM samples WHERE ${PHASE_FILTER}
GROUP BY 1, 2`;

/**
 * HTTP phase timings (DNS, connect, TLS, first byte, total) of one node, oldest first: the newest
 * `limit` samples, or with `bucketSeconds` the average of every sample per bucket over the whole range.
 */
export async function queryHttpPhases(
  sql: Sql,
  r: NodeRange & { limit: number; bucketSeconds?: number },
): Promise<HttpPhasePoint[]> {
  const rows =
    r.bucketSeconds === undefined
      ? (await jsonRows<PhaseRow>(sql, PHASES, [r.node_id, r.start, r.end, r.limit], 'r.time DESC')).reverse()
      : await jsonRows<PhaseRow>(
          sql,
          PHASES_BUCKETED,
          [r.node_id, r.start, r.end, r.bucketSeconds],
          'r.time, r.target',
        );
  return rows.map((p) => ({
    time: new Date(p.time).toISOString(),
    target: p.target,
    dns_ms: round(p.dns),
    connect_ms: round(p.connect),
    tls_ms: round(p.tls),
    ttfb_ms: round(p.ttfb),
    total_ms: round(p.total),
    http_status: p.http_status,
  }));
}
