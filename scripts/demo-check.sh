#!/usr/bin/env bash
# Checks a running demo: decisions flow on the status page (accepts and each
# kind of refusal) and reach the hub. Exit 0 when they do.
set -euo pipefail
cd "$(dirname "$0")/.."
D=var/demo
status=$(curl -fsS http://127.0.0.1:8080/status.json)
page=$(curl -fsS 'http://127.0.0.1:8080/?lang=vi')
export=$(curl -fsS -H "Authorization: Bearer $(cat $D/hub/operator-token)" 'http://127.0.0.1:8090/v1/passes?format=jsonl')
# The hub console: log in as the demo's operator; the fleet lists the demo
# device, which has sent its health.
jar=$(mktemp); trap 'rm -f "$jar"' EXIT
csrf=$(curl -fsS -c "$jar" -b "$jar" http://127.0.0.1:8090/console/login | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -n 1)
fleet=$(curl -fsS -c "$jar" -b "$jar" -L --data-urlencode "csrf=$csrf" --data-urlencode user=admin --data-urlencode password=chot-demo http://127.0.0.1:8090/console/login)
devices=$(curl -fsS -H "Authorization: Bearer $(cat $D/hub/operator-token)" http://127.0.0.1:8090/v1/devices)
python3 - "$fleet" "$devices" <<'PY'
import json, re, sys
page, fleet = sys.argv[1], json.loads(sys.argv[2])["devices"]
rows = re.findall(r'data-device="([^"]+)" data-state="([^"]+)"', page)
demo = [d for d in fleet if d["id"] == "chot-demo-01"]
h = demo[0].get("health") if demo else None
print(f"   console: fleet rows {rows}")
if h:
    print(f"   console: chot-demo-01 {demo[0]['state']}, bundle {h['bundle']}, clock {h['clock']}, camera {h['camera']} {h['camera_fps']:.1f} fps, backlog {h['backlog']}")
if ("chot-demo-01", demo[0]["state"] if demo else "") not in rows or not h:
    print("   demo check FAILED: the console does not show chot-demo-01 with a health report")
    sys.exit(1)
PY
python3 - "$status" "$export" "$page" <<'PY'
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
# …with the rule's own description in the page's language (vi).
described = "Chỉ chấp nhận xét nghiệm PCR" in sys.argv[3]
print(f"   page: CertLogic rules refusing {certlogic}, TR-VN-0001's Vietnamese description shown: {described}")
ok = not missing and unread and hub and "TR-VN-0001" in certlogic and described
if not ok:
    print(f"   demo check FAILED: missing reasons {sorted(missing)}, unreadable {sorted(unread)}, hub passes {len(hub)}, CertLogic rules {certlogic}")
    sys.exit(1)
print("   demo check passed")
PY
