# Sourced by bench/dashboard_vs_htop.sh and scripts/link-order.sh: starts one
# mcptop-demo-server from BIN-DIR and writes WORK/config.json with 100 servers on it (the
# query makes each URL its own server; odd ones pinned to 2025-11-25, the others negotiate
# 2026-07-28). Sets `server` to the demo server's PID; the caller kills it.
#   start_demo_fleet BIN-DIR WORK
start_demo_fleet() {
    local bin="$1" work="$2"
    "$bin/mcptop-demo-server" >"$work/server.out" 2>&1 &
    server=$!
    for _ in $(seq 1 100); do grep -q '^listening ' "$work/server.out" && break; sleep 0.05; done
    local url
    url="$(sed -n 's/^listening //p' "$work/server.out")"
    python3 - "$url" >"$work/config.json" <<'PY'
import json, sys
url = sys.argv[1]
servers = {f"s{i:03d}": {"url": f"{url}?n={i}", **({"protocolVersion": "2025-11-25"} if i % 2 else {})} for i in range(100)}
print(json.dumps({"mcpServers": servers}))
PY
}
