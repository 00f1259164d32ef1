#!/usr/bin/env bash
# bench_diag.sh: microseconds per full-batch GD step of the diagonal net, groklab (C) against the same run
# written with PyTorch float64 (bench/diag_torch.py: Debian python3-torch with the pthread OpenBLAS), on the
# same number of threads. Issue goal: groklab >= 10x on the sparse data; the 2e6-step paper run in 30 min.
# usage: bench/bench_diag.sh [THREADS]      (install: scripts/install-deps.sh --bench; build: scripts/build.sh)
source "$(dirname "$0")/bench_lib.sh"
# diag_row LABEL DATA D N C_STEPS TORCH_STEPS PRESET: n_test=100 keeps the setup and the two evals small
diag_row() {
  row "$1" "$(c_us "$7" "$5" d="$3" n="$4" n_test=100)" "$($PY bench/diag_torch.py "$2" "$3" "$4" "$6" "$THREADS")"
}
header
diag_row "diag-sparse default d=1e3 n=128" sparse 1000 128 20000 2000 diag-sparse
diag_row "diag-l2sep default d=3e4 n=32" l2sep 30000 32 2000 300 diag-l2sep
diag_row "paper sparse d=1e5 n=256" sparse 100000 256 2000 50 diag-sparse
diag_row "paper l2sep d=1e5 n=32" l2sep 100000 32 1000 50 diag-l2sep
footer
