#!/bin/sh
# Runs once, when the db volume is initialised (docker-entrypoint-initdb.d of the PostgreSQL
# image). Creates fiberstack_reader: the read-only login Grafana's PostgreSQL data source uses.
# pg_read_all_data (PostgreSQL 14+) covers tables created later by migrations and survives restores.
set -eu
password=$(cat "${READER_PASSWORD_FILE:-/run/secrets/db_reader_password}")
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v reader_password="$password" <<'SQL'
CREATE ROLE fiberstack_reader LOGIN PASSWORD :'reader_password' CONNECTION LIMIT 10;
GRANT pg_read_all_data TO fiberstack_reader;
ALTER ROLE fiberstack_reader SET default_transaction_read_only = on;
ALTER ROLE fiberstack_reader SET statement_timeout = '30s';
SQL
