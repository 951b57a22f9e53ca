import { randomBytes } from 'node:crypto';
import { createTestDatabase, TEST_PG_URL } from '@fiberstack/testing';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openPostgres } from './clients/postgres.ts';
import { describeEngine } from './db.suite.ts';
import { loadMigrations, migrate } from './migrate.ts';

describeEngine('PostgreSQL 15', async () => {
  const test = await createTestDatabase();
  return { db: test.db, close: test.drop };
});

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_PG_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

describe('migrate on PostgreSQL', () => {
  it('applies each migration once when two processes start at once', async () => {
    const name = `fs_mig_${randomBytes(6).toString('hex')}`;
    await admin((c) => c.query(`CREATE DATABASE "${name}"`));
    const url = new URL(TEST_PG_URL);
    url.pathname = `/${name}`;
    const a = await openPostgres({ connectionString: url.toString(), max: 2 });
    const b = await openPostgres({ connectionString: url.toString(), max: 2 });
    try {
      const [ra, rb] = await Promise.all([migrate(a), migrate(b)]);
      const all = (await loadMigrations()).map((m) => m.name);
      expect([...ra.applied, ...rb.applied].sort()).toEqual(all);
      expect(a.engine).toBe('postgres');
    } finally {
      await a.close();
      await b.close();
      await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    }
  });
});
