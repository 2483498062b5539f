#!/usr/bin/env bash
# Symmetric RBM (rbm-symm, alpha = 4) with the translation group and with
# the full automorphism group (translations × point group) on the 4×4 and
# 6×6 Heisenberg tori; prints the relative error to the exact energy.
# About 30 minutes on 2 cores. Usage: benchmarks/symmetries/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
go build -o bin/vmc ./cmd/vmc
declare -A ref=( [4]=-0.701780200527 [6]=-0.678872 )
declare -A cfg=( [4]=configs/heisenberg-square4x4-symm.toml [6]=benchmarks/symmetries/heisenberg-square6x6-symm.toml )
out=$(mktemp -d)
echo "| lattice | group | elements | parameters | E/N | exact E/N | relative error | s / iteration |"
echo "|---|---|---|---|---|---|---|---|"
for l in 4 6; do
  for g in translations automorphisms; do
    n=$(bin/vmc check "${cfg[$l]}" --json --set ansatz.symmetries=$g | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["symmetry_group_size"])')
    bin/vmc run "${cfg[$l]}" --json --quiet --force --set ansatz.symmetries=$g --out "$out/$l-$g.h5" > "$out/$l-$g.json"
    /usr/bin/python3 - "$out/$l-$g.json" "${ref[$l]}" "$l×$l" "$g" "$n" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); ref = float(sys.argv[2])
e, de = r["energy_per_site"], r["energy_error"] / r["n_sites"]
print("| %s | %s | %s | %d | %.7f ± %.7f | %.9f | %.2e | %.3f |" % (sys.argv[3], sys.argv[4], sys.argv[5], r["n_parameters"], e, de, ref, abs(e - ref) / abs(ref), r["wall_seconds"] / r["iterations"]))
PY
  done
done
