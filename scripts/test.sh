#!/usr/bin/env bash
# The README's test command: installs what the tests need, starts a throwaway
# PostgreSQL on loopback, checks formatting, vet and staticcheck, and runs
# every test. Extra arguments go to go test (e.g. -run, -count).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
if [ -z "${CHOT_TEST_POSTGRES:-}" ]; then
  CHOT_TEST_POSTGRES=$(scripts/pgtest.sh start)
fi
export CHOT_TEST_POSTGRES
echo "== gofmt"
bad=$(gofmt -l $(git ls-files '*.go') 2>/dev/null || true)
[ -z "$bad" ] || { echo "not gofmt-clean:"; echo "$bad"; exit 1; }
echo "== go vet"
go vet ./...
echo "== staticcheck"
go tool staticcheck ./...
echo "== go test"
go test -race -timeout 20m "$@" ./...
echo "== power loss: kill -9 the store's writer 200 times (race builds run fewer)"
CHOT_KILL_LOOPS=${CHOT_KILL_LOOPS:-200} go test -count=1 -run '^TestKillNine$' -v ./store/ | grep -E 'kills|^(ok|FAIL|---)'

