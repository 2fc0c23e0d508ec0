#!/usr/bin/env bash
# The dashboard over 100 servers against htop (1 s refresh), both in tmux at 120x40 for
# SECONDS (default 30) in the same run: CPU seconds, bytes written to the terminal, peak RSS,
# and the time to the first frame. Prints ratios mcptop/htop.
#   bench/dashboard_vs_htop.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
. scripts/demo-fleet.sh
seconds="${1:-30}"

scripts/setup.sh
command -v htop >/dev/null || { sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo; $sudo apt-get install -y -qq htop >/dev/null; }
bin="$(scripts/build-release.sh -q mcptop mcptop-demo-server)"

work="$(mktemp -d)"
export TMUX_TMPDIR="$work"
tm() { tmux -L bench "$@"; }
cleanup() {
    tm kill-server 2>/dev/null || true
    [ -n "${server:-}" ] && kill "$server" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

start_demo_fleet "$bin" "$work"
ticks=$(getconf CLK_TCK)
# cpu_during PID SECONDS: CPU seconds the process uses in the next SECONDS. perf counts
# nanoseconds; /proc/PID/stat counts ticks (10 ms), too coarse for a few dozen milliseconds.
cpu_during() {
    if perf stat -e task-clock -p "$1" -- true >/dev/null 2>&1; then
        perf stat -x, -e task-clock -p "$1" -- sleep "$2" 2>&1 | awk -F, '/task-clock/ { printf "%.3f", $1 / 1000 }'
    else
        local before
        before=$(awk '{ print $14 + $15 }' "/proc/$1/stat")
        sleep "$2"
        awk -v t="$ticks" -v b="$before" '{ printf "%.2f", ($14 + $15 - b) / t }' "/proc/$1/stat"
    fi
}
rss() { awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

# run NAME COMMAND READY-PATTERN: starts it in its own tmux session, measures, prints a line.
run() {
    local name="$1" command="$2" ready="$3"
    : >"$work/$name.bytes"
    local started
    started=$(date +%s.%N)
    tm new-session -d -s "$name" -x 120 -y 40 "exec env TERM=tmux-256color MCPTOP_STATE_DIR=$work/state $command"
    tm pipe-pane -o -t "$name" "cat >> $work/$name.bytes"
    local first=""
    for _ in $(seq 1 1000); do
        if tm capture-pane -p -t "$name" | grep -q -- "$ready"; then
            first=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", (b - a) * 1000 }')
            break
        fi
        sleep 0.005
    done
    local pid
    pid=$(tm list-panes -t "$name" -F '#{pane_pid}')
    sleep 5  # warm-up: connections made, first refreshes done
    local bytes0 used bytes1
    bytes0=$(stat -c %s "$work/$name.bytes")
    used=$(cpu_during "$pid" "$seconds")
    bytes1=$(stat -c %s "$work/$name.bytes")
    echo "$name $used $((bytes1 - bytes0)) $(rss "$pid") ${first:-?}"
    tm kill-session -t "$name"
}

mcptop_line=$(run mcptop "$bin/mcptop --config $work/config.json" "100 servers")
htop_line=$(run htop "htop -d 10" "Load average")
read -r _ m_cpu m_bytes m_rss m_first <<<"$mcptop_line"
read -r _ h_cpu h_bytes h_rss h_first <<<"$htop_line"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "-"; else printf "%.2f", a / b }'; }
printf '%-8s %12s %16s %12s %14s\n' "" "CPU s/${seconds}s" "bytes written" "peak RSS MiB" "first frame ms"
printf '%-8s %12s %16s %12s %14s\n' "mcptop" "$m_cpu" "$m_bytes" "$m_rss" "$m_first"
printf '%-8s %12s %16s %12s %14s\n' "htop" "$h_cpu" "$h_bytes" "$h_rss" "$h_first"
printf '%-8s %12s %16s %12s %14s\n' "ratio" "$(ratio "$m_cpu" "$h_cpu")" "$(ratio "$m_bytes" "$h_bytes")" "$(ratio "$m_rss" "$h_rss")" "-"
