# Sourced by the tmux end-to-end scripts: a private tmux server, a screen to read, and TAP-like
# "ok" / "not ok" lines counted into $passed and $failed. The sourcing script sets $session and
# may add to cleanup through $extra_cleanup (a function name).
#   . "$(dirname "$0")/tmux.sh" NAME
command -v tmux >/dev/null || { echo "$0: tmux is not installed" >&2; exit 1; }

export TMUX_TMPDIR
TMUX_TMPDIR="$(mktemp -d "${TMPDIR:-/tmp}/mcptop-tmux.XXXXXX")"
socket="mcptop-e2e-$1"
session="$1"
extra_cleanup=":"
tm() { tmux -L "$socket" "$@"; }
cleanup() {
    tm kill-server 2>/dev/null
    "$extra_cleanup"
    rm -rf "$TMUX_TMPDIR"
}
trap cleanup EXIT

passed=0
failed=0
screen() { tm capture-pane -p -t "$session"; }
keys() { tm send-keys -t "$session" "$@"; }
ok() { echo "ok - $1"; passed=$((passed + 1)); }
not_ok() {
    echo "not ok - $1; the screen was:"
    screen | sed 's/^/#   /'
    failed=$((failed + 1))
}

# wait_for DESC PATTERN [SECONDS]: polls the screen until PATTERN (grep -E) appears.
wait_for() {
    local desc="$1" pattern="$2" limit="${3:-20}" deadline=$((SECONDS + ${3:-20}))
    while ((SECONDS < deadline)); do
        if screen | grep -Eq -- "$pattern"; then
            ok "$desc"
            return 0
        fi
        sleep 0.2
    done
    not_ok "$desc (no /$pattern/ within ${limit}s)"
    return 1
}

# The demo server beside $MCPTOP (or MCPTOP_DEMO_SERVER) in `demo_server`; exits when missing.
find_demo_server() {
    : "${MCPTOP:?usage: MCPTOP=/path/to/mcptop $0}"
    demo_server="${MCPTOP_DEMO_SERVER:-$(dirname "$MCPTOP")/mcptop-demo-server}"
    [ -x "$demo_server" ] || { echo "$(basename "$0"): $demo_server is missing (swift build builds it)" >&2; exit 1; }
}

# finish: the summary line, and the exit status.
finish() {
    echo "$passed passed, $failed failed"
    ((failed == 0))
}
