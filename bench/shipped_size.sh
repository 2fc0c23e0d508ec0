#!/usr/bin/env bash
# What ships: the size of the stripped mcptop and mcptop-demo-server (scripts/build-release.sh,
# what `make install` installs), of the unstripped link and of the debug info kept beside them,
# and how much of mcptop comes from each statically linked Foundation library, ICU's code and
# data (_FoundationICU) among them (symbol sizes of the unstripped link, by the library that
# defines them; so a lower bound: padding and unnamed data are not counted).
#   bench/shipped_size.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
shipped="$(scripts/build-release.sh -q mcptop mcptop-demo-server)"
built="$(swift build -c release --show-bin-path)"
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
size() { stat -c %s "$1"; }

printf '%-20s %14s %14s %14s\n' "" "shipped MiB" "unstripped MiB" "debug info MiB"
for product in mcptop mcptop-demo-server; do
    printf '%-20s %14s %14s %14s\n' "$product" "$(mib "$(size "$shipped/$product")")" \
        "$(mib "$(size "$built/$product")")" "$(mib "$(size "$shipped/$product.debug")")"
done

static="$(dirname "$(dirname "$(command -v swift)")")/lib/swift_static/linux"
echo
printf '%-36s %10s\n' "in mcptop, from" "MiB"
python3 - "$built/mcptop" "$static" <<'PY'
import subprocess, sys
binary, static = sys.argv[1], sys.argv[2]
def names(path):
    out = subprocess.run(["nm", "-S", "--defined-only", path], capture_output=True, text=True).stdout
    return out.splitlines()
sizes = {}
for line in names(binary):
    fields = line.split()
    if len(fields) == 4:
        sizes[fields[3]] = int(fields[1], 16)
for library in ["_FoundationICU", "FoundationInternationalization", "Foundation", "FoundationEssentials", "CoreFoundation"]:
    defined = {line.split()[-1] for line in names(f"{static}/lib{library}.a") if len(line.split()) >= 3}
    total = sum(size for name, size in sizes.items() if name in defined)
    print(f"{'lib' + library + '.a':36} {total / 1048576:10.1f}")
print(f"{'  of which ICU data (icudt*_dat)':36} {sum(v for k, v in sizes.items() if k.startswith('icudt')) / 1048576:10.1f}")
PY
