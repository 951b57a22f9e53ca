import { DEFAULT_FLEET_THRESHOLDS } from '@fiberstack/contracts';
import { createTestDatabase } from '@fiberstack/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite } from '../clients/pglite.ts';
import { loadDemoData } from '../demo/load-demo.ts';
import { migrate } from '../migrate.ts';
import type { Db } from '../types.ts';
import { createFleetStateCache, queryFleet, queryHttpPhases, queryNodeTargets } from './fleet.ts';
import { refreshRollups } from './refresh-rollups.ts';
import { queryGroupSeries, queryGroups } from './regions.ts';

const NOW = new Date();

class RollBack extends Error {}
const DEMO = { now: NOW, days: 1 };

const engines: [string, () => Promise<{ db: Db; close: () => Promise<void> }>][] = [
  [
    'PGlite',
    async () => {
      const db = await openPglite();
      await migrate(db);
      return { db, close: () => db.close() };
    },
  ],
  [
    'PostgreSQL 15',
    async () => {
      const t = await createTestDatabase();
      return { db: t.db, close: t.drop };
    },
  ],
];

describe.each(engines)('dashboard queries on %s', (_name, open) => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await open());
    const loaded = await loadDemoData(db, DEMO);
    expect(loaded.nodes).toBe(15);
  }, 60_000);
  afterAll(async () => close());

  it('classifies the demo fleet with every status present', async () => {
    const fleet = await queryFleet(db, { now: NOW });
    expect(fleet.demo).toBe(true);
    expect(fleet.nodes).toHaveLength(15);
    const status = (id: string) => fleet.nodes.find((n) => n.node_id === id)?.status;
    expect(status('demo-gh-tamale-01')).toBe('silent');
    expect(status('demo-ng-portharcourt-01')).toBe('down');
    expect(status('demo-ng-kano-01')).toBe('degraded');
    expect(fleet.counts.up).toBeGreaterThanOrEqual(10);
    expect(Object.values(fleet.counts).reduce((a, b) => a + b, 0)).toBe(15);
    const accra = fleet.nodes.find((n) => n.node_id === 'demo-gh-accra-01')!;
    expect(accra.window.samples).toBeGreaterThan(1000);
    expect(accra.window.latency_avg_ms).toBeGreaterThan(10);
    expect(accra.window.latency_avg_ms).toBeLessThan(60);
    expect(accra.spark.filter((v) => v !== null).length).toBeGreaterThanOrEqual(23);
  });

  it('reads the 24-hour windows refreshRollups precomputed, equal to aggregating the rollups now', async () => {
    // Nothing dirty: writes fleet_window only if NOW's hour is not there yet (the load ran at another hour).
    await refreshRollups(db, { now: NOW });
    const rows = await db.query<{ n: number; window_end: Date }>(
      'SELECT count(*)::int AS n, max(window_end) AS window_end FROM fleet_window',
    );
    expect(rows.rows[0]?.n).toBe(15);
    expect(rows.rows[0]?.window_end.getTime()).toBe(
      Math.floor(NOW.getTime() / 3_600_000) * 3_600_000 + 3_600_000,
    );
    const precomputed = await queryFleet(db, { now: NOW });
    const detail = await queryFleet(db, { now: NOW, node_id: 'demo-ke-nairobi-01' });
    // A window fleet_window does not hold (another length) is aggregated from the rollups.
    const live48 = await queryFleet(db, { now: NOW, windowHours: 48 });
    expect(live48.nodes[0]?.spark).toHaveLength(48);
    await db
      .transaction(async (tx) => {
        await tx.query('DELETE FROM fleet_window');
        expect(await queryFleet(tx as Db, { now: NOW })).toEqual(precomputed);
        expect(await queryFleet(tx as Db, { now: NOW, node_id: 'demo-ke-nairobi-01' })).toEqual(detail);
        // Rolled back below: the table stays as refreshRollups wrote it.
        throw new RollBack();
      })
      .catch((e: unknown) => {
        if (!(e instanceof RollBack)) throw e;
      });
    expect(detail.nodes[0]?.window.samples).toBeGreaterThan(1000);
  });

  it('answers from a kept cache what it answers without, until a node or its window row changes', async () => {
    await refreshRollups(db, { now: NOW });
    const cache = createFleetStateCache();
    const fresh = await queryFleet(db, { now: NOW });
    expect(await queryFleet(db, { now: NOW, cache })).toEqual(fresh);
    expect(await queryFleet(db, { now: NOW, cache })).toEqual(fresh);
    expect(cache.nodes.size).toBe(15);
    expect(cache.pieces.size).toBe(15);
    // The same nodes with other statuses (the clock moved on, or other thresholds): not the last text.
    const strict = await queryFleet(db, {
      now: NOW,
      cache,
      thresholds: { ...DEFAULT_FLEET_THRESHOLDS, degraded_latency_ms: 0 },
    });
    expect(strict.counts.up).toBe(0);
    expect(await queryFleet(db, { now: NOW, cache })).toEqual(fresh);
    const accra = (f: typeof fresh) => f.nodes.find((n) => n.node_id === 'demo-gh-accra-01');
    await db
      .transaction(async (tx) => {
        // A refresh rewrites the rows (a new refreshed_at): the next answer takes their documents.
        await tx.query(
          `WITH r AS (UPDATE fleet_window_refresh SET refreshed_at = clock_timestamp() RETURNING refreshed_at)
           UPDATE fleet_window SET refreshed_at = (SELECT refreshed_at FROM r),
             spark_doc = CASE node_id WHEN 'demo-gh-accra-01' THEN '[1.5,null]' ELSE spark_doc END`,
        );
        expect(accra(await queryFleet(tx as Db, { now: NOW, cache }))?.spark).toEqual([1.5, null]);
        // A batch loaded for the node raises its version: its identity and current state are read again.
        await tx.query(
          `UPDATE nodes SET region = 'Accra Metro', version = version + 1 WHERE node_id = 'demo-gh-accra-01'`,
        );
        const after = await queryFleet(tx as Db, { now: NOW, cache });
        expect(accra(after)?.region).toBe('Accra Metro');
        expect(after.nodes.filter((n) => n.node_id !== 'demo-gh-accra-01')).toEqual(
          fresh.nodes.filter((n) => n.node_id !== 'demo-gh-accra-01'),
        );
        // A node first seen after the refresh has no row yet: its window is aggregated now.
        await tx.query(
          `INSERT INTO nodes (node_id, country, region, first_seen_at, last_seen_at) VALUES ('demo-gh-new-01', 'GH', 'Greater Accra', $1, $1)`,
          [NOW],
        );
        const withNew = await queryFleet(tx as Db, { now: NOW, cache });
        expect(withNew.nodes).toHaveLength(16);
        // By node_id in byte order, the new node among the others.
        const ids = withNew.nodes.map((n) => n.node_id);
        expect(ids).toEqual([...ids].sort());
        expect(withNew.nodes.find((n) => n.node_id === 'demo-gh-new-01')?.window.samples).toBe(0);
        expect(accra(withNew)?.window).toEqual(accra(fresh)?.window);
        throw new RollBack();
      })
      .catch((e: unknown) => {
        if (!(e instanceof RollBack)) throw e;
      });
  });

  it('gives every node the same current state whether its last sample is inside the window or long before it', async () => {
    // The state query reads nodes heard from since the window's start with a partition-pruning
    // bound and the others without. Asked three days later, every node takes the second path;
    // the current state (the 10 minutes up to each node's last sample) must not change.
    const current = (f: Awaited<ReturnType<typeof queryFleet>>) =>
      Object.fromEntries(f.nodes.map((n) => [n.node_id, n.current]));
    const now = await queryFleet(db, { now: NOW });
    const later = await queryFleet(db, { now: new Date(NOW.getTime() + 3 * 86_400_000), windowHours: 1 });
    expect(later.nodes).toHaveLength(15);
    expect(later.counts.silent).toBe(15);
    expect(Object.values(current(now)).every((c) => c.targets > 0)).toBe(true);
    expect(current(later)).toEqual(current(now));
  });

  it('aggregates countries, regions and nodes, with series', async () => {
    const f = { start: new Date(NOW.getTime() - 86_400_000), end: NOW, aggregation: 'hourly' as const };
    const g = await queryGroups(db, f);
    expect(g.countries.map((c) => [c.key, c.nodes])).toEqual([
      ['GH', 5],
      ['KE', 5],
      ['NG', 5],
    ]);
    expect(g.regions.find((r) => r.key === 'Lagos')).toMatchObject({ country: 'NG', nodes: 2 });
    expect(g.nodes).toHaveLength(15);
    const series = await queryGroupSeries(db, f);
    const gh = series.find((s) => s.group === 'country' && s.key === 'GH')!;
    expect(gh.points.length).toBeGreaterThanOrEqual(23);
    const daily = await queryGroups(db, { ...f, aggregation: 'daily' });
    expect(daily.countries).toHaveLength(3);
  });

  it('reads the last 24 hours per country, region and node from group_window, equal to aggregating the rollups', async () => {
    await refreshRollups(db, { now: NOW });
    const windowEnd = new Date(Math.ceil(NOW.getTime() / 3_600_000) * 3_600_000);
    const marks = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM group_window WHERE window_end = $1 AND g_country = 1',
      [windowEnd],
    );
    expect(marks.rows[0]?.n).toBe(1); // the whole-fleet row: the window is computed
    const f = { start: new Date(NOW.getTime() - 86_400_000), end: NOW, aggregation: 'hourly' as const };
    const precomputed = await queryGroups(db, f);
    expect(precomputed.countries.map((c) => c.key)).toEqual(['GH', 'KE', 'NG']);
    expect(precomputed.nodes).toHaveLength(15);
    await db
      .transaction(async (tx) => {
        await tx.query('DELETE FROM group_window');
        expect(await queryGroups(tx as Db, f)).toEqual(precomputed);
        throw new RollBack();
      })
      .catch((e: unknown) => {
        if (!(e instanceof RollBack)) throw e;
      });
    // Two refreshers at once (one per ETL process) leave one copy of the window, not two.
    await db.query('DELETE FROM fleet_window');
    await Promise.all([refreshRollups(db, { now: NOW }), refreshRollups(db, { now: NOW })]);
    expect(await queryGroups(db, f)).toEqual(precomputed);
    const rows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM group_window');
    expect(rows.rows[0]?.n).toBe(1 + 3 + precomputed.regions.length + 15);
  });

  it('answers per-target stats and HTTP phases of one node', async () => {
    const r = { node_id: 'demo-ke-nairobi-01', start: new Date(NOW.getTime() - 86_400_000), end: NOW };
    const targets = await queryNodeTargets(db, r);
    expect(targets.map((t) => t.check).sort()).toEqual(['http', 'icmp']);
    const phases = await queryHttpPhases(db, { ...r, limit: 10 });
    expect(phases).toHaveLength(10);
    expect(phases[0]!.time < phases[9]!.time).toBe(true);
    expect(phases[0]!.dns_ms).toBeGreaterThan(0);
  });
});
