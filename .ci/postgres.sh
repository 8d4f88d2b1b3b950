#!/usr/bin/env bash
# PostgreSQL for the registry's tests: a throwaway cluster of Debian's server binaries
# (apt-get install -y postgresql), listening on 127.0.0.1 only, the postgres role trusted from
# loopback (no password: nothing but this machine can reach it).
#   bash .ci/postgres.sh [start] [PORT]   initdb if needed, start, wait until it answers (default port 5432)
#   bash .ci/postgres.sh stop [PORT]      stop it
# Then: export MODMESH_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:PORT/postgres
set -euo pipefail
action="${1:-start}"
port="${2:-5432}"
dir="${MODMESH_POSTGRES_DIR:-/tmp/modmesh-postgres-$port}"

bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
if [ -z "$bin" ] || [ ! -x "$bin/postgres" ]; then
  echo "PostgreSQL is not installed: apt-get install -y postgresql" >&2
  exit 1
fi
# PostgreSQL refuses to run as root: as root, the cluster belongs to the postgres user.
as_owner() {
  if [ "$(id -u)" = "0" ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi
}

if [ "$action" = "stop" ]; then
  if [ -f "$dir/data/postmaster.pid" ]; then as_owner "'$bin/pg_ctl' -D '$dir/data' -m fast -w stop"; fi
  exit 0
fi

if [ ! -f "$dir/data/PG_VERSION" ]; then
  mkdir -p "$dir"
  if [ "$(id -u)" = "0" ]; then chown postgres: "$dir"; fi
  as_owner "'$bin/initdb' -D '$dir/data' -U postgres -A trust --no-instructions >'$dir/initdb.log'"
fi
if ! as_owner "'$bin/pg_ctl' -D '$dir/data' status" >/dev/null 2>&1; then
  # Sockets in the cluster's own directory (Debian's /var/run/postgresql may not exist);
  # connections enough for the replica tests (three registries with a pool each, twice at once).
  as_owner "'$bin/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -t 60 -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=on\" start" >/dev/null
fi
"$bin/pg_isready" -h 127.0.0.1 -p "$port" -t 30 >/dev/null
echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($dir)"
