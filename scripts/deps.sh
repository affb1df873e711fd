#!/usr/bin/env bash
# Install what userd needs from Debian's packages, only when something is missing.
#   scripts/deps.sh build   - compiler and libraries for `make`
#   scripts/deps.sh test    - + cmocka, Node.js/npm and the npm packages of the black-box tests
#   scripts/deps.sh pg      - + a PostgreSQL server (and PgBouncer) for the PostgreSQL test run
#   scripts/deps.sh bench   - + wrk, nginx and a PostgreSQL server (make bench's (2pg), (5pg))
#   scripts/deps.sh fuzz    - + clang, its libFuzzer/sanitizer runtime and llvm-symbolizer (make fuzz, the replay)
#   scripts/deps.sh browser - + Debian's Chromium, which the browser tests drive headless (playwright-core)
#   scripts/deps.sh ops     - + Prometheus (server and promtool), systemd-analyze and man, for the operations tests
#   scripts/deps.sh soak    - + Node.js and gnuplot (make soak draws its chart with it)
set -euo pipefail
cd "$(dirname "$0")/.."

need=(gcc make pkg-config python3 libmicrohttpd-dev libjansson-dev libsqlite3-dev libsodium-dev libssl-dev libpq-dev libgd-dev libcurl4-openssl-dev zlib1g-dev)
case "${1:-build}" in
  build) ;;
  test)  need+=(libcmocka-dev nodejs npm sqlite3) ;;
  pg)    need+=(postgresql pgbouncer) ;;
  bench) need+=(wrk nginx-light nodejs postgresql) ;;   # postgresql brings psql (postgresql-client)
  fuzz)  need+=(clang libclang-rt-14-dev llvm) ;;   # llvm: llvm-symbolizer for readable reports
  browser) need+=(chromium fonts-dejavu-core) ;;
  ops)   need+=(prometheus systemd man-db) ;;
  soak)  need+=(nodejs gnuplot-nox) ;;
  *) echo "usage: $0 build|test|pg|bench|fuzz|browser|ops|soak" >&2; exit 2 ;;
esac

missing=()
for p in "${need[@]}"; do
  # nodejs may come from another repository that ships npm inside it.
  if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then continue; fi
  if [ "$p" = nodejs ] && command -v node >/dev/null 2>&1; then continue; fi
  if [ "$p" = postgresql ] && { command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; }; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}" >&2
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  # One apt at a time: make runs groups side by side (make test: deps-browser and deps-ops), and a
  # second apt-get fails at once on apt's lock instead of waiting for it.
  exec 9>"${TMPDIR:-/tmp}/userd-deps.lock"
  flock 9
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# npm ci again whenever package-lock.json is newer than what was installed from it.
if [ "${1:-}" = test ] && [ ! tests/node_modules/.package-lock.json -nt tests/package-lock.json ]; then
  (cd tests && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
