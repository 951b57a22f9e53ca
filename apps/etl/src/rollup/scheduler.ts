import {
  applyRetention,
  type Db,
  maintainTables,
  type RefreshResult,
  type RetentionResult,
  refreshRollups,
  type Sql,
} from '@fiberstack/db';
import type { Logger } from 'pino';
import type { EtlConfig } from '../config.ts';

export interface SchedulerDeps {
  db: Db;
  logger: Logger;
}

export type SchedulerConfig = Pick<EtlConfig, 'scheduler'>;

export interface Scheduler {
  /** Runs a first rollup at once, then every rollupIntervalMs; retention every retentionIntervalMs. */
  start(): Promise<void>;
  /** Clears the timers and waits for a running job. Idempotent. */
  stop(): Promise<void>;
  /** One guarded rollup refresh; null when another worker holds the guard. */
  runRollups(): Promise<RefreshResult | null>;
  /** One guarded retention pass; null when another worker holds the guard. */
  runRetention(now?: Date): Promise<RetentionResult | null>;
}

/** Advisory lock keys (arbitrary constants, one per job). */
export const SCHEDULER_LOCK_KEYS = { rollups: 0x46_53_52_4f, retention: 0x46_53_52_54 } as const;

/**
 * Periodic rollup refresh and retention. On PostgreSQL each run takes a transaction-scoped
 * advisory lock (pg_try_advisory_xact_lock) and runs inside that transaction, so only one
 * worker of the fleet does it at a time; the others skip that tick. PGlite is one process:
 * no guard. Jobs within this process never overlap.
 */
export function createScheduler(deps: SchedulerDeps, config: SchedulerConfig): Scheduler {
  const { db } = deps;
  const log = deps.logger.child({ component: 'etl-scheduler' });
  const { rollupIntervalMs, retentionIntervalMs, retention } = config.scheduler;
  const timers: NodeJS.Timeout[] = [];
  let chain: Promise<unknown> = Promise.resolve();
  let stopping = false;
  let stopped: Promise<void> | null = null;

  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = chain.catch(() => undefined).then(fn);
    chain = next;
    return next;
  }

  function guarded<T>(key: number, job: (db: Db) => Promise<T>): Promise<T | null> {
    if (db.engine === 'pglite') return job(db);
    return db.transaction(async (tx) => {
      const lock = await tx.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [key]);
      if (!lock.rows[0]?.ok) return null;
      return job(inTransaction(db, tx));
    });
  }

  const runRollups = () =>
    serial(async () => {
      const started = performance.now();
      const result = await guarded(SCHEDULER_LOCK_KEYS.rollups, (d) => refreshRollups(d));
      if (result && (result.hourly > 0 || result.daily > 0)) {
        log.info({ ...result, duration_ms: Math.round(performance.now() - started) }, 'rollups refreshed');
      }
      await maintain();
      return result;
    });

  /** PGlite only (no autovacuum there): statistics and dead rows of the tables that changed. */
  const maintain = async () => {
    if (db.engine !== 'pglite') return;
    const started = performance.now();
    try {
      const done = await maintainTables(db);
      if (done.analyzed.length > 0)
        log.debug({ ...done, duration_ms: Math.round(performance.now() - started) }, 'tables maintained');
    } catch (err) {
      log.warn({ err }, 'table maintenance failed; next tick retries');
    }
  };

  const runRetention = (now?: Date) =>
    serial(async () => {
      const started = performance.now();
      const result = await guarded(SCHEDULER_LOCK_KEYS.retention, (d) => applyRetention(d, retention, now));
      if (result)
        log.info({ ...result, duration_ms: Math.round(performance.now() - started) }, 'retention applied');
      return result;
    });

  const tick = (name: string, job: () => Promise<unknown>) => () => {
    if (stopping) return;
    job().catch((err: unknown) => log.error({ err, job: name }, 'scheduled job failed; next tick retries'));
  };

  return {
    async start() {
      if (timers.length > 0 || stopping) return;
      timers.push(setInterval(tick('rollups', runRollups), rollupIntervalMs));
      timers.push(
        setInterval(
          tick('retention', () => runRetention()),
          retentionIntervalMs,
        ),
      );
      for (const t of timers) t.unref();
      tick('rollups', runRollups)();
      log.info(
        { rollup_interval_ms: rollupIntervalMs, retention_interval_ms: retentionIntervalMs },
        'scheduler started',
      );
    },
    runRollups,
    runRetention,
    stop() {
      if (stopped) return stopped;
      stopping = true;
      for (const t of timers) clearInterval(t);
      stopped = chain.then(
        () => undefined,
        () => undefined,
      );
      return stopped;
    },
  };
}

/** A Db view of an open transaction: nested transaction() calls join it. */
function inTransaction(db: Db, tx: Sql): Db {
  return {
    engine: db.engine,
    query: (text, params) => tx.query(text, params),
    transaction: (fn) => fn(tx),
    close: async () => {},
  };
}
