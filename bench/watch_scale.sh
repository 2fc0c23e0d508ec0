#!/usr/bin/env bash
# `mcptop watch` over many servers for a minute: CPU share of one core and peak RSS at steady
# state, with the demo server's CPU share over the same window as the anchor.
#
# One mcptop-demo-server process serves every entry; each entry's URL differs in its query
# (`/mcp?n=1`, `/mcp?n=2`, …), so mcptop treats them as separate servers. Odd entries pin
# protocol revision 2025-11-25 (initialize + session), even ones negotiate the newest
# (2026-07-28, stateless). After a warm-up, utime+stime of both processes are read from
# /proc/PID/stat at the start and end of the window; peak RSS is VmHWM at the end.
#   bench/watch_scale.sh [SERVERS] [WINDOW_SECONDS]   (default 1000, 60; BENCH_KEEP=1 keeps the files)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
servers="${1:-1000}"
window="${2:-60}"
warmup=15
# A few seconds past the window, so the last sample is taken while mcptop still runs.
duration=$((warmup + window + 5))

bin="$(scripts/build-release.sh -q mcptop mcptop-demo-server)"

work="$(mktemp -d)"
server=""
watch=""
cleanup() {
    [ -n "$watch" ] && kill "$watch" 2>/dev/null || true
    [ -n "$server" ] && kill "$server" 2>/dev/null || true
    wait 2>/dev/null || true
    if [ -n "${BENCH_KEEP:-}" ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

"$bin/mcptop-demo-server" --port 0 >"$work/server.out" 2>"$work/server.err" &
server=$!
for _ in $(seq 1 200); do grep -q '^listening ' "$work/server.out" 2>/dev/null && break; sleep 0.05; done
url="$(sed -n 's/^listening //p' "$work/server.out")"
[ -n "$url" ] || { echo "watch_scale: the demo server did not start" >&2; exit 1; }

{
    echo '{"mcpServers": {'
    for n in $(seq 1 "$servers"); do
        pin=""
        [ $((n % 2)) -eq 1 ] && pin=', "protocolVersion": "2025-11-25"'
        separator=","
        [ "$n" -eq "$servers" ] && separator=""
        printf '  "s%04d": {"url": "%s?n=%d"%s}%s\n' "$n" "$url" "$n" "$pin" "$separator"
    done
    echo '}}'
} >"$work/servers.json"

# stdbuf: mcptop's stdout to a file is block-buffered, so without it the last few state lines
# would reach the file only at exit and the connected count would come out low.
MCPTOP_STATE_DIR="$work/state" stdbuf -oL "$bin/mcptop" --config "$work/servers.json" watch --json \
    --duration "$duration" --health-interval 30 >"$work/watch.out" 2>"$work/watch.err" &
watch=$!

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# A line of /proc/PID/status in MiB: VmHWM (peak RSS), VmRSS, RssFile (the mapped binary and
# shared libraries, the part that does not grow with the number of servers).
status_mib() { awk -v key="$2:" '$1 == key { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
# How many servers are in each state by their latest state line, e.g. "connected 998, backoff 2".
states() {
    awk '/"event":"state"/ {
            match($0, /"server":"[^"]*"/); name = substr($0, RSTART, RLENGTH)
            match($0, /"state":"[^"]*"/); state[name] = substr($0, RSTART + 9, RLENGTH - 10)
        }
        END {
            for (s in state) count[state[s]]++
            out = ""; for (k in count) out = out (out == "" ? "" : ", ") k " " count[k]; print out
        }' "$work/watch.out"
}
connected() { states | tr ',' '\n' | awk '$1 == "connected" { n = $2 } END { print n + 0 }'; }

sleep "$warmup"
kill -0 "$watch" 2>/dev/null || { echo "watch_scale: mcptop watch exited early:" >&2; cat "$work/watch.err" >&2; exit 1; }
connected_start=$(connected)
lines_start=$(wc -l <"$work/watch.out")
watch_start=$(ticks "$watch")
server_start=$(ticks "$server")
sleep "$window"
watch_end=$(ticks "$watch")
server_end=$(ticks "$server")
lines_end=$(wc -l <"$work/watch.out")
connected_end=$(connected)
states_end=$(states)
watch_hwm=$(status_mib "$watch" VmHWM)
server_hwm=$(status_mib "$server" VmHWM)
watch_rss=$(status_mib "$watch" VmRSS)
server_rss=$(status_mib "$server" VmRSS)
watch_file=$(status_mib "$watch" RssFile)
server_file=$(status_mib "$server" RssFile)
watch_threads=$(awk '/^Threads:/ { print $2 }' "/proc/$watch/status")
watch_fds=$(find "/proc/$watch/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
wait "$watch" || true
watch=""

hz=$(getconf CLK_TCK)
share() { awk -v t="$1" -v hz="$hz" -v s="$window" 'BEGIN { printf "%.2f%%", 100 * t / hz / s }'; }
ratio=$(awk -v a=$((watch_end - watch_start)) -v b=$((server_end - server_start)) \
    'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')

echo "$servers servers ($((servers - servers / 2)) pinned to 2025-11-25, $((servers / 2)) on 2026-07-28)," \
    "health checks every 30 s, ${warmup} s warm-up, ${window} s window"
printf '%-34s %14s %14s\n' "" "mcptop watch" "demo server"
printf '%-34s %14s %14s\n' "CPU, share of one core" "$(share $((watch_end - watch_start)))" \
    "$(share $((server_end - server_start)))"
printf '%-34s %14s %14s\n' "CPU ticks in the window (1/$hz s)" $((watch_end - watch_start)) \
    $((server_end - server_start))
printf '%-34s %14s %14s\n' "peak RSS (VmHWM), MiB" "$watch_hwm" "$server_hwm"
printf '%-34s %14s %14s\n' "RSS at the end (VmRSS), MiB" "$watch_rss" "$server_rss"
printf '%-34s %14s %14s\n' "  of which binary + libraries, MiB" "$watch_file" "$server_file"
printf '%-34s %14s\n' "ratio mcptop / demo server (CPU)" "$ratio"
printf '%-34s %14s\n' "connected after warm-up" "$connected_start/$servers"
printf '%-34s %14s\n' "connected at the end" "$connected_end/$servers"
[ "$connected_end" -eq "$servers" ] || echo "  states at the end: $states_end"
printf '%-34s %14s\n' "events printed in the window" $((lines_end - lines_start))
printf '%-34s %14s\n' "mcptop threads / open fds" "$watch_threads / $watch_fds"
