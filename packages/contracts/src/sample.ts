import { type Static, Type } from '@sinclair/typebox';
import {
  CheckKinds,
  COUNTRY_PATTERN,
  LABEL_KEY_PATTERN,
  Limits,
  NODE_ID_PATTERN,
  PLAIN_TEXT_PATTERN,
  TARGET_PATTERN,
} from './limits.ts';

const Percent = (description: string) => Type.Number({ minimum: 0, maximum: 100, description });
const Millis = (description: string) =>
  Type.Number({ minimum: 0, maximum: Limits.apiMaxLatencyMs, description });

export const NodeId = Type.String({
  pattern: NODE_ID_PATTERN,
  maxLength: 64,
  description: 'Probe node id, e.g. probe-gh-accra-01',
  examples: ['probe-gh-accra-01'],
});

/** ISO-8601 UTC timestamp (as in the blueprint) or milliseconds since the epoch. */
export const Timestamp = Type.Union(
  [
    Type.String({ format: 'date-time', maxLength: 40 }),
    Type.Integer({ minimum: 0, maximum: 8_640_000_000_000_000 }),
  ],
  { description: 'ISO-8601 UTC time (e.g. 2025-11-24T16:00:00Z) or ms since the epoch' },
);

export const HttpTimings = Type.Object(
  {
    dns_ms: Type.Optional(Millis('DNS lookup')),
    connect_ms: Type.Optional(Millis('TCP connect')),
    tls_ms: Type.Optional(Millis('TLS handshake')),
    ttfb_ms: Type.Optional(Millis('time to first byte')),
    total_ms: Type.Optional(Millis('whole request')),
  },
  { additionalProperties: false },
);
export type HttpTimings = Static<typeof HttpTimings>;

export const Labels = Type.Record(
  Type.String({ pattern: LABEL_KEY_PATTERN }),
  Type.String({ maxLength: Limits.labelValueChars, pattern: PLAIN_TEXT_PATTERN }),
  // Without additionalProperties: false, a key outside the pattern would pass with any value.
  { maxProperties: Limits.labelsPerSample, additionalProperties: false },
);

/**
 * One measurement round of one check toward one target. The first seven fields are the
 * blueprint's push body verbatim; the rest are optional and additive.
 */
export const Sample = Type.Object(
  {
    node_id: NodeId,
    country: Type.String({ pattern: COUNTRY_PATTERN, description: 'ISO 3166-1 alpha-2' }),
    region: Type.String({ minLength: 1, maxLength: 64, pattern: PLAIN_TEXT_PATTERN }),
    latency_ms: Millis('average round-trip or response time'),
    uptime_pct: Percent('share of successful checks in the round, 0–100'),
    packet_loss: Percent('packet loss, percent 0–100'),
    timestamp: Timestamp,
    target: Type.Optional(
      Type.String({ minLength: 1, maxLength: Limits.targetChars, pattern: TARGET_PATTERN }),
    ),
    check: Type.Optional(Type.Union(CheckKinds.map((k) => Type.Literal(k)))),
    jitter_ms: Type.Optional(Millis('mean deviation of latency')),
    latency_min_ms: Type.Optional(Millis('minimum latency in the round')),
    latency_max_ms: Type.Optional(Millis('maximum latency in the round')),
    latency_median_ms: Type.Optional(Millis('median latency in the round')),
    http_status: Type.Optional(Type.Integer({ minimum: 100, maximum: 599 })),
    http: Type.Optional(HttpTimings),
    tls_days_left: Type.Optional(Type.Integer({ minimum: -36500, maximum: 36500 })),
    seq: Type.Optional(
      Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'per-series sequence' }),
    ),
    clock_synced_age_s: Type.Optional(
      Type.Integer({ minimum: -1, maximum: 31_536_000, description: 'seconds since NTP sync, -1 unsynced' }),
    ),
    labels: Type.Optional(Labels),
  },
  { additionalProperties: false, $id: 'Sample' },
);
export type Sample = Static<typeof Sample>;
