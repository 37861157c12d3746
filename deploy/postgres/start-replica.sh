#!/bin/bash
# The STREAMING REPLICA (compose profile `postgres-replica`): on first start its data directory is cloned from
# the primary with `pg_basebackup -R` (which writes standby.signal and primary_conninfo), then PostgreSQL runs
# as a hot standby that streams the primary's WAL and answers read-only queries (REPORTS_DATABASE_URL).
set -euo pipefail
: "${PGDATA:=/var/lib/postgresql/data}"
: "${PRIMARY_HOST:=postgres}"
: "${PRIMARY_PORT:=5432}"
: "${REPLICATION_USER:=replicator}"
: "${REPLICATION_PASSWORD:?set REPLICATION_PASSWORD (docker-compose.yml passes it)}"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_isready -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -q; do sleep 1; done
  find "$PGDATA" -mindepth 1 -delete
  PGPASSWORD="$REPLICATION_PASSWORD" pg_basebackup -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U "$REPLICATION_USER" \
    -D "$PGDATA" -R -X stream --checkpoint=fast --progress
  chmod 0700 "$PGDATA"
fi
exec postgres -c hot_standby=on "$@"  # extra server options: tests/faults/test_streaming_replica.py
