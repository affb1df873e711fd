#!/usr/bin/env bash
# Regenerates the fuzz targets' seed corpora (tests/fuzz/corpus/<target>/) and dictionaries
# (tests/fuzz/<target>.dict); docs/robustness.md, "Fuzzing".
#
#   scripts/fuzz_corpus.sh            run the black-box suites with request capture
#                                     (USERD_TEST_CAPTURE), turn every request and server start into
#                                     inputs of the targets (tests/fuzz/corpus.mjs), add one request
#                                     per route, and keep the smallest set that covers the same code
#                                     (libFuzzer -merge=1) in place of the committed corpora
#   FUZZ_CORPUS_SUITES="bb/x.test.mjs"   only these suites (default: bb/)
#   FUZZ_CORPUS_WORK=1                also fold in what `make fuzz` found (build/fuzz/work/<target>)
#   FUZZ_CORPUS_CAPTURE=DIR           keep the captured requests in DIR; when DIR already holds some,
#                                     use them instead of running the suites again
# Then review and commit tests/fuzz/corpus and tests/fuzz/*.dict.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
targets=(request qiniu_auth json_fields config small_parsers)

make -s deps-test fuzz-build "$BUILD/asan/userd"
raw=$(mktemp -d)
if [ -n "${FUZZ_CORPUS_CAPTURE:-}" ]; then
  cap=$(realpath -m "$FUZZ_CORPUS_CAPTURE")
  trap 'rm -rf "$raw"' EXIT
else
  cap=$(mktemp -d)
  trap 'rm -rf "$cap" "$raw"' EXIT
fi

if [ -n "$(ls -A "$cap" 2>/dev/null)" ]; then
  echo "fuzz corpus: using the requests captured in $cap"
else
  echo "fuzz corpus: running ${FUZZ_CORPUS_SUITES:-bb/} with request capture"
  (cd tests && USERD_TEST_CAPTURE="$cap" USERD_BIN="$PWD/../$BUILD/asan/userd" \
    node --test --test-concurrency=2 ${FUZZ_CORPUS_SUITES:-bb/} >/dev/null) ||
    echo "fuzz corpus: some tests failed; the requests they sent are seeds all the same" >&2
fi

node tests/fuzz/corpus.mjs dicts
node tests/fuzz/corpus.mjs seeds "$cap" "$raw"

for t in "${targets[@]}"; do
  out=$(mktemp -d)
  inputs=("$raw/$t")
  [ -d "tests/fuzz/corpus/$t" ] && inputs+=("tests/fuzz/corpus/$t")
  [ "${FUZZ_CORPUS_WORK:-0}" = 1 ] && [ -d "$BUILD/fuzz/work/$t" ] && inputs+=("$BUILD/fuzz/work/$t")
  mkdir -p "$raw/$t"
  "$BUILD/fuzz/$t" -merge=1 -max_len=16384 -timeout=25 "$out" "${inputs[@]}" >"$raw/$t.merge.log" 2>&1 || {
    tail -n 40 "$raw/$t.merge.log" >&2
    echo "fuzz corpus: $t: the merge failed (a seed crashes the target?)" >&2
    exit 1
  }
  rm -rf "tests/fuzz/corpus/$t"
  mkdir -p tests/fuzz/corpus
  mv "$out" "tests/fuzz/corpus/$t"
  chmod 755 "tests/fuzz/corpus/$t"
  echo "fuzz corpus: $t: $(find "tests/fuzz/corpus/$t" -type f | wc -l) files, $(du -sk "tests/fuzz/corpus/$t" | cut -f1) KB"
done
