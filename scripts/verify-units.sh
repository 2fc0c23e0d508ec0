#!/usr/bin/env bash
# Checks the shipped systemd units (contrib/systemd/*.service) with `systemd-analyze verify
# --user`, as the user manager would load them: every key known, every value parsed, the
# ExecStart binary present and executable. %h is a temporary home whose ~/.local/bin/mcptop is
# the built binary ($MCPTOP), where the units' comments tell users to install it. Any message
# fails the check (an unknown key is only a warning to systemd).
#
#   MCPTOP=/path/to/mcptop scripts/verify-units.sh
#
# Skipped, saying why, where systemd-analyze is missing or cannot run (exit 0).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${MCPTOP:?usage: MCPTOP=/path/to/mcptop $0}"

if ! command -v systemd-analyze >/dev/null; then
    echo "skipped: systemd-analyze is not installed (Debian package systemd)"
    exit 0
fi
root="$(mktemp -d "${TMPDIR:-/tmp}/mcptop-units.XXXXXX")"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/home/.local/bin" "$root/run" "$root/probe"
chmod 700 "$root/run"
ln -s "$(realpath "$MCPTOP")" "$root/home/.local/bin/mcptop"
analyze() {
    HOME="$root/home" XDG_RUNTIME_DIR="$root/run" systemd-analyze verify --user --man=no "$@" 2>&1
}

# A unit with nothing to say about tells whether systemd-analyze can run here at all.
printf '[Service]\nExecStart=/bin/true\n' >"$root/probe/probe.service"
if ! probe="$(analyze "$root/probe/probe.service")" || [[ -n "$probe" ]]; then
    echo "skipped: systemd-analyze cannot verify units here: ${probe:-no reason given}"
    exit 0
fi

status=0
for unit in contrib/systemd/*.service; do
    if said="$(analyze "$unit")" && [[ -z "$said" ]]; then
        echo "ok - $unit"
    else
        echo "not ok - $unit"
        sed 's/^/    /' <<<"$said"
        status=1
    fi
done
exit "$status"
