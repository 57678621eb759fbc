#!/usr/bin/env bash
# Runs every fuzz target in the module, one after another, for FUZZTIME each
# (default 1m). Not part of `make test`: fuzzing is open-ended, and CI runs
# the seed corpora (f.Add and testdata/fuzz) as ordinary tests anyway.
#
#   FUZZTIME=10m hack/fuzz.sh              every target for 10 minutes
#   hack/fuzz.sh ./internal/render         only the targets of one package
#
# A summary line per target (executions, new corpus entries, result) goes to
# stdout and to $FUZZ_LOG_DIR/summary.txt; each target's full output to
# $FUZZ_LOG_DIR/<package>.<target>.log. A failing input is written by Go to
# the package's testdata/fuzz/<target>/ and the script exits non-zero at the
# end, after running the other targets.
set -euo pipefail
cd "$(dirname "$0")/.."

fuzztime="${FUZZTIME:-1m}"
parallel="${FUZZ_PARALLEL:-}"
log_dir="${FUZZ_LOG_DIR:-${CACHE_DIR:-$PWD/.cache}/fuzz}"
mkdir -p "$log_dir"
: >"$log_dir/summary.txt"

packages=("$@")
if [ ${#packages[@]} -eq 0 ]; then
  mapfile -t packages < <(go list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}{{end}}' ./... | sed '/^$/d')
fi

failed=0
for pkg in "${packages[@]}"; do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  mapfile -t targets < <(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u)
  for target in "${targets[@]}"; do
    log="$log_dir/$(basename "$dir").$target.log"
    args=(-run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime")
    if [ -n "$parallel" ]; then
      args+=(-parallel "$parallel")
    fi
    result=PASS
    if ! go test "${args[@]}" "$pkg" >"$log" 2>&1; then
      result=FAIL
      failed=1
    fi
    # The last progress line holds the totals: elapsed, execs, new interesting.
    last=$(grep -E '^fuzz: elapsed' "$log" | tail -1 || true)
    line="$result $pkg $target (FUZZTIME=$fuzztime): ${last#fuzz: }"
    echo "$line" | tee -a "$log_dir/summary.txt"
  done
done
exit "$failed"
