import type { NodeInfo } from '@fiberstack/contracts';
import type { Sql } from '../types.ts';

interface NodeRow {
  node_id: string;
  country: string;
  region: string;
  first_seen_at: Date;
  last_seen_at: Date;
}

/** Every node the ETL has seen, ordered by id. */
export async function listNodes(sql: Sql): Promise<NodeInfo[]> {
  const { rows } = await sql.query<NodeRow>(
    'SELECT node_id, country, region, first_seen_at, last_seen_at FROM nodes ORDER BY node_id',
    [],
  );
  return rows.map((r) => ({
    node_id: r.node_id,
    country: r.country,
    region: r.region,
    first_seen_at: r.first_seen_at.toISOString(),
    last_seen_at: r.last_seen_at.toISOString(),
  }));
}
