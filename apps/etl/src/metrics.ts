import { Counter, Histogram, type Registry } from 'prom-client';

export interface EtlMetrics {
  loaded(count: number): void;
  rejected(reason: string): void;
  deadLettered(count: number): void;
  batchDuration(seconds: number): void;
  ingestLag(seconds: number): void;
}

const noop: EtlMetrics = {
  loaded: () => {},
  rejected: () => {},
  deadLettered: () => {},
  batchDuration: () => {},
  ingestLag: () => {},
};

/** Registers the ETL metrics on registry (reusing ones already there), or a no-op without one. */
export function createEtlMetrics(registry?: Registry): EtlMetrics {
  if (!registry) return noop;
  const reuse = <T>(name: string, make: () => T): T =>
    (registry.getSingleMetric(name) as T | undefined) ?? make();
  const loaded = reuse(
    'fiberstack_samples_loaded_total',
    () =>
      new Counter({
        name: 'fiberstack_samples_loaded_total',
        help: 'Samples inserted by the ETL (duplicates excluded)',
        registers: [registry],
      }),
  );
  const rejected = reuse(
    'fiberstack_etl_samples_rejected_total',
    () =>
      new Counter({
        name: 'fiberstack_etl_samples_rejected_total',
        help: 'Samples the ETL rejected into the error stream, by reason',
        labelNames: ['reason'],
        registers: [registry],
      }),
  );
  const dead = reuse(
    'fiberstack_dead_letter_total',
    () =>
      new Counter({
        name: 'fiberstack_dead_letter_total',
        help: 'Queue entries moved to the dead-letter store',
        registers: [registry],
      }),
  );
  const duration = reuse(
    'fiberstack_etl_batch_duration_seconds',
    () =>
      new Histogram({
        name: 'fiberstack_etl_batch_duration_seconds',
        help: 'Time to process and commit one ETL batch',
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers: [registry],
      }),
  );
  const lag = reuse(
    'fiberstack_ingest_lag_seconds',
    () =>
      new Histogram({
        name: 'fiberstack_ingest_lag_seconds',
        help: 'Time from measurement to commit in the database (loaded_at − sample time)',
        buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600, 21_600, 86_400],
        registers: [registry],
      }),
  );
  return {
    loaded: (n) => loaded.inc(n),
    rejected: (reason) => rejected.inc({ reason }),
    deadLettered: (n) => dead.inc(n),
    batchDuration: (s) => duration.observe(s),
    ingestLag: (s) => lag.observe(Math.max(0, s)),
  };
}
