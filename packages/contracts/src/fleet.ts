import { type Static, Type } from '@sinclair/typebox';
import { Aggregations } from './metrics.ts';
import { NodeId } from './sample.ts';

const Num = Type.Union([Type.Number(), Type.Null()]);

export const NodeStatuses = ['up', 'degraded', 'down', 'silent'] as const;
export type NodeStatus = (typeof NodeStatuses)[number];

/** When a node counts as silent, down or degraded; sent with the fleet so the UI can explain it. */
export const FleetThresholds = Type.Object({
  silent_after_s: Type.Integer(),
  down_below_uptime_pct: Type.Number(),
  degraded_below_uptime_pct: Type.Number(),
  degraded_loss_pct: Type.Number(),
  degraded_latency_ms: Type.Number(),
});
export type FleetThresholds = Static<typeof FleetThresholds>;

export const DEFAULT_FLEET_THRESHOLDS: FleetThresholds = {
  silent_after_s: 300,
  down_below_uptime_pct: 50,
  degraded_below_uptime_pct: 99,
  degraded_loss_pct: 2,
  degraded_latency_ms: 250,
};

/** Averages of a node's samples over the last minutes before its last sample. */
export const CurrentState = Type.Object({
  latency_ms: Num,
  uptime_pct: Num,
  packet_loss: Num,
  targets: Type.Integer(),
});
export type CurrentState = Static<typeof CurrentState>;

/** Aggregates over a window, read from the hourly rollups (p95 = 95th percentile of hourly p95). */
export const WindowStats = Type.Object({
  samples: Type.Integer(),
  latency_avg_ms: Num,
  latency_p95_ms: Num,
  uptime_pct: Num,
  packet_loss: Num,
});
export type WindowStats = Static<typeof WindowStats>;

export const FleetNode = Type.Object({
  node_id: Type.String(),
  country: Type.String(),
  region: Type.String(),
  status: Type.Union(NodeStatuses.map((s) => Type.Literal(s))),
  first_seen_at: Type.String({ format: 'date-time' }),
  last_seen_at: Type.String({ format: 'date-time' }),
  current: CurrentState,
  window: WindowStats,
  /** Hourly average latency over the window, oldest first; null where no data. */
  spark: Type.Array(Num),
});
export type FleetNode = Static<typeof FleetNode>;

export const FleetResponse = Type.Object({
  generated_at: Type.String({ format: 'date-time' }),
  window_hours: Type.Integer(),
  /** True when the database holds the synthetic demo data set. */
  demo: Type.Boolean(),
  thresholds: FleetThresholds,
  counts: Type.Object({
    up: Type.Integer(),
    degraded: Type.Integer(),
    down: Type.Integer(),
    silent: Type.Integer(),
  }),
  nodes: Type.Array(FleetNode),
});
export type FleetResponse = Static<typeof FleetResponse>;

export const NodeDetailParams = Type.Object({ node_id: NodeId }, { additionalProperties: false });
export type NodeDetailParams = Static<typeof NodeDetailParams>;

export const NodeDetailQuery = Type.Object(
  {
    start: Type.Optional(Type.String({ format: 'date-time' })),
    end: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);
export type NodeDetailQuery = Static<typeof NodeDetailQuery>;

export const TargetStats = Type.Composite([
  Type.Object({
    target: Type.String(),
    check: Type.String(),
    last_time: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    latency_min_ms: Num,
    latency_max_ms: Num,
  }),
  WindowStats,
]);
export type TargetStats = Static<typeof TargetStats>;

export const HttpPhasePoint = Type.Object({
  time: Type.String({ format: 'date-time' }),
  target: Type.String(),
  dns_ms: Num,
  connect_ms: Num,
  tls_ms: Num,
  ttfb_ms: Num,
  total_ms: Num,
  http_status: Type.Union([Type.Integer(), Type.Null()]),
});
export type HttpPhasePoint = Static<typeof HttpPhasePoint>;

/** One node over a range: its fleet entry, per-target stats and its HTTP phase timings. */
export const NodeDetailResponse = Type.Object({
  node: FleetNode,
  timeframe: Type.Object({ start: Type.String(), end: Type.String() }),
  targets: Type.Array(TargetStats),
  /** The newest HTTP checks' phase timings, oldest first; averaged per bucket on long ranges. */
  http: Type.Array(HttpPhasePoint),
  /** Set when the range holds more than 720 minutes: each HTTP phase point averages this many seconds. */
  http_bucket_seconds: Type.Optional(Type.Integer({ minimum: 60 })),
});
export type NodeDetailResponse = Static<typeof NodeDetailResponse>;

export const RegionsQuery = Type.Object(
  {
    start: Type.Optional(Type.String({ format: 'date-time' })),
    end: Type.Optional(Type.String({ format: 'date-time' })),
    aggregation: Type.Optional(Type.Union([Type.Literal('hourly'), Type.Literal('daily')])),
    series: Type.Optional(Type.Boolean({ default: false })),
  },
  { additionalProperties: false },
);
export type RegionsQuery = Static<typeof RegionsQuery>;

export const GroupKinds = ['node', 'country', 'region'] as const;
export type GroupKind = (typeof GroupKinds)[number];

export const GroupStats = Type.Composite([
  Type.Object({
    group: Type.Union(GroupKinds.map((g) => Type.Literal(g))),
    /** node_id, country code or region name. */
    key: Type.String(),
    country: Type.String(),
    nodes: Type.Integer(),
    latency_min_ms: Num,
    latency_max_ms: Num,
    latency_p50_ms: Num,
  }),
  WindowStats,
]);
export type GroupStats = Static<typeof GroupStats>;

export const SeriesPoint = Type.Object({
  time: Type.String({ format: 'date-time' }),
  latency_avg_ms: Num,
  latency_p95_ms: Num,
  uptime_pct: Num,
  packet_loss: Num,
  samples: Type.Integer(),
});
export type SeriesPoint = Static<typeof SeriesPoint>;

export const GroupSeries = Type.Object({
  group: Type.Union(GroupKinds.map((g) => Type.Literal(g))),
  key: Type.String(),
  points: Type.Array(SeriesPoint),
});
export type GroupSeries = Static<typeof GroupSeries>;

export const RegionsResponse = Type.Object({
  timeframe: Type.Object({ start: Type.String(), end: Type.String() }),
  aggregation: Type.Union(Aggregations.filter((a) => a !== 'raw').map((a) => Type.Literal(a))),
  countries: Type.Array(GroupStats),
  regions: Type.Array(GroupStats),
  nodes: Type.Array(GroupStats),
  series: Type.Optional(Type.Array(GroupSeries)),
});
export type RegionsResponse = Static<typeof RegionsResponse>;

/** The status rule, shared by the API and the dashboard's legend. */
export function nodeStatus(
  now: number,
  lastSeen: number,
  current: Pick<CurrentState, 'uptime_pct' | 'packet_loss' | 'latency_ms'>,
  t: FleetThresholds = DEFAULT_FLEET_THRESHOLDS,
): NodeStatus {
  if (now - lastSeen > t.silent_after_s * 1000) return 'silent';
  const up = current.uptime_pct;
  if (up !== null && up < t.down_below_uptime_pct) return 'down';
  if (up !== null && up < t.degraded_below_uptime_pct) return 'degraded';
  if (current.packet_loss !== null && current.packet_loss >= t.degraded_loss_pct) return 'degraded';
  if (current.latency_ms !== null && current.latency_ms >= t.degraded_latency_ms) return 'degraded';
  return 'up';
}
