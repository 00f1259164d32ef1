#!/usr/bin/env bash
# bench_diag.sh: microseconds per full-batch GD step of the diagonal net, groklab (C) against the same run
# written with PyTorch float64 (Debian python3-torch with the pthread OpenBLAS), on the same cores.
# usage: bench/bench_diag.sh [THREADS]      (install: scripts/install-deps.sh --bench; build: scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${1:-$(nproc)}
GK=./build/groklab
PY=/usr/bin/python3 # Debian's interpreter, where python3-torch lives
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

c_us() { # preset, steps, extra keys: train_seconds / steps over a run with only 2 eval points
  local preset=$1 steps=$2; shift 2
  "$GK" run "$preset" steps="$steps" evals=1 evals_lin=0 threads="$THREADS" "$@" --out "$T/run" --quiet >/dev/null
  local s; s=$(grep -o '"train_seconds":[^,]*' "$T/run/summary.json" | sed 's/.*://')
  rm -rf "$T/run"
  awk -v s="$s" -v n="$steps" 'BEGIN{printf "%.1f", 1e6 * s / n}'
}

printf "%-34s %12s %12s %8s\n" "setting ($THREADS threads)" "groklab us" "pytorch us" "ratio"
row() { # label, data, d, n, c-steps, torch-steps, preset
  local label=$1 data=$2 d=$3 n=$4 cs=$5 ts=$6 preset=$7
  local c; c=$(c_us "$preset" "$cs" d="$d" n="$n" n_test=100)
  local p; p=$(OMP_NUM_THREADS=$THREADS $PY bench/diag_torch.py "$data" "$d" "$n" "$ts" "$THREADS")
  printf "%-34s %12s %12s %7.1fx\n" "$label" "$c" "$p" "$(awk -v a="$p" -v b="$c" 'BEGIN{print a/b}')"
}
row "diag-sparse default d=1e3 n=128" sparse 1000 128 20000 2000 diag-sparse
row "diag-l2sep default d=3e4 n=32" l2sep 30000 32 2000 300 diag-l2sep
row "paper sparse d=1e5 n=256" sparse 100000 256 2000 50 diag-sparse
row "paper l2sep d=1e5 n=32" l2sep 100000 32 1000 50 diag-l2sep
