#!/usr/bin/env bash
# Create (or reuse) the virtualenv holding the official Python MCP SDK used as the
# interop test peer. Idempotent: once the requirements are installed, a second run
# only compares a stamp (hash of requirements.txt + interpreter version) and exits.
#
#   INTEROP_VENV   venv path (default: <repo>/.venv-interop)
#   PYTHON         interpreter used to create the venv (default: python3)
#
# Prints nothing on the no-op path; while installing, progress goes to stderr
# (stdout stays clean for callers).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="${INTEROP_VENV:-$repo/.venv-interop}"
req="$here/requirements.txt"
python="${PYTHON:-python3}"

stamp_file="$venv/.interop-requirements.stamp"

want_stamp() {
    local pyver
    pyver="$("$python" -c 'import sys; print(".".join(map(str, sys.version_info[:3])))')"
    printf '%s python-%s\n' "$(sha256sum "$req" | cut -d' ' -f1)" "$pyver"
}

is_current() {
    [[ -x "$venv/bin/python" && -f "$stamp_file" ]] || return 1
    [[ "$(cat "$stamp_file")" == "$(want_stamp)" ]] || return 1
    # The venv's interpreter must still run (the base python may have moved).
    "$venv/bin/python" -c '' 2>/dev/null
}

if is_current; then
    exit 0
fi

mkdir -p "$(dirname "$venv")"
# Serialise concurrent setups of the same venv.
exec 9>"$venv.lock"
flock 9 2>/dev/null || true
if is_current; then
    exit 0
fi

{
    echo "setup_venv: installing interop requirements into $venv"
    if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c '' 2>/dev/null; then
        rm -rf "$venv"
        "$python" -m venv "$venv"
    fi
    rm -f "$stamp_file"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
} 1>&2

want_stamp >"$stamp_file"
echo "setup_venv: ready ($venv)" >&2
