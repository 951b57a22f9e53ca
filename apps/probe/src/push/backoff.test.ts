import { describe, expect, it } from 'vitest';
import { Backoff, parseRetryAfter } from './backoff.ts';

describe('Backoff', () => {
  it('doubles from base to cap with bounded jitter, never shrinking below 85 % of the last wait', () => {
    const b = new Backoff(1000, 60_000);
    const waits = Array.from({ length: 30 }, () => b.next());
    expect(waits[0]).toBeGreaterThanOrEqual(850);
    expect(waits[0]).toBeLessThanOrEqual(1000);
    for (let i = 1; i < waits.length; i++) expect(waits[i]! / waits[i - 1]!).toBeGreaterThanOrEqual(0.85);
    expect(Math.max(...waits)).toBeLessThanOrEqual(60_000);
    const atCap = waits.slice(10);
    expect(Math.min(...atCap)).toBeGreaterThanOrEqual(51_000);
    expect(new Set(atCap).size).toBeGreaterThan(1);
  });

  it('starts over after reset', () => {
    const b = new Backoff(100, 1000, () => 1);
    b.next();
    b.next();
    b.reset();
    expect(b.next()).toBe(100);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, ignores junk', () => {
    expect(parseRetryAfter('1')).toBe(1000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', Date.parse('2026-01-01T00:00:00Z'))).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('999999')).toBe(3_600_000);
  });
});
