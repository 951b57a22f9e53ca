-- A counter raised in the transaction of every change to samples_hourly or samples_daily
-- (refreshRollups, applyRetention). An API process keeps rollup answers filed under the
-- generation it read and serves them while the generation is unchanged.
CREATE TABLE rollup_generation (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  generation bigint NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO rollup_generation (id, generation) VALUES (true, 0);
