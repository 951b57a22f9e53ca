import type { Sql } from '../types.ts';

/** Raised in the transaction that changes samples_hourly or samples_daily. */
export const BUMP_ROLLUP_GENERATION =
  'UPDATE rollup_generation SET generation = generation + 1, changed_at = now() WHERE id';

/**
 * The rollups' generation: it changes with every committed change to the hourly or daily
 * rollups, so an answer computed from them stays true while it reads the same.
 */
export async function readRollupGeneration(sql: Sql): Promise<string> {
  const { rows } = await sql.query<{ generation: string }>(
    'SELECT generation::text AS generation FROM rollup_generation WHERE id',
    [],
  );
  return rows[0]?.generation ?? '0';
}
