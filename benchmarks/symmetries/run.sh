#!/usr/bin/env bash
# Symmetric RBM (rbm-symm, alpha = 4) with the translation group and with
# the full automorphism group (translations × point group) on the 4×4 and
# 6×6 Heisenberg tori; prints the relative error to the exact energy.
# Then the real FFNN summed over the translations on the J1-J2 ring.
# About 35 minutes on 2 cores. Usage: benchmarks/symmetries/run.sh
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

# Any ansatz summed over the group: the real FFNN on the frustrated J1-J2
# ring (exact energy from the run's own ED).
echo
echo "| config | group | parameters | relative error | wall (s) |"
echo "|---|---|---|---|---|"
for c in j1j2-chain12-ffnn j1j2-chain16-ffnn; do
  for g in none translations; do
    bin/vmc run "benchmarks/symmetries/$c.toml" --json --quiet --force --set ansatz.symmetries=$g --out "$out/$c-$g.h5" > "$out/$c-$g.json"
    /usr/bin/python3 - "$out/$c-$g.json" "$c" "$g" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print("| %s | %s | %d | %.2e | %.0f |" % (sys.argv[2], sys.argv[3], r["n_parameters"], r["relative_error"], r["wall_seconds"]))
PY
  done
done
