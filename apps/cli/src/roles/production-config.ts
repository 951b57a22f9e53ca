import { LOG_LEVELS, type LogLevel, logLevelFrom } from '@fiberstack/logging';
import { collectErrors } from '@fiberstack/runtime';

type Env = Readonly<Record<string, string | undefined>>;

/** Connections of a production role (api, etl): PostgreSQL, and Redis for the queue. */
export interface ProductionConfig {
  readonly databaseUrl: string;
  readonly dbPoolMax: number;
  /**
   * statement_timeout per role: the API's reads (DB_STATEMENT_TIMEOUT_API_MS, default 5 s) are
   * cut short so one huge range cannot hold a connection; the ETL's batch inserts get longer.
   */
  readonly statementTimeoutMs: { readonly api: number; readonly etl: number };
  /** Unset: the queue is the inbox table in PostgreSQL (one-database mode). */
  readonly redisUrl: string | undefined;
  readonly queue: {
    readonly stream: string;
    readonly highWaterMark: number;
    readonly claimIdleMs: number;
  };
  /** LOG_LEVEL (default info); warn drops the API's one line per request. */
  readonly logLevel: LogLevel;
}

/**
 * DATABASE_URL, or DB_HOST/DB_PORT/DB_NAME/DB_USER/DB_PASS (the deployment model's names);
 * REDIS_URL; QUEUE_*; LOG_LEVEL. Reports every problem at once.
 */
export function loadProductionConfig(env: Env): ProductionConfig {
  const errors = collectErrors();
  const int = (name: string, fallback: number, min: number, max: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      errors.add(`${name}: must be a whole number from ${min} to ${max} (got ${JSON.stringify(raw)})`);
      return fallback;
    }
    return n;
  };
  let databaseUrl = env.DATABASE_URL ?? '';
  if (!databaseUrl) {
    if (!env.DB_HOST)
      errors.add('DATABASE_URL: missing (or set DB_HOST, DB_PORT, DB_NAME, DB_USER, DB_PASS)');
    else {
      const user = encodeURIComponent(env.DB_USER ?? 'fiberstack');
      const pass = env.DB_PASS ? `:${encodeURIComponent(env.DB_PASS)}` : '';
      const port = int('DB_PORT', 5432, 1, 65535);
      databaseUrl = `postgres://${user}${pass}@${env.DB_HOST}:${port}/${encodeURIComponent(env.DB_NAME ?? 'fiberstack')}`;
    }
  } else if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
    errors.add('DATABASE_URL: must start with postgres:// or postgresql:// (value hidden)');
  }
  const redisUrl = env.REDIS_URL || undefined;
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) {
    errors.add('REDIS_URL: must start with redis:// or rediss:// (value hidden)');
  }
  const logLevel = logLevelFrom(env.LOG_LEVEL);
  if (logLevel === undefined) {
    errors.add(`LOG_LEVEL: must be one of ${LOG_LEVELS.join(', ')} (got ${JSON.stringify(env.LOG_LEVEL)})`);
  }
  const config: ProductionConfig = {
    databaseUrl,
    dbPoolMax: int('DB_POOL_MAX', 10, 1, 200),
    statementTimeoutMs: {
      api: int('DB_STATEMENT_TIMEOUT_API_MS', 5_000, 100, 600_000),
      etl: int('DB_STATEMENT_TIMEOUT_ETL_MS', 60_000, 1_000, 3_600_000),
    },
    redisUrl,
    queue: {
      stream: env.QUEUE_STREAM || 'fiberstack:samples',
      highWaterMark: int('QUEUE_HIGH_WATER_MARK', 1_000_000, 1, 1_000_000_000),
      claimIdleMs: int('QUEUE_CLAIM_IDLE_MS', 30_000, 100, 3_600_000),
    },
    logLevel: logLevel ?? 'info',
  };
  errors.throwIfAny();
  return Object.freeze(config);
}
