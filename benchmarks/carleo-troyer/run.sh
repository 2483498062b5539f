#!/usr/bin/env bash
# Reproduces the systems of Carleo & Troyer, Science 355, 602 (2017) and
# prints the relative error to the exact (chains) or QMC (10×10) energy.
# Minutes to an hour on 2 cores. Usage: benchmarks/carleo-troyer/run.sh [case...]
set -euo pipefail
cd "$(dirname "$0")/../.."
go build -o bin/vmc ./cmd/vmc
declare -A ref=( [heisenberg-chain80]=-0.443275951872 [ising-chain80]=-1.273321360724 [heisenberg-square10]=-0.671549 )
cases=("$@")
[ ${#cases[@]} -eq 0 ] && cases=(heisenberg-chain80 ising-chain80 heisenberg-square10)
out=$(mktemp -d)
echo "| system | ansatz | parameters | E/N | reference E/N | relative error | wall (s) |"
echo "|---|---|---|---|---|---|---|"
for c in "${cases[@]}"; do
  bin/vmc run "benchmarks/carleo-troyer/$c.toml" --json --quiet --force --out "$out/$c.h5" > "$out/$c.json"
  /usr/bin/python3 - "$out/$c.json" "${ref[$c]}" "$c" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); ref = float(sys.argv[2])
e = r["energy_per_site"]
print("| %s | rbm-symm | %d | %.8f ± %.8f | %.9f | %.2e | %.0f |" % (sys.argv[3], r["n_parameters"], e, r["energy_error"] / r["n_sites"], ref, abs(e - ref) / abs(ref), r["wall_seconds"]))
PY
done
