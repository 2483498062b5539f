#!/usr/bin/env bash
# The MPI check of CI (make test-mpi): the same small run with the default
# binary, with the MPI binary on 1 rank and on 2 ranks, and a 2-rank run
# stopped at iteration 8 and resumed on 3 ranks to iteration 15, must give
# the same /log/energy column and final summary bit for bit (%.17g).
#   scripts/mpi-test.sh BIN BIN_MPI
set -euo pipefail
bin=$(realpath "$1"); mpibin=$(realpath "$2")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
# CI runs as root; OpenMPI refuses that unless told.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Ranks that wait in a collective yield the core (2 shared cores).
export OMPI_MCA_mpi_yield_when_idle=1
mpirun="mpirun --oversubscribe"
cat > small.toml <<'TOML'
seed = 5
[lattice]
kind = "chain"
extent = [10]
[hamiltonian]
kind = "heisenberg"
[ansatz]
alpha = 1
[sampler]
chains = 5
samples = 200
[optimizer]
iterations = 15
[evaluate]
samples = 500
[observables]
correlations = "distance"
[output]
checkpoint_every = 4
TOML
summary() { # run file, json file
  /usr/bin/python3 - "$1" "$2" <<'PY'
import h5py, json, sys
f = h5py.File(sys.argv[1], "r"); s = json.load(open(sys.argv[2]))
print("log", " ".join("%.17g" % e for e in f["log"]["energy"][:]))
for k in ("energy", "energy_error", "variance", "ed_energy", "relative_error"):
    print(k, "%.17g" % s[k])
print("corr", " ".join("%.17g" % e for e in f["observables"]["zz_distance"]["mean"][:]))
PY
}
"$bin" run small.toml --quiet --json --threads 2 --out ref.h5 > ref.json
summary ref.h5 ref.json > ref.txt
$mpirun -np 1 "$mpibin" run small.toml --quiet --json --threads 2 --out one.h5 > one.json
summary one.h5 one.json > one.txt
$mpirun -np 2 "$mpibin" run small.toml --quiet --json --threads 1 --out two.h5 > two.json
summary two.h5 two.json > two.txt
$mpirun -np 2 "$mpibin" run small.toml --quiet --threads 1 --out res.h5 --set optimizer.iterations=8
$mpirun -np 3 "$mpibin" run --resume res.h5 --quiet --json --threads 1 --set optimizer.iterations=15 > res.json
summary res.h5 res.json > res.txt
status=0
for c in one two res; do
  if ! diff ref.txt "$c.txt"; then
    echo "scripts/mpi-test.sh: $c differs from the default binary" >&2; status=1
  fi
done
[ "$status" = 0 ] && echo "scripts/mpi-test.sh: 1 rank, 2 ranks, 2 ranks resumed on 3: identical to the default binary ($(wc -l < ref.txt) lines)"
exit $status
