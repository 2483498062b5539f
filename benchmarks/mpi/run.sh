#!/usr/bin/env bash
# 2 MPI ranks × 1 thread vs 1 rank × 2 threads on the 10×10 Heisenberg
# torus, rbm-symm alpha = 1 (benchmarks/carleo-troyer/heisenberg-square10.toml
# with alpha = 1), alternating the two, REPS times each. Prints the
# optimization time of iterations 1..ITERS-1 (iteration 0 holds the
# burn-in) per run, and rank 0's time in the batch gathers.
#   benchmarks/mpi/run.sh [ITERS] [REPS]     (after make build build-mpi)
set -euo pipefail
cd "$(dirname "$0")/../.."
iters=${1:-60}; reps=${2:-3}
bin=$(realpath bin/vmc); mpibin=$(realpath bin/vmc-mpi)
cfg=$(realpath benchmarks/carleo-troyer/heisenberg-square10.toml)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_mpi_yield_when_idle=1
set_=(--set ansatz.alpha=1 --set optimizer.iterations="$iters" --set evaluate.samples=1000 --force)
opt() { /usr/bin/python3 -c 'import h5py,sys; w=h5py.File(sys.argv[1])["log"]["wall_seconds"][:]; e=h5py.File(sys.argv[1])["log"]["energy"][:]; print("%.3f %.17g" % (w[-1]-w[0], e[-1]))' "$1"; }
for r in $(seq "$reps"); do
  "$bin" run "$cfg" "${set_[@]}" --threads 2 --out "$tmp/a.h5" 2> "$tmp/a.err"
  echo "1 rank  x 2 threads: $(opt "$tmp/a.h5") (optimization s, last energy)"
  mpirun --oversubscribe --bind-to none -np 2 "$mpibin" run "$cfg" "${set_[@]}" --threads 1 --out "$tmp/b.h5" 2> "$tmp/b.err"
  echo "2 ranks x 1 thread : $(opt "$tmp/b.h5") (optimization s, last energy); $(grep -o 'spent .* gathering' "$tmp/b.err")"
done
uptime
