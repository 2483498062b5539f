#!/usr/bin/env bash
# Runs the standard benchmark cases and writes benchmarks/RESULTS.md.
# Usage: benchmarks/run.sh [--quick]   (run on a quiet machine: timings!)
set -euo pipefail
cd "$(dirname "$0")/.."
quick=""
[ "${1:-}" = "--quick" ] && quick="-quick"
mkdir -p bin
go build -o bin/vmcbench ./benchmarks/vmcbench
go build -o bin/ed-bench ./benchmarks/ed
out=benchmarks/RESULTS.md
tmp=$(mktemp)
{
  bin/vmcbench -threads 1,2 $quick
  echo
  echo "## Exact diagonalization (Heisenberg chain, S^z = 0)"
  echo
  echo '| N | dimension | product | wall (s) | peak memory (GB) |'
  echo '|---|---|---|---|---|'
  sizes="20 24 26"
  [ -n "$quick" ] && sizes="16 20"
  for n in $sizes; do
    bin/ed-bench -n "$n" -json | /usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)
print("| %d | %d | %s | %.2f | %.2f |" % (r["n_sites"], r["dimension"], r["product"], r["wall_seconds"], r["peak_rss_bytes"] / 1e9))'
  done
} > "$tmp"
mv "$tmp" "$out"
cat "$out"
