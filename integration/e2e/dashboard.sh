#!/usr/bin/env bash
# Drives the real dashboard in tmux as a user would: `mcptop demo` starts, rows appear with
# countdowns, a refresh is seen, a tool is called through the form and its result shown, the
# window is resized, q quits, and the terminal is restored.
#
#   MCPTOP=/path/to/mcptop integration/e2e/dashboard.sh
set -uo pipefail
: "${MCPTOP:?usage: MCPTOP=/path/to/mcptop $0}"
. "$(dirname "$0")/tmux.sh" dashboard

tm new-session -d -s "$session" -x 120 -y 40 "env -u NO_COLOR TERM=tmux-256color bash --norc --noprofile"
keys "PS1='prompt> '; clear" Enter
keys "$MCPTOP demo; echo EXIT=\$?" Enter

wait_for "the dashboard starts with the demo servers" "rotating" 40
wait_for "rows show connected servers" "● connected" 30
wait_for "token countdowns tick (mm:ss)" "[0-9]{2}:[0-9]{2} +[█░]" 10

# Select the rotating server (the list is sorted by name: expiring-login, flaky-sessions,
# legacy-sse, open, rotating) with the filter, then refresh.
keys "/" "rotating" Enter
keys r
wait_for "a refresh is reported" "token refreshed" 15
keys Escape

# The tool pane on the open server: echo is the first tool; fill its text field and run.
keys "/" "open" Enter
keys t
wait_for "the tool pane opens with the server's tools" "echo" 10
keys Tab
keys Enter
keys "hello from tmux" Enter
keys F5
wait_for "the tool's result is shown" "^ +hello from tmux *$" 15
keys Escape Escape
keys Escape

# Resize to something smaller, then too small, then back.
tm resize-window -t "$session" -x 80 -y 24
wait_for "the dashboard redraws at 80x24" "mcptop .* servers" 5
tm resize-window -t "$session" -x 40 -y 8
wait_for "a tiny terminal gets a short message" "needs 60×12" 5
tm resize-window -t "$session" -x 120 -y 40
wait_for "and back to the full screen" "Reconnect" 5

keys q
wait_for "q quits with exit status 0" "EXIT=0" 15
keys "stty -a | tr ' ' '\\n' | grep -Ex -- '-?(icanon|echo)' | sort | tr '\\n' ' '; echo" Enter
wait_for "the terminal is restored (canonical mode and echo back on)" "^echo icanon" 5

finish
