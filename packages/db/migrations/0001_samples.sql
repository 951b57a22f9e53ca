-- Raw samples. Engine guard: this file branches in DO blocks on whether the timescaledb
-- extension is installed (the client creates it when it is available):
--   * TimescaleDB: a plain table turned into a hypertable with 1-day chunks
--     (compression, retention and continuous aggregates are in 0006_timescale_policies.sql);
--   * PostgreSQL and PGlite: native range partitioning by time, one partition per UTC day,
--     created ahead by ensure_sample_partitions(); samples_default catches rows outside the
--     window so an insert never fails (applyRetention deletes from it too).
-- The natural key (node_id, target, check, time) makes re-delivery idempotent.
DO $$
DECLARE
  has_timescale boolean := EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb');
  cols text := $cols$
    node_id text NOT NULL,
    target text NOT NULL DEFAULT '',
    "check" text NOT NULL,
    time timestamptz NOT NULL,
    country text NOT NULL DEFAULT '',
    region text NOT NULL DEFAULT '',
    latency_ms double precision,
    uptime_pct double precision,
    packet_loss double precision,
    jitter_ms double precision,
    latency_min_ms double precision,
    latency_max_ms double precision,
    latency_median_ms double precision,
    http_status integer,
    extra jsonb,
    outlier boolean NOT NULL DEFAULT false,
    received_at timestamptz,
    loaded_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT samples_natural_key UNIQUE (node_id, target, "check", time)
  $cols$;
BEGIN
  IF has_timescale THEN
    EXECUTE format('CREATE TABLE samples (%s)', cols);
    PERFORM create_hypertable('samples', 'time', chunk_time_interval => interval '1 day');
  ELSE
    EXECUTE format('CREATE TABLE samples (%s) PARTITION BY RANGE (time)', cols);
    CREATE TABLE samples_default PARTITION OF samples DEFAULT;
  END IF;
END
$$;

CREATE INDEX samples_node_time_idx ON samples (node_id, time DESC);

-- Creates the missing daily partitions covering [from_time, to_time], clamped to a window
-- of 35 days back and 3 days ahead of now(); returns how many it created. A no-op when
-- samples is not partitioned (TimescaleDB). A day whose rows already sit in the default
-- partition, or that another process created concurrently, is skipped.
CREATE FUNCTION ensure_sample_partitions(from_time timestamptz, to_time timestamptz)
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
  day timestamptz;
  last_day timestamptz;
  part text;
  created integer := 0;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = 'samples'::regclass) THEN
    RETURN 0;
  END IF;
  day := date_trunc('day', greatest(from_time, now() - interval '35 days'), 'UTC');
  last_day := date_trunc('day', least(to_time, now() + interval '3 days'), 'UTC');
  WHILE day <= last_day LOOP
    part := 'samples_p' || to_char(day AT TIME ZONE 'UTC', 'YYYYMMDD');
    IF to_regclass(part) IS NULL THEN
      BEGIN
        EXECUTE format(
          'CREATE TABLE %I PARTITION OF samples FOR VALUES FROM (%L) TO (%L)',
          part, day, day + interval '1 day');
        created := created + 1;
      EXCEPTION WHEN duplicate_table OR check_violation OR lock_not_available THEN
        NULL;
      END;
    END IF;
    day := day + interval '1 day';
  END LOOP;
  RETURN created;
END
$$;

SELECT ensure_sample_partitions(now() - interval '1 day', now() + interval '2 days');
