# Sourced by the bench scripts, from the repository's root: what they need installed (the
# system packages, the interop venv with the official Python SDK as $PY), a scratch folder
# ($work), background processes ($pids) stopped when the script exits, and `start NAME
# COMMAND...`, which runs a server that prints `listening URL` and sets $url once it has.
scripts/setup.sh
integration/interop/setup_venv.sh >/dev/null
PY="$PWD/.venv-interop/bin/python"
work="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

start() {  # start NAME COMMAND...: sets $url; exits naming NAME if it does not start in 10 s
    local name="$1"
    shift
    "$@" >"$work/$name.out" 2>"$work/$name.err" &
    pids+=("$!")
    for _ in $(seq 1 200); do
        url="$(sed -n 's/^listening //p' "$work/$name.out" | head -1)"
        [ -n "$url" ] && return
        sleep 0.05
    done
    echo "bench: $name did not start: $(cat "$work/$name.err")" >&2
    exit 1
}
