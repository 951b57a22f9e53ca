import type { GroupKind, GroupSeries, GroupStats } from '@fiberstack/contracts';
import type { Sql } from '../types.ts';
import { rounded } from './sql-json.ts';

export interface GroupsFilter {
  start: Date;
  end: Date;
  aggregation: 'hourly' | 'daily';
}

interface DocRow {
  kind: GroupKind;
  doc: string;
}

interface GroupRow {
  g_node: number;
  g_region: number;
  node_id: string | null;
  country: string;
  region: string | null;
  nodes: number;
  samples: number;
  latency_avg: number | null;
  latency_min: number | null;
  latency_max: number | null;
  latency_p50: number | null;
  latency_p95: number | null;
  uptime_pct: number | null;
  packet_loss: number | null;
}

interface SeriesRow extends Omit<GroupRow, 'nodes' | 'latency_min' | 'latency_max' | 'latency_p50'> {
  bucket: Date;
}

/** Latency figures describe the network: HTTP checks (whole requests) count only for uptime and loss. */
const NET_H = `h."check" <> 'http'`;

const MEASURES = `
  sum(h.samples)::int AS samples,
  sum(h.latency_avg * h.samples) FILTER (WHERE ${NET_H}) / nullif(sum(h.samples) FILTER (WHERE h.latency_avg IS NOT NULL AND ${NET_H}), 0) AS latency_avg,
  percentile_cont(0.95) WITHIN GROUP (ORDER BY h.latency_p95) FILTER (WHERE ${NET_H}) AS latency_p95,
  sum(h.uptime_pct * h.samples) / nullif(sum(h.samples) FILTER (WHERE h.uptime_pct IS NOT NULL), 0) AS uptime_pct,
  sum(h.packet_loss * h.samples) / nullif(sum(h.samples) FILTER (WHERE h.packet_loss IS NOT NULL), 0) AS packet_loss`;

const table = (a: GroupsFilter['aggregation']) => (a === 'daily' ? 'samples_daily' : 'samples_hourly');

const GROUP_COLUMNS = `
  count(DISTINCT h.node_id)::int AS nodes,
  min(h.latency_min) FILTER (WHERE ${NET_H}) AS latency_min,
  max(h.latency_max) FILTER (WHERE ${NET_H}) AS latency_max,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY h.latency_p50) FILTER (WHERE ${NET_H}) AS latency_p50, ${MEASURES}`;

/** The grouping's kind: country, region or node (NULL: the whole fleet). */
const KIND = `CASE WHEN GROUPING(n.country) = 1 THEN NULL WHEN GROUPING(h.node_id) = 0 THEN 'node'
  WHEN GROUPING(n.region) = 0 THEN 'region' ELSE 'country' END`;

/**
 * Country, region and node aggregates over the buckets [$1, $2) in one pass (GROUPING SETS;
 * country/region from `nodes`), each with its GroupStats as JSON. `fleet` adds the whole fleet
 * (the empty grouping set: one row even without data).
 */
const groupDocs = (a: GroupsFilter['aggregation'], fleet: boolean) => `
SELECT g.g_country, g.kind, g.country, g.region, g.node_id,
  json_build_object('group', g.kind,
    'key', CASE g.kind WHEN 'node' THEN g.node_id WHEN 'region' THEN g.region ELSE g.country END,
    'country', g.country, 'nodes', g.nodes, 'samples', g.samples,
    'latency_avg_ms', ${rounded('g.latency_avg')}, 'latency_min_ms', ${rounded('g.latency_min')},
    'latency_max_ms', ${rounded('g.latency_max')}, 'latency_p50_ms', ${rounded('g.latency_p50')},
    'latency_p95_ms', ${rounded('g.latency_p95')}, 'uptime_pct', ${rounded('g.uptime_pct')},
    'packet_loss', ${rounded('g.packet_loss')})::text AS doc
FROM (
  SELECT GROUPING(n.country)::int AS g_country, ${KIND} AS kind, h.node_id, n.country, n.region,
    ${GROUP_COLUMNS}
  FROM ${table(a)} h JOIN nodes n ON n.node_id = h.node_id
  WHERE h.bucket >= $1 AND h.bucket < $2
  GROUP BY GROUPING SETS ((n.country), (n.country, n.region), (h.node_id, n.country, n.region)${fleet ? ', ()' : ''})
) g`;

/** The answer's order: each country, then each of its regions (the region's total first), then its nodes. */
const GROUP_ORDER = 'country, region NULLS FIRST, node_id NULLS FIRST';

/**
 * Writes group_window for the hourly buckets [$1, $2): the groups above plus the whole fleet,
 * whose row marks the window as computed.
 */
export const REFRESH_GROUP_WINDOW = `
INSERT INTO group_window (window_end, g_country, kind, ord, doc)
SELECT $2, g_country, kind, row_number() OVER (ORDER BY ${GROUP_ORDER}), doc
FROM (${groupDocs('hourly', true)}) d`;

const PRECOMPUTED = `
SELECT kind, doc FROM group_window WHERE window_end = $1 AND g_country = 0 ORDER BY ord`;

const LIVE = (a: GroupsFilter['aggregation']) => `
SELECT kind, doc FROM (${groupDocs(a, false)}) d ORDER BY ${GROUP_ORDER}`;

const HOUR_MS = 3_600_000;
const ceilHour = (d: Date) => Math.ceil(d.getTime() / HOUR_MS) * HOUR_MS;
/** The window group_window holds (fleet-window.ts: FLEET_WINDOW_HOURS). */
const GROUP_WINDOW_HOURS = 24;

const seriesSql = (a: GroupsFilter['aggregation']) => `
SELECT 1 AS g_node, GROUPING(n.region)::int AS g_region,
  NULL::text AS node_id, n.country, n.region, h.bucket, ${MEASURES}
FROM ${table(a)} h JOIN nodes n ON n.node_id = h.node_id
WHERE h.bucket >= $1 AND h.bucket < $2
GROUP BY GROUPING SETS ((n.country, h.bucket), (n.country, n.region, h.bucket))
ORDER BY n.country, n.region NULLS FIRST, h.bucket`;

const round = (v: number | null): number | null => (v === null ? null : Math.round(v * 1000) / 1000);

function kindOf(r: { g_node: number; g_region: number }): GroupKind {
  if (r.g_node === 0) return 'node';
  return r.g_region === 0 ? 'region' : 'country';
}

function keyOf(kind: GroupKind, r: { node_id: string | null; country: string; region: string | null }) {
  if (kind === 'node') return r.node_id ?? '';
  return kind === 'region' ? (r.region ?? '') : r.country;
}

export interface Groups {
  countries: GroupStats[];
  regions: GroupStats[];
  nodes: GroupStats[];
}

/**
 * Aggregates per country, per region and per node over [start, end) from the rollups, as the
 * JSON text of Groups (the database writes each GroupStats). When the range holds exactly the
 * 24 hourly buckets of a window refreshRollups precomputed (the last 24 hours, the default of
 * GET /api/regions), its group_window rows are read instead: equal to aggregating the rollups
 * now, which only refreshRollups changes.
 */
export async function queryGroupsJson(sql: Sql, f: GroupsFilter): Promise<string> {
  let rows: DocRow[] | undefined;
  const windowEnd = ceilHour(f.end);
  if (f.aggregation === 'hourly' && ceilHour(f.start) === windowEnd - GROUP_WINDOW_HOURS * HOUR_MS) {
    const pre = await sql.query<DocRow>(PRECOMPUTED, [new Date(windowEnd)]);
    if (pre.rowCount > 0) rows = pre.rows;
  }
  rows ??= (await sql.query<DocRow>(LIVE(f.aggregation), [f.start, f.end])).rows;
  const out: Record<GroupKind, string[]> = { country: [], region: [], node: [] };
  for (const r of rows) out[r.kind].push(r.doc);
  return `{"countries":[${out.country.join(',')}],"regions":[${out.region.join(',')}],"nodes":[${out.node.join(',')}]}`;
}

/** queryGroupsJson's answer as an object. */
export async function queryGroups(sql: Sql, f: GroupsFilter): Promise<Groups> {
  return JSON.parse(await queryGroupsJson(sql, f)) as Groups;
}

/** Time series per country and per region over [start, end), one point per rollup bucket. */
export async function queryGroupSeries(sql: Sql, f: GroupsFilter): Promise<GroupSeries[]> {
  const { rows } = await sql.query<SeriesRow>(seriesSql(f.aggregation), [f.start, f.end]);
  const series = new Map<string, GroupSeries>();
  for (const r of rows) {
    const group = kindOf(r);
    const key = keyOf(group, r);
    const id = `${group}\0${key}`;
    let s = series.get(id);
    if (!s) {
      s = { group, key, points: [] };
      series.set(id, s);
    }
    s.points.push({
      time: r.bucket.toISOString(),
      latency_avg_ms: round(r.latency_avg),
      latency_p95_ms: round(r.latency_p95),
      uptime_pct: round(r.uptime_pct),
      packet_loss: round(r.packet_loss),
      samples: r.samples,
    });
  }
  return [...series.values()];
}
