-- Embedded queue: a durable inbox in the same database, acked by DELETE inside the ETL's
-- load transaction; a dead-letter table for entries that fail repeatedly; and the error
-- stream of invalid samples (used in every mode, Redis included).

CREATE TABLE IF NOT EXISTS queue_inbox (
  id bigserial PRIMARY KEY,
  message_id text NOT NULL,
  -- The QueueEntry as JSON text; kept as text so a corrupt payload can still be stored and
  -- dead-lettered as it was.
  payload text NOT NULL,
  enqueued_at timestamptz NOT NULL DEFAULT now(),
  deliveries integer NOT NULL DEFAULT 0,
  leased_until timestamptz NULL,
  leased_by text NULL
);

CREATE INDEX IF NOT EXISTS queue_inbox_leased_by_idx
  ON queue_inbox (leased_by) WHERE leased_by IS NOT NULL;

CREATE TABLE IF NOT EXISTS queue_dead_letter (
  id bigserial PRIMARY KEY,
  message_id text NULL,
  payload text NOT NULL,
  deliveries integer NOT NULL,
  reason text NOT NULL,
  failed_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS queue_dead_letter_failed_at_idx ON queue_dead_letter (failed_at);

CREATE TABLE IF NOT EXISTS sample_errors (
  id bigserial PRIMARY KEY,
  message_id text NOT NULL,
  sample_index integer NOT NULL,
  reason text NOT NULL,
  -- The sample as received; a JSON string when it could not be represented as JSON.
  sample jsonb NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS sample_errors_created_at_idx ON sample_errors (created_at);
CREATE INDEX IF NOT EXISTS sample_errors_message_id_idx ON sample_errors (message_id);
