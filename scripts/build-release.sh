#!/usr/bin/env bash
# Builds release products the way we ship them, with the Swift runtime and Foundation linked
# in (--static-swift-stdlib): the binary runs without the toolchain, and it maps less memory
# than one loading a dozen Swift shared libraries. Then strips them into .build/shipped/, each
# with its debug info beside it (PRODUCT.debug, linked by .gnu_debuglink, for gdb, lldb and
# crash analysis), and prints that folder. Build output goes to stderr; with -q only when the
# build fails.
#   scripts/build-release.sh [-q] PRODUCT...
# For `mcptop`, the build fails when more than 2% of the names in scripts/mcptop.order are no
# longer in the binary (rerun scripts/link-order.sh); MCPTOP_ORDER_CHECK=0 skips the check
# (scripts/link-order.sh does, while it regenerates the list).
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
built="$(swift build "${flags[@]}" --show-bin-path)"
shipped="$PWD/.build/shipped"
mkdir -p "$shipped"

# check_order BINARY: the share of scripts/mcptop.order's names missing from BINARY's symbols.
check_order() {
    [ "${MCPTOP_ORDER_CHECK:-1}" = 0 ] && return 0
    local listed missing
    listed=$(grep -c . scripts/mcptop.order || true)
    [ "$listed" -gt 0 ] || return 0
    missing=$(nm --defined-only "$1" | awk '{ print $NF }' | sort -u |
        comm -13 - <(sort -u scripts/mcptop.order) | wc -l)
    if [ $((missing * 100)) -gt $((listed * 2)) ]; then
        echo "build-release: $missing of the $listed functions in scripts/mcptop.order are no longer in" \
            "mcptop (more than 2%): the code the dashboard runs is no longer placed together." \
            "Run scripts/link-order.sh (about 45 s a round) and commit scripts/mcptop.order." >&2
        exit 1
    fi
}

for product in "$@"; do
    # Stripped again only when the build produced a new binary.
    [ "$shipped/$product" -nt "$built/$product" ] && continue
    [ "$product" = mcptop ] && check_order "$built/$product"
    objcopy --only-keep-debug "$built/$product" "$shipped/$product.debug.new"
    strip --strip-all -o "$shipped/$product.new" "$built/$product"
    # The link names the file only; debuggers look for it beside the binary (and in .debug/).
    (cd "$shipped" && mv "$product.debug.new" "$product.debug" &&
        objcopy --add-gnu-debuglink="$product.debug" "$product.new" && mv "$product.new" "$product")
done
echo "$shipped"
