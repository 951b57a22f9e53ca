/** The SQL surface shared by pg, PGlite and the TimescaleDB test engine. */
export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
  /** True for the handle a transaction callback gets: savepoints may be used on it. */
  readonly inTransaction?: boolean;
}

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export type Engine = 'postgres' | 'timescaledb' | 'pglite';

export interface Db extends Sql {
  readonly engine: Engine;
  /** Runs fn in one transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A sample after the ETL's validate and transform steps: ready to insert. */
export interface SampleRow {
  node_id: string;
  target: string;
  check: string;
  /** UTC time of the measurement. */
  time: Date;
  country: string;
  region: string;
  latency_ms: number;
  uptime_pct: number;
  packet_loss: number;
  jitter_ms: number | null;
  latency_min_ms: number | null;
  latency_max_ms: number | null;
  latency_median_ms: number | null;
  http_status: number | null;
  /** Remaining optional fields (http phase timings, tls_days_left, labels, seq, clock age). */
  extra: Record<string, unknown> | null;
  outlier: boolean;
  /** When the API received it (ms epoch); ingest lag = loaded_at − time. */
  received_at: Date;
}
