#!/usr/bin/env bash
# The README's demo: a real chotd on replayed camera frames, fake GPIO, a real
# bbolt file, a real chot-hub on loopback, and the status page.
#
# It mints a trust root, a Vietnamese DCC signer and an SHC issuer; issues
# valid, expired, revoked, forged, wrong-policy (chot's rules and CertLogic) and
# unreadable credentials;
# signs a trust bundle; turns the codes into camera frames; starts chot-hub
# and chotd; and prints the page's URL. Ctrl-C stops everything.
#
# Usage: scripts/demo.sh [--check SECONDS]   (--check: run that long, verify
# that decisions reached the page and the hub, and exit; used by the tests)
set -euo pipefail
cd "$(dirname "$0")/.."
check=""
if [ "${1:-}" = "--check" ]; then check=${2:-40}; fi

scripts/deps.sh build
echo "== building"
go build -trimpath -o bin/ ./cmd/...
chot=bin/chot
D=var/demo
rm -rf "$D"
mkdir -p "$D"/{keys,codes,frames,hub/bundles,device}

ago() { date -u -d "$1 ago" +%Y-%m-%dT%H:%M:%SZ; }
day() { date -u -d "$1 ago" +%Y-%m-%d; }

echo "== keys: trust root, DCC signer (VN), SHC issuer, a forger"
$chot trust keygen --out "$D/keys/root.key" >/dev/null
dcc=(--key "$D/keys/dsc-vn.key" --cert "$D/keys/dsc-vn.pem" --country VN)
shc_iss=https://demo.chot.invalid/issuer

echo "== credentials"
# 1. valid: a full vaccination series, last dose 60 days ago
$chot issue dcc "${dcc[@]}" --gen-key --type vaccination --dose 2/2 --date "$(day '60 days')" \
  --name "Nguyễn Văn An" --uci URN:UVCI:01:VN:DEMO0001 --png "$D/codes/01-valid-dcc.png" >/dev/null
# 2. valid SMART Health Card (two doses)
$chot issue shc --gen-key --key "$D/keys/shc.key" --iss "$shc_iss" --jwks "$D/keys/jwks.json" \
  --vaccine "207:$(day '120 days')" --vaccine "207:$(day '90 days')" --name "Trần Thị Bình" \
  --format qr --out "$D/codes/02-valid-shc.txt" >/dev/null
$chot issue qr --png "$D/codes/02-valid-shc.png" <"$D/codes/02-valid-shc.txt"
# 3. expired: issued 400 days ago, expired 10 days ago
$chot issue dcc "${dcc[@]}" --type vaccination --dose 2/2 --date "$(day '410 days')" \
  --iat "$(ago '400 days')" --exp "$(ago '10 days')" --uci URN:UVCI:01:VN:DEMO0003 --png "$D/codes/03-expired.png" >/dev/null
# 4. revoked: its UCI is on the bundle's revocation list
revoked_uci=URN:UVCI:01:VN:DEMO0004
$chot issue dcc "${dcc[@]}" --type vaccination --dose 2/2 --date "$(day '30 days')" \
  --uci "$revoked_uci" --png "$D/codes/04-revoked.png" >/dev/null
{ echo "# kind: UCI"; printf '%s' "$revoked_uci" | sha256sum | cut -c1-32; } >"$D/keys/revoked.txt"
# 5. forged: signed by another key under the real signer's kid
$chot issue dcc --key "$D/keys/forger.key" --cert "$D/keys/forger.pem" --forge-kid "$D/keys/dsc-vn.pem" --country VN --gen-key \
  --type vaccination --dose 2/2 --date "$(day '30 days')" --png "$D/codes/05-forged.png" >/dev/null
# 6. wrong policy: one dose of two (travel mode wants the full series)
$chot issue dcc "${dcc[@]}" --type vaccination --dose 1/2 --date "$(day '30 days')" \
  --png "$D/codes/06-incomplete-series.png" >/dev/null
# 7. wrong policy: an antigen test sampled 5 days ago (travel: 72 hours)
$chot issue dcc "${dcc[@]}" --type test --test-kind rat --date "$(ago '5 days')" \
  --png "$D/codes/07-old-test.png" >/dev/null
# 8. unreadable: a code that is not a credential, and a truncated DCC
$chot issue qr --text "https://example.invalid/not-a-health-pass" --png "$D/codes/08-not-a-pass.png"
$chot issue qr --text "HC1:6BFOXN*TS0BI\$ZD.P9UOL97O4-2HH77HRM3DSPTLRR+%3.ABD" --png "$D/codes/09-truncated.png"
# 10. CertLogic refusal: an antigen test 12 hours old passes chot's travel rules,
# but Viet Nam's entry rule TR-VN-0001 (configs/rules/vn-entry.json) takes PCR only
$chot issue dcc "${dcc[@]}" --type test --test-kind rat --date "$(ago '12 hours')" \
  --png "$D/codes/10-antigen-certlogic.png" >/dev/null
$chot rules check configs/rules/*.json | sed 's/^/   /'

echo "== trust bundle v1 (signer certificate, SHC issuer, revocations, policy)"
$chot trust build --version 1 --key "$D/keys/root.key" --cert "$D/keys/dsc-vn.pem" \
  --jwks "$shc_iss=$D/keys/jwks.json" --revocations "$D/keys/revoked.txt" \
  --policy configs/policy.yaml --rules vn-entry=configs/rules/vn-entry.json --rules venue-2g=configs/rules/venue-2g.json --valid 720h --stale 168h --out "$D/bundle-v1.cose" >/dev/null
$chot trust inspect --root "$D/keys/root.pub" "$D/bundle-v1.cose" | sed 's/^/   /'

echo "== camera frames"
# A 720p camera; the SMART Health Card is shown at 1080p because chot issue qr
# writes it in byte mode (a spec QR puts the digits in a numeric segment,
# about half the size).
$chot frames --out "$D/frames" "$D/codes/01-valid-dcc.png" | sed 's/^/   /'
$chot frames --out "$D/frames" --first 10 --width 1920 --height 1080 "$D/codes/02-valid-shc.png" | sed 's/^/   /'
$chot frames --out "$D/frames" --first 19 "$D"/codes/0[3-9]-*.png "$D"/codes/1[0-9]-*.png | sed 's/^/   /'

# The page and the hub have fixed ports: a demo already running (another
# checkout, another user) would answer for this one.
for port in 8080 8090; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "demo: 127.0.0.1:$port is in use (another demo running?): stop it first" >&2
    exit 1
  fi
done
echo "== chot-hub on 127.0.0.1:8090"
head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$D/hub/operator-token"
bin/chot-hub token create --config configs/demo-hub.yaml | tail -n 1 >"$D/hub/enroll-token"
bin/chot-hub bundle publish --config configs/demo-hub.yaml "$D/bundle-v1.cose" >/dev/null
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM
bin/chot-hub serve --config configs/demo-hub.yaml >"$D/hub.log" 2>&1 &
pids+=($!)

echo "== chotd (log: $D/chotd.log)"
bin/chotd --config configs/demo.yaml >"$D/chotd.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
  curl -fsS http://127.0.0.1:8080/status.json >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS http://127.0.0.1:8080/status.json >/dev/null || { echo "chotd did not come up:"; tail -n 30 "$D/chotd.log"; exit 1; }

cat <<EOF

  chot demo is running.
  Status page:   http://127.0.0.1:8080/      (admin password: chot-demo)
  Status JSON:   http://127.0.0.1:8080/status.json
  Hub export:    curl -H "Authorization: Bearer \$(cat $D/hub/operator-token)" 'http://127.0.0.1:8090/v1/passes?format=csv'
  Hub console:   http://127.0.0.1:8090/console/   (user admin, password chot-demo; viewer: read-only)
  Logs:          $D/chotd.log  $D/hub.log
  Frames:        $D/frames ($(ls "$D/frames" | wc -l) pictures, looped)

EOF
if [ -n "$check" ]; then
  sleep "$check"
  scripts/demo-check.sh
  exit $?
fi
echo "  Ctrl-C stops the demo."
wait
