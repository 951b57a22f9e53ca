import { Limits, type Sample } from '@fiberstack/contracts';

export type RejectReason =
  | 'not_an_object'
  | 'node_id_missing'
  | 'country_missing'
  | 'region_missing'
  | 'not_finite'
  | 'latency_out_of_range'
  | 'uptime_out_of_range'
  | 'loss_out_of_range'
  | 'timestamp_invalid'
  | 'timestamp_too_old'
  | 'timestamp_in_future'
  | 'latency_stats_inconsistent';

/** A sample that passed validation, with its measurement time parsed. */
export interface ValidSample {
  sample: Sample;
  time: Date;
}

export type ValidateResult =
  | { outcome: 'ok'; row: ValidSample }
  | { outcome: 'reject'; reason: RejectReason; detail: string };

export interface ValidateContext {
  /** ms epoch. */
  now: number;
  maxPastMs: number;
  maxFutureMs: number;
}

const NUMERIC_FIELDS = [
  'latency_ms',
  'uptime_pct',
  'packet_loss',
  'jitter_ms',
  'latency_min_ms',
  'latency_max_ms',
  'latency_median_ms',
] as const;

const reject = (reason: RejectReason, detail: string): ValidateResult => ({
  outcome: 'reject',
  reason,
  detail,
});

/**
 * The ETL's own range checks (blueprint: latency 0–10 000 ms, uptime and loss 0–100 %, sane
 * timestamps), stricter than the API's schema. Never throws.
 */
export function validateSample(input: unknown, ctx: ValidateContext): ValidateResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return reject('not_an_object', 'sample is not an object');
  }
  const s = input as Sample;
  if (typeof s.node_id !== 'string' || s.node_id === '') return reject('node_id_missing', 'node_id is empty');
  if (typeof s.country !== 'string' || s.country === '') return reject('country_missing', 'country is empty');
  if (typeof s.region !== 'string' || s.region.trim() === '') {
    return reject('region_missing', 'region is empty');
  }
  for (const field of NUMERIC_FIELDS) {
    const v: unknown = s[field];
    if (v === undefined && field !== 'latency_ms' && field !== 'uptime_pct' && field !== 'packet_loss')
      continue;
    if (typeof v !== 'number' || !Number.isFinite(v))
      return reject('not_finite', `${field} is not a finite number`);
  }
  for (const field of [
    'latency_ms',
    'jitter_ms',
    'latency_min_ms',
    'latency_max_ms',
    'latency_median_ms',
  ] as const) {
    const v = s[field];
    if (v !== undefined && (v < 0 || v > Limits.etlMaxLatencyMs)) {
      return reject('latency_out_of_range', `${field} ${v} outside 0–${Limits.etlMaxLatencyMs} ms`);
    }
  }
  if (s.uptime_pct < 0 || s.uptime_pct > 100) {
    return reject('uptime_out_of_range', `uptime_pct ${s.uptime_pct} outside 0–100`);
  }
  if (s.packet_loss < 0 || s.packet_loss > 100) {
    return reject('loss_out_of_range', `packet_loss ${s.packet_loss} outside 0–100`);
  }
  const time = parseTimestamp(s.timestamp);
  if (time === null) return reject('timestamp_invalid', 'timestamp is not a valid time');
  if (time.getTime() < ctx.now - ctx.maxPastMs) {
    return reject('timestamp_too_old', `timestamp ${time.toISOString()} older than the backfill window`);
  }
  if (time.getTime() > ctx.now + ctx.maxFutureMs) {
    return reject('timestamp_in_future', `timestamp ${time.toISOString()} is in the future`);
  }
  const inconsistency = checkLatencyStats(s);
  if (inconsistency) return reject('latency_stats_inconsistent', inconsistency);
  return { outcome: 'ok', row: { sample: s, time } };
}

function parseTimestamp(value: unknown): Date | null {
  let date: Date;
  if (typeof value === 'number' && Number.isInteger(value)) date = new Date(value);
  else if (typeof value === 'string') date = new Date(value);
  else return null;
  return Number.isNaN(date.getTime()) ? null : date;
}

/** min ≤ median, avg ≤ max (with a small tolerance for rounding); jitter ≤ max − min. */
function checkLatencyStats(s: Sample): string | null {
  const { latency_min_ms: min, latency_max_ms: max, latency_median_ms: median, jitter_ms: jitter } = s;
  const tol = (a: number, b: number) => Math.max(1, 0.01 * Math.max(Math.abs(a), Math.abs(b)));
  if (min !== undefined && max !== undefined && min > max + tol(min, max)) {
    return `latency_min_ms ${min} > latency_max_ms ${max}`;
  }
  if (s.uptime_pct > 0) {
    if (min !== undefined && s.latency_ms < min - tol(min, s.latency_ms)) {
      return `latency_ms ${s.latency_ms} < latency_min_ms ${min}`;
    }
    if (max !== undefined && s.latency_ms > max + tol(max, s.latency_ms)) {
      return `latency_ms ${s.latency_ms} > latency_max_ms ${max}`;
    }
  }
  if (median !== undefined) {
    if (min !== undefined && median < min - tol(min, median))
      return `latency_median_ms ${median} < min ${min}`;
    if (max !== undefined && median > max + tol(max, median))
      return `latency_median_ms ${median} > max ${max}`;
  }
  if (jitter !== undefined && min !== undefined && max !== undefined && jitter > max - min + tol(max, min)) {
    return `jitter_ms ${jitter} > latency_max_ms − latency_min_ms ${max - min}`;
  }
  return null;
}
