-- TimescaleDB only (guarded: a no-op on plain PostgreSQL and PGlite): compression after
-- 2 days segmented by node_id, raw retention 7 days, and continuous aggregates
-- samples_hourly_cagg / samples_daily_cagg (for Grafana and ad-hoc analysis; the API reads
-- the ETL-maintained samples_hourly / samples_daily tables on every engine).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
    RETURN;
  END IF;
  EXECUTE 'ALTER TABLE samples SET (timescaledb.compress, timescaledb.compress_segmentby = ''node_id'')';
  PERFORM add_compression_policy('samples', interval '2 days');
  PERFORM add_retention_policy('samples', interval '7 days');
  EXECUTE $v$
    CREATE MATERIALIZED VIEW samples_hourly_cagg WITH (timescaledb.continuous) AS
    SELECT time_bucket('1 hour', time) AS bucket, node_id, target, "check",
           count(*)::integer AS samples, avg(latency_ms) AS latency_avg,
           min(latency_ms) AS latency_min, max(latency_ms) AS latency_max,
           avg(uptime_pct) AS uptime_pct, avg(packet_loss) AS packet_loss
    FROM samples GROUP BY 1, 2, 3, 4 WITH NO DATA
  $v$;
  EXECUTE $v$
    CREATE MATERIALIZED VIEW samples_daily_cagg WITH (timescaledb.continuous) AS
    SELECT time_bucket('1 day', time) AS bucket, node_id, target, "check",
           count(*)::integer AS samples, avg(latency_ms) AS latency_avg,
           min(latency_ms) AS latency_min, max(latency_ms) AS latency_max,
           avg(uptime_pct) AS uptime_pct, avg(packet_loss) AS packet_loss
    FROM samples GROUP BY 1, 2, 3, 4 WITH NO DATA
  $v$;
  PERFORM add_continuous_aggregate_policy('samples_hourly_cagg',
    start_offset => interval '3 days', end_offset => interval '1 hour',
    schedule_interval => interval '30 minutes');
  PERFORM add_continuous_aggregate_policy('samples_daily_cagg',
    start_offset => interval '7 days', end_offset => interval '1 day',
    schedule_interval => interval '6 hours');
END
$$;
