import type { Db } from '../types.ts';
import { BUMP_ROLLUP_GENERATION } from './rollup-generation.ts';

export interface RetentionPolicy {
  rawDays: number;
  hourlyDays: number;
  dailyDays: number;
}

export interface RetentionResult {
  /** Partitions or chunks dropped. */
  droppedPartitions: number;
  /** Raw rows deleted one by one (default partition, or engines without partitions). */
  rawRows: number;
  hourlyRows: number;
  dailyRows: number;
  /** Nodes whose current-state samples this run removed (their version was raised). */
  nodesLosingState: number;
}

const OLD_PARTITIONS = `
SELECT c.relname AS name
FROM pg_inherits i
JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'samples'::regclass
  AND c.relname ~ '^samples_p[0-9]{8}$'
  AND (to_date(substr(c.relname, 10), 'YYYYMMDD') + 1)::timestamp <= ($1::timestamptz AT TIME ZONE 'UTC')
ORDER BY 1`;

const DROP_CHUNKS = `SELECT count(*)::int AS n FROM drop_chunks('samples', older_than => $1::timestamptz)`;

/**
 * Nodes whose current state (the 10 minutes up to their last sample, queries/fleet.ts) loses
 * samples in this run get a new version, so every API process computes it again instead of
 * keeping what it computed before the samples were dropped (replicas would otherwise disagree
 * until restarted). Only nodes silent for about the raw retention qualify, and each once: the
 * run after finds none of those samples left.
 */
const BUMP_NODES_LOSING_STATE = `
UPDATE nodes n SET version = n.version + 1
WHERE n.last_seen_at < $1::timestamptz + interval '10 minutes'
  AND EXISTS (SELECT 1 FROM samples s
              WHERE s.node_id = n.node_id AND s.time > n.last_seen_at - interval '10 minutes'
                AND s.time <= n.last_seen_at AND s.time < $1)`;

function daysBefore(now: Date, days: number): Date {
  return new Date(now.getTime() - days * 86_400_000);
}

/**
 * Raw: drops whole daily partitions (or TimescaleDB chunks) that end before the cutoff, then
 * deletes leftover old rows (default partition, partial days). Rollups: plain deletes.
 */
export async function applyRetention(
  db: Db,
  policy: RetentionPolicy,
  now: Date = new Date(),
): Promise<RetentionResult> {
  const rawCutoff = daysBefore(now, policy.rawDays);
  return db.transaction(async (tx) => {
    const nodesLosingState = await tx.query(BUMP_NODES_LOSING_STATE, [rawCutoff]);
    let droppedPartitions = 0;
    if (db.engine === 'timescaledb') {
      const dropped = await tx.query<{ n: number }>(DROP_CHUNKS, [rawCutoff]);
      droppedPartitions = dropped.rows[0]?.n ?? 0;
    } else {
      // Partition names are samples_pYYYYMMDD (UTC day): the regex above admits nothing else.
      const old = await tx.query<{ name: string }>(OLD_PARTITIONS, [rawCutoff]);
      for (const { name } of old.rows) {
        await tx.query(`DROP TABLE "${name}"`, []);
        droppedPartitions += 1;
      }
    }
    const raw = await tx.query('DELETE FROM samples WHERE time < $1', [rawCutoff]);
    const hourly = await tx.query('DELETE FROM samples_hourly WHERE bucket < $1', [
      daysBefore(now, policy.hourlyDays),
    ]);
    const daily = await tx.query('DELETE FROM samples_daily WHERE bucket < $1', [
      daysBefore(now, policy.dailyDays),
    ]);
    if (hourly.rowCount + daily.rowCount > 0) await tx.query(BUMP_ROLLUP_GENERATION, []);
    return {
      droppedPartitions,
      rawRows: raw.rowCount,
      hourlyRows: hourly.rowCount,
      dailyRows: daily.rowCount,
      nodesLosingState: nodesLosingState.rowCount,
    };
  });
}
