#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests, from Debian's `postgresql` package
# (scripts/deps.sh pg), in a directory of its own, listening on 127.0.0.1 at a
# free port (and a Unix socket in the same directory), trust authentication.
#
#   scripts/pg.sh start DIR   create the cluster in DIR (an empty or absent
#                             directory) and start it; prints its admin URL
#   scripts/pg.sh down DIR    stop it abruptly (as a crash would), keep its data
#   scripts/pg.sh up DIR      start it again on the same port; prints the URL
#   scripts/pg.sh url DIR     print the admin URL
#   scripts/pg.sh stop DIR    stop it and delete DIR
#
# PostgreSQL refuses to run as root: as root the cluster runs as the
# `postgres` user that the package creates, and DIR is given to it.
# Durability: fsync is off (the tests do not survive a power cut, and need
# not), synchronous_commit stays on, so a commit is in the server's WAL
# before it is acknowledged and survives a crash of the server (`down`).
# PG_SH_DURABLE=1 (make bench): fsync, full_page_writes and shared_buffers
# stay at PostgreSQL's defaults (on, on, 128MB), as on a real server, so that
# write figures are not flattered.
set -euo pipefail

usage() { echo "usage: $0 start|down|up|url|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
cmd=$1
dir=$(realpath -m "$2")

bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$d" ] || [ ! -x "$d/pg_ctl" ]; then
    echo "pg.sh: no PostgreSQL server found under /usr/lib/postgresql (run scripts/deps.sh pg)" >&2
    exit 1
  fi
  echo "$d"
}

# Runs a PostgreSQL program as the cluster's owner.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# A random port in 20000-59999 that nothing listens on (bash alone: no other tool needed).
free_port() {
  local port
  while :; do
    port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
}

url() { echo "postgresql://postgres@127.0.0.1:$(cat "$dir/port")/postgres"; }

# The server outlives this script: it must not keep the caller's other
# descriptors open, such as a lock of flock(1) (`flock LOCK make bench` would
# hold LOCK for as long as a forgotten cluster runs).
start_server() {
  local bin=$1
  (
    for fd in /proc/self/fd/*; do
      fd=${fd##*/}
      [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-" 2>/dev/null
    done
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $(cat "$dir/port")" start >/dev/null
  )
}

case "$cmd" in
  start)
    bin=$(bindir)
    mkdir -p "$dir"
    if [ -n "$(ls -A "$dir")" ]; then echo "pg.sh: $dir is not empty" >&2; exit 1; fi
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    chmod 700 "$dir"
    if ! as_owner test -w "$dir"; then
      echo "pg.sh: the postgres user cannot reach $dir (choose a directory under /tmp)" >&2
      exit 1
    fi
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale \
      --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner tee -a "$dir/data/postgresql.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
max_connections = 300
synchronous_commit = on
log_min_messages = warning
log_line_prefix = '%m [%p] %a '
EOF
    if [ "${PG_SH_DURABLE:-0}" != 1 ]; then
      printf 'fsync = off\nfull_page_writes = off\nshared_buffers = 64MB\n' | as_owner tee -a "$dir/data/postgresql.conf" >/dev/null
    fi
    # A free port can be taken between the look and the start: try a few.
    for try in 1 2 3 4 5; do
      free_port | as_owner tee "$dir/port" >/dev/null
      if start_server "$bin" 2>>"$dir/start.err"; then url; exit 0; fi
      sleep 0.2
    done
    echo "pg.sh: the server did not start:" >&2
    tail -n 20 "$dir/server.log" >&2 || true
    exit 1
    ;;
  down)
    as_owner "$(bindir)/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null
    ;;
  up)
    start_server "$(bindir)" || { tail -n 20 "$dir/server.log" >&2; exit 1; }
    url
    ;;
  url)
    url
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$(bindir)/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
        as_owner "$(bindir)/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    # Delete only what `start` made.
    if [ -f "$dir/port" ] && { [ -f "$dir/data/PG_VERSION" ] || [ ! -e "$dir/data" ]; }; then
      rm -rf "$dir"
    fi
    ;;
  *) usage ;;
esac
