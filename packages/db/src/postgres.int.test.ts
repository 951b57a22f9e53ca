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

describe('a connection lost inside a transaction', () => {
  it('rejects that transaction, never crashes the process, and the pool recovers', async () => {
    const t = await createTestDatabase();
    const db = await openPostgres({ connectionString: t.url, max: 2 });
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    try {
      // The server ends the session while the transaction's client is checked out.
      const admin = new pg.Client({ connectionString: t.url });
      await admin.connect();
      await expect(
        db.transaction(async (tx) => {
          const { rows } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid', []);
          await admin.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
          await new Promise((r) => setTimeout(r, 200));
          await tx.query('SELECT 1', []);
        }),
      ).rejects.toThrow();
      await admin.end();
      await new Promise((r) => setTimeout(r, 100));
      expect(uncaught).toEqual([]);
      expect((await db.query<{ x: number }>('SELECT 1 AS x', [])).rows[0]?.x).toBe(1);
    } finally {
      process.off('uncaughtException', onUncaught);
      await db.close();
      await t.drop();
    }
  });
});

describe('PostgreSQL connections', () => {
  it('run without JIT compilation and with the statement timeout', async () => {
    const db = await openPostgres({ connectionString: TEST_PG_URL, max: 1, statementTimeoutMs: 4_000 });
    try {
      expect((await db.query<{ jit: string }>('SHOW jit')).rows[0]?.jit).toBe('off');
      const timeout = await db.query<{ statement_timeout: string }>('SHOW statement_timeout');
      expect(timeout.rows[0]?.statement_timeout).toBe('4s');
    } finally {
      await db.close();
    }
  });
});
