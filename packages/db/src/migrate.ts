import { readdir, readFile } from 'node:fs/promises';
import type { Db } from './types.ts';

/** packages/db/migrations: NNNN_name.sql files, applied in order, forward-only. */
export const MIGRATIONS_DIR = new URL('../migrations/', import.meta.url);

const FILE_PATTERN = /^(\d{4})_[a-z0-9_]+\.sql$/;
/** Arbitrary constant shared by every FiberStack process: serialises concurrent migrators. */
const LOCK_KEY = 7_146_223_001;

export interface Migration {
  name: string;
  sql: string;
}

export async function loadMigrations(dir: URL = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => FILE_PATTERN.test(f)).sort();
  return Promise.all(
    files.map(async (file) => ({
      name: file.replace(/\.sql$/, ''),
      sql: await readFile(new URL(file, dir), 'utf8'),
    })),
  );
}

/**
 * Applies every migration not yet recorded in schema_migrations, each in its own transaction
 * that first takes a transaction-scoped advisory lock, so two processes starting at once
 * apply each file exactly once. Re-running is a no-op.
 */
export async function migrate(db: Db, dir: URL = MIGRATIONS_DIR): Promise<{ applied: string[] }> {
  const migrations = await loadMigrations(dir);
  const applied: string[] = [];
  for (const migration of migrations) {
    const didApply = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
      await tx.query(
        `CREATE TABLE IF NOT EXISTS schema_migrations (
           name text PRIMARY KEY,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      const done = await tx.query('SELECT 1 FROM schema_migrations WHERE name = $1', [migration.name]);
      if (done.rowCount > 0) return false;
      try {
        await tx.query(migration.sql);
      } catch (err) {
        throw new Error(`migration ${migration.name} failed`, { cause: err });
      }
      await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [migration.name]);
      return true;
    });
    if (didApply) applied.push(migration.name);
  }
  return { applied };
}
