/** Time ranges offered everywhere; the URL carries the key (`?range=7d`). */
export const RANGES = {
  '1h': 3_600_000,
  '6h': 6 * 3_600_000,
  '24h': 24 * 3_600_000,
  '7d': 7 * 24 * 3_600_000,
  '30d': 30 * 24 * 3_600_000,
} as const;
export type RangeKey = keyof typeof RANGES;
export const RANGE_KEYS = Object.keys(RANGES) as RangeKey[];

export type Aggregation = 'raw' | 'hourly' | 'daily';

export function parseRange(value: string | null, fallback: RangeKey = '24h'): RangeKey {
  return value !== null && Object.hasOwn(RANGES, value) ? (value as RangeKey) : fallback;
}

export function parseAggregation(value: string | null): Aggregation | 'auto' {
  return value === 'raw' || value === 'hourly' || value === 'daily' ? value : 'auto';
}

/** The rollup that keeps a chart around a few hundred to a few thousand points. */
export function autoAggregation(range: RangeKey): Aggregation {
  const ms = RANGES[range];
  if (ms <= RANGES['24h']) return 'raw';
  return ms <= RANGES['30d'] ? 'hourly' : 'daily';
}

/** [start, end) as ISO strings for a range ending at `now`, rounded to the minute for caching. */
export function rangeBounds(range: RangeKey, now: number): { start: string; end: string } {
  const end = Math.ceil(now / 60_000) * 60_000;
  return { start: new Date(end - RANGES[range]).toISOString(), end: new Date(end).toISOString() };
}

/** Comma-separated list in the URL (`?keys=GH,KE`), trimmed, de-duplicated, at most `max`. */
export function parseList(value: string | null, max = 8): string[] {
  if (!value) return [];
  return [
    ...new Set(
      value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ].slice(0, max);
}

/**
 * A copy of `params` with `changes` applied: empty strings and null remove the key, so URLs stay
 * short and shareable.
 */
export function withParams(
  params: URLSearchParams,
  changes: Record<string, string | null | undefined>,
): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null || value === undefined || value === '') next.delete(key);
    else next.set(key, value);
  }
  return next;
}
