import { Limits } from '@fiberstack/contracts';

export interface EtlConfig {
  /** Consumer name; unique per worker (leases and Redis pending entries belong to it). */
  readonly consumer: string;
  /** Most entries read per batch. */
  readonly batchSize: number;
  /**
   * Samples one batch aims for (one transaction): an entry holds 1 to 1000 samples, so the
   * worker reads about batchSamples ÷ (samples per entry seen so far) entries, at most batchSize.
   */
  readonly batchSamples: number;
  /**
   * After a read that returned less than half a batch, wait this long before the next read, so
   * a stream of single-sample pushes is loaded in tens of transactions per second, not hundreds.
   */
  readonly batchLingerMs: number;
  /** How long one read waits for entries. */
  readonly blockMs: number;
  /**
   * CPU niceness `fiberstack etl` runs at (0–19; raised, never lowered): on a host it shares
   * with the API, request handling preempts batch loading, which catches up when the CPU is free.
   */
  readonly nice: number;
  /** Samples older than now − maxPastMs are rejected. */
  readonly maxPastMs: number;
  /** Samples newer than now + maxFutureMs are rejected. */
  readonly maxFutureMs: number;
  /** Backoff for a failing batch (DB outage): from backoffMinMs doubling to backoffMaxMs. */
  readonly backoffMinMs: number;
  readonly backoffMaxMs: number;
  /** stop() gives the in-flight batch this long to commit before abandoning it (redelivered). */
  readonly stopTimeoutMs: number;
  /**
   * Test hook (ETL_DEBUG_PAUSE_AFTER_COMMIT_MS, default 0 = off): sleep this long after the
   * database commit and before the queue ack, so reliability tests can kill a worker in that
   * window (test/reliability/r2-etl-sigkill.int.test.ts). Never set it in production.
   */
  readonly debugPauseAfterCommitMs: number;
  readonly outlier: { readonly window: number; readonly minSamples: number; readonly maxSeries: number };
  readonly scheduler: {
    readonly rollupIntervalMs: number;
    readonly retentionIntervalMs: number;
    readonly retention: { readonly rawDays: number; readonly hourlyDays: number; readonly dailyDays: number };
  };
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads ETL_* variables, reports every invalid one at once, returns a frozen config. */
export function loadEtlConfig(env: Env = process.env): EtlConfig {
  const errors: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      errors.push(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };
  const consumer = env.ETL_CONSUMER?.trim() || `etl-${env.HOSTNAME ?? 'local'}-${process.pid}`;
  if (!/^[A-Za-z0-9._:-]{1,128}$/.test(consumer))
    errors.push('ETL_CONSUMER must match [A-Za-z0-9._:-]{1,128}');
  const config: EtlConfig = {
    consumer,
    batchSize: int('ETL_BATCH_SIZE', 500, 1, 10_000),
    batchSamples: int('ETL_BATCH_SAMPLES', 10_000, 1, 1_000_000),
    batchLingerMs: int('ETL_BATCH_LINGER_MS', 100, 0, 10_000),
    blockMs: int('ETL_BLOCK_MS', 1000, 0, 60_000),
    nice: int('ETL_NICE', 10, 0, 19),
    maxPastMs: int('ETL_MAX_PAST_S', Limits.maxBackfillMs / 1000, 60, 366 * 86_400) * 1000,
    maxFutureMs: int('ETL_MAX_FUTURE_S', Limits.futureSkewMs / 1000, 0, 86_400) * 1000,
    backoffMinMs: int('ETL_BACKOFF_MIN_MS', 250, 1, 60_000),
    backoffMaxMs: int('ETL_BACKOFF_MAX_MS', 30_000, 1, 600_000),
    stopTimeoutMs: int('ETL_STOP_TIMEOUT_MS', 30_000, 0, 600_000),
    debugPauseAfterCommitMs: int('ETL_DEBUG_PAUSE_AFTER_COMMIT_MS', 0, 0, 60_000),
    outlier: {
      window: int('ETL_OUTLIER_WINDOW', 30, 5, 1000),
      minSamples: int('ETL_OUTLIER_MIN_SAMPLES', 10, 3, 1000),
      maxSeries: int('ETL_OUTLIER_MAX_SERIES', 100_000, 1, 10_000_000),
    },
    scheduler: {
      rollupIntervalMs: int('ETL_ROLLUP_INTERVAL_S', 60, 1, 86_400) * 1000,
      retentionIntervalMs: int('ETL_RETENTION_INTERVAL_S', 3600, 1, 7 * 86_400) * 1000,
      retention: {
        rawDays: int('RETENTION_RAW_DAYS', 7, 1, 3650),
        hourlyDays: int('RETENTION_HOURLY_DAYS', 90, 1, 3650),
        dailyDays: int('RETENTION_DAILY_DAYS', 365, 1, 36_500),
      },
    },
  };
  if (config.backoffMaxMs < config.backoffMinMs)
    errors.push('ETL_BACKOFF_MAX_MS must be ≥ ETL_BACKOFF_MIN_MS');
  if (config.outlier.minSamples > config.outlier.window) {
    errors.push('ETL_OUTLIER_MIN_SAMPLES must be ≤ ETL_OUTLIER_WINDOW');
  }
  if (errors.length > 0) throw new Error(`Invalid ETL configuration:\n- ${errors.join('\n- ')}`);
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
