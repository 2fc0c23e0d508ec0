#!/usr/bin/env bash
# A soak (issue 17): 20 demo servers with 2-second rotating tokens, a `watch` over all of them
# and one `call --repeat` loop per server (a call every 2 s each), while random faults from the
# fault matrix are injected through each server's control FIFO: revoked access tokens,
# forgotten sessions, restarts, cut streams, and token endpoints answering 500, 502 or 503 for a
# few seconds. Prints calls, failures (those the faults forced, and the others), refreshes,
# expired access tokens presented, refresh tokens presented again (invalid_grant), and the RSS
# and file descriptors of the mcptop processes after a minute, every tenth of the run and at
# the end; resident memory also as its anonymous part, where a leak would show.
#
#   MCPTOP=/path/to/mcptop bench/soak.sh [MINUTES]     (default 60)
#
# Goal: 0 failed calls the faults did not force, 0 expired or re-presented tokens, no RSS or
# fd growth (anonymous memory: a process's first run through a code path maps in more of the
# binary, which is no leak). Needs mcptop-demo-server beside $MCPTOP and python3.
set -uo pipefail
cd "$(dirname "$0")/.."
minutes="${1:-60}"
: "${MCPTOP:=$(swift build --show-bin-path)/mcptop}"
demo="$(dirname "$MCPTOP")/mcptop-demo-server"
[[ -x "$MCPTOP" && -x "$demo" ]] || { echo "soak.sh: build mcptop and mcptop-demo-server first" >&2; exit 1; }
servers=20
fault_every=10 # seconds between two injected faults
# A failure on a server within this many seconds of a fault there that can force one (a
# restart, a cut stream, a failing token endpoint) counts as forced.
forced_window=8

work="$(mktemp -d "${TMPDIR:-/tmp}/mcptop-soak.XXXXXX")"
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT
export MCPTOP_CONFIG="$work/config.json" MCPTOP_STATE_DIR="$work/state"

names=()
for ((i = 1; i <= servers; i++)); do
    name="$(printf 's%02d' "$i")"
    names+=("$name")
    mkfifo "$work/$name.ctl"
    "$demo" --oauth --token-lifetime 2 --control "$work/$name.ctl" >"$work/$name.out" 2>"$work/$name.err" &
    pids+=($!)
done
url() { awk '/^listening/ { print $2; exit }' "$work/$1.out"; }
for name in "${names[@]}"; do
    for ((i = 0; i < 100; i++)); do [[ -n "$(url "$name")" ]] && break; sleep 0.1; done
    [[ -n "$(url "$name")" ]] || { echo "soak.sh: $name did not start: $(cat "$work/$name.err")" >&2; exit 1; }
done
# Half the servers are reached in 2025-11-25 (sessions, which forget-sessions breaks), half in
# the newest revision (stateless).
{
    echo '{"mcpServers": {'
    for ((i = 0; i < servers; i++)); do
        pin=""
        ((i % 2)) && pin=', "protocolVersion": "2025-11-25"'
        printf '  "%s": {"url": "%s"%s}%s\n' "${names[i]}" "$(url "${names[i]}")" "$pin" "$( ((i < servers - 1)) && echo ,)"
    done
    echo '}}'
} >"$MCPTOP_CONFIG"
for name in "${names[@]}"; do
    BROWSER="$PWD/integration/interop/browser.sh" timeout 30 "$MCPTOP" auth "$name" >/dev/null 2>&1 ||
        { echo "soak.sh: auth $name failed" >&2; exit 1; }
done

# ctl NAME COMMAND: sends a command to a server's FIFO (5 s at most); the answer goes to its log.
ctl() { timeout 5 bash -c 'echo "$1" >"$2"' _ "$2" "$work/$1.ctl"; }
# counters NAME: the server's `stats` line, as JSON.
counters() {
    local before
    before="$(grep -c '^stats ' "$work/$1.out")"
    ctl "$1" stats
    for ((i = 0; i < 50; i++)); do
        (($(grep -c '^stats ' "$work/$1.out") > before)) && break
        sleep 0.1
    done
    grep '^stats ' "$work/$1.out" | tail -n 1 | cut -c7-
}
# total FIELD: the sum of a counter over the servers.
total() {
    local name sum=0
    for name in "${names[@]}"; do
        sum=$((sum + $(counters "$name" | python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1")))
    done
    echo "$sum"
}
now() { date +%s; }

seconds=$((minutes * 60))
"$MCPTOP" watch --duration $((seconds + 30)) >"$work/watch.log" 2>&1 &
watch=$!
pids+=("$watch")
loops=()
# One loop per server: `call --repeat` on one connection until it fails; a failure is logged
# with its time and the loop starts again.
for name in "${names[@]}"; do
    (
        until [[ -e "$work/stop" ]]; do
            "$MCPTOP" call "$name" echo --args '{"text": "tick"}' --repeat 100000 --interval 2 \
                >>"$work/$name.calls" 2>"$work/$name.lasterr" &
            echo "$!" >"$work/$name.pid"
            wait "$!"
            rc=$?
            [[ -e "$work/stop" ]] && break
            echo "$(now) $name exit $rc: $(tail -n 1 "$work/$name.lasterr")" >>"$work/failures"
            sleep 1
        done
    ) &
    loops+=($!)
    pids+=($!)
done

# memory: resident KiB (all, and anonymous: the heap and stacks, where a leak would grow;
# the rest is the binary's and libraries' pages, which grow as code runs the first time) and
# file descriptors, summed over the live mcptop processes, then the watch's alone.
memory() {
    local pid rss anon fds total_rss=0 total_anon=0 total_fds=0 watch_line=""
    for pid in "$watch" $(cat "$work"/*.pid 2>/dev/null); do
        [[ -r /proc/$pid/status ]] || continue
        rss="$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")"
        anon="$(awk '/^RssAnon/ { print $2 }' "/proc/$pid/status")"
        fds="$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)"
        total_rss=$((total_rss + rss))
        total_anon=$((total_anon + anon))
        total_fds=$((total_fds + fds))
        [[ "$pid" == "$watch" ]] && watch_line="watch ${rss} KiB (anonymous ${anon}) ${fds} fds"
    done
    echo "$watch_line; all $(( $(ls "$work"/*.pid | wc -l) + 1 )) mcptop processes ${total_rss} KiB (anonymous ${total_anon}) ${total_fds} fds"
}

echo "soak: $servers servers, 2 s rotating tokens, $minutes min, a fault every $fault_every s ($MCPTOP)"
sleep 60
memory_start="$(memory)"
# The memory every tenth of the run too, to tell a level reached from a steady climb.
sample_every=$(((seconds - 60) / 10 > 60 ? (seconds - 60) / 10 : 60))
next_sample=$(($(now) + sample_every))
: >"$work/memory"
declare -A injected=()
kinds=(revoke-access forget-sessions restart cut-stream server-error bad-gateway temporarily-unavailable)
start=$(now)
while (($(now) < start + seconds - 60 - fault_every)); do
    name="${names[RANDOM % servers]}"
    kind="${kinds[RANDOM % ${#kinds[@]}]}"
    injected[$kind]=$((${injected[$kind]:-0} + 1))
    case "$kind" in
        revoke-access | forget-sessions)
            ctl "$name" "$kind"
            ;;
        restart)
            echo "$(now) $name" >>"$work/forcing"
            ctl "$name" restart
            ;;
        cut-stream)
            echo "$(now) $name" >>"$work/forcing"
            ctl "$name" "cut-stream on"
            sleep 2
            ctl "$name" "cut-stream off"
            ;;
        *)
            echo "$(now) $name" >>"$work/forcing"
            ctl "$name" "$kind on"
            sleep 3
            ctl "$name" "$kind off"
            ;;
    esac
    sleep "$fault_every"
    if (($(now) >= next_sample)); then
        echo "after $(((next_sample - start) / 60 + 1)) min: $(memory)" >>"$work/memory"
        next_sample=$((next_sample + sample_every))
    fi
done
while (($(now) < start + seconds - 60)); do sleep 1; done
memory_end="$(memory)"
touch "$work/stop"
kill $(cat "$work"/*.pid) 2>/dev/null
wait "${loops[@]}" 2>/dev/null

answered="$(cat "$work"/*.calls 2>/dev/null | grep -c '^tick$')"
touch "$work/failures" "$work/forcing"
forced=0
unforced=()
while read -r at name rest; do
    if awk -v at="$at" -v name="$name" -v w="$forced_window" \
        '$2 == name && at >= $1 - 1 && at <= $1 + w { found = 1 } END { exit !found }' "$work/forcing"; then
        forced=$((forced + 1))
    else
        unforced+=("$at $name $rest")
    fi
done <"$work/failures"

printf '%-50s %s\n' "tool calls the servers answered" "$(total toolCalls)"
printf '%-50s %s\n' "calls answered to the clients" "$answered"
printf '%-50s %s\n' "failed calls forced by a fault" "$forced"
printf '%-50s %s\n' "failed calls no fault forced" "${#unforced[@]}"
printf '%-50s %s\n' "refreshes" "$(total refreshes)"
printf '%-50s %s\n' "expired access tokens presented" "$(total expiredTokenRequests)"
printf '%-50s %s\n' "revoked access tokens presented (revoke-access)" "$(total unknownTokenRequests)"
printf '%-50s %s\n' "refresh tokens re-presented (invalid_grant)" "$(total invalidGrants)"
printf '%-50s %s\n' "faults injected" "$(for k in "${!injected[@]}"; do printf '%s %s, ' "$k" "${injected[$k]}"; done)"
printf '%-50s %s\n' "after 1 min" "$memory_start"
printf '%-50s %s\n' "at the end" "$memory_end"
echo "memory along the way:"
sed 's/^/  /' "$work/memory"
if ((${#unforced[@]} > 0)); then
    echo "failures no fault forced (first 10):"
    printf '  %s\n' "${unforced[@]:0:10}"
fi
