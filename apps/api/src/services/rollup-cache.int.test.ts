import {
  applyRetention,
  type Db,
  loadSamples,
  queryRollupJson,
  readRollupGeneration,
  refreshRollups,
  type SampleRow,
} from '@fiberstack/db';
import { createTestDatabase, sampleRow, type TestDatabase } from '@fiberstack/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRollupCache, type RollupCacheOptions, rollupKey } from './rollup-cache.ts';

const HOUR = 3_600_000;
const NOW = Math.floor(Date.now() / HOUR) * HOUR + 30 * 60_000;

let t: TestDatabase;

const row = (node_id: string, time: number, latency_ms: number): SampleRow =>
  sampleRow({ node_id, target: '1.1.1.1', time: new Date(time), latency_ms });

async function load(rows: SampleRow[]): Promise<void> {
  await t.db.transaction((tx) => loadSamples(tx, rows));
  await refreshRollups(t.db, { now: new Date(NOW) });
}

/** The Db, counting the statements that reach PostgreSQL. */
function counting(db: Db): { db: Db; statements: string[] } {
  const statements: string[] = [];
  return {
    statements,
    db: {
      ...db,
      query: (text, params) => {
        statements.push(text);
        return db.query(text, params);
      },
    },
  };
}

/** A cache on the test database with a 1 s generation check and the test's clock. */
const clocked = (now: () => number, more: Partial<RollupCacheOptions> = {}) =>
  createRollupCache(t.db, { maxBytes: 1 << 20, checkMs: 1_000, now, ...more });

const filter = (node_id: string) => ({
  node_id,
  start: new Date(NOW - 6 * HOUR),
  end: new Date(NOW),
  aggregation: 'hourly' as const,
  limit: 5000,
});

beforeAll(async () => {
  t = await createTestDatabase();
  await load([row('probe-a', NOW - 2 * HOUR, 20), row('probe-b', NOW - 2 * HOUR, 30)]);
});
afterAll(async () => t?.drop());

describe('rollup answer cache', () => {
  it('keeps an answer until the rollups change, and sees the change within checkMs', async () => {
    let now = 1_000_000;
    const c = counting(t.db);
    const cache = createRollupCache(c.db, { maxBytes: 1 << 20, checkMs: 1_000, now: () => now });
    const key = rollupKey('metrics', 'hourly', filter('probe-a').start, filter('probe-a').end, ['probe-a']);
    let loads = 0;
    const get = () =>
      cache.get(key, () => {
        loads += 1;
        return queryRollupJson(c.db, filter('probe-a'));
      });

    const first = JSON.parse(await get());
    expect(first).toHaveLength(1);
    expect(first[0].latency_ms).toBe(20);
    const statements = c.statements.length;
    await get();
    await get();
    expect(loads).toBe(1);
    // Within checkMs: neither the generation nor the answer is read again.
    expect(c.statements.length).toBe(statements);

    await load([row('probe-a', NOW - HOUR, 40)]);
    now += 999;
    expect(JSON.parse(await get())).toHaveLength(1); // at most checkMs behind the rollups
    now += 1;
    const after = JSON.parse(await get());
    expect(after.map((p: { latency_ms: number }) => p.latency_ms)).toEqual([20, 40]);
    expect(loads).toBe(2);
    expect(cache.stats).toMatchObject({ hits: 3, misses: 2 });
    expect(cache.stats.bytes).toBeGreaterThan(100);

    // checkMs later with no change: one generation read, no load.
    now += 1_000;
    const before = c.statements.length;
    await get();
    expect(loads).toBe(2);
    expect(c.statements.slice(before)).toHaveLength(1);
    expect(c.statements.at(-1)).toContain('rollup_generation');
  });

  it('raises the generation when rollups change, not when a refresh or retention changes nothing', async () => {
    const g0 = await readRollupGeneration(t.db);
    await refreshRollups(t.db, { now: new Date(NOW) }); // nothing dirty
    await applyRetention(t.db, { rawDays: 30, hourlyDays: 30, dailyDays: 30 }, new Date(NOW));
    expect(await readRollupGeneration(t.db)).toBe(g0);

    await load([row('probe-b', NOW - HOUR, 35)]);
    const g1 = await readRollupGeneration(t.db);
    expect(BigInt(g1)).toBe(BigInt(g0) + 1n);

    // Retention that deletes rollup rows raises it too (30 days later: every row is old).
    await applyRetention(
      t.db,
      { rawDays: 30, hourlyDays: 30, dailyDays: 30 },
      new Date(NOW + 31 * 24 * HOUR),
    );
    expect(BigInt(await readRollupGeneration(t.db))).toBe(BigInt(g1) + 1n);
    await load([row('probe-a', NOW - 2 * HOUR, 20), row('probe-b', NOW - 2 * HOUR, 30)]);
  });

  it('shares one load between concurrent misses and keeps no failed load', async () => {
    const cache = createRollupCache(t.db, { maxBytes: 1 << 20, checkMs: 60_000 });
    let loads = 0;
    let release: (text: string) => void = () => undefined;
    const slow = () => {
      loads += 1;
      return new Promise<string>((resolve) => {
        release = resolve;
      });
    };
    const a = cache.get('k', slow);
    const b = cache.get('k', slow);
    await new Promise((r) => setTimeout(r, 20));
    release('[1]');
    expect(await Promise.all([a, b])).toEqual(['[1]', '[1]']);
    expect(loads).toBe(1);

    await expect(cache.get('bad', () => Promise.reject(new Error('statement timeout')))).rejects.toThrow(
      'statement timeout',
    );
    expect(await cache.get('bad', async () => '[2]')).toBe('[2]');
  });

  it('does not keep an answer computed while the generation moved', async () => {
    let now = 5_000_000;
    const cache = clocked(() => now);
    await cache.get('warm', async () => '[]');
    let release: (text: string) => void = () => undefined;
    const pending = cache.get('k', () => new Promise<string>((r) => (release = r)));
    await new Promise((r) => setTimeout(r, 20));
    // The rollups change and another request notices while the first answer is computed.
    await load([row('probe-a', NOW - 3 * HOUR, 25)]);
    now += 1_000;
    await cache.get('other', async () => '[]');
    release('[old]');
    expect(await pending).toBe('[old]');
    expect(await cache.get('k', async () => '[new]')).toBe('[new]');
  });

  it('serves a slow answer of the generation before for staleMs after a change while one background load computes it', async () => {
    let now = 9_000_000;
    // slowMs 0: every answer counts as slow here.
    const cache = clocked(() => now, { slowMs: 0, staleMs: 60_000 });

    let loads = 0;
    let release: (text: string) => void = () => undefined;
    const slow = (text?: string) => () => {
      loads += 1;
      return text === undefined ? new Promise<string>((r) => (release = r)) : Promise.resolve(text);
    };
    expect(await cache.get('k', slow('[g0]'))).toBe('[g0]');

    await load([row('probe-b', NOW - 3 * HOUR + 1 * 60_000, 31)]);
    now += 1_000;
    // The first two readers after the change get the answer before it at once; one load runs.
    expect(await cache.get('k', slow())).toBe('[g0]');
    expect(await cache.get('k', slow())).toBe('[g0]');
    expect(loads).toBe(2);
    release('[g1]');
    await new Promise((r) => setTimeout(r, 10));
    expect(await cache.get('k', slow('[unused]'))).toBe('[g1]');
    expect(loads).toBe(2);
    expect(cache.stats).toMatchObject({ hits: 1, misses: 1, stale: 2 });

    // A failing background load keeps the stale answer until staleMs has passed; then readers
    // wait for a load of their own and see its error.
    await load([row('probe-b', NOW - 3 * HOUR + 2 * 60_000, 32)]);
    now += 1_000;
    expect(await cache.get('k', () => Promise.reject(new Error('statement timeout')))).toBe('[g1]');
    await new Promise((r) => setTimeout(r, 10));
    now += 59_000;
    expect(await cache.get('k', () => Promise.reject(new Error('boom')))).toBe('[g1]');
    await new Promise((r) => setTimeout(r, 10));
    now += 1_000;
    await expect(cache.get('k', () => Promise.reject(new Error('still down')))).rejects.toThrow('still down');
    expect(await cache.get('k', slow('[g2]'))).toBe('[g2]');

    // Two changes in a row: the answer of two generations ago is not served.
    await load([row('probe-b', NOW - 3 * HOUR + 3 * 60_000, 33)]);
    now += 1_000;
    await cache.get('other', async () => '[]');
    await load([row('probe-b', NOW - 3 * HOUR + 4 * 60_000, 34)]);
    now += 1_000;
    expect(await cache.get('k', slow('[g4]'))).toBe('[g4]');
  });

  it('computes a cheap answer again at once after a change', async () => {
    let now = 20_000_000;
    const cache = clocked(() => now, { slowMs: 10_000 });

    expect(await cache.get('k', async () => '[a]')).toBe('[a]');
    await load([row('probe-b', NOW - 3 * HOUR + 5 * 60_000, 35)]);
    now += 1_000;
    expect(await cache.get('k', async () => '[b]')).toBe('[b]');
    expect(cache.stats.stale).toBe(0);
  });

  it('keeps at most maxBytes of answers, least recently used dropped first; 0 keeps none', async () => {
    const cache = createRollupCache(t.db, { maxBytes: 100, checkMs: 60_000 });
    const text = (n: number) => `[${'0,'.repeat(20)}${n}]`; // 43 characters
    let loads = 0;
    const get = (k: string, n: number) =>
      cache.get(k, async () => {
        loads += 1;
        return text(n);
      });
    await get('a', 1);
    await get('b', 2);
    await get('a', 1); // a used last: b goes first
    await get('c', 3);
    expect(loads).toBe(3);
    await get('a', 1);
    expect(loads).toBe(3);
    await get('b', 2);
    expect(loads).toBe(4);

    const none = createRollupCache(t.db, { maxBytes: 0, checkMs: 60_000 });
    let direct = 0;
    for (let i = 0; i < 3; i++)
      await none.get('a', async () => {
        direct += 1;
        return '[]';
      });
    expect(direct).toBe(3);
  });
});

describe('rollupKey', () => {
  const at = (iso: string) => new Date(iso);
  it('is the same for ranges that select the same whole buckets, and differs otherwise', () => {
    const k = (start: string, end: string, agg: 'hourly' | 'daily' = 'hourly') =>
      rollupKey('metrics', agg, at(start), at(end), ['probe-a']);
    expect(k('2026-12-01T10:05:00Z', '2026-12-08T10:05:00Z')).toBe(
      k('2026-12-01T10:59:59Z', '2026-12-08T10:40:00Z'),
    );
    // bucket < end: a bucket starting exactly at `end` is outside; a millisecond later it is in.
    expect(k('2026-12-01T10:05:00Z', '2026-12-08T10:00:00Z')).not.toBe(
      k('2026-12-01T10:05:00Z', '2026-12-08T10:00:00.001Z'),
    );
    // bucket >= start: a start exactly on the hour includes that hour's bucket.
    expect(k('2026-12-01T10:00:00Z', '2026-12-08T10:30:00Z')).not.toBe(
      k('2026-12-01T10:00:00.001Z', '2026-12-08T10:30:00Z'),
    );
    expect(k('2026-12-01T01:00:00Z', '2026-12-08T05:00:00Z', 'daily')).toBe(
      k('2026-12-01T23:00:00Z', '2026-12-08T00:00:01Z', 'daily'),
    );
    expect(rollupKey('metrics', 'hourly', at('2026-12-01T10:05Z'), at('2026-12-02T10:05Z'), ['a'])).not.toBe(
      rollupKey('metrics', 'hourly', at('2026-12-01T10:05Z'), at('2026-12-02T10:05Z'), ['b']),
    );
  });
});
