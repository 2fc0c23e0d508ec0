#!/usr/bin/env bash
# Regenerates scripts/mcptop.order, the functions the release link of `mcptop` places first.
#
# Why: the kernel maps an executable's code 64 KiB at a time ("fault-around"), so one small
# function run once keeps its 64 KiB neighbourhood resident. The Swift runtime, stdlib and
# Foundation the binary links in are ordered by source file, not by use; a dashboard touches
# a few functions in hundreds of places. Listing the functions it runs puts them side by side.
#
# How: run the dashboard over 100 demo servers for a start-up, the first frames and one round
# of health checks, under `perf record -e page-faults`. Each fault in the code names the first
# function run in a 64 KiB window; functions not yet listed join the list, the binary is linked
# again, and the next round finds functions that shared windows with them. Code built without
# a section per function (libdispatch, parts of CoreFoundation) moves as one piece, so rounds
# keep finding a few dozen names and the list does not converge to zero: measure peak RSS
# (bench/dashboard_vs_htop.sh) before committing a new list, since a longer one is not always
# better. Functions missing from the list still work; they only cost more memory, and
# scripts/build-release.sh refuses to ship mcptop once more than 2% of the listed names are
# gone (renamed or removed code): then run this. It first drops the names no longer in the
# binary, then adds rounds of new ones. Works on the unstripped binary SwiftPM links (the
# shipped one in .build/shipped has no symbols).
#   scripts/link-order.sh [ROUNDS]        (default 10; needs perf and tmux)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
. scripts/demo-fleet.sh
rounds="${1:-10}"
order="$PWD/scripts/mcptop.order"
touch "$order"

work="$(mktemp -d)"
export TMUX_TMPDIR="$work"
cleanup() {
    tmux -L order kill-server 2>/dev/null || true
    [ -n "${server:-}" ] && kill "$server" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

# While the list is being remade, the build must not refuse it for missing names.
export MCPTOP_ORDER_CHECK=0
shipped="$(scripts/build-release.sh -q mcptop mcptop-demo-server)"
bin="$(swift build -c release --show-bin-path)"
start_demo_fleet "$shipped" "$work"

# Names no longer in the binary go first.
nm --defined-only "$bin/mcptop" | awk '{ print $NF }' | sort -u >"$work/symbols"
awk 'NR == FNR { present[$0] = 1; next } present[$0]' "$work/symbols" "$order" >"$work/order.kept"
echo "dropped $(($(wc -l <"$order") - $(wc -l <"$work/order.kept"))) names no longer in mcptop" >&2
cp "$work/order.kept" "$order"

for round in $(seq 1 "$rounds"); do
    # The order file is not a build input SwiftPM tracks: remove the binary to relink it.
    rm -f "$bin/mcptop"
    scripts/build-release.sh -q mcptop >/dev/null
    rm -rf "$work/state" "$work/faults.data"
    tmux -L order new-session -d -s run -x 120 -y 40 \
        "env TERM=tmux-256color MCPTOP_STATE_DIR=$work/state perf record -q -e page-faults -c 1 -d -o $work/faults.data $bin/mcptop --config $work/config.json; touch $work/done"
    sleep 36  # start-up, connections, frames, and the health checks due at 30 s
    rm -f "$work/done"
    tmux -L order send-keys -t run q
    for _ in $(seq 1 100); do [ -e "$work/done" ] && break; sleep 0.1; done
    tmux -L order kill-server 2>/dev/null || true
    added=$(perf script -i "$work/faults.data" --show-mmap-events -F addr 2>/dev/null |
        python3 scripts/link-order-update.py "$bin/mcptop" "$order")
    echo "round $round: $added functions added ($(wc -l <"$order") listed)" >&2
    [ "$added" = 0 ] && break
done
rm -f "$bin/mcptop"
MCPTOP_ORDER_CHECK=1 scripts/build-release.sh -q mcptop >/dev/null
