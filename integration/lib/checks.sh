# Shared by the integration scripts that print TAP-like lines (fleet.sh, otlp.sh); sourced
# after the script has set NAME (its name, for messages) and KEEP (the variable that, at 1,
# keeps its folder). Makes `work` (a temporary folder) and `pids` (the processes to stop on
# exit); on exit runs the script's `cleanup_more` when it has one, then removes `work`.
#
#   check TITLE COMMAND...     runs COMMAND (a function too); prints `ok - TITLE` or
#                              `not ok - TITLE` and the first lines of its output
#   wait_line FILE PATTERN WHAT    waits (10 s at most) for a started process to say it is
#                              ready; exits with its stderr when it does not
#   summary                    prints `N passed, M failed`; fails when any failed

passed=0
failed=0
pids=()
work="$(mktemp -d "${TMPDIR:-/tmp}/mcptop-${NAME%.sh}.XXXXXX")"

cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
    if declare -F cleanup_more >/dev/null; then cleanup_more; fi
    [[ "${!KEEP:-0}" == 1 ]] && echo "$NAME: kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

check() {
    local title="$1"
    shift
    if "$@" >"$work/check.out" 2>&1; then
        echo "ok - $title"
        passed=$((passed + 1))
    else
        echo "not ok - $title"
        sed 's/^/    /' "$work/check.out" | head -20
        failed=$((failed + 1))
    fi
}

wait_line() {
    for _ in $(seq 1 200); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.05
    done
    echo "$NAME: $3 did not start:" >&2
    cat "${1%.out}.err" >&2 2>/dev/null
    exit 1
}

summary() {
    echo "$passed passed, $failed failed"
    ((failed == 0))
}
