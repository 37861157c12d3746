#!/bin/bash
# On the PRIMARY (docker-compose.yml mounts it into /docker-entrypoint-initdb.d): runs once, when the data
# directory is first initialised. Creates the role the streaming replica connects with and lets it connect for
# replication. wal_level=replica and max_wal_senders come from the primary's command line (docker-compose.yml).
set -euo pipefail
: "${REPLICATION_USER:=replicator}"
: "${REPLICATION_PASSWORD:?set REPLICATION_PASSWORD (docker-compose.yml passes it)}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v repl_user="$REPLICATION_USER" -v repl_password="$REPLICATION_PASSWORD" <<'SQL'
CREATE ROLE :"repl_user" WITH REPLICATION LOGIN PASSWORD :'repl_password';
SQL

echo "host replication ${REPLICATION_USER} all scram-sha-256" >> "$PGDATA/pg_hba.conf"
