-- Per-node API keys: only a hash of the secret is stored; prefix finds the row.
CREATE TABLE api_keys (
  id text PRIMARY KEY,
  node_id text NOT NULL,
  prefix text NOT NULL UNIQUE,
  hash text NOT NULL,
  label text,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  last_used_at timestamptz
);

CREATE INDEX api_keys_node_idx ON api_keys (node_id);
