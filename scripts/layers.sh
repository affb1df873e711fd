#!/usr/bin/env bash
# The layers' include rules (docs/architecture.md, "Layers and who includes
# what"): data flows face -> core -> store, and each layer includes only
# what is below it.
#
#   scripts/layers.sh              check src/ (make checksrc runs it)
#   scripts/layers.sh DIR          check DIR laid out as src/ is
#   scripts/layers.sh --selftest   plant one violation of each rule in a
#                                  scratch tree and expect each one reported
#
# Every directory of src/ other than base, core, store and http is a face
# (im, live, app, and whatever room is added beside them).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

# deny LABEL FILES... -- PATTERN [ALLOWED]: report every #include "..." of FILES
# whose path matches PATTERN (an ERE anchored at the path's start), except
# the path ALLOWED (a fixed string).
deny() {
  local label=$1; shift
  local files=()
  while [ "$1" != "--" ]; do files+=("$1"); shift; done
  local pattern=$2 allowed=${3:-}
  [ ${#files[@]} -gt 0 ] || return 0
  local hits
  hits=$(grep -nE "^[[:space:]]*#[[:space:]]*include[[:space:]]*\"($pattern)" "${files[@]}" /dev/null || true)
  [ -z "$allowed" ] || hits=$(printf '%s\n' "$hits" | grep -vF "\"$allowed\"" || true)
  [ -n "$hits" ] || return 0
  printf '%s\n' "$hits" | sed "s|^|layers: $label: |" >&2
  return 1
}

# Sources (.c .h .def .inc) below a directory, if it exists.
sources() { [ -d "$1" ] && find "$1" -type f \( -name '*.c' -o -name '*.h' -o -name '*.def' -o -name '*.inc' \) | sort; }

check() {
  local src=$1 status=0 d
  local faces=() base core store http main=()
  for d in "$src"/*/; do
    d=$(basename "$d")
    case $d in base | core | store | http) ;; *) faces+=("$d") ;; esac
  done
  mapfile -t base < <(sources "$src/base")
  mapfile -t core < <(sources "$src/core")
  mapfile -t store < <(sources "$src/store")
  mapfile -t http < <(sources "$src/http")
  [ -f "$src/main.c" ] && main=("$src/main.c")
  local face_files=() f
  for f in "${faces[@]}"; do
    mapfile -t -O "${#face_files[@]}" face_files < <(sources "$src/$f")
  done
  local face_alt
  face_alt=$(IFS='|'; echo "${faces[*]:-none}")

  # Nothing reaches around the rules with a relative path.
  deny "no relative parent includes" "${base[@]}" "${core[@]}" "${store[@]}" "${http[@]}" "${face_files[@]}" \
    "${main[@]}" -- '\.\./' || status=1
  # store.h is private to the core: faces, the HTTP layer and main.c see only core headers.
  deny "a face includes the store (use a core header)" "${face_files[@]}" -- 'store/' || status=1
  local core_headers=()
  mapfile -t core_headers < <(printf '%s\n' "${core[@]}" | grep -E '\.h$' || true)
  deny "a core header includes the store (faces include core headers)" "${core_headers[@]}" -- 'store/' || status=1
  deny "the HTTP layer includes the store (use core/ctx.h)" "${http[@]}" -- 'store/' || status=1
  deny "main.c includes the store (use a core function)" "${main[@]}" -- 'store/' || status=1
  # The store is persistence only: of the core it sees the plain data, never a rule.
  deny "the store includes a core header other than core/types.h" "${store[@]}" -- 'core/' core/types.h || status=1
  # Nothing below the faces includes a face; the core and the store know nothing of HTTP.
  deny "a layer below the faces includes a face" "${base[@]}" "${core[@]}" "${store[@]}" "${http[@]}" -- \
    "($face_alt)/" || status=1
  deny "the core or the store includes the HTTP layer" "${core[@]}" "${store[@]}" -- 'http/' || status=1
  # base is the bottom: it includes only base.
  deny "base includes a layer above it" "${base[@]}" -- '(core|store|http)/' || status=1
  return $status
}

selftest() {
  local tmp
  tmp=$(mktemp -d /tmp/userd-layers.XXXXXX)
  trap 'rm -rf "$tmp"' RETURN
  mkdir -p "$tmp/src/base" "$tmp/src/core" "$tmp/src/store" "$tmp/src/http" "$tmp/src/im" "$tmp/src/app" "$tmp/src/ops"
  printf '#include "base/arena.h"\n' >"$tmp/src/base/ok.c"
  printf '#include "core/ctx.h"\n#include "store/store.h"\n' >"$tmp/src/core/ok.c"
  printf '#include "core/types.h"\n#include "store/db.h"\n' >"$tmp/src/store/ok.c"
  printf '#include "core/ctx.h"\n' >"$tmp/src/http/ok.c"
  printf '#include "core/accounts.h"\n#include "http/http.h"\n' >"$tmp/src/im/ok.c"
  printf '#include "core/ctx.h"\n#include "im/im.h"\n' >"$tmp/src/main.c"
  if ! check "$tmp/src" 2>"$tmp/out"; then
    cat "$tmp/out" >&2
    echo "layers selftest: a clean tree was refused" >&2
    return 1
  fi
  # One violation per rule: file, line, and the rule that must report it.
  local cases=(
    'src/im/bad.c|#include "store/store.h"|a face includes the store'
    'src/ops/bad.c|#include "store/db.h"|a face includes the store'
    'src/core/bad.h|#include "store/store.h"|a core header includes the store'
    'src/http/bad.c|#include "store/store.h"|the HTTP layer includes the store'
    'src/main.c|#include "store/store.h"|main.c includes the store'
    'src/store/bad.c|#include "core/accounts.h"|the store includes a core header'
    'src/store/bad.h|#include "core/ctx.h"|the store includes a core header'
    'src/store/bad2.c|#include "core/xtypes.h"|the store includes a core header'
    'src/core/bad.c|#include "app/regions.h"|a layer below the faces includes a face'
    'src/store/bad3.c|#include "ops/metrics.h"|a layer below the faces includes a face'
    'src/http/bad2.c|#include "im/im.h"|a layer below the faces includes a face'
    'src/core/bad2.c|#include "http/http.h"|the core or the store includes the HTTP layer'
    'src/base/bad.c|#include "core/ctx.h"|base includes a layer above it'
    'src/im/bad2.c|#include "../store/store.h"|no relative parent includes'
  )
  local c file line rule failed=0
  for c in "${cases[@]}"; do
    IFS='|' read -r file line rule <<<"$c"
    rm -rf "$tmp/case" && cp -r "$tmp/src" "$tmp/case"
    printf '%s\n' "$line" >>"$tmp/case/${file#src/}"
    if check "$tmp/case" 2>"$tmp/out" || ! grep -qF "layers: $rule" "$tmp/out"; then
      echo "layers selftest: $file with '$line' was not reported as: $rule" >&2
      failed=1
    fi
  done
  [ $failed = 0 ] && echo "layers selftest: ${#cases[@]} planted violations reported, a clean tree passes"
  return $failed
}

case ${1:-} in
  --selftest) selftest ;;
  "") check "$here/../src" ;;
  *) check "$1" ;;
esac
