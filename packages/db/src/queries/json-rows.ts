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
  return JSON.parse(await jsonText(sql, query, params, orderBy)) as T[];
}

/**
 * The JSON array text jsonRows decodes, for an answer that goes out as it is: when the query
 * names its columns as the contract does, the API sends the database's text without decoding
 * and encoding every row again.
 */
export async function jsonText(
  sql: Sql,
  query: string,
  params: readonly unknown[],
  orderBy: string,
): Promise<string> {
  const { rows } = await sql.query<{ j: string }>(
    `SELECT coalesce(json_agg(r ORDER BY ${orderBy}), '[]')::text AS j FROM (${query}) r`,
    params,
  );
  return rows[0]?.j ?? '[]';
}
