#!/usr/bin/env bash
# Installs Debian's PostgreSQL if it is missing, starts a throwaway server on 127.0.0.1 and
# prints its SQLAlchemy URL. CI runs the store and review tests against it:
#   export STANCEMAP_TEST_PG="$(bash scripts/start-postgres.sh)"
set -euo pipefail
if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
port=${STANCEMAP_PG_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
data=$(mktemp -d /tmp/stancemap-pg.XXXXXX)
chown postgres "$data"
run() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$1"; else sh -c "$1"; fi; }
run "'$bin/initdb' -D '$data' -A trust -U postgres -E UTF8" >/dev/null
run "'$bin/pg_ctl' -D '$data' -l '$data/server.log' -w -o '-p $port -k /tmp -c listen_addresses=127.0.0.1' start" >/dev/null
echo "postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
