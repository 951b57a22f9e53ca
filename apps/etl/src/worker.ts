import type { Db } from '@fiberstack/db';
import type { Queue } from '@fiberstack/queue';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { backoffDelay, sleep } from './backoff.ts';
import type { EtlConfig } from './config.ts';
import { planBatch } from './consume/plan-batch.ts';
import { commitBatch, type LoadOutcome, settleAfterCommit } from './load/samples.loader.ts';
import { createEtlMetrics } from './metrics.ts';
import { OutlierDetector } from './steps/outlier.ts';

export interface EtlDeps {
  db: Db;
  queue: Queue;
  logger: Logger;
  /** prom-client registry to register the ETL metrics on. */
  metrics?: Registry;
}

export type BatchOutcome = 'empty' | 'committed' | 'abandoned';

/** One batch's summary (also the fields of its log line). */
export interface BatchResult {
  outcome: BatchOutcome;
  entries: number;
  samples: number;
  inserted: number;
  duplicates: number;
  rejected: number;
  outliers: number;
  dead_lettered: number;
  /** Entries that failed this time and stay unacked for redelivery. */
  deferred: number;
  /** Commit attempts (> 1 after database faults). */
  attempts: number;
  duration_ms: number;
}

export interface EtlWorker {
  /** Starts the consume loop in the background; resolves at once. */
  start(): Promise<void>;
  /** Stops reading, commits and acks the in-flight batch, then resolves. Idempotent. */
  stop(): Promise<void>;
  /** Reads and processes one batch (waits up to config.blockMs for entries). */
  runOnce(): Promise<BatchResult>;
}

/** A retried call's value and attempt count; null when abandoned at shutdown. */
type Attempted<T> = { value: T; attempts: number } | null;

const EMPTY: Omit<BatchResult, 'duration_ms'> = {
  outcome: 'empty',
  entries: 0,
  samples: 0,
  inserted: 0,
  duplicates: 0,
  rejected: 0,
  outliers: 0,
  dead_lettered: 0,
  deferred: 0,
  attempts: 0,
};

/**
 * The ETL worker: read → validate → transform → flag outliers → load in one transaction →
 * settle. A database fault never acks or dead-letters anything: the whole batch is retried
 * with capped, jittered exponential backoff until it commits (or stop() times out).
 */
export function createEtlWorker(deps: EtlDeps, config: EtlConfig): EtlWorker {
  const { db, queue } = deps;
  const log = deps.logger.child({ component: 'etl-worker', consumer: config.consumer });
  const metrics = createEtlMetrics(deps.metrics);
  const outliers = new OutlierDetector(config.outlier);
  // Moving average of samples per entry: sizes reads so a batch holds about batchSamples samples.
  // Starts at the largest entry (1000 samples) so the first read is never oversized.
  let samplesPerEntry = 1000;
  let lastBatchSmall = false;
  const readCount = () =>
    Math.max(1, Math.min(config.batchSize, Math.floor(config.batchSamples / samplesPerEntry)));
  const idle = new AbortController();
  const force = new AbortController();
  let stopping = false;
  let loop: Promise<void> | null = null;
  let stopped: Promise<void> | null = null;
  let current: Promise<BatchResult> = Promise.resolve({ ...EMPTY, duration_ms: 0 });

  async function retry<T>(what: string, fn: () => Promise<T>, onFailure?: () => void): Promise<Attempted<T>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return { value: await fn(), attempts: attempt };
      } catch (err) {
        if (force.signal.aborted) {
          log.error({ err, attempt }, 'etl batch abandoned at shutdown; it stays unacked');
          return null;
        }
        onFailure?.();
        const delay_ms = backoffDelay(attempt, config.backoffMinMs, config.backoffMaxMs);
        log.warn({ err, attempt, delay_ms, what }, 'etl batch failed; retrying');
        await sleep(delay_ms, force.signal);
      }
    }
  }

  async function processBatch(): Promise<BatchResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    if (stopping) return { ...EMPTY, duration_ms: 0 };
    // After a small batch, let entries gather for batchLingerMs before the next read.
    if (lastBatchSmall && config.batchLingerMs > 0) await sleep(config.batchLingerMs, force.signal);
    if (stopping) return { ...EMPTY, duration_ms: 0 };
    const wanted = readCount();
    const deliveries = await queue.read({ consumer: config.consumer, max: wanted, blockMs: config.blockMs });
    lastBatchSmall = deliveries.length > 0 && deliveries.length < wanted / 2;
    if (deliveries.length === 0) return { ...EMPTY, duration_ms: elapsed() };

    const plan = planBatch(
      deliveries,
      { now: Date.now(), maxPastMs: config.maxPastMs, maxFutureMs: config.maxFutureMs },
      outliers,
    );
    samplesPerEntry = (samplesPerEntry + Math.max(1, plan.samples / deliveries.length)) / 2;
    for (const item of plan.deferred) {
      log.warn(
        { id: item.delivery.id, deliveries: item.delivery.deliveries, reason: item.reason },
        'etl entry failed; left for redelivery',
      );
    }
    const base = {
      entries: deliveries.length,
      samples: plan.samples,
      rejected: plan.rejects.length,
      outliers: plan.events.length,
      dead_lettered: plan.deadLetters.length,
      deferred: plan.deferred.length,
    };
    // While this batch is retried (database or queue outage), keep its entries ours: otherwise
    // every idle worker would reclaim them in turn, each reclaim counting a delivery, until a
    // valid entry reached the dead-letter limit during a mere outage.
    let release: (() => void) | undefined;
    const holdIds = [...plan.ack, ...plan.deadLetters.map((item) => item.delivery.id)];
    const hold = () => {
      release ??= queue.hold?.(config.consumer, holdIds);
    };
    let committed: Attempted<LoadOutcome>;
    let settled: Attempted<void> | false;
    try {
      committed = await retry('commit', () => commitBatch(db, queue, plan), hold);
      if (committed && config.debugPauseAfterCommitMs > 0 && plan.ack.length > 0) {
        // Test hook only (see EtlConfig.debugPauseAfterCommitMs): committed, not yet acked.
        log.warn({ entries: plan.ack.length }, 'etl debug pause after commit');
        await sleep(config.debugPauseAfterCommitMs);
      }
      settled = committed && (await retry('settle', () => settleAfterCommit(queue, plan), hold));
    } finally {
      release?.();
    }
    if (!committed || !settled) {
      const result: BatchResult = {
        ...base,
        outcome: 'abandoned',
        inserted: 0,
        duplicates: 0,
        attempts: committed?.attempts ?? 0,
        duration_ms: elapsed(),
      };
      log.warn(result, 'etl batch');
      return result;
    }

    const loadedAt = Date.now();
    metrics.loaded(committed.value.inserted);
    for (const code of plan.rejectCodes) metrics.rejected(code);
    if (plan.deadLetters.length > 0) metrics.deadLettered(plan.deadLetters.length);
    for (const row of plan.rows) metrics.ingestLag((loadedAt - row.time.getTime()) / 1000);
    for (const item of plan.deadLetters) {
      log.warn(
        { id: item.delivery.id, deliveries: item.delivery.deliveries, reason: item.reason },
        'dead-lettered',
      );
    }
    const result: BatchResult = {
      ...base,
      outcome: 'committed',
      inserted: committed.value.inserted,
      duplicates: committed.value.duplicates,
      attempts: committed.attempts,
      duration_ms: elapsed(),
    };
    metrics.batchDuration(result.duration_ms / 1000);
    log.info(result, 'etl batch');
    return result;
  }

  /** Batches never overlap, whether from the loop or direct runOnce() calls. */
  function runOnce(): Promise<BatchResult> {
    const next = current.catch(() => undefined).then(processBatch);
    current = next;
    return next;
  }

  async function runLoop(): Promise<void> {
    let failures = 0;
    while (!stopping) {
      try {
        await runOnce();
        failures = 0;
      } catch (err) {
        failures++;
        const delay_ms = backoffDelay(failures, config.backoffMinMs, config.backoffMaxMs);
        log.error({ err, failures, delay_ms }, 'etl read failed; retrying');
        await sleep(delay_ms, idle.signal);
      }
    }
  }

  return {
    async start() {
      if (loop || stopping) return;
      log.info({ batch_size: config.batchSize }, 'etl worker started');
      loop = runLoop();
    },
    runOnce,
    stop() {
      if (stopped) return stopped;
      stopping = true;
      idle.abort();
      const timer = setTimeout(() => force.abort(), config.stopTimeoutMs);
      stopped = Promise.all([loop, current.catch(() => undefined)])
        .then(() => log.info('etl worker stopped'))
        .finally(() => clearTimeout(timer));
      return stopped;
    },
  };
}
