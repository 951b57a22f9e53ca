export const USAGE = `fiberstack — self-hosted network monitoring

Usage:
  fiberstack up [--port 8000] [--host 127.0.0.1] [--data-dir ./.fiberstack] [--demo]
      API + ETL + scheduler + dashboard in one process on embedded PostgreSQL (PGlite); data
      on disk. --demo fills its own directory (./.fiberstack-demo) with a synthetic 7-day
      fleet of 15 probes in Ghana, Nigeria and Kenya and keeps it moving, to try the dashboard without probes.
  fiberstack api
      One API replica (production): PostgreSQL (DATABASE_URL or DB_*) and Redis Streams (REDIS_URL).
  fiberstack etl [--no-scheduler]
      One ETL worker in the consumer group, with the rollup/retention scheduler; health and
      metrics on ETL_METRICS_PORT (9464).
  fiberstack migrate [--data-dir DIR | DATABASE_URL=...]
      Apply database migrations and exit.
  fiberstack keys create --node <node_id> [--label TEXT] [--api URL] [--data-dir DIR]
  fiberstack keys list [--api URL] [--data-dir DIR]
  fiberstack keys revoke <key-id> [--api URL] [--data-dir DIR]
      Manage per-probe API keys on a running server. The admin token comes from
      FIBERSTACK_ADMIN_TOKEN or <data-dir>/admin-token.
  fiberstack probe --config probe.yaml [--check | --once]
      The edge agent: runs checks, buffers results on disk, pushes them (apps/probe/README.md).
  fiberstack backup [--dir DIR] [--keep N] [--upload-cmd CMD]
      pg_dump (custom format) of DATABASE_URL into BACKUP_DIR; keeps the newest BACKUP_KEEP;
      runs BACKUP_UPLOAD_CMD with the dump as $1 (e.g. upload to S3-compatible storage).
  fiberstack restore <file.dump> --yes [--no-migrate]
      Replaces the database's contents with a dump in one transaction (creates the database
      when it was dropped), then applies newer migrations (docs/operations.md, "Restore drill").
  fiberstack help

Environment: see README.md (ENV, DATABASE_URL, DB_HOST, REDIS_URL, API_KEY_SECRET, CORS_ORIGINS, …).
`;
