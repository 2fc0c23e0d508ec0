"""Part of scripts/link-order.sh: reads `perf script --show-mmap-events -F addr` of a page-fault
recording on stdin, finds the functions of BINARY the faults in its code landed in, appends
those not yet listed to ORDER-FILE, and prints how many it added. (Ordering .rodata the same
way was measured and made it worse: 2.0 -> 3.0 MiB resident; its source order is already
close to the order of use.)
   python3 scripts/link-order-update.py BINARY ORDER-FILE"""

import bisect
import os
import re
import subprocess
import sys

binary, order_path = sys.argv[1], sys.argv[2]
real = os.path.realpath(binary)

text = None
for line in subprocess.run(["readelf", "-SW", real], capture_output=True, text=True, check=True).stdout.splitlines():
    fields = re.match(r"\s*\[\s*\d+\]\s+\.text\s+\S+\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)", line)
    if fields:
        text = range(int(fields.group(1), 16), int(fields.group(1), 16) + int(fields.group(2), 16))
if text is None:
    sys.exit(f"{binary}: no .text section")

symbols = []
for line in subprocess.run(["nm", "--defined-only", real], capture_output=True, text=True, check=True).stdout.splitlines():
    fields = line.split()
    if len(fields) == 3 and fields[1] in "tTwW":
        symbols.append((int(fields[0], 16), fields[2]))
symbols.sort()
starts = [address for address, _ in symbols]

base = None
faults = []
for line in sys.stdin:
    if "PERF_RECORD_MMAP" in line:
        mapping = re.search(r"\[0x([0-9a-f]+)\(0x[0-9a-f]+\) @ (0x[0-9a-f]+|0) .*\]: \S+ (\S+)$", line.strip())
        if mapping and base is None and mapping.group(3) == real and int(mapping.group(2), 16) == 0:
            base = int(mapping.group(1), 16)
        continue
    token = line.strip()
    if re.fullmatch(r"[0-9a-f]+", token):
        faults.append(int(token, 16))
if base is None:
    sys.exit(f"no mapping of {real} in the recording")

listed = set(open(order_path).read().split())
added = []
for address in faults:
    offset = address - base
    if offset not in text:
        continue
    index = bisect.bisect_right(starts, offset) - 1
    if index < 0:
        continue
    name = symbols[index][1]
    if name not in listed:
        listed.add(name)
        added.append(name)
with open(order_path, "a") as order:
    for name in added:
        order.write(name + "\n")
print(len(added))
