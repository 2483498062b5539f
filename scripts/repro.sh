#!/usr/bin/env bash
# Records, bit for bit, what a vmc binary computes for every shipped config
# (20 optimization iterations, exact-sum and observable variants included):
# the /log energy column and the final summary with %.17g. Two binaries that
# give the same file give the same README and RESULTS numbers, since runs are
# deterministic and every longer run continues the same trajectory.
#   scripts/repro.sh BIN OUT.txt
# Compare two binaries with: diff <(scripts/repro.sh old a) <(scripts/repro.sh new b)
set -euo pipefail
bin=$(realpath "$1"); out=$(realpath -m "$2")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$(dirname "$0")/.."
: > "$out"
py=/usr/bin/python3
run() { # name, config, extra args...
  local name=$1 cfg=$2; shift 2
  "$bin" run "$cfg" --quiet --json --force --threads 2 --out "$tmp/r.h5" \
    --set optimizer.iterations=20 --set evaluate.samples=2048 "$@" > "$tmp/r.json"
  "$py" - "$tmp/r.h5" "$tmp/r.json" "$name" >> "$out" <<'PY'
import h5py, json, sys
f = h5py.File(sys.argv[1], "r"); s = json.load(open(sys.argv[2]))
print(sys.argv[3], "log", " ".join("%.17g" % e for e in f["log"]["energy"][:]))
for k in ("energy", "energy_error", "variance", "ed_energy", "relative_error"):
    v = s.get(k)
    print(sys.argv[3], k, "null" if v is None else "%.17g" % v)
for name, o in sorted((s.get("observables") or {}).items()):
    print(sys.argv[3], "obs", name, json.dumps(o, sort_keys=True))
PY
}
for c in configs/*.toml; do
  n=$(basename "$c" .toml)
  run "$n" "$c"
done
run default-exact configs/default.toml --set sampler.exact=true
run default-obs configs/default.toml --set observables.correlations='"distance"' \
  --set observables.structure_factor=true --set observables.magnetization=true \
  --set 'observables.renyi2_region=[0,1,2,3]'
run ising-adam configs/ising-chain20.toml --set optimizer.kind='"adam"' --set optimizer.learning_rate=0.01
run chain-momentum configs/heisenberg-chain20.toml --set ed.momentum='"zero"'
