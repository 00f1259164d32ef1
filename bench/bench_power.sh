#!/usr/bin/env bash
# bench_power.sh: one minibatch AdamW step of Power et al.'s transformer (2 layers, width 128, 4 heads, d_ff 512,
# x/y mod 97 at 50%, batch 512), groklab (`groklab run power-div`) against PyTorch (bench/power_torch.py: the same
# model, every position computed in every layer, torch.optim.AdamW) in float64 and float32, at THREADS threads
# (default 1). Issue goals at 1 thread: float32 >= 1.5x, float64 >= 2x.
# GFLOP/s: the matrix products of one step (forward + backward = 3x the forward's multiply-adds x 2) over the
# CPU time (on a shared machine the wall clock measures the other jobs too), groklab's own count (its last layer computes queries, feed-forward and unembedding at the answer
# position only: 3.36 GFLOP per step at this size) and PyTorch's (every position: 4.87 GFLOP); against the
# single-thread OpenBLAS peak of bench/gemm_peak (square N = 1024 products).
# usage: bench/bench_power.sh [THREADS] (STEPS=50 per timed run by default)
source "$(dirname "$0")/bench_lib.sh"
STEPS=${STEPS:-50}
export OPENBLAS_NUM_THREADS=1

# gemm_flops N T D F L C FULL: multiply-adds x 2 of the forward's products x 3 (forward and backward); FULL=1:
# every position in every layer (PyTorch), 0: the last layer's queries at the answer position only (groklab).
gemm_flops() {
  awk -v n="$1" -v T="$2" -v D="$3" -v F="$4" -v L="$5" -v C="$6" -v full="$7" 'BEGIN{
    R = n * T; per = 8 * R * D * D + 4 * R * D * F;
    last = full ? per : 4 * R * D * D + 4 * n * D * D + 4 * n * D * F;
    printf "%.0f", 3 * ((L - 1) * per + last + 2 * n * D * C) }'
}
FG=$(gemm_flops 512 4 128 512 2 97 0)
FT=$(gemm_flops 512 4 128 512 2 97 1)
read -r _ DPEAK _ <<<"$(./build/gemm_peak 1024 10 | grep dgemm)"
read -r _ SPEAK _ <<<"$(./build/gemm_peak 1024 10 | grep sgemm)"

gflops() { awk -v f="$1" -v us="$2" 'BEGIN{printf "%.1f", f / us / 1e3}'; }
report() { # label groklab "wall cpu" torch "wall cpu" peak: the row, then the CPU-time ratio and GFLOP/s
  local label=$1 c=$2 p=$3 peak=$4 cc pc g
  row "$label" "$c" "$p"
  read -r _ cc <<<"$c"; read -r _ pc <<<"$p"
  g=$(gflops "$FG" "$cc")
  printf "  cpu-time ratio %.2fx; per CPU second: groklab %s GFLOP/s (%s%% of the %s GFLOP/s gemm peak), pytorch %s GFLOP/s\n" \
    "$(awk -v a="$pc" -v b="$cc" 'BEGIN{print a / b}')" "$g" "$(awk -v a="$g" -v b="$peak" 'BEGIN{printf "%.0f", 100 * a / b}')" \
    "$peak" "$(gflops "$FT" "$pc")"
}

header
C64=$(c_us power-div "$STEPS" precision=f64)
P64=$($PY bench/power_torch.py bench float64 "$THREADS" "$STEPS")
report "power-div paper size, float64" "$C64" "$P64" "$DPEAK"
C32=$(c_us power-div "$STEPS" precision=f32)
P32=$($PY bench/power_torch.py bench float32 "$THREADS" "$STEPS")
report "power-div paper size, float32" "$C32" "$P32" "$SPEAK"
footer
echo "gemm peak (1 thread, OpenBLAS, N=1024): dgemm $DPEAK GFLOP/s, sgemm $SPEAK GFLOP/s (bench/gemm_peak)"
echo "matrix-product work per step: groklab $FG flops, pytorch $FT flops (all positions)"
