#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on loopback for the hub's tests and
# prints the URL to use as CHOT_TEST_POSTGRES. Idempotent: a running server is
# reused. Usage: scripts/pgtest.sh start|stop
#
# The port is 55400 + the server's major version (trixie's PostgreSQL 17:
# 55417), so the target root's server and one a Debian 12 host may run
# (PostgreSQL 15) never fight over a port: the target shares the host's
# network. As root (the target root, CI) the server runs as user postgres.
set -euo pipefail
cmd=${1:-start}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] || { echo "pgtest: no PostgreSQL server installed (scripts/deps.sh test)" >&2; exit 1; }
major=$(basename "$(dirname "$bin")")
dir=${CHOT_PGTEST_DIR:-/tmp/chot-pgtest-$major}
port=${CHOT_PGTEST_PORT:-$((55400 + major))}
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
url="postgres://chot@127.0.0.1:$port/chot_test?sslmode=disable"
case "$cmd" in
  start)
    # Concurrent starts (several test runs, several helpers) take turns.
    exec 9>"$dir.lock"
    # Bounded: a server started by hand (pg_ctl outside this script) may
    # hold the lock file for as long as it runs; then go on without it
    # rather than wait for ever (the checks below are idempotent).
    flock -w 120 9 || echo "pgtest: $dir.lock still held after 120 s (a server started outside this script?); going on" >&2
    # A server of this major version already on the port (started by another
    # run, from another data folder) is reused.
    running=$(as_pg "$bin/psql" -h 127.0.0.1 -p "$port" -U chot -d postgres -tAc 'SHOW server_version_num' 2>/dev/null || true)
    if [ -n "$running" ] && [ $((running / 10000)) -eq "$major" ]; then
      dir=
    fi
    if [ -n "$dir" ] && [ ! -f "$dir/PG_VERSION" ]; then
      mkdir -p "$dir"
      [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
      as_pg "$bin/initdb" -D "$dir" -A trust -U chot >/dev/null
    fi
    if [ -n "$dir" ] && ! as_pg "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
      # 9>&-: the server must not inherit the lock, or it holds it for as
      # long as it runs and every later start waits on it for ever.
      as_pg "$bin/pg_ctl" -D "$dir" -w -l "$dir/server.log" \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null 9>&-
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
