#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL cluster (scripts/pg.sh) up, its
# admin URL in USERD_TEST_PG_ADMIN_URL, and always stops and deletes the
# cluster afterwards, whatever the command's outcome.
#   scripts/pg_test.sh COMMAND [ARGS...]
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 COMMAND [ARGS...]" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/userd-pg.XXXXXX)
cleanup() { "$here/pg.sh" stop "$dir" || true; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
url=$("$here/pg.sh" start "$dir")
echo "pg_test: PostgreSQL at $url ($dir)" >&2
USERD_TEST_PG_ADMIN_URL=$url "$@"
