#!/usr/bin/env bash
# Runs every fuzz target of the module for a while each, and says which found
# nothing. Usage: scripts/fuzz.sh [DURATION] (default 30s; a nightly run uses
# FUZZTIME=10m through `make fuzz`). Set FUZZ_PKGS to a list of packages to
# fuzz only those. The seed corpora (from ../shared/testdata and each
# target's own seeds) already run in `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
t=${1:-30s}
pkgs=${FUZZ_PKGS:-$(go list ./...)}
ran=0 failed=()
for pkg in $pkgs; do
  for f in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true); do
    echo "== $pkg $f ($t)"
    ran=$((ran + 1))
    if ! go test -run '^$' -fuzz "^$f\$" -fuzztime "$t" "$pkg"; then
      failed+=("$pkg $f")
    fi
  done
done
echo "== $ran fuzz targets, ${#failed[@]} failed"
for f in "${failed[@]}"; do echo "FAIL $f"; done
[ ${#failed[@]} -eq 0 ]
