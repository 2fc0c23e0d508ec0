#!/usr/bin/env bash
# `mcptop demo` runs its servers in the separate mcptop-demo-server, and `make install` ships
# a working mcptop (issue 13):
#   - without mcptop-demo-server beside it, `mcptop demo` fails with status 1, naming where it
#     looked and how to get the server;
#   - started through a symlink from another folder, it finds the server beside the real
#     executable; q quits, and the server stops with it;
#   - killed with SIGKILL, mcptop leaves no demo server behind (it exits when its stdin closes);
#   - `make install PREFIX=…` installs stripped binaries (debug info linked, not included),
#     themes, a man page `man -l` shows and completions; the installed `mcptop demo --theme
#     gruvbox-dark`, run from another folder, works; `make uninstall` removes every file.
#
#   MCPTOP=/path/to/debug/mcptop integration/e2e/demo_install.sh    (mcptop-demo-server beside it;
#   the install part builds the release binaries, as `make install` does)
set -uo pipefail
: "${MCPTOP:?usage: MCPTOP=/path/to/mcptop $0}"
cd "$(dirname "$0")/../.."
. integration/e2e/tmux.sh demo_install
scratch="$(mktemp -d "${TMPDIR:-/tmp}/mcptop-demo-install.XXXXXX")"
remove_scratch() { rm -rf "$scratch"; }
extra_cleanup=remove_scratch
check() {  # check DESC COMMAND...: ok when the command succeeds
    local desc="$1"
    shift
    if "$@"; then ok "$desc"; else echo "not ok - $desc"; failed=$((failed + 1)); fi
}
fleet_of() {  # fleet_of PID: the demo server child of that mcptop, if any
    pgrep -P "$1" -f -- "--demo-fleet" || true
}

# 1. No server beside mcptop.
mkdir -p "$scratch/alone"
cp "$MCPTOP" "$scratch/alone/mcptop"
message="$(cd / && env -u MCPTOP_DEMO_SERVER "$scratch/alone/mcptop" demo 2>&1 </dev/null)"
status=$?
check "without the server, mcptop demo exits with status 1 (was $status)" test "$status" = 1
check "the message names where it looked" grep -qF "$scratch/alone/mcptop-demo-server" <<<"$message"
check "and says how to get it (make build / make install)" grep -q "make build.*make install" <<<"$message"

# 2. Through a symlink in a folder without the server, from another folder; q quits.
mkdir -p "$scratch/links"
ln -s "$(cd "$(dirname "$MCPTOP")" && pwd)/$(basename "$MCPTOP")" "$scratch/links/mcptop"
tm new-session -d -s "$session" -x 120 -y 40 "cd / && env -u MCPTOP_DEMO_SERVER -u NO_COLOR TERM=tmux-256color $scratch/links/mcptop demo; echo EXIT=\$?; sleep 30"
wait_for "through a symlink, mcptop demo finds the server and shows its five servers" "5 servers" 40
wait_for "the servers connect" "● connected" 30
mcptop_pid="$(pgrep -f -- "^$scratch/links/mcptop demo" | head -1)"
child="$(fleet_of "$mcptop_pid")"
check "the demo server runs as mcptop's child" test -n "$child"
keys q
wait_for "q quits with exit status 0" "EXIT=0" 15
sleep 0.5
check "the demo server stopped with mcptop" test -n "$child" -a ! -e "/proc/${child:-0}"
tm kill-session -t "$session"

# 3. mcptop killed with SIGKILL: the server notices its stdin closing and exits.
tm new-session -d -s "$session" -x 120 -y 40 "env TERM=tmux-256color $MCPTOP demo; sleep 30"
wait_for "a second demo starts" "● connected" 40
mcptop_pid=""
child=""
for _ in $(seq 1 20); do
    mcptop_pid="$(pgrep -n -f -- "^$MCPTOP demo")"
    child="$(fleet_of "${mcptop_pid:-0}")"
    [ -n "$child" ] && break
    sleep 0.1
done
kill -KILL "$mcptop_pid"
gone=false
for _ in $(seq 1 50); do [ -e "/proc/${child:-0}" ] || { gone=true; break; }; sleep 0.1; done
check "after SIGKILL of mcptop its demo server (${child:-not found}) exits within 5 s" test -n "$child" -a $gone = true
tm kill-session -t "$session"

# 4. make install / uninstall.
prefix="$scratch/prefix"
if make --no-print-directory install PREFIX="$prefix" >"$scratch/install.log" 2>&1; then
    ok "make install PREFIX=$prefix"
else
    echo "not ok - make install failed:"
    sed 's/^/#   /' "$scratch/install.log"
    failed=$((failed + 1))
fi
for file in bin/mcptop bin/mcptop-demo-server share/mcptop/themes/gruvbox-dark.theme share/man/man1/mcptop.1 \
    share/bash-completion/completions/mcptop share/zsh/site-functions/_mcptop \
    share/fish/vendor_completions.d/mcptop.fish; do
    check "installed $file" test -s "$prefix/$file"
done
check "the installed mcptop is stripped (no .symtab)" bash -c "! readelf -S '$prefix/bin/mcptop' | grep -q '\.symtab'"
check "and names its debug info (.gnu_debuglink)" bash -c "readelf -S '$prefix/bin/mcptop' | grep -q gnu_debuglink"
check "man -l shows the page, with the demo subcommand" bash -c \
    "MANWIDTH=100 man -l '$prefix/share/man/man1/mcptop.1' 2>/dev/null | grep -q 'demo'"
check "the bash completion script parses" bash -n "$prefix/share/bash-completion/completions/mcptop"
tm new-session -d -s "$session" -x 120 -y 40 "cd / && env -u MCPTOP_DEMO_SERVER -u NO_COLOR TERM=tmux-256color $prefix/bin/mcptop demo --theme gruvbox-dark; echo EXIT=\$?; sleep 30"
wait_for "the installed mcptop demo --theme gruvbox-dark, run from /, shows its servers" "● connected" 40
keys T
wait_for "gruvbox-dark was the theme in use (T moves to the next: high-contrast)" "theme: high-contrast" 10
keys q
wait_for "and quits with status 0" "EXIT=0" 15
tm kill-session -t "$session"
make --no-print-directory uninstall PREFIX="$prefix" >/dev/null 2>&1
left="$(find "$prefix" -type f | head -5)"
check "make uninstall removes every file it installed${left:+ (left: $left)}" test -z "$left"

finish
