import type { Sql } from '../types.ts';

/**
 * Runs `query` and returns its rows decoded from one JSON document built by the database
 * (`json_agg`). For result sets of thousands of rows this is about twice as fast on PGlite as
 * row-by-row decoding, and saves the same per-row work with pg: one text value crosses the wire
 * and one native JSON.parse decodes it. Numbers and booleans keep their types; timestamps come
 * back as ISO 8601 strings. `orderBy` names output columns (json_agg is an aggregate: the
 * subquery's ORDER BY alone does not fix the order of its input).
 */
export async function jsonRows<T>(
  sql: Sql,
  query: string,
  params: readonly unknown[],
  orderBy: string,
): Promise<T[]> {
  const { rows } = await sql.query<{ j: string }>(
    `SELECT coalesce(json_agg(r ORDER BY ${orderBy}), '[]')::text AS j FROM (${query}) r`,
    params,
  );
  return JSON.parse(rows[0]?.j ?? '[]') as T[];
}
