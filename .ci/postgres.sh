#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the tests on a private loopback port and socket dir, as the `postgres`
# user (the server refuses to run as root), and prints the URL the tests read from GNNOPS_TEST_POSTGRES.
# Usage: .ci/postgres.sh start DIR PORT | .ci/postgres.sh stop DIR | .ci/postgres.sh resume DIR PORT (start a stopped
# cluster again on its data: the fault tests stop and start the server under load)
set -euo pipefail
cmd=$1 dir=$2
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "$cmd" in
start)
  port=$3
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
  as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >/dev/null
  as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
  as_pg "$bin/psql" -h "$dir" -p "$port" -U postgres -qc "CREATE DATABASE gnnops_test" >/dev/null
  echo "postgres://postgres@127.0.0.1:$port/gnnops_test"
  ;;
stop)
  as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  ;;
resume)
  port=$3
  as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
  ;;
esac
