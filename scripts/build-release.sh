#!/usr/bin/env bash
# Builds release products the way we ship them, with the Swift runtime and Foundation linked
# in (--static-swift-stdlib): the binary runs without the toolchain, and it maps less memory
# than one loading a dozen Swift shared libraries. Prints the folder holding the binaries.
# Build output goes to stderr; with -q only when the build fails.
#   scripts/build-release.sh [-q] PRODUCT...
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
quiet=false
[ "${1:-}" = "-q" ] && { quiet=true; shift; }
# Every function in a section of its own (as the static runtime and Foundation are built), so
# that the link can place the ones the dashboard runs together (scripts/mcptop.order).
flags=(-c release --static-swift-stdlib -Xswiftc -Xfrontend -Xswiftc -function-sections)
for product in "$@"; do
    if $quiet; then
        if ! log="$(swift build "${flags[@]}" --product "$product" 2>&1)"; then
            echo "$log" | tail -30 >&2
            exit 1
        fi
    else
        swift build "${flags[@]}" --product "$product" >&2
    fi
done
swift build "${flags[@]}" --show-bin-path
