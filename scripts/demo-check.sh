#!/usr/bin/env bash
# Checks a running demo: decisions flow on the status page (accepts and each
# kind of refusal) and reach the hub. Exit 0 when they do.
set -euo pipefail
cd "$(dirname "$0")/.."
D=var/demo
status=$(curl -fsS http://127.0.0.1:8080/status.json)
export=$(curl -fsS -H "Authorization: Bearer $(cat $D/hub/operator-token)" 'http://127.0.0.1:8090/v1/passes?format=jsonl')
python3 - "$status" "$export" <<'PY'
import json, sys
st = json.loads(sys.argv[1])
snap = st.get("snapshot", st)
c = snap["counters"]
reasons = c.get("by_reason", {})
hub = [json.loads(l) for l in sys.argv[2].splitlines() if l.strip()]
print(f"   page: accepted {c['accepted']}, rejected {c['rejected']}, reasons {json.dumps(reasons, sort_keys=True)}")
print(f"   hub:  {len(hub)} passes, reasons {sorted(set(p['reason'] for p in hub))}")
want = {"ok", "expired", "revoked", "bad_signature", "policy"}
missing = want - set(reasons)
unread = {r for r in reasons if r in ("bad_base45", "bad_prefix", "bad_compression")}
# A CertLogic refusal names its EU rule on the page (configs/rules/vn-entry.json).
certlogic = sorted({e.get("rule", "") for e in snap.get("recent", []) if e.get("rule", "").startswith("TR-VN-")})
print(f"   page: CertLogic rules refusing {certlogic}")
ok = not missing and unread and hub and "TR-VN-0001" in certlogic
if not ok:
    print(f"   demo check FAILED: missing reasons {sorted(missing)}, unreadable {sorted(unread)}, hub passes {len(hub)}, CertLogic rules {certlogic}")
    sys.exit(1)
print("   demo check passed")
PY
