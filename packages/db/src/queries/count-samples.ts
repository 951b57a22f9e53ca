import type { Sql } from '../types.ts';

/** Raw sample count, for one node or all (tests, status). */
export async function countSamples(sql: Sql, node_id?: string): Promise<number> {
  const { rows } = await sql.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM samples WHERE $1::text IS NULL OR node_id = $1',
    [node_id ?? null],
  );
  return rows[0]?.n ?? 0;
}
