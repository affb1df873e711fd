#!/usr/bin/env bash
# libFuzzer runs (docs/robustness.md, "Fuzzing").
#   scripts/fuzz.sh run BINDIR TARGET...     each target for FUZZ_SECONDS (default 300), FUZZ_JOBS at a
#                                            time (default 1); a table of executions, exec/s, corpus and
#                                            edges at the end; exit 1 when a target crashed
#   scripts/fuzz.sh replay BINDIR TARGET...  every file of tests/fuzz/corpus/<target> and
#                                            tests/fuzz/crashers/<target> once: a regression run, no search
# A run starts from the committed corpus plus what earlier runs found (BINDIR/work/<target>, kept),
# writes its log to BINDIR/logs/<target>.log and any crashing input to BINDIR/crashes/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-}; bindir=${2:-}
shift 2 || { echo "usage: $0 run|replay BINDIR TARGET..." >&2; exit 2; }
targets=("$@")

# The targets' stores and files go to a directory of this run, removed at its end (even after a crash,
# which leaves its own behind); a memory file system when there is one.
TMPDIR=$(mktemp -d /dev/shm/userd-fuzz-run.XXXXXX 2>/dev/null || mktemp -d)
export TMPDIR
trap 'rm -rf "$TMPDIR"' EXIT

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# The largest input each target takes: whole requests are bigger than single fields.
max_len() { case $1 in request) echo 16384 ;; config) echo 8192 ;; *) echo 4096 ;; esac; }

replay() {
  local t=$1 files=() log
  mapfile -t files < <(find "tests/fuzz/corpus/$t" "tests/fuzz/crashers/$t" -type f 2>/dev/null | sort)
  if ((${#files[@]} == 0)); then echo "fuzz replay: $t: no inputs"; return 0; fi
  log=$(mktemp)
  local start=$SECONDS
  if printf '%s\0' "${files[@]}" | xargs -0 "$bindir/$t" -timeout=25 >"$log" 2>&1; then
    echo "fuzz replay: $t: ${#files[@]} inputs, no defect ($((SECONDS - start)) s)"
    rm -f "$log"
  else
    tail -n 60 "$log" >&2
    echo "fuzz replay: $t: FAILED (log above; full log $log)" >&2
    return 1
  fi
}

run_one() {
  local t=$1 work="$bindir/work/$t" crashes="$bindir/crashes/$t" dict=()
  mkdir -p "$work" "$crashes" "$bindir/logs"
  [ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
  local seeds=()
  [ -d "tests/fuzz/corpus/$t" ] && seeds=("tests/fuzz/corpus/$t")
  # -timeout: one input over 25 s is a hang; -rss_limit_mb: ASan's quarantine alone holds 256 MB.
  "$bindir/$t" "$work" "${seeds[@]}" "${dict[@]}" -max_total_time="$FUZZ_SECONDS" -max_len="$(max_len "$t")" \
    -timeout=25 -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$crashes/" \
    >"$bindir/logs/$t.log" 2>&1 || true
}

summary() {
  local t=$1 log="$bindir/logs/$t.log" status=0
  local runs eps cov ft corp files bytes crashes
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  # The last status line: "#N  DONE  cov: E ft: F corp: U/SIZE ... exec/s: X".
  cov=$(grep -E '^#[0-9]+' "$log" | grep -o 'cov: [0-9]*' | tail -1 | cut -d' ' -f2)
  ft=$(grep -E '^#[0-9]+' "$log" | grep -o 'ft: [0-9]*' | tail -1 | cut -d' ' -f2)
  corp=$(grep -E '^#[0-9]+' "$log" | grep -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' | tail -1 | cut -d' ' -f2)
  files=$(find "$bindir/work/$t" -type f | wc -l)
  bytes=$(du -sk "$bindir/work/$t" | cut -f1)
  crashes=$(find "$bindir/crashes/$t" -type f | wc -l)
  grep -qE 'ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer)|runtime error:|fuzz: invariant' "$log" && status=1
  ((crashes)) && status=1
  printf '%-14s %12s %8s %8s %10s %12s %8s  %s\n' "$t" "${runs:-?}" "${eps:-?}" "${cov:-?}" "${ft:-?}" \
    "${corp:-?}" "$files/${bytes}K" "$( ((status)) && echo "DEFECT: $log" || echo ok)"
  return $status
}

case $mode in
  replay)
    rc=0
    for t in "${targets[@]}"; do replay "$t" || rc=1; done
    exit $rc ;;
  run)
    : "${FUZZ_SECONDS:=300}" "${FUZZ_JOBS:=1}"
    echo "fuzz: ${targets[*]}: ${FUZZ_SECONDS} s each, ${FUZZ_JOBS} at a time (logs in $bindir/logs/)"
    for t in "${targets[@]}"; do
      while (($(jobs -rp | wc -l) >= FUZZ_JOBS)); do wait -n || true; done
      echo "fuzz: $t started"
      run_one "$t" &
    done
    wait
    rc=0
    printf '\n%-14s %12s %8s %8s %10s %12s %8s  %s\n' target executions exec/s edges features corpus on-disk result
    for t in "${targets[@]}"; do summary "$t" || rc=1; done
    exit $rc ;;
  *) echo "usage: $0 run|replay BINDIR TARGET..." >&2; exit 2 ;;
esac
