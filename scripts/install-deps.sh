#!/usr/bin/env bash
# Installs the Debian 12 packages groklab builds, tests and plots with.
# Usage: scripts/install-deps.sh [--bench]   (--bench adds PyTorch + pthread OpenBLAS for bench/)
# Idempotent: packages already present are skipped by apt. Runs apt through sudo when not root.
set -euo pipefail

PKGS=(
  build-essential cmake pkg-config          # toolchain, CTest
  libopenblas-dev liblapacke-dev            # dense algebra (BLAS, LAPACKE)
  libsvm-dev                                # kernel SVM references
  libglpk-dev                               # L1 max-margin linear program
  libcjson-dev                              # config.json / summary.json
  libplplot-dev plplot-driver-cairo         # figures (PNG + SVG)
  libgsl-dev                                # ODE integrators (gradient flow)
  libopenmpi-dev openmpi-bin                # distributed sweeps
)
if [[ "${1:-}" == "--bench" ]]; then
  PKGS+=(python3-torch python3-numpy libopenblas0-pthread)
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#PKGS[@]} Debian packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
