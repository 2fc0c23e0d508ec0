#!/usr/bin/env bash
# `make install` and `make uninstall`: puts the shipped (stripped) mcptop and
# mcptop-demo-server in PREFIX/bin, the themes in PREFIX/share/mcptop/themes (where mcptop
# looks beside its own folder), a man page generated from the argument parser, and the shell
# completions it generates, for bash, zsh and fish. --uninstall removes exactly those files.
#   scripts/install.sh PREFIX
#   scripts/install.sh --uninstall PREFIX
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
uninstall=false
[ "${1:-}" = "--uninstall" ] && { uninstall=true; shift; }
prefix="${1:?usage: scripts/install.sh [--uninstall] PREFIX}"

themes=()
for file in themes/*.theme; do themes+=("share/mcptop/themes/$(basename "$file")"); done
files=(
    bin/mcptop bin/mcptop-demo-server share/man/man1/mcptop.1
    share/bash-completion/completions/mcptop share/zsh/site-functions/_mcptop
    share/fish/vendor_completions.d/mcptop.fish "${themes[@]}"
)

if $uninstall; then
    for file in "${files[@]}"; do
        [ -e "$prefix/$file" ] && rm -f "$prefix/$file" && echo "removed $prefix/$file"
    done
    # The folders only mcptop uses, when nothing else is left in them.
    rmdir "$prefix/share/mcptop/themes" "$prefix/share/mcptop" 2>/dev/null || true
    exit 0
fi

shipped="$(scripts/build-release.sh -q mcptop mcptop-demo-server)"
# generate-manual comes with swift-argument-parser: it runs `mcptop --experimental-dump-help`
# and writes mdoc. Dated by the last commit, so the page does not change from day to day.
swift build --product generate-manual >/dev/null 2>&1 || swift build --product generate-manual >&2
generator="$(swift build --show-bin-path)/generate-manual"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$generator" "$shipped/mcptop" --date "$(git log -1 --format=%cs 2>/dev/null || date -u +%F)" \
    --output-directory "$work" >/dev/null
"$shipped/mcptop" --generate-completion-script bash >"$work/mcptop.bash"
"$shipped/mcptop" --generate-completion-script zsh >"$work/_mcptop"
"$shipped/mcptop" --generate-completion-script fish >"$work/mcptop.fish"

put() {  # put MODE SOURCE TARGET (relative to PREFIX)
    install -D -m "$1" "$2" "$prefix/$3"
    echo "installed $prefix/$3"
}
put 755 "$shipped/mcptop" bin/mcptop
put 755 "$shipped/mcptop-demo-server" bin/mcptop-demo-server
put 644 "$work/mcptop.1" share/man/man1/mcptop.1
put 644 "$work/mcptop.bash" share/bash-completion/completions/mcptop
put 644 "$work/_mcptop" share/zsh/site-functions/_mcptop
put 644 "$work/mcptop.fish" share/fish/vendor_completions.d/mcptop.fish
for file in themes/*.theme; do put 644 "$file" "share/mcptop/themes/$(basename "$file")"; done
