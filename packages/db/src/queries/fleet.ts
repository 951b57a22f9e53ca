import {
  type CurrentState,
  DEFAULT_FLEET_THRESHOLDS,
  type FleetResponse,
  type FleetThresholds,
  type HttpPhasePoint,
  type NodeStatus,
  nodeStatus,
  type TargetStats,
} from '@fiberstack/contracts';
import type { Sql } from '../types.ts';
import { FLEET_WINDOW_HOURS, WINDOW_DOCS_SQL, windowBounds } from './fleet-window.ts';
import { jsonRows } from './json-rows.ts';
import { iso } from './sql-json.ts';

export interface FleetOptions {
  now: Date;
  /** Window for the averages and the sparkline; default 24. */
  windowHours?: number;
  thresholds?: FleetThresholds;
  /** Only this node (the node page). */
  node_id?: string;
  /** Current states kept between requests (createFleetStateCache); computed afresh without. */
  cache?: FleetStateCache;
}

/** What a node's row in `nodes` and its latest samples say, at one version of the row. */
interface NodeEntry {
  version: string;
  /** The identity members as JSON, from `{` up to the last_seen_at member. */
  head: string;
  current: CurrentState;
  currentJson: string;
}

/** A node's window members (`"window":…,"spark":…`) as fleet_window held them at `key`. */
interface DocEntry {
  key: string;
  doc: string;
}

/**
 * What GET /api/fleet computed for each node, kept between requests. A node's row in `nodes`
 * gets a new version with every batch the ETL loads for it, and fleet_window's row a new
 * refreshed_at with every refresh: an entry whose version still matches is what the database
 * still says. A request reads every node's version (a few bytes each) and computes only the
 * nodes that changed; with 1,000 probes that push once a minute, a reader a second apart
 * computes about 17 nodes, and reads the windows again once per rollup refresh.
 */
export interface FleetStateCache {
  nodes: Map<string, NodeEntry>;
  docs: Map<string, DocEntry>;
  /** Each node's member of the whole-fleet answer as UTF-8, and what it was written from. */
  pieces: Map<string, NodePiece>;
  /** The last whole-fleet answer's `nodes` array (without brackets) and the pieces it joined. */
  last?: { pieces: NodePiece[]; bytes: Buffer };
}

/** One node of the answer: `,{…}` as bytes, written from this entry, window and status. */
interface NodePiece {
  entry: NodeEntry;
  doc: DocEntry;
  status: NodeStatus;
  bytes: Buffer;
}

export const createFleetStateCache = (): FleetStateCache => ({
  nodes: new Map(),
  docs: new Map(),
  pieces: new Map(),
});

/**
 * GET /api/fleet's answer in three parts, `head + nodes + tail` being the JSON text: the head
 * (generated_at, counts) is written per request, the nodes' bytes are kept while no node changed.
 */
export interface FleetBody {
  head: string;
  nodes: Buffer;
  tail: string;
}

interface ListRow {
  node_id: string;
  version: string;
  /** ms since the epoch */
  last_seen_ms: number;
}

interface Listing {
  /** JSON: [node_id, version, last_seen_ms] per node, by node_id. */
  nodes: string;
  /** The last refresh of fleet_window if it wrote the requested window, else null. */
  doc_key: string | null;
  /** How many nodes that refresh wrote. */
  doc_nodes: number | null;
  demo: boolean;
}

// Per node only its version and last sample time, as one JSON value (1,000 rows parsed by the
// driver cost about a millisecond; one JSON.parse a tenth of it), ordered by node_id (ASCII by
// the contract: "C" order is the byte order the contract's sort uses); the refresh and the demo
// flag once.
const LIST = `
SELECT coalesce((
    SELECT json_agg(json_build_array(n.node_id, n.version::text, (extract(epoch FROM n.last_seen_at) * 1000)::float8)
      ORDER BY n.node_id COLLATE "C")
    FROM nodes n WHERE $1::text IS NULL OR n.node_id = $1), '[]')::text AS nodes,
  (SELECT refreshed_at::text FROM fleet_window_refresh WHERE window_end = $2) AS doc_key,
  (SELECT nodes FROM fleet_window_refresh WHERE window_end = $2) AS doc_nodes,
  EXISTS (SELECT 1 FROM events WHERE kind = 'demo_data') AS demo`;

interface StateRow {
  node_id: string;
  head: string;
  latency: number | null;
  uptime: number | null;
  loss: number | null;
  targets: number | null;
}

const CURRENT = (bounded: boolean) => `
  SELECT avg(s.latency_ms) FILTER (WHERE s."check" <> 'http') AS latency, avg(s.uptime_pct) AS uptime, avg(s.packet_loss) AS loss,
    count(DISTINCT s.target)::int AS targets
  FROM samples s
  WHERE s.node_id = n.node_id AND s.time > n.last_seen_at - interval '10 minutes' AND s.time <= n.last_seen_at
    ${bounded ? 'AND s.time > $2' : ''}`;

const STATE_PART = (bounded: boolean) => `
SELECT n.node_id,
  '{"node_id":' || to_json(n.node_id)::text || ',"country":' || to_json(n.country)::text
    || ',"region":' || to_json(n.region)::text || ',"first_seen_at":"' || ${iso('n.first_seen_at')}
    || '","last_seen_at":"' || ${iso('n.last_seen_at')} || '"' AS head,
  cur.latency, cur.uptime, cur.loss, cur.targets
FROM nodes n
LEFT JOIN LATERAL (${CURRENT(bounded)}) cur ON true
WHERE n.node_id = ANY($1::text[]) AND n.last_seen_at ${bounded ? '>=' : '<'} $2::timestamptz + interval '10 minutes'`;

/**
 * Identity and current state of the nodes $1: averages over the 10 minutes up to each node's
 * last sample (index range scan per node). Nodes heard from since $2 (the window's start) read
 * with the extra bound `time > $2`, which the planner uses to drop every older partition once;
 * without it each per-node scan prunes all partitions again at run time (46 ms instead of 15 ms
 * for 1,000 nodes on PostgreSQL 15). Nodes silent since before $2 (few) read without it.
 */
const STATE = `${STATE_PART(true)}
UNION ALL
${STATE_PART(false)}`;

const DOCS = `
SELECT node_id, refreshed_at::text AS key, '"window":' || window_doc || ',"spark":' || spark_doc AS doc
FROM fleet_window WHERE node_id = ANY($1::text[]) AND window_end = $2`;

const round = (v: number | null, digits = 3): number | null =>
  v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits;

/** Identity and current state of `list`'s nodes, computed for the nodes whose version changed. */
async function nodeEntries(
  sql: Sql,
  list: readonly ListRow[],
  windowStart: Date,
  cache: Map<string, NodeEntry>,
): Promise<void> {
  const version = new Map<string, string>();
  for (const l of list) if (cache.get(l.node_id)?.version !== l.version) version.set(l.node_id, l.version);
  if (version.size === 0) return;
  const { rows } = await sql.query<StateRow>(STATE, [[...version.keys()], windowStart]);
  for (const r of rows) {
    const current: CurrentState = {
      latency_ms: round(r.latency),
      uptime_pct: round(r.uptime),
      packet_loss: round(r.loss),
      targets: r.targets ?? 0,
    };
    // Kept under the version read before the state: a batch loaded in between raises the
    // version, so the next request computes the node again.
    const v = version.get(r.node_id) as string;
    cache.set(r.node_id, { version: v, head: r.head, current, currentJson: JSON.stringify(current) });
  }
}

/**
 * Each node's window members: fleet_window's when its last refresh wrote the requested window
 * for every listed node (kept until the next refresh), else aggregated from the hourly rollups now.
 */
async function windowMembers(
  sql: Sql,
  list: readonly ListRow[],
  refresh: Pick<Listing, 'doc_key' | 'doc_nodes'>,
  w: { start: Date; end: Date; hours: number; node: string | null },
  cache: Map<string, DocEntry>,
): Promise<Map<string, DocEntry>> {
  const written = refresh.doc_key !== null && (w.node !== null || refresh.doc_nodes === list.length);
  if (w.hours === FLEET_WINDOW_HOURS && written) {
    const missing = list.filter((l) => cache.get(l.node_id)?.key !== refresh.doc_key).map((l) => l.node_id);
    if (missing.length > 0) {
      const { rows } = await sql.query<DocEntry & { node_id: string }>(DOCS, [missing, w.end]);
      for (const id of missing) cache.delete(id);
      for (const r of rows) cache.set(r.node_id, { key: r.key, doc: r.doc });
    }
    // A node without a row (new since the refresh, or a refresh for the next hour replaced it
    // in between): this answer computes every window.
    if (list.every((l) => cache.has(l.node_id))) return cache;
  }
  const { rows } = await sql.query<{ node_id: string; window_doc: string; spark_doc: string }>(
    WINDOW_DOCS_SQL,
    [w.start, w.end, w.node, w.hours],
  );
  return new Map(
    rows.map((r) => [r.node_id, { key: '', doc: `"window":${r.window_doc},"spark":${r.spark_doc}` }]),
  );
}

/** Drops the entries of nodes no longer listed (deleted). */
function prune(cache: Map<string, unknown>, list: readonly ListRow[]): void {
  if (cache.size <= list.length) return;
  const listed = new Set(list.map((l) => l.node_id));
  for (const id of cache.keys()) if (!listed.has(id)) cache.delete(id);
}

/**
 * GET /api/fleet: every node's latest state, window averages, hourly sparkline and health
 * status (up | degraded | down | silent by the thresholds). The database writes each node's
 * members (fleet_window holds the 24-hour window's); what a node's version shows unchanged since
 * the last request comes from the cache; the status, which moves with the clock, is decided here.
 * The nodes' part is kept as UTF-8 bytes, per node and joined: a 1,000-node answer is 550 KB,
 * and writing it afresh for every request (a string built, then encoded for the socket) cost
 * more than all the rest of the request.
 */
export async function queryFleetBody(sql: Sql, opts: FleetOptions): Promise<FleetBody> {
  const hours = opts.windowHours ?? FLEET_WINDOW_HOURS;
  const thresholds = opts.thresholds ?? DEFAULT_FLEET_THRESHOLDS;
  const { start, end } = windowBounds(opts.now, hours);
  const node = opts.node_id ?? null;
  const cache = opts.cache ?? createFleetStateCache();
  const listing = (await sql.query<Listing>(LIST, [node, end])).rows[0] as Listing;
  const list: ListRow[] = (JSON.parse(listing.nodes) as [string, string, number][]).map(
    ([node_id, version, last_seen_ms]) => ({ node_id, version, last_seen_ms }),
  );
  if (node === null) {
    prune(cache.nodes, list);
    prune(cache.docs, list);
    prune(cache.pieces, list);
  }
  await nodeEntries(sql, list, start, cache.nodes);
  const docs = await windowMembers(sql, list, listing, { start, end, hours, node }, cache.docs);

  const counts = { up: 0, degraded: 0, down: 0, silent: 0 };
  // Pieces are kept only for the whole fleet's 24-hour answer (docs from the cache).
  const keep = node === null && docs === cache.docs;
  const pieces: NodePiece[] = [];
  for (const l of list) {
    const entry = cache.nodes.get(l.node_id);
    const doc = docs.get(l.node_id);
    if (!entry || !doc) continue; // deleted between the queries
    const status = nodeStatus(opts.now.getTime(), l.last_seen_ms, entry.current, thresholds);
    counts[status] += 1;
    const kept = keep ? cache.pieces.get(l.node_id) : undefined;
    if (kept?.entry === entry && kept.doc === doc && kept.status === status) {
      pieces.push(kept);
      continue;
    }
    const text = `,${entry.head},"status":"${status}","current":${entry.currentJson},${doc.doc}}`;
    const piece = { entry, doc, status, bytes: Buffer.from(text) };
    if (keep) cache.pieces.set(l.node_id, piece);
    pieces.push(piece);
  }
  let bytes = keep && sameItems(cache.last?.pieces, pieces) ? cache.last?.bytes : undefined;
  if (bytes === undefined) {
    // Each piece starts with a comma; the first is dropped.
    bytes = Buffer.concat(pieces.map((p) => p.bytes)).subarray(1);
    if (keep) cache.last = { pieces, bytes };
  }
  return {
    head: `{"generated_at":"${opts.now.toISOString()}","window_hours":${hours},"demo":${listing.demo === true},"thresholds":${JSON.stringify(thresholds)},"counts":${JSON.stringify(counts)},"nodes":[`,
    nodes: bytes,
    tail: ']}',
  };
}

/** queryFleetBody's answer as one JSON text. */
export async function queryFleetJson(sql: Sql, opts: FleetOptions): Promise<string> {
  const body = await queryFleetBody(sql, opts);
  return body.head + body.nodes.toString('utf8') + body.tail;
}

function sameItems(a: readonly unknown[] | undefined, b: readonly unknown[]): boolean {
  if (a?.length !== b.length) return false;
  for (let i = 0; i < b.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** queryFleetJson's answer as an object (the node page, tests). */
export async function queryFleet(sql: Sql, opts: FleetOptions): Promise<FleetResponse> {
  return JSON.parse(await queryFleetJson(sql, opts)) as FleetResponse;
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
