#!/usr/bin/env bash
# Other clients, end to end with the real binary and a HOME made of the test fixtures
# (Tests/ConfigTests/Fixtures/home): `mcptop import` (--dry-run, a real one, again, --force),
# `mcptop status --others [--json]` and its exit status, the dashboard's empty state offering
# the import, the token board (`o`) and `i`, in tmux at 80x24. After every command the other
# clients' files have the same bytes and times, and no fixture secret appears in any output.
#
#   MCPTOP=/path/to/mcptop integration/e2e/others.sh
set -uo pipefail
: "${MCPTOP:?usage: MCPTOP=/path/to/mcptop $0}"
. "$(dirname "$0")/tmux.sh" others
fixtures="$(cd "$(dirname "$0")/../../Tests/ConfigTests/Fixtures" && pwd)"

home="$(mktemp -d "${TMPDIR:-/tmp}/mcptop-others.XXXXXX")"
remove_home() { rm -rf "$home" 2>/dev/null || { sleep 1; rm -rf "$home"; }; }
extra_cleanup=remove_home
cp -a "$fixtures/home/." "$home/"
project="$home/project"
# Tokens that expire around now: Gemini CLI's stripe in 5 minutes (refresh token), its weather
# 10 minutes ago (none).
now_ms=$(($(date +%s) * 1000))
sed -i -e "s/1800000600000/$((now_ms + 300000))/" -e "s/1799996400000/$((now_ms - 3600000))/" \
    -e "s/1799999000000/$((now_ms - 600000))/" "$home/.gemini/mcp-oauth-tokens.json"
grep -rl PROJECT_DIR "$home" | xargs sed -i "s|PROJECT_DIR|$project|g"
export HOME="$home" XDG_RUNTIME_DIR="$home/run"
unset XDG_CONFIG_HOME XDG_STATE_HOME MCPTOP_CONFIG MCPTOP_STATE_DIR CODEX_HOME CLAUDE_CONFIG_DIR MCP_REMOTE_CONFIG_DIR
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
config="$home/.config/mcptop/config.json"
outputs="$(mktemp -d "${TMPDIR:-/tmp}/mcptop-others-out.XXXXXX")"

# The other clients' files: path, bytes and modification time (mcptop's own folders excluded,
# and the caches of the launchers an imported stdio server runs with, npx's logs among them:
# the dashboard watches what it imports at once).
foreign() {
    find "$home" -type f ! -path "$home/.config/mcptop/*" ! -path "$home/.local/*" ! -path "$home/run/*" \
        ! -path "$home/.npm/*" ! -path "$home/.cache/*" \
        -printf '%p %T@ ' -exec sha256sum {} \; | awk '{print $1, $2, $3}' | sort
}
before="$(foreign)"
unchanged() {
    if [[ "$(foreign)" == "$before" ]]; then ok "$1 leaves the other clients' files as they were"; else
        not_ok "$1 changed another client's file"
        diff <(echo "$before") <(foreign) | sed 's/^/#   /'
    fi
}
# run NAME EXPECTED_STATUS ARGS...: runs mcptop in the project, keeps its output.
run() {
    local name="$1" expected="$2"
    shift 2
    (cd "$project" && "$MCPTOP" "$@") >"$outputs/$name" 2>"$outputs/$name.err"
    local status=$?
    if ((status == expected)); then ok "mcptop $* exits $expected"; else
        not_ok "mcptop $* exited $status, not $expected"
        sed 's/^/#   /' "$outputs/$name" "$outputs/$name.err"
    fi
    unchanged "mcptop $*"
}
contains() {  # contains NAME PATTERN DESC
    if cat "$outputs/$1" "$outputs/$1.err" | grep -Eq -- "$2"; then ok "$3"; else
        not_ok "$3 (no /$2/ in the output)"
        sed 's/^/#   /' "$outputs/$1"
    fi
}

run dry-run 0 import --dry-run
contains dry-run "would add context7 " "--dry-run lists what it would add"
contains dry-run "skipped asks-for-input from VS Code: .*input:pat" "and what it skips, with the reason"
contains dry-run "malformed|Codex \(user\)" "and names every file it read"
[[ ! -e "$config" ]] && ok "--dry-run writes nothing" || not_ok "--dry-run wrote $config"

run others 2 status --others
contains others "Gemini CLI's chat keeps the old header: its calls fail until restart" "the board says what Gemini CLI will do"
contains others '"httpUrl": "http://127.0.0.1:8737/stripe/mcp"' "and offers the snippet routing it through mcptop"
contains others "Or let mcptop keep this login alive: mcptop import --from gemini" "or the import"
contains others "not readable: .*mcp-oauth-tokens-v2.json: encrypted" "an encrypted store is named with the reason"
run others-json 2 status --others --json
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert any(t["state"]=="expiredNoRefresh" for t in d["tokens"])' \
    "$outputs/others-json"; then ok "--json is JSON and marks the dead token"; else not_ok "--json output"; fi

# The dashboard on an empty config offers the import, shows the board, and imports.
tm new-session -d -s "$session" -x 80 -y 24 "env -u NO_COLOR TERM=xterm-256color HOME=$home bash --norc --noprofile"
keys "PS1='prompt> '; cd $project; clear" Enter
keys "$MCPTOP; echo EXIT=\$?" Enter
wait_for "the empty dashboard offers the import" "Found [0-9]+ servers in the configs of" 20
wait_for "and the token board" "o shows when the tokens" 5
keys o
wait_for "o opens the other clients' tokens" "Other clients' tokens" 5
wait_for "with Gemini CLI's ending token" "Gemini CLI +stripe +0[45]:[0-9]{2}" 5
wait_for "and what Gemini CLI will do" "keeps the old header" 5
screen >"$outputs/board"
keys i
wait_for "i on the row first lists what it would import" "Import 1 server\? y imports, Esc cancels" 10
wait_for "with the server's URL" "url: http" 5
grep -qs '"stripe"' "$config" && not_ok "the popup alone wrote stripe into $config" || ok "the popup writes nothing"
keys y
wait_for "y imports that server" "imported stripe into" 10
keys Escape
# A key right after Esc would read as Alt+key: wait until the board is gone. The imported
# server is watched at once: it has a row under the table's header, without a restart.
wait_for "Esc closes the board, and the imported server is watched at once" "NAME[^ ]* +STATE" 5
wait_for "with a row of its own" "^ *stripe +" 5
keys i
wait_for "i on the server list lists the rest first" "Import [0-9]+ servers\? y imports" 10
wait_for "with the command a stdio server would run" "runs: npx -y @modelcontextprotocol/server-filesystem" 5
screen >>"$outputs/board"
# The list is longer than 80x24: PgDn (or space) pages through it to Codex's context7.
for _ in 1 2 3 4 5; do screen | grep -q "runs: npx -y @upstash/context7-mcp" && break; keys NPage; sleep 0.5; done
wait_for "PgDn pages down the list" "runs: npx -y @upstash/context7-mcp" 5
keys n
wait_for "n cancels" "import cancelled: nothing was written" 5
grep -q '"context7"' "$config" && not_ok "the cancelled import wrote context7" || ok "a cancelled import writes nothing"
keys i
wait_for "i again lists them" "Import [0-9]+ servers\? y imports" 10
keys Enter
wait_for "Enter imports the rest" "imported [0-9]+ servers into" 10
screen >>"$outputs/board"
keys q
wait_for "q quits" "EXIT=0" 10
unchanged "the dashboard"
grep -q '"stripe"' "$config" && grep -q '"context7"' "$config" && ok "the imports are in mcptop's config" ||
    not_ok "the imports are not in $config"

run again 0 import
contains again "skipped context7 from Codex: already in mcptop's config" "a second import keeps what is there"
run force 0 import --force --from claude-code
ls "$config".*.bak >/dev/null 2>&1 && ok "the previous config is kept beside it" || not_ok "no backup of $config"

if grep -l "FAKE-SECRET" "$outputs"/* "$config" >/dev/null; then
    not_ok "a fixture secret reached an output: $(grep -l FAKE-SECRET "$outputs"/* "$config" | tr '\n' ' ')"
else
    ok "no fixture secret in any output, screen or mcptop's config"
fi
rm -rf "$outputs"
finish
