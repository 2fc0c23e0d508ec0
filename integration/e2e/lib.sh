# Helpers of the end-to-end scripts (sourced): a scratch folder `work` and the servers in
# `pids`, both removed on exit; checks that print `ok - …` / `not ok - …` and count them;
# clocks; starting a server; bounding a command.
# shellcheck shell=bash

work="$(mktemp -d "${TMPDIR:-/tmp}/mcptop-$(basename "$0" .sh).XXXXXX")"
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT

# The binaries under test: `M`, $MCPTOP, and `demo`, the demo server beside it (or
# MCPTOP_DEMO_SERVER); stops the script when either is missing.
find_binaries() {
    : "${MCPTOP:?usage: MCPTOP=/path/to/mcptop $0}"
    M="$MCPTOP"
    demo="${MCPTOP_DEMO_SERVER:-$(dirname "$MCPTOP")/mcptop-demo-server}"
    [[ -x "$demo" ]] || { echo "$(basename "$0"): $demo is not built" >&2; exit 1; }
}

passed=0
failed=0
pass() { echo "ok - $1"; passed=$((passed + 1)); }
fail() {
    echo "not ok - $1"
    local file
    for file in "$work/out" "$work/err"; do [[ -s "$file" ]] && sed 's/^/#   /' "$file"; done
    failed=$((failed + 1))
}
now() { date +%s.%N; }
elapsed_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
within() { awk -v e="$1" -v l="$2" 'BEGIN { exit !(e <= l) }'; }

# Starts a server that prints "listening …" and waits for that line (10 s at most).
start_server() {
    local name="$1"
    shift
    "$@" >"$work/$name.stdout" 2>"$work/$name.stderr" &
    pids+=($!)
    local i
    for ((i = 0; i < 100; i++)); do
        grep -q '^listening' "$work/$name.stdout" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "$(basename "$0"): $name did not start:" >&2
    cat "$work/$name.stderr" >&2
    exit 1
}

# ends_within PID START LIMIT: waits until PID has ended, at most LIMIT seconds after START
# (from `now`); false, with PID (and its children) killed, when it was still running then.
ends_within() {
    while kill -0 "$1" 2>/dev/null && within "$(elapsed_since "$2")" "$3"; do sleep 0.05; done
    if kill -0 "$1" 2>/dev/null; then
        pkill -KILL -P "$1" 2>/dev/null
        kill -KILL "$1" 2>/dev/null
        wait "$1" 2>/dev/null
        return 1
    fi
}

# bounded DESC LIMIT RC [PATTERN] -- COMMAND…: the command ends within LIMIT seconds with exit
# status RC, and its stdout+stderr match PATTERN (grep -E) when one is given.
bounded() {
    local desc="$1" limit="$2" want="$3" pattern=""
    shift 3
    if [[ "$1" != "--" ]]; then pattern="$1"; shift; fi
    shift
    "$@" >"$work/out" 2>"$work/err" &
    judge "$desc" "$limit" "$want" "$pattern" "$!" "$(now)" "$work/out" "$work/err"
}

# bounded_async ID DESC LIMIT RC [PATTERN] -- COMMAND…: `bounded`, with the command started in
# the background (its output in $work/ID.out and ID.err, the time it ended in ID.end); `settle`
# judges every one started, each by its own end. For checks that wait out long deadlines side
# by side.
started=()
bounded_async() {
    local id="$1" desc="$2" limit="$3" want="$4" pattern=""
    shift 4
    if [[ "$1" != "--" ]]; then pattern="$1"; shift; fi
    shift
    (
        "$@" >"$work/$id.out" 2>"$work/$id.err"
        status=$?
        now >"$work/$id.end"
        exit "$status"
    ) &
    started+=("$id")
    printf '%s\n' "$!" "$(now)" "$limit" "$want" "$pattern" "$desc" >"$work/$id.check"
}
settle() {
    local id pid start limit want pattern desc
    for id in "${started[@]}"; do
        { read -r pid; read -r start; read -r limit; read -r want; read -r pattern; read -r desc; } <"$work/$id.check"
        judge "$desc" "$limit" "$want" "$pattern" "$pid" "$start" "$work/$id.out" "$work/$id.err" "$work/$id.end"
    done
    started=()
}

# judge DESC LIMIT RC PATTERN PID START OUT ERR [END]: the verdict on a started command (see
# `bounded`), timed to now or to the time in the file END; OUT and ERR end up in $work/out and
# $work/err for the checks that follow.
judge() {
    local desc="$1" limit="$2" want="$3" pattern="$4" pid="$5" start="$6" rc took
    if ! ends_within "$pid" "$start" "$limit"; then
        [[ "$7" == "$work/out" ]] || cp "$7" "$work/out"
        [[ "$8" == "$work/err" ]] || cp "$8" "$work/err"
        fail "$desc (still running after ${limit}s)"
        return
    fi
    wait "$pid"
    rc=$?
    took="$(elapsed_since "$start")"
    if [[ -n "${9:-}" && -s "$9" ]]; then took="$(awk -v a="$start" -v b="$(cat "$9")" 'BEGIN { printf "%.1f", b - a }')"; fi
    if ! within "$took" "$limit"; then
        fail "$desc (ended after ${took}s, more than ${limit}s)"
        return
    fi
    [[ "$7" == "$work/out" ]] || cp "$7" "$work/out"
    [[ "$8" == "$work/err" ]] || cp "$8" "$work/err"
    if ((rc != want)); then
        fail "$desc (exit $rc, expected $want, after ${took}s)"
    # grep reads the files itself: `cat … | grep -q` under pipefail fails whenever grep stops
    # at a match before cat has written the second file (SIGPIPE).
    elif [[ -n "$pattern" ]] && ! grep -Eqh -- "$pattern" "$work/out" "$work/err"; then
        fail "$desc (no /$pattern/ in the output)"
    else
        pass "$desc (${took}s)"
    fi
}
