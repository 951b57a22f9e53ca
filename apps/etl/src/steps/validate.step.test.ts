import { describe, expect, it } from 'vitest';
import { sample } from '../test-support/fixtures.ts';
import { validateSample } from './validate.step.ts';

const now = Date.parse('2025-11-24T16:00:00Z');
const ctx = { now, maxPastMs: 7 * 86_400_000, maxFutureMs: 300_000 };
const at = (ms: number) => new Date(now + ms).toISOString();
const reason = (input: unknown) => {
  const r = validateSample(input, ctx);
  return r.outcome === 'reject' ? r.reason : 'ok';
};

describe('validateSample', () => {
  it('accepts the blueprint sample and parses its time', () => {
    const r = validateSample(sample({ timestamp: '2025-11-24T16:00:00Z' }), ctx);
    expect(r).toMatchObject({ outcome: 'ok', row: { time: new Date(now) } });
    expect(reason(sample({ timestamp: now - 1000 }))).toBe('ok');
  });

  it.each([
    ['latency above 10 000 ms', { latency_ms: 10_000.5 }, 'latency_out_of_range'],
    ['negative latency', { latency_ms: -1 }, 'latency_out_of_range'],
    ['jitter above range', { jitter_ms: 20_000 }, 'latency_out_of_range'],
    ['uptime above 100', { uptime_pct: 100.1 }, 'uptime_out_of_range'],
    ['negative loss', { packet_loss: -0.1 }, 'loss_out_of_range'],
    ['loss above 100', { packet_loss: 101 }, 'loss_out_of_range'],
    ['NaN latency', { latency_ms: Number.NaN }, 'not_finite'],
    ['infinite uptime', { uptime_pct: Number.POSITIVE_INFINITY }, 'not_finite'],
    ['empty country', { country: '' }, 'country_missing'],
    ['blank region', { region: '  ' }, 'region_missing'],
    ['unparseable time', { timestamp: 'yesterday' }, 'timestamp_invalid'],
    ['time older than 7 days', { timestamp: at(-7 * 86_400_000 - 1000) }, 'timestamp_too_old'],
    ['time 6 minutes ahead', { timestamp: at(6 * 60_000) }, 'timestamp_in_future'],
    [
      'min above max',
      { latency_min_ms: 30, latency_max_ms: 10, latency_ms: 20 },
      'latency_stats_inconsistent',
    ],
    [
      'avg above max',
      { latency_ms: 50, latency_min_ms: 10, latency_max_ms: 20 },
      'latency_stats_inconsistent',
    ],
    [
      'avg below min',
      { latency_ms: 5, latency_min_ms: 10, latency_max_ms: 20 },
      'latency_stats_inconsistent',
    ],
    [
      'median outside',
      { latency_ms: 15, latency_min_ms: 10, latency_max_ms: 20, latency_median_ms: 25 },
      'latency_stats_inconsistent',
    ],
    [
      'jitter above spread',
      { latency_ms: 15, latency_min_ms: 10, latency_max_ms: 20, jitter_ms: 30 },
      'latency_stats_inconsistent',
    ],
  ])('rejects %s', (_name, overrides, expected) => {
    expect(reason({ ...sample({ timestamp: at(-1000) }), ...overrides })).toBe(expected);
  });

  it('accepts boundary values and rounding within tolerance', () => {
    expect(
      reason(sample({ timestamp: at(-1000), latency_ms: 10_000, uptime_pct: 0, packet_loss: 100 })),
    ).toBe('ok');
    expect(reason(sample({ timestamp: at(299_000) }))).toBe('ok');
    expect(
      reason(
        sample({ timestamp: at(0), latency_ms: 20.4, latency_min_ms: 10, latency_max_ms: 20, jitter_ms: 3 }),
      ),
    ).toBe('ok');
    // A round with no successful check has no meaningful average.
    expect(
      reason(
        sample({ timestamp: at(0), uptime_pct: 0, latency_ms: 0, latency_min_ms: 5, latency_max_ms: 9 }),
      ),
    ).toBe('ok');
  });

  it('rejects non-objects', () => {
    expect(reason(null)).toBe('not_an_object');
    expect(reason([1])).toBe('not_an_object');
  });
});
