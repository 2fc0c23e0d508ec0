#!/usr/bin/env bash
# Builds one libFuzzer target (Fuzz/Targets/TARGET.swift) into .build-fuzz/fuzz-TARGET.
#
#   Fuzz/build.sh TARGET
#
# The library code is built once by SwiftPM with coverage and AddressSanitizer
# (-sanitize=fuzzer,address) in its own scratch folder, .build-fuzz, apart from the product
# build; each target is then linked against those objects with swiftc. Linux only (libFuzzer
# ships with the swift.org toolchain there).
set -euo pipefail
shopt -s nullglob
target="${1:?usage: Fuzz/build.sh TARGET}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source="$repo/Fuzz/Targets/$target.swift"
[[ -f "$source" ]] || { echo "Fuzz/build.sh: no target $target (see Fuzz/Targets)" >&2; exit 1; }
scratch="$repo/.build-fuzz"
mkdir -p "$scratch"
flags=(-Xswiftc -sanitize=fuzzer,address)
if ! swift build --package-path "$repo" --scratch-path "$scratch" --target MCPClient "${flags[@]}" \
    >"$scratch/swift-build.log" 2>&1; then
    cat "$scratch/swift-build.log" >&2
    exit 1
fi
bin="$(swift build --package-path "$repo" --scratch-path "$scratch" --show-bin-path "${flags[@]}")"
# Every object of the modules MCPClient is made of (its own, HTTP, Support, swift-collections).
objects=()
for module in MCPClient HTTP Support OrderedCollections HeapModule InternalCollectionsUtilities \
    ContainersPreview DequeModule; do
    [[ -d "$bin/$module.build" ]] && objects+=("$bin/$module.build"/*.o)
done
extra=()
# The theme parser lives in Dashboard, which pulls in everything; its two files stand alone.
[[ "$target" == theme ]] && extra=("$repo/Sources/Dashboard/Theme.swift" "$repo/Sources/Dashboard/Style.swift")
swiftc -sanitize=fuzzer,address -parse-as-library -module-name "Fuzz_${target//-/_}" -I "$bin/Modules" \
    -Xcc -I -Xcc "$repo/Sources/CCurl" "$source" "${extra[@]}" "${objects[@]}" -lcurl \
    -o "$scratch/fuzz-$target" 2> >(grep -v "Cannot export local symbol" >&2)
echo "$scratch/fuzz-$target"
