import { expect, it } from 'vitest';
import { openPglite } from './clients/pglite.ts';
import { describeEngine } from './db.suite.ts';

describeEngine(
  'TimescaleDB (PGlite test engine)',
  async () => {
    const db = await openPglite({ timescale: true });
    return { db, close: () => db.close() };
  },
  (db) => {
    it('makes samples a hypertable with continuous aggregates', async () => {
      expect(db().engine).toBe('timescaledb');
      const hypertables = await db().query<{ hypertable_name: string }>(
        'SELECT hypertable_name FROM timescaledb_information.hypertables',
        [],
      );
      expect(hypertables.rows.map((r) => r.hypertable_name)).toContain('samples');
      const caggs = await db().query<{ view_name: string }>(
        'SELECT view_name FROM timescaledb_information.continuous_aggregates ORDER BY 1',
        [],
      );
      expect(caggs.rows.map((r) => r.view_name)).toEqual(['samples_daily_cagg', 'samples_hourly_cagg']);
    });
  },
);
