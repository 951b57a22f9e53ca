import pg from 'pg';
import type { Db, Engine, QueryResult, Sql } from '../types.ts';

export interface PostgresOptions {
  connectionString: string;
  /** Pool size; default 10. */
  max?: number;
  /** Per-connection statement_timeout; default 15 s. */
  statementTimeoutMs?: number;
  applicationName?: string;
}

const INT8_OID = 20;

/** int8 (count(*), bigserial ids) parsed as numbers, as PGlite does, so results match. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID) return (value: string) => Number(value);
    return format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : pg.types.getTypeParser(oid, 'text');
  },
} as pg.CustomTypesConfig;

function wrap(client: pg.Pool | pg.PoolClient, inTransaction = false): Sql {
  return {
    inTransaction,
    async query<T>(text: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
      const result = await client.query(text, params ? [...params] : undefined);
      return { rows: result.rows as T[], rowCount: result.rowCount ?? 0 };
    },
  };
}

/**
 * Installs TimescaleDB when the server offers it (and we may), then reports the engine.
 * A server that lists the extension but cannot load it stays 'postgres'. Runs in its own
 * transaction with a start-up timeout: the pool's statement_timeout bounds reads, and a tight
 * one (a few ms) must not fail the start on a busy server reading extension control files.
 */
async function detectEngine(pool: pg.Pool): Promise<Engine> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query("SET LOCAL statement_timeout = '30s'");
    const available = await client.query(
      "SELECT installed_version FROM pg_available_extensions WHERE name = 'timescaledb'",
    );
    let engine: Engine = 'postgres';
    if (available.rowCount !== 0) {
      if (available.rows[0]?.installed_version) engine = 'timescaledb';
      else {
        try {
          await client.query('CREATE EXTENSION IF NOT EXISTS timescaledb');
          engine = 'timescaledb';
        } catch {
          await client.query('ROLLBACK');
          return 'postgres';
        }
      }
    }
    await client.query('COMMIT');
    return engine;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** Opens a pg Pool against PostgreSQL (with or without TimescaleDB). */
export async function openPostgres(opts: PostgresOptions): Promise<Db> {
  const pool = new pg.Pool({
    connectionString: opts.connectionString,
    max: opts.max ?? 10,
    statement_timeout: opts.statementTimeoutMs ?? 15_000,
    application_name: opts.applicationName ?? 'fiberstack',
    // FiberStack's queries are short index scans over partitioned tables: the planner costs every
    // partition per loop (runtime pruning reads one), crosses jit_above_cost, and compiling then
    // took 57–139 ms of a fleet overview that executes in about 40 ms. JIT never pays off here.
    // (PgBouncer in between needs `ignore_startup_parameters = options`; see docs/operations.md.)
    options: '-c jit=off',
    types,
  });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  let engine: Engine;
  try {
    engine = await detectEngine(pool);
  } catch (err) {
    await pool.end();
    throw new Error('cannot connect to PostgreSQL', { cause: err });
  }
  const root = wrap(pool);
  return {
    engine,
    query: root.query,
    async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      // A checked-out client whose connection drops emits 'error' besides failing its query;
      // without a listener that event would crash the process. The query's rejection is
      // what the caller handles (and the broken client is discarded on release below).
      let broken: Error | undefined;
      const onError = (err: Error) => {
        broken = err;
      };
      client.on('error', onError);
      const release = (err?: Error | boolean) => {
        client.off('error', onError);
        client.release(err ?? broken);
      };
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client, true));
        await client.query('COMMIT');
        release();
        return result;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
          release();
        } catch (rollbackErr) {
          release(rollbackErr instanceof Error ? rollbackErr : true);
        }
        throw err;
      }
    },
    async close() {
      await pool.end();
    },
  };
}
