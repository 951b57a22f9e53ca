import { existsSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresServer, startPostgresServer } from './postgres-server.ts';

async function query(url: string, sql: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('startPostgresServer', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgresServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('runs a throwaway cluster with its database on its own port', async () => {
    expect(server.port).not.toBe(5432);
    expect(await query(server.url, 'SELECT current_database() AS db')).toEqual([{ db: 'fiberstack' }]);
  });

  it('survives kill -9 and start with committed rows intact', async () => {
    await query(server.url, 'CREATE TABLE t (x int); INSERT INTO t VALUES (1), (2)');
    await server.kill('SIGKILL');
    await expect(query(server.url, 'SELECT 1')).rejects.toThrow();
    await server.start();
    expect(await query(server.url, 'SELECT count(*)::int AS n FROM t')).toEqual([{ n: 2 }]);
  });

  it('stops and removes its data dir', async () => {
    const other = await startPostgresServer({ database: 'other' });
    await other.stop();
    await other.stop();
    expect(existsSync(other.dataDir)).toBe(false);
  });
});
