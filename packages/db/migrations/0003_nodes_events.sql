-- Nodes seen by the ETL and the event log (first seen, silent, back, outliers, …).
CREATE TABLE nodes (
  node_id text PRIMARY KEY,
  country text NOT NULL DEFAULT '',
  region text NOT NULL DEFAULT '',
  first_seen_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL
);

CREATE TABLE events (
  id bigserial PRIMARY KEY,
  time timestamptz NOT NULL,
  node_id text,
  kind text NOT NULL,
  message text NOT NULL,
  data jsonb,
  search tsvector GENERATED ALWAYS AS (
    to_tsvector('english', kind || ' ' || coalesce(node_id, '') || ' ' || message)
  ) STORED
);

CREATE INDEX events_search_idx ON events USING gin (search);
CREATE INDEX events_time_idx ON events (time DESC);
CREATE INDEX events_node_time_idx ON events (node_id, time DESC);
