#!/usr/bin/env bash
# bench_xor.sh: the xor-paper GD step (p=4e4, n=200, m=1000; xor-slow has the same shapes) in one run:
# groklab's span path (path=span, the default: GD on the coefficients A of w_j = w_j(0) + sum_i A_ji x_i,
# n^2 m per step) against groklab's direct path (path=direct: GD on W, n m p per step) and PyTorch float64's
# direct step (bench/xor_torch.py), on the same number of threads; then the span path's set-up (data, init
# and the products X X^T, X W(0)^T, X_test X^T, X_test W(0)^T), which the step times leave out.
# Issue 17 goal: span >= 100x faster per step than direct and than PyTorch.
# usage: bench/bench_xor.sh [THREADS] [SPAN_STEPS] (defaults: nproc, 1000)
source "$(dirname "$0")/bench_lib.sh"
SPAN_STEPS=${2:-1000}

# setup_s: "setup_seconds cpu_seconds" of a 1-step span run (wall from summary.json; user + system CPU).
setup_s() {
  /usr/bin/time -f "%U %S" -o "$T/time" "$GK" run xor-paper steps=1 evals=1 evals_lin=0 threads="$THREADS" \
    --out "$T/setup" --quiet >/dev/null
  local s
  s=$(grep -o '"setup_seconds":[^,}]*' "$T/setup/summary.json" | sed 's/.*://')
  rm -rf "$T/setup"
  awk -v s="$s" '{printf "%.2f %.2f", s, $1 + $2}' "$T/time"
}

echo "load before: $(uptime | sed 's/.*load average: //')"
span=$(c_us xor-paper "$SPAN_STEPS" path=span)
direct=$(c_us xor-paper 4 path=direct n_test=100)
torch=$($PY bench/xor_torch.py 40000 200 1000 3 "$THREADS")
setup=$(setup_s)
read -r sw sc <<<"$span"
read -r dw dc <<<"$direct"
read -r pw pc <<<"$torch"
read -r uw uc <<<"$setup"
printf "%-34s %7s %12s %12s %12s %10s %10s\n" "xor-paper step (p=4e4 n=200 m=1000)" threads "span us" "direct us" \
  "pytorch us" direct/span pytorch/span
printf "%-34s %7s %12s %12s %12s %9.0fx %9.0fx\n" "  wall clock" "$THREADS" "$sw" "$dw" "$pw" \
  "$(awk -v a="$dw" -v b="$sw" 'BEGIN{print a/b}')" "$(awk -v a="$pw" -v b="$sw" 'BEGIN{print a/b}')"
printf "%-34s %7s %12s %12s %12s %9.0fx %9.0fx\n" "  CPU time (all threads)" "$THREADS" "$sc" "$dc" "$pc" \
  "$(awk -v a="$dc" -v b="$sc" 'BEGIN{print a/b}')" "$(awk -v a="$pc" -v b="$sc" 'BEGIN{print a/b}')"
echo "span set-up (xor-paper, n_test=1000, once per run): ${uw} s wall, ${uc} s CPU (1-step run, whole process)"
echo "us = microseconds per step; span: $SPAN_STEPS steps, direct: 4 (n_test=100 only shortens its evals), pytorch: 3."
echo "wall: groklab train_seconds / steps (the set-up is outside it), pytorch perf_counter over the timed loop."
echo "CPU: groklab user CPU of the STEPS run minus a 1-step run, over STEPS - 1 (the set-up cancels); pytorch:"
echo "time.process_time over the timed loop. groklab runs BLAS on one thread inside a run (determinism) and"
echo "spreads fixed blocks over its OpenMP threads; PyTorch: torch.set_num_threads(THREADS), float64."
echo "load after: $(uptime | sed 's/.*load average: //')"
