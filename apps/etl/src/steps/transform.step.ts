import { DEFAULT_CHECK, DEFAULT_TARGET } from '@fiberstack/contracts';
import type { SampleRow } from '@fiberstack/db';
import type { ValidSample } from './validate.step.ts';

/** Fields with their own column; everything else optional lands in `extra`. */
const COLUMNS = new Set<string>([
  'node_id',
  'country',
  'region',
  'latency_ms',
  'uptime_pct',
  'packet_loss',
  'timestamp',
  'target',
  'check',
  'jitter_ms',
  'latency_min_ms',
  'latency_max_ms',
  'latency_median_ms',
  'http_status',
]);

/**
 * Normalises a valid sample into a row: UTC Date, canonical units (ms, percent 0–100,
 * rounded to µs / 0.001 %), default target and check, remaining optional fields in `extra`.
 * The outlier flag is set later by the outlier step.
 */
export function transformSample(valid: ValidSample, receivedAt: number): SampleRow {
  const s = valid.sample;
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(s)) {
    if (!COLUMNS.has(key) && value !== undefined) extra[key] = value;
  }
  return {
    node_id: s.node_id,
    target: s.target ?? DEFAULT_TARGET,
    check: s.check ?? DEFAULT_CHECK,
    time: new Date(valid.time.getTime()),
    country: s.country.toUpperCase(),
    region: s.region.trim(),
    latency_ms: round3(s.latency_ms),
    uptime_pct: round3(s.uptime_pct),
    packet_loss: round3(s.packet_loss),
    jitter_ms: optional(s.jitter_ms),
    latency_min_ms: optional(s.latency_min_ms),
    latency_max_ms: optional(s.latency_max_ms),
    latency_median_ms: optional(s.latency_median_ms),
    http_status: s.http_status ?? null,
    extra: Object.keys(extra).length > 0 ? extra : null,
    outlier: false,
    received_at: new Date(receivedAt),
  };
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function optional(value: number | undefined): number | null {
  return value === undefined ? null : round3(value);
}
