import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from './migrate.ts';
import {
  findApiKeyByPrefix,
  insertApiKey,
  listApiKeys,
  revokeApiKey,
  touchApiKey,
} from './queries/api-keys.ts';
import { countSamples } from './queries/count-samples.ts';
import { insertEvents, searchEvents } from './queries/events.ts';
import { createFleetStateCache, queryFleet } from './queries/fleet.ts';
import { loadSamples } from './queries/load-samples.ts';
import { queryMetrics } from './queries/metrics.ts';
import { listNodes } from './queries/nodes.ts';
import { refreshRollups } from './queries/refresh-rollups.ts';
import { applyRetention } from './queries/retention.ts';
import type { Db, SampleRow } from './types.ts';

/** Shared by the PostgreSQL, PGlite and TimescaleDB integration tests (not a test itself). */
export interface EngineHandle {
  db: Db;
  close(): Promise<void>;
}

const HOUR = 3_600_000;

export function sample(
  node_id: string,
  time: Date,
  latency_ms: number,
  extra: Partial<SampleRow> = {},
): SampleRow {
  return {
    node_id,
    target: '1.1.1.1',
    check: 'icmp',
    time,
    country: 'DE',
    region: 'eu-central',
    latency_ms,
    uptime_pct: 100,
    packet_loss: 0,
    jitter_ms: 1.5,
    latency_min_ms: null,
    latency_max_ms: null,
    latency_median_ms: null,
    http_status: null,
    extra: { seq: 1 },
    outlier: false,
    received_at: new Date(),
    ...extra,
  };
}

const hourStart = (t: number) => Math.floor(t / HOUR) * HOUR;

export function describeEngine(
  name: string,
  open: () => Promise<EngineHandle>,
  extra?: (db: () => Db) => void,
) {
  describe(`db on ${name}`, () => {
    let handle: EngineHandle;
    const db = () => handle.db;
    beforeAll(async () => {
      handle = await open();
      await migrate(handle.db);
    });
    afterAll(async () => {
      await handle?.close();
    });

    it('re-running migrations is a no-op', async () => {
      expect(await migrate(db())).toEqual({ applied: [] });
      const { rows } = await db().query<{ n: number }>(
        'SELECT count(*)::int AS n FROM schema_migrations',
        [],
      );
      expect(rows[0]!.n).toBeGreaterThanOrEqual(5);
    });

    it('stores a re-delivered sample once', async () => {
      const s = sample('dup-1', new Date(Date.now() - 60_000), 12);
      const first = await db().transaction((tx) => loadSamples(tx, [s, s]));
      expect(first).toEqual({ inserted: 1, duplicates: 1, newNodes: ['dup-1'] });
      const second = await db().transaction((tx) => loadSamples(tx, [s]));
      expect(second).toEqual({ inserted: 0, duplicates: 1, newNodes: [] });
      expect(await countSamples(db(), 'dup-1')).toBe(1);
    });

    it('stores only the new rows of a partly re-delivered batch, in a transaction or not', async () => {
      const t = Date.now() - 120_000;
      const old = sample('dup-2', new Date(t), 10);
      await db().transaction((tx) => loadSamples(tx, [old]));
      const fresh = sample('dup-2', new Date(t + 1000), 11);
      const again = await db().transaction(async (tx) => {
        const loaded = await loadSamples(tx, [fresh, old]);
        // The transaction is still usable after the insert that met the stored row.
        const { rows } = await tx.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM samples WHERE node_id = 'dup-2'",
        );
        return { loaded, visible: rows[0]!.n };
      });
      expect(again).toEqual({ loaded: { inserted: 1, duplicates: 1, newNodes: [] }, visible: 2 });
      const outside = await loadSamples(db(), [old, fresh, sample('dup-2', new Date(t + 2000), 12)]);
      expect(outside).toEqual({ inserted: 1, duplicates: 2, newNodes: [] });
      expect(await countSamples(db(), 'dup-2')).toBe(3);
    });

    it('loads 1,000 rows in one call', async () => {
      const base = Date.now() - 2 * HOUR;
      const rows = Array.from({ length: 1000 }, (_, i) =>
        sample(`bulk-${i % 10}`, new Date(base + i * 1000), i % 50, { check: i % 2 ? 'http' : 'icmp' }),
      );
      const started = Date.now();
      const result = await db().transaction((tx) => loadSamples(tx, rows));
      expect(result.inserted).toBe(1000);
      expect(result.newNodes).toHaveLength(10);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(await countSamples(db(), 'bulk-3')).toBe(100);
    });

    it('corrects hourly and daily rollups when late data arrives', async () => {
      const node = 'late-1';
      const lateHour = hourStart(Date.now() - 26 * HOUR);
      await db().transaction((tx) =>
        loadSamples(tx, [
          sample(node, new Date(lateHour + 60_000), 10),
          sample(node, new Date(lateHour + 120_000), 20),
        ]),
      );
      await refreshRollups(db());
      await db().transaction((tx) => loadSamples(tx, [sample(node, new Date(Date.now() - 60_000), 5)]));
      await refreshRollups(db());
      const q = { node_id: node, start: new Date(lateHour), end: new Date(lateHour + HOUR), limit: 10 };
      let hourly = await queryMetrics(db(), { ...q, aggregation: 'hourly' });
      expect(hourly).toHaveLength(1);
      expect(hourly[0]).toMatchObject({ samples: 2, latency_ms: 15, latency_min_ms: 10, latency_max_ms: 20 });

      // A sample about 26 h old, delivered after the newer ones (a probe's backlog).
      await db().transaction((tx) => loadSamples(tx, [sample(node, new Date(lateHour + 30 * 60_000), 60)]));
      const refreshed = await refreshRollups(db());
      expect(refreshed).toMatchObject({ hourly: 1, daily: 1 });
      hourly = await queryMetrics(db(), { ...q, aggregation: 'hourly' });
      expect(hourly[0]).toMatchObject({
        time: new Date(lateHour).toISOString(),
        samples: 3,
        latency_ms: 30,
        latency_min_ms: 10,
        latency_max_ms: 60,
        latency_p50_ms: 20,
        uptime_pct: 100,
        packet_loss: 0,
        target: '1.1.1.1',
        check: 'icmp',
      });
      expect(hourly[0]!.latency_p95_ms).toBeCloseTo(56, 6);

      const dayStart = Math.floor(lateHour / (24 * HOUR)) * 24 * HOUR;
      const daily = await queryMetrics(db(), {
        ...q,
        start: new Date(dayStart),
        end: new Date(dayStart + 24 * HOUR),
        aggregation: 'daily',
      });
      expect(daily).toHaveLength(1);
      expect(daily[0]).toMatchObject({
        time: new Date(dayStart).toISOString(),
        samples: 3,
        latency_ms: 30,
        latency_min_ms: 10,
        latency_max_ms: 60,
        latency_p50_ms: 20,
      });
      expect(await refreshRollups(db())).toMatchObject({ hourly: 0, daily: 0 });

      const nodes = await listNodes(db());
      const late = nodes.find((n) => n.node_id === node)!;
      expect(new Date(late.first_seen_at).getTime()).toBe(lateHour + 60_000);
      expect(new Date(late.last_seen_at).getTime()).toBeGreaterThan(Date.now() - 5 * 60_000);
    });

    it('returns raw points with target, check and outlier, oldest first', async () => {
      const t = Date.now() - 3 * HOUR;
      await db().transaction((tx) =>
        loadSamples(tx, [
          sample('raw-1', new Date(t + 2000), 7, { outlier: true }),
          sample('raw-1', new Date(t + 1000), 5, { target: 'example.com', check: 'http', http_status: 200 }),
        ]),
      );
      const range = {
        node_id: 'raw-1',
        start: new Date(t),
        end: new Date(t + HOUR),
        aggregation: 'raw' as const,
      };
      const points = await queryMetrics(db(), { ...range, limit: 10 });
      expect(points).toEqual([
        {
          time: new Date(t + 1000).toISOString(),
          latency_ms: 5,
          uptime_pct: 100,
          packet_loss: 0,
          target: 'example.com',
          check: 'http',
          outlier: false,
        },
        {
          time: new Date(t + 2000).toISOString(),
          latency_ms: 7,
          uptime_pct: 100,
          packet_loss: 0,
          target: '1.1.1.1',
          check: 'icmp',
          outlier: true,
        },
      ]);
      expect(await queryMetrics(db(), { ...range, check: 'http', limit: 10 })).toHaveLength(1);
      expect(await queryMetrics(db(), { ...range, limit: 1 })).toHaveLength(1);
    });

    it('finds events by full-text search', async () => {
      const now = new Date();
      await insertEvents(db(), [
        {
          time: now,
          node_id: 'ev-1',
          kind: 'node_silent',
          message: 'node ev-1 went silent',
          data: { after_s: 90 },
        },
        { time: now, node_id: 'ev-1', kind: 'node_back', message: 'node ev-1 reports again' },
        { time: now, node_id: null, kind: 'outlier', message: 'latency spike on fra-2' },
      ]);
      const silent = await searchEvents(db(), { q: 'silent', limit: 10 });
      expect(silent.map((e) => e.kind)).toEqual(['node_silent']);
      expect(silent[0]!.data).toEqual({ after_s: 90 });
      expect((await searchEvents(db(), { q: 'spike', limit: 10 })).map((e) => e.kind)).toEqual(['outlier']);
      expect(await searchEvents(db(), { node_id: 'ev-1', kind: 'node_back', limit: 10 })).toHaveLength(1);
      const firstSeen = await searchEvents(db(), { kind: 'node_first_seen', node_id: 'dup-1', limit: 10 });
      expect(firstSeen).toHaveLength(1);
    });

    it('retention removes old raw rows and keeps recent ones', async () => {
      const now = Date.now();
      await db().transaction((tx) =>
        loadSamples(tx, [
          sample('ret-1', new Date(now - 10 * 24 * HOUR), 1),
          sample('ret-1', new Date(now - 60 * 24 * HOUR), 1),
          sample('ret-1', new Date(now - 24 * HOUR), 1),
        ]),
      );
      await refreshRollups(db());
      expect(await countSamples(db(), 'ret-1')).toBe(3);
      const result = await applyRetention(db(), { rawDays: 7, hourlyDays: 30, dailyDays: 365 });
      expect(await countSamples(db(), 'ret-1')).toBe(1);
      expect(result.hourlyRows).toBeGreaterThanOrEqual(1);
      // The 10-day-old row's day is dropped whole (partition or chunk), not deleted row by row.
      expect(result.droppedPartitions).toBeGreaterThanOrEqual(1);
      if (db().engine !== 'timescaledb') {
        const parted = await db().query(
          "SELECT 1 FROM pg_partitioned_table WHERE partrelid = 'samples'::regclass",
          [],
        );
        expect(parted.rowCount).toBe(1);
      }
      const hourly = await queryMetrics(db(), {
        node_id: 'ret-1',
        start: new Date(now - 90 * 24 * HOUR),
        end: new Date(now),
        aggregation: 'hourly',
        limit: 10,
      });
      expect(hourly).toHaveLength(2);
      expect(await countSamples(db(), 'late-1')).toBe(4);
    });

    it('retention gives a node whose current-state samples it removes a new version, once', async () => {
      const now = Date.now();
      await db().transaction((tx) =>
        loadSamples(tx, [
          sample('ret-silent', new Date(now - 10 * 24 * HOUR - 60_000), 40),
          sample('ret-silent', new Date(now - 10 * 24 * HOUR), 41),
          sample('ret-live', new Date(now - 60_000), 20),
        ]),
      );
      const versions = async () =>
        Object.fromEntries(
          (
            await db().query<{ node_id: string; version: string }>(
              "SELECT node_id, version::text AS version FROM nodes WHERE node_id IN ('ret-silent', 'ret-live')",
              [],
            )
          ).rows.map((r) => [r.node_id, BigInt(r.version)]),
        );
      const before = await versions();
      const fleet = async () => {
        const body = await queryFleet(db(), { now: new Date(now), node_id: 'ret-silent', cache });
        return body.nodes[0]?.current.latency_ms;
      };
      const cache = createFleetStateCache();
      expect(await fleet()).toBe(40.5);

      const result = await applyRetention(db(), { rawDays: 7, hourlyDays: 30, dailyDays: 365 });
      expect(result.nodesLosingState).toBe(1);
      const after = await versions();
      expect(after['ret-silent']).toBe((before['ret-silent'] as bigint) + 1n);
      expect(after['ret-live']).toBe(before['ret-live']);
      // A process that kept the node's state computes it again: its samples are gone.
      expect(await fleet()).toBeNull();
      expect(await fleet()).toEqual(
        await (async () => {
          const fresh = await queryFleet(db(), { now: new Date(now), node_id: 'ret-silent' });
          return fresh.nodes[0]?.current.latency_ms;
        })(),
      );

      const again = await applyRetention(db(), { rawDays: 7, hourlyDays: 30, dailyDays: 365 });
      expect(again.nodesLosingState).toBe(0);
      expect((await versions())['ret-silent']).toBe(after['ret-silent']);
    });

    it('creates, finds, lists, touches and revokes API keys', async () => {
      const key = { id: 'key_1', node_id: 'node-k', prefix: 'fsk_abc', hash: 'h1', label: 'lab' };
      const row = await insertApiKey(db(), key);
      expect(row).toMatchObject(key);
      expect(await findApiKeyByPrefix(db(), 'fsk_nope')).toBeNull();
      await touchApiKey(db(), 'key_1');
      const found = await findApiKeyByPrefix(db(), 'fsk_abc');
      expect(found?.last_used_at).toBeInstanceOf(Date);
      expect(await revokeApiKey(db(), 'key_1')).toBe(true);
      expect(await revokeApiKey(db(), 'key_1')).toBe(false);
      const [listed] = await listApiKeys(db());
      expect(listed).toMatchObject({ id: 'key_1', node_id: 'node-k', prefix: 'fsk_abc', label: 'lab' });
      expect(listed?.revoked_at).not.toBeNull();
      expect(listed).not.toHaveProperty('hash');
    });

    it('serialises concurrent transactions', async () => {
      const t = Date.now() - 4 * HOUR;
      await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          db().transaction((tx) => loadSamples(tx, [sample('conc-1', new Date(t + i * 1000), i)])),
        ),
      );
      await expect(
        db().transaction(async (tx) => {
          await loadSamples(tx, [sample('conc-1', new Date(t + 9000), 9)]);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await countSamples(db(), 'conc-1')).toBe(5);
    });

    extra?.(db);
  });
}
