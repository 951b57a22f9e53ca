-- Each node's 24-hour window (sample-weighted averages, p95 and hourly latency sparkline) for
-- the fleet overview, computed from samples_hourly by refreshRollups right after it updates
-- the rollups: the overview then reads one row per node instead of aggregating a day of
-- rollups per request. window_end is the exclusive end hour the row was computed for; a row
-- for another window (the hour rolled over, a new node) is ignored by the reader, which then
-- computes the window from the rollups itself.
CREATE TABLE fleet_window (
  node_id text PRIMARY KEY,
  window_end timestamptz NOT NULL,
  samples integer NOT NULL,
  latency_avg double precision,
  latency_p95 double precision,
  uptime_pct double precision,
  packet_loss double precision,
  -- One hourly average latency per hour of the window, oldest first; NULL where none.
  spark double precision[] NOT NULL
);
