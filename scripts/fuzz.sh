#!/usr/bin/env bash
# Runs every fuzz target of the module for a while each, and says which found
# nothing. Usage: scripts/fuzz.sh [DURATION] (default 30s; a nightly run uses
# FUZZTIME=10m through `make fuzz`). Set FUZZ_PKGS to a list of packages to
# fuzz only those. The seed corpora (from ../shared/testdata and each
# target's own seeds) already run in `make test`.
#
# A target fails when the fuzzer wrote a failing input (testdata/fuzz/<T>/).
# A run that ends in "context deadline exceeded" at the fuzz time with no
# input written is Go's coordinator race (golang/go#75804, fixed in Go 1.27,
# not in 1.26): it is reported as such, not as a find.
set -euo pipefail
cd "$(dirname "$0")/.."
t=${1:-30s}
pkgs=${FUZZ_PKGS:-$(go list ./...)}
# go test's own -timeout (default 10m) must outlast the fuzz time.
secs() {
  local d=$1
  case "$d" in
    *h) echo $(( ${d%h} * 3600 )) ;;
    *m) echo $(( ${d%m} * 60 )) ;;
    *s) echo "${d%s}" ;;
    *x) echo 3600 ;; # a count, not a time: give it an hour
    *) echo "$d" ;;
  esac
}
timeout=$(( $(secs "$t") + 600 ))s
inputs() { if [ -d "$1" ]; then find "$1" -type f | wc -l; else echo 0; fi; }
ran=0 failed=() raced=()
for pkg in $pkgs; do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for f in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true); do
    echo "== $pkg $f ($t)"
    ran=$((ran + 1))
    corpus="$dir/testdata/fuzz/$f"
    before=$(inputs "$corpus")
    log=$(mktemp)
    if go test -run '^$' -fuzz "^$f\$" -fuzztime "$t" -timeout "$timeout" "$pkg" 2>&1 | tee "$log"; then
      :
    elif [ "$(inputs "$corpus")" -eq "$before" ] && tail -n 5 "$log" | grep -q 'context deadline exceeded'; then
      raced+=("$pkg $f")
    else
      failed+=("$pkg $f")
    fi
    rm -f "$log"
  done
done
echo "== $ran fuzz targets, ${#failed[@]} failed, ${#raced[@]} stopped by the coordinator race (no input written)"
for f in "${failed[@]}"; do echo "FAIL $f"; done
for f in "${raced[@]}"; do echo "RACE $f (golang/go#75804)"; done
[ ${#failed[@]} -eq 0 ]
