import { createTestDatabase } from '@fiberstack/testing';
import { describe, expect, it } from 'vitest';
import { openPglite } from '../clients/pglite.ts';
import { sample } from '../db.suite.ts';
import { migrate } from '../migrate.ts';
import type { Db } from '../types.ts';
import { loadSamples } from './load-samples.ts';
import { maintainTables } from './maintenance.ts';

const NODE = 'maint-gh-01';

/** The planner's row estimate for one node's last two hours of samples. */
async function estimatedRows(db: Db, since: Date): Promise<number> {
  const { rows } = await db.query<{ 'QUERY PLAN': Array<{ Plan: { 'Plan Rows': number } }> }>(
    'EXPLAIN (FORMAT JSON) SELECT * FROM samples WHERE node_id = $1 AND time >= $2',
    [NODE, since],
  );
  const plan = rows[0]?.['QUERY PLAN'];
  return (typeof plan === 'string' ? JSON.parse(plan) : plan)[0].Plan['Plan Rows'];
}

/** pgstat flushes a backend's counters at most once a second: wait until the view shows them. */
async function statsFlushed(db: Db, table: string, column: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const { rows } = await db.query<{ n: number }>(
      `SELECT coalesce(${column}, 0)::int AS n FROM pg_stat_user_tables WHERE relname = $1`,
      [table],
    );
    if ((rows[0]?.n ?? 0) > 0) return;
    await new Promise((r) => setTimeout(r, 100));
    await db.query('SELECT 1', []);
  }
  throw new Error(`no ${column} for ${table}`);
}

describe('table maintenance', () => {
  it('on PGlite (no autovacuum) gives the planner statistics and reclaims dead rollup rows', async () => {
    const db = await openPglite();
    try {
      await migrate(db);
      const now = Date.now();
      const since = new Date(now - 2 * 3_600_000);
      const rows = Array.from({ length: 2_000 }, (_, i) => sample(NODE, new Date(now - 1 - i * 3_000), 20));
      await db.transaction((tx) => loadSamples(tx, rows));
      // Never analysed: PostgreSQL's default guess, nowhere near the 2,000 rows.
      const before = await estimatedRows(db, since);
      expect(before).toBeLessThan(1_000);

      const partition = (
        await db.query<{ name: string }>(
          'SELECT tableoid::regclass::text AS name FROM samples WHERE node_id = $1 ORDER BY time DESC LIMIT 1',
          [NODE],
        )
      ).rows[0]?.name as string;
      await statsFlushed(db, partition, 'n_mod_since_analyze');
      const first = await maintainTables(db, { maxTables: 100 });
      expect(first.analyzed).toContain(partition);
      const after = await estimatedRows(db, since);
      expect(after).toBeGreaterThan(1_500);
      expect(after).toBeLessThan(2_500);

      // An updated table (like the rollups every minute) is vacuumed once its dead rows pile up.
      await db.query('CREATE TABLE churn (id int PRIMARY KEY, v int)', []);
      await db.query('INSERT INTO churn SELECT g, 0 FROM generate_series(1, 200) g', []);
      for (let i = 0; i < 5; i++) await db.query('UPDATE churn SET v = v + 1', []);
      await statsFlushed(db, 'churn', 'n_dead_tup');
      const second = await maintainTables(db, { maxTables: 100 });
      expect(second.vacuumed).toContain('churn');
      await statsFlushed(db, 'churn', 'vacuum_count');
      const dead = await db.query<{ n: number }>(
        `SELECT n_dead_tup::int AS n FROM pg_stat_user_tables WHERE relname = 'churn'`,
        [],
      );
      expect(dead.rows[0]?.n).toBe(0);

      // Nothing changed since: nothing is due.
      await db.query('SELECT pg_sleep(1.1)', []);
      expect(await maintainTables(db, { maxTables: 100 })).toEqual({ analyzed: [], vacuumed: [] });
    } finally {
      await db.close();
    }
  });

  it('leaves PostgreSQL to its autovacuum', async () => {
    const t = await createTestDatabase();
    try {
      await t.db.query('CREATE TABLE churn (id int PRIMARY KEY, v int)', []);
      await t.db.query('INSERT INTO churn SELECT g, 0 FROM generate_series(1, 500) g', []);
      expect(await maintainTables(t.db)).toEqual({ analyzed: [], vacuumed: [] });
    } finally {
      await t.drop();
    }
  });
});
