import type { Db } from '../types.ts';

export interface MaintenanceOptions {
  /** At most this many tables per call (each ANALYZE/VACUUM holds PGlite's one connection). */
  maxTables?: number;
}

export interface MaintenanceResult {
  /** Tables analysed (planner statistics refreshed), vacuumed-and-analysed among them. */
  analyzed: string[];
  vacuumed: string[];
}

/**
 * Tables that autovacuum would visit with its default settings: ANALYZE once the rows changed
 * since the last one exceed 50 + 10 % of the table, VACUUM once dead rows exceed 50 + 20 %.
 * Partitioned parents hold no rows (their leaves are listed); the busiest first.
 */
const DUE = `
SELECT relname AS name,
  n_dead_tup > 50 + 0.2 * greatest(n_live_tup, 0) AS vacuum
FROM pg_stat_user_tables
WHERE schemaname = 'public'
  AND (n_mod_since_analyze > 50 + 0.1 * greatest(n_live_tup, 0)
    OR n_dead_tup > 50 + 0.2 * greatest(n_live_tup, 0))
ORDER BY n_mod_since_analyze + n_dead_tup DESC
LIMIT $1`;

/**
 * Autovacuum for an engine that has none. PostgreSQL's autovacuum daemon keeps planner
 * statistics current and reclaims the dead rows of updated tables; PGlite runs PostgreSQL
 * as a single in-process backend without it. Without statistics the planner assumes one
 * row per partition (a week of a node's samples then sorts instead of hashing: twice the
 * time), and the rollup tables, rewritten every minute, grow without bound. The embedded
 * scheduler calls this every rollup tick; on PostgreSQL it is a no-op.
 */
export async function maintainTables(db: Db, opts: MaintenanceOptions = {}): Promise<MaintenanceResult> {
  const result: MaintenanceResult = { analyzed: [], vacuumed: [] };
  if (db.engine !== 'pglite') return result;
  const due = await db.query<{ name: string; vacuum: boolean }>(DUE, [opts.maxTables ?? 2]);
  for (const { name, vacuum } of due.rows) {
    const table = `"${name.replaceAll('"', '""')}"`;
    await db.query(vacuum ? `VACUUM (ANALYZE) ${table}` : `ANALYZE ${table}`, []);
    result.analyzed.push(name);
    if (vacuum) result.vacuumed.push(name);
  }
  return result;
}
