#!/usr/bin/env bash
# Builds one libFuzzer target (Fuzz/Targets/TARGET.swift) into .build-fuzz/fuzz-TARGET.
#
#   Fuzz/build.sh TARGET
#   FUZZ_CONFIGURATION=release Fuzz/build.sh TARGET     optimized (-O), for long runs: several
#                                                      times the executions per second
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
# One build at a time: two fuzzers started together would both rewrite the shared archive
# below, and SwiftPM's build folder is not for two builds at once either.
exec 9>"$scratch/build.lock"
flock 9
configuration="${FUZZ_CONFIGURATION:-debug}"
case "$configuration" in
debug) optimize=(-Onone) ;;
release) optimize=(-O) ;;
*) echo "Fuzz/build.sh: FUZZ_CONFIGURATION is debug or release, not $configuration" >&2; exit 1 ;;
esac
flags=(-c "$configuration" -Xswiftc -sanitize=fuzzer,address)
# token-response and metadata reach internals with `@testable import`, which an optimized
# module allows only when built for testing.
[[ "$configuration" == release ]] && flags+=(-Xswiftc -enable-testing)
# The package target each fuzz target needs and our modules whose objects it links whole.
# OAuth and Config also pull in Hummingbird, swift-nio and swift-crypto: the objects of every
# other library module go into an archive, from which the linker takes only what is used.
case "$target" in
token-response | metadata) package_target=OAuth own=(OAuth HTTP Support) ;;
config) package_target=Config own=(Config OAuth MCPClient HTTP Support) ;;
*) package_target=MCPClient own=(MCPClient HTTP Support) ;;
esac
if ! swift build --package-path "$repo" --scratch-path "$scratch" --target "$package_target" "${flags[@]}" \
    >"$scratch/swift-build.log" 2>&1; then
    cat "$scratch/swift-build.log" >&2
    exit 1
fi
bin="$(swift build --package-path "$repo" --scratch-path "$scratch" --show-bin-path "${flags[@]}")"
objects=()
for module in "${own[@]}"; do
    objects+=("$bin/$module.build"/*.o)
done
# Everything else but tests, executables (their `main` is libFuzzer's) and build tools.
archive="$scratch/fuzz-deps-$package_target.a"
rm -f "$archive"
others=()
for folder in "$bin"/*.build; do
    module="$(basename "$folder" .build)"
    case "$module" in
    *Tests | *-tool | mcptop* | DemoServerMain | BenchClient | PerformanceTest | generate_* | Swift*Syntax* | \
        SwiftCompilerPlugin* | SwiftLibraryPluginProvider | _SwiftSyntax*) continue ;;
    esac
    [[ " ${own[*]} " == *" $module "* ]] && continue
    while IFS= read -r object; do others+=("$object"); done < <(find "$folder" -name "*.o")
done
((${#others[@]})) && ar rcs "$archive" "${others[@]}"
# The C modules Swift code imports: their module maps (the package's own, else SwiftPM's).
maps=(-Xcc -I -Xcc "$repo/Sources/CCurl")
for map in "$scratch"/checkouts/*/Sources/*/include/module.modulemap "$bin"/*.build/module.modulemap; do
    module="$(basename "$(dirname "$map")" .build)"
    [[ "$module" == include ]] && module="$(basename "$(dirname "$(dirname "$map")")")"
    [[ -d "$bin/$module.build" && " ${maps[*]} " != *"/$module/include/"* ]] || continue
    maps+=(-Xcc "-fmodule-map-file=$map")
done
extra=()
libraries=("$archive" -lcurl -lstdc++ -lz)
# The theme parser and the tool form live in Dashboard, which pulls in everything; their files
# stand alone.
[[ "$target" == theme ]] && extra=("$repo/Sources/Dashboard/Theme.swift" "$repo/Sources/Dashboard/Style.swift")
[[ "$target" == toolform ]] && extra=("$repo/Sources/Dashboard/ToolForm.swift")
swiftc "${optimize[@]}" -sanitize=fuzzer,address -parse-as-library -module-name "Fuzz_${target//-/_}" -I "$bin/Modules" \
    "${maps[@]}" "$source" "${extra[@]}" "${objects[@]}" "${libraries[@]}" \
    -o "$scratch/fuzz-$target" 2> >(grep -v "Cannot export local symbol" >&2)
echo "$scratch/fuzz-$target"
