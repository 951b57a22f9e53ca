import { type Static, Type } from '@sinclair/typebox';
import { CheckKinds, Limits } from './limits.ts';
import { NodeId } from './sample.ts';

export const Aggregations = ['raw', 'hourly', 'daily'] as const;
export type Aggregation = (typeof Aggregations)[number];

export const MetricsQuery = Type.Object(
  {
    node_id: NodeId,
    start: Type.Optional(Type.String({ format: 'date-time' })),
    end: Type.Optional(Type.String({ format: 'date-time' })),
    aggregation: Type.Optional(
      Type.Union(
        Aggregations.map((a) => Type.Literal(a)),
        { default: 'raw' },
      ),
    ),
    target: Type.Optional(Type.String({ maxLength: Limits.targetChars })),
    check: Type.Optional(Type.Union(CheckKinds.map((k) => Type.Literal(k)))),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 20_000, default: 5000 })),
    max_points: Type.Optional(
      Type.Integer({
        minimum: 100,
        maximum: 20_000,
        description:
          'Raw only: when the range is longer than max_points minutes, every sample is still read but ' +
          'returned as min/avg/max per equal time bucket (bucket_seconds in the answer), the way a chart ' +
          'of that many pixels would draw it. Without it every sample is returned, up to limit.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type MetricsQuery = Static<typeof MetricsQuery>;

const Num = Type.Union([Type.Number(), Type.Null()]);

/** One point: the blueprint's four fields first; rollups add min/max/percentiles and counts. */
export const MetricPoint = Type.Object({
  time: Type.String({ format: 'date-time' }),
  latency_ms: Num,
  uptime_pct: Num,
  packet_loss: Num,
  target: Type.Optional(Type.String()),
  check: Type.Optional(Type.String()),
  latency_min_ms: Type.Optional(Num),
  latency_max_ms: Type.Optional(Num),
  latency_p50_ms: Type.Optional(Num),
  latency_p95_ms: Type.Optional(Num),
  samples: Type.Optional(Type.Integer()),
  outlier: Type.Optional(Type.Boolean()),
});
export type MetricPoint = Static<typeof MetricPoint>;

export const MetricsResponse = Type.Object({
  node_id: Type.String(),
  aggregation: Type.Union(Aggregations.map((a) => Type.Literal(a))),
  timeframe: Type.Object({ start: Type.String(), end: Type.String() }),
  /** Set when raw samples were bucketed because of max_points: each point covers this many seconds. */
  bucket_seconds: Type.Optional(Type.Integer({ minimum: 60 })),
  data: Type.Array(MetricPoint),
});
export type MetricsResponse = Static<typeof MetricsResponse>;
