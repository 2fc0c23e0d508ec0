#!/usr/bin/env bash
# A team's fleet on one machine: three hosts, each running `mcptop watch --metrics` against
# servers with 4-second tokens; a real Prometheus (Debian's) scrapes the three with the shipped
# rules (contrib/prometheus/mcptop.rules.yml) and a real Alertmanager receives the alerts.
#
#   MCPTOP=/path/to/mcptop integration/fleet/fleet.sh
#
# Hosts are network namespaces joined to this one by veth pairs (10.199.N.0/24); the shared
# issuer "team" listens on loopback here and is forwarded into each namespace at the same
# 127.0.0.1 address (OAuth over plain http is allowed on loopback only). Where namespaces are
# not permitted (no root, a container without CAP_NET_ADMIN) the three hosts run on loopback
# ports instead, and the script says so (FLEET_MODE=loopback asks for that).
#
# Faults: host 1's own server "notes" refuses refreshes (invalid_grant), and the shared issuer
# "team" answers every refresh 503 temporarily_unavailable on all three hosts. Checked through
# the Prometheus and Alertmanager HTTP APIs: MCPServerNeedsLogin (server=notes, host 1 only),
# MCPRefreshesFailing (reason=temporarily_unavailable) and MCPIssuerFailingOnManyHosts
# (issuer=127.0.0.1:PORT) fire with those labels and clear after recovery (the issuer works
# again; host 1 logs in again with `mcptop auth notes` and its watch is restarted).
#
# Also: a client calls a tool through `mcptop proxy` on host 2, counted there by client and
# bridge (mcptop_bridged_calls_total); every query of contrib/grafana/mcptop.json evaluates;
# no stored token appears in a scrape or in watch's output.
#
# The rules are used as shipped except in a test copy: `for:` durations and range windows
# shortened (minutes to seconds), so the whole run takes about two minutes (bounded: 4).
#
# Prints `ok - …` / `not ok - …` per check and `N passed, M failed`; exits 1 if any failed.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
: "${MCPTOP:?usage: MCPTOP=/path/to/mcptop $0}"
DEMO="$(dirname "$MCPTOP")/mcptop-demo-server"
[[ -x "$DEMO" ]] || { echo "fleet.sh: $DEMO not found (swift build builds it)" >&2; exit 1; }
for tool in prometheus prometheus-alertmanager curl python3; do
    command -v "$tool" >/dev/null || { echo "fleet.sh: $tool not installed (scripts/setup.sh)" >&2; exit 1; }
done
API="python3 $here/api.py"
export NO_PROXY='*' no_proxy='*'   # everything here is local
BROWSER_SCRIPT="$repo/integration/interop/browser.sh"
started=$SECONDS
budget=240

NAME=fleet.sh KEEP=FLEET_KEEP
. "$repo/integration/lib/checks.sh"
tag="$$"
namespaces=()
links=()
cleanup_more() {
    for link in "${links[@]}"; do ip link del "$link" 2>/dev/null; done
    for ns in "${namespaces[@]}"; do
        # Anything still running in the namespace goes with it.
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null; done
        ip netns del "$ns" 2>/dev/null
    done
}
# within SECONDS COMMAND...: retries every half second until it succeeds or time is up.
within() {
    local limit=$(($1 * 2))
    shift
    for _ in $(seq 1 "$limit"); do
        "$@" && return 0
        if ((SECONDS - started > budget)); then
            echo "fleet.sh: over the ${budget}s budget" >&2
            return 1
        fi
        sleep 0.5
    done
    "$@"
}
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# --- hosts: namespaces, or loopback ports where namespaces are not permitted
mode=netns
probe="mcfleet-probe-$tag"
if [[ "${FLEET_MODE:-}" == loopback ]]; then
    mode=loopback
    echo "fleet.sh: FLEET_MODE=loopback: running the three hosts on loopback ports" >&2
elif ! ip netns add "$probe" 2>"$work/netns.err"; then
    mode=loopback
    echo "fleet.sh: network namespaces are not permitted here ($(head -1 "$work/netns.err")):" \
        "running the three hosts on loopback ports instead" >&2
else
    ip netns del "$probe"
fi

# run HOST COMMAND...: a command on host N (inside its namespace, or here).
run() {
    local host="$1"
    shift
    if [[ $mode == netns ]]; then ip netns exec "mcfleet-$tag-$host" "$@"; else "$@"; fi
}
# spawn HOST COMMAND... &: the same in the background, replacing the subshell, so that $! is
# the command's own pid (signals reach it, not a shell).
spawn() {
    local host="$1"
    shift
    if [[ $mode == netns ]]; then exec ip netns exec "mcfleet-$tag-$host" "$@"; else exec "$@"; fi
}

# The shared issuer and MCP server "team", here on loopback.
"$DEMO" --oauth --token-lifetime 4 >"$work/team.out" 2>"$work/team.err" </dev/null &
team_pid=$!
pids+=("$team_pid")
wait_line "$work/team.out" '^listening ' "the team server"
team_url="$(sed -n 's/^listening //p' "$work/team.out")"
team_port="${team_url#http://127.0.0.1:}"
team_port="${team_port%%/*}"
issuer="127.0.0.1:$team_port"

forwards=()
for host in 1 2 3; do
    if [[ $mode == netns ]]; then
        ns="mcfleet-$tag-$host"
        link="mcf${host}x$((tag % 100000))"
        ip netns add "$ns" && namespaces+=("$ns")
        ip link add "$link" type veth peer name eth0 netns "$ns" && links+=("$link")
        ip addr add "10.199.$host.1/24" dev "$link"
        ip link set "$link" up
        ip netns exec "$ns" ip addr add "10.199.$host.2/24" dev eth0
        ip netns exec "$ns" ip link set eth0 up
        ip netns exec "$ns" ip link set lo up
        # The team issuer at the same loopback URL inside the host, through the veth pair.
        forwards+=("10.199.$host.1:$team_port=127.0.0.1:$team_port")
        ip netns exec "$ns" python3 "$here/forward.py" "127.0.0.1:$team_port=10.199.$host.1:$team_port" \
            >"$work/forward$host.out" 2>"$work/forward$host.err" </dev/null &
        pids+=("$!")
        wait_line "$work/forward$host.out" '^ready' "the forwarder of host $host"
        metrics_address="10.199.$host.2:9464"
    else
        metrics_address="127.0.0.1:$(free_port)"
    fi
    echo "$metrics_address" >"$work/host$host.metrics"
    # The host's own server "notes".
    spawn "$host" "$DEMO" --oauth --token-lifetime 4 >"$work/notes$host.out" 2>"$work/notes$host.err" </dev/null &
    pids+=("$!")
    echo "$!" >"$work/notes$host.pid"
    wait_line "$work/notes$host.out" '^listening ' "the notes server of host $host"
    mkdir -p "$work/host$host/run" && chmod 700 "$work/host$host/run"
    cat >"$work/host$host/config.json" <<EOF
{"mcpServers": {
  "team": {"url": "$team_url"},
  "notes": {"url": "$(sed -n 's/^listening //p' "$work/notes$host.out")"}
}}
EOF
done
if ((${#forwards[@]} > 0)); then
    python3 "$here/forward.py" "${forwards[@]}" >"$work/forward.out" 2>"$work/forward.err" </dev/null &
    pids+=("$!")
    wait_line "$work/forward.out" '^ready' "the forwarder to the team issuer"
fi

# on run|spawn HOST COMMAND...: in mcptop's environment of host N.
on() {
    local how="$1" host="$2"
    shift 2
    "$how" "$host" env MCPTOP_CONFIG="$work/host$host/config.json" MCPTOP_STATE_DIR="$work/host$host/state" \
        XDG_RUNTIME_DIR="$work/host$host/run" BROWSER="$BROWSER_SCRIPT" "$@"
}
login() {  # login HOST SERVER
    on run "$1" "$MCPTOP" auth "$2" >>"$work/host$1/auth.out" 2>&1
}
start_watch() {  # start_watch HOST
    on spawn "$1" "$MCPTOP" watch --json --health-interval 2 --metrics "$(cat "$work/host$1.metrics")" \
        >>"$work/host$1/watch.out" 2>>"$work/host$1/watch.err" </dev/null &
    pids+=("$!")
    echo "$!" >"$work/host$1/watch.pid"
}

login_both() { login "$1" team && login "$1" notes; }
for host in 1 2 3; do
    check "host $host logs in to team and notes" login_both "$host"
    start_watch "$host"
done

# --- Prometheus (the shipped rules, timings shortened in a test copy) and Alertmanager
prom_port="$(free_port)"
am_port="$(free_port)"
PROM="http://127.0.0.1:$prom_port"
AM="http://127.0.0.1:$am_port"
sed -e 's/for: 10m/for: 6s/; s/for: 5m/for: 4s/; s/for: 2m/for: 3s/' \
    -e 's/\[5m\]/[30s]/g; s/\[10m\]/[30s]/g; s/\[15m\]/[30s]/g' \
    "$repo/contrib/prometheus/mcptop.rules.yml" >"$work/mcptop.rules.yml"
targets="$(for host in 1 2 3; do printf '"%s",' "$(cat "$work/host$host.metrics")"; done)"
cat >"$work/prometheus.yml" <<EOF
global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: ["$work/mcptop.rules.yml"]
alerting:
  alertmanagers: [{static_configs: [{targets: ["127.0.0.1:$am_port"]}]}]
scrape_configs:
  - job_name: mcptop
    static_configs: [{targets: [${targets%,}]}]
EOF
cat >"$work/alertmanager.yml" <<EOF
route: {receiver: team, group_by: [alertname], group_wait: 1s, group_interval: 1s, repeat_interval: 1h}
receivers: [{name: team}]
EOF
check "promtool accepts the test copy of the rules" promtool check rules "$work/mcptop.rules.yml"
prometheus-alertmanager --config.file="$work/alertmanager.yml" --storage.path="$work/am" \
    --web.listen-address="127.0.0.1:$am_port" --cluster.listen-address= \
    >"$work/am.out" 2>"$work/am.err" </dev/null &
pids+=("$!")
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/prom" \
    --web.listen-address="127.0.0.1:$prom_port" --rules.alert.resend-delay=1s \
    >"$work/prom.out" 2>"$work/prom.err" </dev/null &
pids+=("$!")

up_hosts() {  # the three targets are up and every login shows its refresh token
    [[ "$($API value "$PROM" 'sum(up{job="mcptop"})' | awk '{print $NF}')" == 3 ]] &&
        [[ "$($API value "$PROM" 'sum(mcptop_refresh_token_present)' | awk '{print $NF}')" == 6 ]]
}
check "Prometheus scrapes the three hosts, each with two logins" within 45 up_hosts
same_issuer() {  # team's series carry one issuer label, its host and port, on every host
    local labels
    labels="$($API value "$PROM" "count by (issuer) (mcptop_refresh_token_present{server=\"team\"})")"
    echo "$labels"
    [[ "$labels" == *"\"issuer\": \"$issuer\""*" 3" && "$(echo "$labels" | wc -l)" == 1 ]]
}
check "the team login is labelled with its issuer ($issuer) on all three hosts" same_issuer
refreshing() {  # tokens of 4 s: refreshes and rotations on every host
    [[ "$($API value "$PROM" 'count(increase(mcptop_refresh_token_rotations_total[20s]) > 0)' |
        awk '{print $NF}')" == 6 ]]
}
check "every login refreshes and rotates its refresh token" within 30 refreshing
check "a client on host 2 calls echo on team through mcptop proxy" \
    on run 2 python3 "$repo/integration/fleet/stdio_call.py" --client fleet-check "$MCPTOP" proxy team
bridged() {  # host 2's watch counts it by client and bridge; no other host does
    $API value "$PROM" 'mcptop_bridged_calls_total{client="fleet-check",via="proxy",server="team"}' |
        tee /dev/stderr | grep -q "\"instance\": \"$(cat "$work/host2.metrics")\".* 1$" &&
        [[ "$($API value "$PROM" 'count(mcptop_bridged_calls_total)' | awk '{print $NF}')" == 1 ]]
}
check "the bridged call is counted on host 2 by client and bridge" within 15 bridged
check "every dashboard query evaluates in Prometheus" $API queries "$PROM" "$repo/contrib/grafana/mcptop.json"
check "no alert fires while all is well" $API cleared "$PROM" "$AM" -

# --- faults
kill -USR1 "$(cat "$work/notes1.pid")"   # host 1's notes: refreshes answer invalid_grant
kill -USR2 "$team_pid"                    # the team issuer: refreshes answer 503 on every host
host1="$(cat "$work/host1.metrics")"
check "MCPServerNeedsLogin fires for notes on host 1" \
    within 40 $API firing "$PROM" "$AM" MCPServerNeedsLogin server=notes instance="$host1" severity=critical
counted_invalid_grant() {
    $API value "$PROM" 'mcptop_refresh_failures_total{server="notes",reason="invalid_grant"} > 0' |
        grep -F "\"instance\": \"$host1\""
}
check "the refused refresh is counted as invalid_grant on host 1" within 10 counted_invalid_grant
check "MCPIssuerFailingOnManyHosts fires for the team issuer" \
    within 60 $API firing "$PROM" "$AM" MCPIssuerFailingOnManyHosts issuer="$issuer"
check "MCPRefreshesFailing fires for team with reason temporarily_unavailable" \
    within 30 $API firing "$PROM" "$AM" MCPRefreshesFailing server=team issuer="$issuer" reason=temporarily_unavailable
only_host1() {  # the other hosts' notes still work
    ! $API firing "$PROM" "$AM" MCPServerNeedsLogin server=notes instance="$(cat "$work/host2.metrics")" &&
        ! $API firing "$PROM" "$AM" MCPServerNeedsLogin server=notes instance="$(cat "$work/host3.metrics")" &&
        ! $API firing "$PROM" "$AM" MCPServerNeedsLogin server=team
}
check "no other server needs a login (a 503 keeps the login)" only_host1

# --- recovery: the issuer works again; host 1 logs in again, and its running watch (a
# service, not restarted) picks the new login up from the store
kill -USR2 "$team_pid"
kill -USR1 "$(cat "$work/notes1.pid")"
check "host 1 logs in to notes again" login 1 notes
check "MCPServerNeedsLogin clears after the new login" \
    within 40 $API cleared "$PROM" "$AM" MCPServerNeedsLogin server=notes
check "MCPIssuerFailingOnManyHosts clears once refreshes work again" \
    within 90 $API cleared "$PROM" "$AM" MCPIssuerFailingOnManyHosts
check "MCPRefreshesFailing clears" within 30 $API cleared "$PROM" "$AM" MCPRefreshesFailing
no_secret() {  # no stored token appears in a scrape or in watch's output
    for host in 1 2 3; do curl -fsS --noproxy '*' "http://$(cat "$work/host$host.metrics")/metrics"; done \
        >"$work/scrapes.txt" || return 1
    python3 "$repo/integration/lib/no_stored_secret.py" "$work"/host*/state -- "$work/scrapes.txt" \
        "$work"/host*/watch.*
}
check "no stored token appears in a scrape or in watch's output" no_secret
elapsed=$((SECONDS - started))
check "the run stays within ${budget}s (${elapsed}s, $mode)" test "$elapsed" -le "$budget"
summary
