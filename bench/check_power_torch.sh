#!/usr/bin/env bash
# check_power_torch.sh: groklab's AdamW steps of Power et al.'s transformer against PyTorch's (float64, 1 thread).
# bench/power_dump (built with groklab) writes the init, the train rows and the batch order of STEPS steps through
# the trainer, and the parameters after them; bench/power_torch.py check runs the same steps with torch.optim.AdamW
# from that init and batch order and compares. Fails (exit 1) if any tensor's max relative difference exceeds TOL.
# usage: bench/check_power_torch.sh [key=value...]   (power_dump's keys; default: the paper's model, x/y mod 97 at
#        50%, batch 512, 200 steps)   TOL=1e-10 by default; BUILD=build by default.
# Exit 77 (skipped) when Debian's python3-torch is not installed (scripts/install-deps.sh --bench installs it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD=${BUILD:-build}
TOL=${TOL:-1e-10}
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  echo "SKIPPED: PyTorch (python3-torch) is not installed; scripts/install-deps.sh --bench installs it"
  exit 77
fi
[ -x "$BUILD/power_dump" ] || { echo "no $BUILD/power_dump: build groklab first (scripts/build.sh)"; exit 2; }
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
"$BUILD/power_dump" "$D" "$@"
/usr/bin/python3 bench/power_torch.py check "$D" "$TOL"
