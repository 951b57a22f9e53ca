-- Per-country, per-region and per-node aggregates of the same 24-hour window as fleet_window,
-- written by refreshRollups in the same transaction: GET /api/regions over that window (its
-- default, the last 24 hours) reads these rows instead of sorting a day of every node's hourly
-- rollups per request. One extra row (g_country = 1) holds the whole fleet and marks the window
-- as computed even when it holds no data. Rows of another window_end are ignored by the reader,
-- which then aggregates the rollups itself.
CREATE TABLE group_window (
  window_end timestamptz NOT NULL,
  g_country integer NOT NULL,
  g_node integer NOT NULL,
  g_region integer NOT NULL,
  node_id text,
  country text,
  region text,
  nodes integer NOT NULL,
  samples integer,
  latency_avg double precision,
  latency_min double precision,
  latency_max double precision,
  latency_p50 double precision,
  latency_p95 double precision,
  uptime_pct double precision,
  packet_loss double precision
);
CREATE INDEX group_window_end_idx ON group_window (window_end);
