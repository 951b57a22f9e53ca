import type { Sql } from '../types.ts';

export interface DemoState {
  /** The demo data set was loaded here (a `demo_data` event exists). */
  loaded: boolean;
  /** Nodes in the database (demo or real). */
  nodes: number;
}

/** Whether a database holds the demo data set, and how many nodes it has. */
export async function demoState(sql: Sql): Promise<DemoState> {
  const { rows } = await sql.query<{ loaded: boolean; nodes: string | number }>(
    `SELECT EXISTS (SELECT 1 FROM events WHERE kind = 'demo_data') AS loaded,
            (SELECT count(*) FROM nodes) AS nodes`,
    [],
  );
  return { loaded: rows[0]?.loaded ?? false, nodes: Number(rows[0]?.nodes ?? 0) };
}
