-- Hourly and daily rollups, maintained by the ETL (refreshRollups) on every engine so the
-- same query code serves PostgreSQL, PGlite and TimescaleDB. loadSamples marks the hours it
-- touched in rollup_dirty within its own transaction, so late data is never missed.
CREATE TABLE samples_hourly (
  node_id text NOT NULL,
  target text NOT NULL,
  "check" text NOT NULL,
  bucket timestamptz NOT NULL,
  samples integer NOT NULL,
  latency_avg double precision,
  latency_min double precision,
  latency_max double precision,
  latency_p50 double precision,
  latency_p95 double precision,
  uptime_pct double precision,
  packet_loss double precision,
  PRIMARY KEY (node_id, target, "check", bucket)
);

CREATE TABLE samples_daily (LIKE samples_hourly INCLUDING ALL);

CREATE INDEX samples_hourly_bucket_idx ON samples_hourly (bucket);
CREATE INDEX samples_daily_bucket_idx ON samples_daily (bucket);

CREATE TABLE rollup_dirty (
  node_id text NOT NULL,
  target text NOT NULL,
  "check" text NOT NULL,
  bucket timestamptz NOT NULL,
  marked_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (node_id, target, "check", bucket)
);
