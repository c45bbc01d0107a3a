#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on loopback for the hub's tests and
# prints the URL to use as CHOT_TEST_POSTGRES. Idempotent: a running server is
# reused. Usage: scripts/pgtest.sh start|stop
set -euo pipefail
cmd=${1:-start}
dir=${CHOT_PGTEST_DIR:-/tmp/chot-pgtest}
port=${CHOT_PGTEST_PORT:-55432}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] || { echo "pgtest: no PostgreSQL server installed (scripts/deps.sh test)" >&2; exit 1; }
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
url="postgres://chot@127.0.0.1:$port/chot_test?sslmode=disable"
case "$cmd" in
  start)
    if [ ! -f "$dir/PG_VERSION" ]; then
      mkdir -p "$dir"
      [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
      as_pg "$bin/initdb" -D "$dir" -A trust -U chot >/dev/null
    fi
    if ! as_pg "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
      as_pg "$bin/pg_ctl" -D "$dir" -w -l "$dir/server.log" \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
    fi
    as_pg "$bin/psql" -h 127.0.0.1 -p "$port" -U chot -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname='chot_test'" | grep -q 1 ||
      as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U chot chot_test
    echo "$url"
    ;;
  stop)
    as_pg "$bin/pg_ctl" -D "$dir" -m fast stop >/dev/null 2>&1 || true
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
