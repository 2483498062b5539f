#!/usr/bin/env bash
# Installs the Debian packages that building and testing vmc need, if any is
# missing: libhdf5-dev (cgo HDF5 bindings), pkg-config, hdf5-tools (h5dump)
# and python3-h5py (tests prove that external tools read our files).
# `scripts/deps.sh mpi` adds OpenMPI (libopenmpi-dev, openmpi-bin) for the
# optional MPI build (make build-mpi, make test-mpi).
set -euo pipefail
pkgs=(libhdf5-dev pkg-config hdf5-tools python3-h5py)
if [ "${1:-}" = mpi ]; then
  pkgs+=(libopenmpi-dev openmpi-bin)
fi
missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
echo "scripts/deps.sh: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then sudo="sudo"; else
    echo "scripts/deps.sh: need root (or sudo) to apt-get install ${missing[*]}" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
