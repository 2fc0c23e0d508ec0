#!/usr/bin/env bash
# Runs every benchmark; copy the output into BENCHMARKS.md with the date and machine.
set -euo pipefail
cd "$(dirname "$0")"
echo "== call latency ($(date -u +%Y-%m-%d), $(nproc) cores)"
./call_latency.sh "$@"
echo
echo "== token refresh"
./token_refresh.sh
echo
echo "== watch over 1000 servers"
./watch_scale.sh
echo
echo "== dashboard vs htop"
./dashboard_vs_htop.sh
echo
echo "== shipped size"
./shipped_size.sh
