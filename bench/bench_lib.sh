# shellcheck shell=bash disable=SC2034
# bench_lib.sh: shared by bench/bench_{diag,mc,kumar,xor,modular}.sh (sourced, not run).
# Sets THREADS (argument 1, default nproc), GK (groklab binary; override with GK=...), PY (Debian's python3,
# where python3-torch lives) and defines c_us, row and footer.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
THREADS=${1:-$(nproc)}
GK=${GK:-./build/groklab}
PY=/usr/bin/python3
export OMP_NUM_THREADS=$THREADS
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# c_us PRESET STEPS KEY=VALUE...: prints "wall_us cpu_us" per step of a groklab run.
# wall: train_seconds / steps (eval points: only the first and the last, outside train_seconds);
# cpu: user CPU seconds (all threads) of the STEPS run minus those of a 1-step run, over STEPS - 1.
c_us() {
  local preset=$1 steps=$2; shift 2
  local k u1 un s
  for k in 1 "$steps"; do
    /usr/bin/time -f %U -o "$T/time" "$GK" run "$preset" steps="$k" evals=1 evals_lin=0 threads="$THREADS" "$@" \
      --out "$T/run" --quiet >/dev/null
    if [ "$k" = 1 ]; then u1=$(cat "$T/time"); else un=$(cat "$T/time"); fi
    s=$(grep -o '"train_seconds":[^,}]*' "$T/run/summary.json" | sed 's/.*://')
    rm -rf "$T/run"
  done
  awk -v s="$s" -v n="$steps" -v a="$u1" -v b="$un" 'BEGIN{printf "%.1f %.1f", 1e6 * s / n, 1e6 * (b - a) / (n - 1)}'
}

header() {
  printf "%-40s %7s %12s %12s %8s %12s %12s\n" setting threads "groklab us" "pytorch us" ratio "gk cpu us" "pt cpu us"
}

# row LABEL "C_WALL C_CPU" "PT_WALL PT_CPU": ratio = pytorch wall / groklab wall
row() {
  local label=$1 cw cc pw pc
  read -r cw cc <<<"$2"
  read -r pw pc <<<"$3"
  printf "%-40s %7s %12s %12s %7.1fx %12s %12s\n" "$label" "$THREADS" "$cw" "$pw" \
    "$(awk -v a="$pw" -v b="$cw" 'BEGIN{print a/b}')" "$cc" "$pc"
}

footer() {
  echo "us = microseconds per step (wall clock); ratio = pytorch / groklab (> 1: groklab faster)."
  echo "cpu us = user CPU time per step summed over threads (groklab: /usr/bin/time %U of a STEPS run minus a"
  echo "1-step run; pytorch: time.process_time over the timed loop); less sensitive to other jobs on the machine."
  echo "groklab runs BLAS on one thread inside a run by design (determinism); its own OpenMP loops use THREADS."
  echo "PyTorch: torch.set_num_threads(THREADS), float64 unless marked f32. Machine shared: load $(uptime | sed 's/.*load average: //')"
}
