#!/usr/bin/env bash
# Keys whose escape sequences the terminfo entry does not list, through a real terminal: with
# TERM=xterm-256color inside tmux, Home is ESC [ 1 ~ (terminfo says ESC O H). It used to read as
# Esc, closing the tool pane and losing the half-filled form. Now it moves to the start of the
# field, unknown sequences are dropped, and Esc still leaves the field and then the pane.
#
#   MCPTOP=/path/to/mcptop integration/e2e/keys.sh
set -uo pipefail
: "${MCPTOP:?usage: MCPTOP=/path/to/mcptop $0}"
. "$(dirname "$0")/tmux.sh" keys

# absent DESC PATTERN: the screen does not show PATTERN now.
absent() {
    if screen | grep -Eq -- "$2"; then
        not_ok "$1 (/$2/ is on the screen)"
        return 1
    fi
    ok "$1"
}
# The field shows the cursor as a glyph between the characters; [^ ]? steps over it.
field() { echo "\\*text +$1"; }

tm new-session -d -s "$session" -x 120 -y 40 "env -u NO_COLOR TERM=xterm-256color bash --norc --noprofile"
keys "PS1='prompt> '; clear" Enter
keys "$MCPTOP demo; echo EXIT=\$?" Enter
wait_for "the dashboard starts with the demo servers" "● 5 connected" 40

# The echo tool's form on the open server, with "world" typed into its text field.
keys "/" "open" Enter
keys t
wait_for "the tool pane opens" "open — tools" 10
keys Tab Enter
keys "world"
wait_for "text goes into the field" "$(field "world")" 5

# tmux sends Home as ESC [ 1 ~ and End as ESC [ 4 ~, whatever TERM says.
keys Home
keys "hello "
wait_for "Home (ESC [ 1 ~) moves to the start of the field" "$(field "hello [^ ]?world")" 5
absent "the tool pane is still open" "State history"

# Unknown sequences (a paste marker, a device report, an unknown CSI) are dropped whole.
keys -H 1b 5b 32 30 30 7e
keys -H 1b 5b 3f 31 3b 32 63
keys -H 1b 5b 39 39 3b 39 39 58
keys "!"
wait_for "unknown sequences type nothing" "$(field "hello ![^ ]?world")" 5
absent "and close nothing" "State history"

# rxvt's Home (ESC [ 7 ~), a Ctrl+Right (ESC [ 1 ; 5 C), and End.
keys -H 1b 5b 37 7e
keys "<"
keys -H 1b 5b 31 3b 35 43
keys End
keys ">"
wait_for "rxvt Home, Ctrl+Right and End (ESC [ 4 ~) move the cursor" "$(field "<hello !world>")" 5

# Esc still leaves the field, and a second one the tool pane.
keys Escape
sleep 0.3
keys Escape
wait_for "Esc still works" "State history" 5

keys q
wait_for "q quits with exit status 0" "EXIT=0" 15

finish
