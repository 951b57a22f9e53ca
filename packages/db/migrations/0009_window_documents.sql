-- The 24-hour windows of the fleet overview and of GET /api/regions are kept as the JSON the
-- API sends (members of the contract's FleetNode and GroupStats, values rounded as the contract
-- rounds them), so a request joins a few text columns instead of converting tens of thousands
-- of doubles. Both tables are caches of the hourly rollups: refreshRollups writes them again at
-- its next run, so they start empty here.
DROP TABLE fleet_window;
CREATE TABLE fleet_window (
  node_id text PRIMARY KEY,
  window_end timestamptz NOT NULL,
  -- FleetNode.window: {"samples":…,"latency_avg_ms":…,…}
  window_doc text NOT NULL,
  -- FleetNode.spark: one hourly average latency per hour of the window, oldest first.
  spark_doc text NOT NULL,
  -- The refresh that wrote the row (its transaction's time).
  refreshed_at timestamptz NOT NULL DEFAULT now()
);

-- The last refresh of fleet_window (one row): its window, its time and how many nodes it
-- wrote. A reader that kept a node's documents of that refresh reuses them without reading
-- fleet_window at all.
CREATE TABLE fleet_window_refresh (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  window_end timestamptz NOT NULL,
  refreshed_at timestamptz NOT NULL,
  nodes integer NOT NULL
);

DROP TABLE group_window;
CREATE TABLE group_window (
  window_end timestamptz NOT NULL,
  -- 1 for the whole-fleet row (no document), which marks the window as computed.
  g_country integer NOT NULL,
  -- 'country' | 'region' | 'node' (NULL on the whole-fleet row).
  kind text,
  -- The answer's order: country, then region (its total first), then node.
  ord integer NOT NULL,
  -- GroupStats as JSON.
  doc text
);
CREATE INDEX group_window_end_idx ON group_window (window_end, ord);

-- Raised by the ETL with every batch that loads a node's samples: a reader that kept a node's
-- current state (computed from its latest samples) knows when to compute it again.
ALTER TABLE nodes ADD COLUMN version bigint NOT NULL DEFAULT 0;

-- Whether the demo set is loaded (the overview says so) is asked with every fleet request.
CREATE INDEX events_demo_idx ON events (kind) WHERE kind = 'demo_data';
