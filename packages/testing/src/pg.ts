import { createHash, randomBytes } from 'node:crypto';
import { type Db, loadMigrations, migrate, openPostgres } from '@fiberstack/db';
import pg from 'pg';

/** The shared test server; override with FIBERSTACK_TEST_PG_URL. */
export const TEST_PG_URL = process.env.FIBERSTACK_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Serialises template creation and cloning across parallel test workers. */
const TEMPLATE_LOCK = 7_146_223_100;

export interface TestDatabase {
  url: string;
  db: Db;
  drop(): Promise<void>;
}

function urlFor(database: string): string {
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Template name carries the migrations' content hash: a changed migration builds a new one. */
async function templateName(): Promise<string> {
  const hash = createHash('sha256');
  for (const m of await loadMigrations()) hash.update(m.name).update('\0').update(m.sql).update('\0');
  return `fs_tpl_${hash.digest('hex').slice(0, 16)}`;
}

async function databaseExists(admin: pg.Client, name: string): Promise<boolean> {
  const result = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  return (result.rowCount ?? 0) > 0;
}

/** Builds the migrated template under a temporary name, then renames it into place. */
async function buildTemplate(admin: pg.Client, name: string): Promise<void> {
  const building = `${name}_building`;
  await admin.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${building}"`);
  const db = await openPostgres({ connectionString: urlFor(building), max: 1 });
  try {
    await migrate(db);
  } finally {
    await db.close();
  }
  await admin.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
}

/**
 * A fresh, migrated database for one test file on the shared PostgreSQL server, cloned from a
 * template database (built once per migrations hash). drop() closes the pool and removes it.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = await templateName();
  const name = `fs_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  try {
    await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK]);
    try {
      if (!(await databaseExists(admin, template))) await buildTemplate(admin, template);
      await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
    } finally {
      await admin.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK]);
    }
  } finally {
    await admin.end();
  }
  const url = urlFor(name);
  const db = await openPostgres({ connectionString: url, max: 4, applicationName: 'fiberstack-test' });
  let dropped = false;
  return {
    url,
    db,
    async drop() {
      if (dropped) return;
      dropped = true;
      await db.close();
      const client = new pg.Client({ connectionString: TEST_PG_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
