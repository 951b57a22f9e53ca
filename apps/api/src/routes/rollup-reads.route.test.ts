import { MetricsResponse, RegionsResponse } from '@fiberstack/contracts';
import { loadSamples, refreshRollups, type SampleRow } from '@fiberstack/db';
import { sampleRow } from '@fiberstack/testing';
import { Value } from '@sinclair/typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../test-support/harness.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The API's clock: 20 minutes into an hour, so a range ending now covers part of this hour. */
let clock = Math.floor(Date.now() / HOUR) * HOUR + 20 * 60_000;
let cached: Harness;
let uncached: Harness;

const PLACES: Record<string, [string, string]> = {
  gh: ['GH', 'Greater Accra'],
  ng: ['NG', 'Lagos'],
  ke: ['KE', 'Nairobi'],
};

/** A sample of `probe-<cc>-<name>`, placed in country cc. */
function row(node_id: string, time: number, latency_ms: number): SampleRow {
  const [country, region] = PLACES[node_id.split('-')[1] as string] as [string, string];
  return sampleRow({ node_id, target: '1.1.1.1', time: new Date(time), country, region, latency_ms });
}

/** Loads rows into both APIs' databases as the ETL does, then refreshes their rollups. */
async function ingest(rows: SampleRow[]): Promise<void> {
  for (const h of [cached, uncached]) {
    await h.db.transaction((tx) => loadSamples(tx, rows));
    await refreshRollups(h.db, { now: new Date(clock) });
  }
}

const hourly = (h: Harness, start: number, end: number) =>
  h.app.inject({
    url: '/api/metrics',
    query: {
      node_id: 'probe-gh-a',
      aggregation: 'hourly',
      start: new Date(start).toISOString(),
      end: new Date(end).toISOString(),
    },
  });

const latencies = (body: { data: { latency_ms: number | null }[] }) => body.data.map((p) => p.latency_ms);

beforeAll(async () => {
  cached = await startHarness({}, { now: () => clock });
  uncached = await startHarness({ API_ROLLUP_CACHE_MB: '0' }, { now: () => clock });
  await ingest([row('probe-gh-a', clock - 3 * HOUR, 20), row('probe-ng-b', clock - 3 * HOUR, 60)]);
});
afterAll(async () => {
  await cached?.close();
  await uncached?.close();
});

describe('rollup reads kept between requests', () => {
  it("serves a node's hourly series again until the rollups change, then the new series", async () => {
    const first = await hourly(cached, clock - 7 * DAY, clock);
    expect(first.statusCode).toBe(200);
    expect(latencies(first.json())).toEqual([20]);

    await ingest([row('probe-gh-a', clock - HOUR, 40)]);
    // The uncached API answers from the rollups at once; the cached one within a second.
    expect(latencies((await hourly(uncached, clock - 7 * DAY, clock)).json())).toEqual([20, 40]);
    expect(latencies((await hourly(cached, clock - 7 * DAY, clock)).json())).toEqual([20]);
    clock += 1_000;
    const later = await hourly(cached, clock - 7 * DAY, clock);
    expect(latencies(later.json())).toEqual([20, 40]);
    expect([...Value.Errors(MetricsResponse, later.json())]).toEqual([]);

    // Operators see what the cache did: 1 hit (the answer within the second), 2 misses.
    const metrics = (await cached.app.inject({ url: '/metrics' })).body;
    expect(metrics).toContain('fiberstack_api_rollup_cache_requests_total{result="hit"} 1');
    expect(metrics).toContain('fiberstack_api_rollup_cache_requests_total{result="miss"} 2');
    expect(metrics).toMatch(/fiberstack_api_rollup_cache_bytes [1-9]/);
  });

  it('shares one kept answer between ranges over the same buckets; each answer names its own range', async () => {
    const a = (await hourly(cached, clock - 7 * DAY, clock)).json();
    const b = (await hourly(cached, clock - 7 * DAY + 60_000, clock + 60_000)).json();
    expect(b.data).toEqual(a.data);
    expect(b.timeframe).toEqual({
      start: new Date(clock - 7 * DAY + 60_000).toISOString(),
      end: new Date(clock + 60_000).toISOString(),
    });
    // A range ending where the second sample's hour starts answers without it.
    const secondHour = Math.floor((clock - HOUR) / HOUR) * HOUR;
    expect(latencies((await hourly(cached, clock - 7 * DAY, secondHour)).json())).toEqual([20]);
    expect(latencies((await hourly(uncached, clock - 7 * DAY, secondHour)).json())).toEqual([20]);
    expect(latencies((await hourly(cached, clock - 7 * DAY, secondHour + 1)).json())).toEqual([20, 40]);
  });

  it('answers per-country aggregates over a custom range, with series, as the uncached API does', async () => {
    const url = `/api/regions?aggregation=daily&series=true&start=${new Date(clock - 7 * DAY).toISOString()}&end=${new Date(clock).toISOString()}`;
    const before = await cached.app.inject({ url });
    expect(before.statusCode).toBe(200);
    expect([...Value.Errors(RegionsResponse, before.json())]).toEqual([]);
    expect(before.json()).toEqual((await uncached.app.inject({ url })).json());

    await ingest([row('probe-ng-b', clock - HOUR, 80), row('probe-ke-c', clock - HOUR, 30)]);
    clock += 1_000;
    const url2 = url.replace(/end=[^&]+/, `end=${new Date(clock).toISOString()}`);
    const after = (await cached.app.inject({ url: url2 })).json();
    expect(after).toEqual((await uncached.app.inject({ url: url2 })).json());
    expect(after.countries.map((c: { key: string }) => c.key)).toEqual(
      before
        .json()
        .countries.map((c: { key: string }) => c.key)
        .concat('KE')
        .sort(),
    );
    expect(after.series.length).toBeGreaterThan(before.json().series.length);
  });
});
