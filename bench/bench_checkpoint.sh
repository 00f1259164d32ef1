#!/usr/bin/env bash
# bench_checkpoint.sh: what checkpoints cost on the paper-size diag run (d = 1e5, n = 256: 2e5 parameters,
# a 1.6 MB checkpoint).
#   1. the time to write one checkpoint: a run with --checkpoint-every 0.2 reports checkpoints_written and
#      checkpoint_seconds in its summary.json;
#   2. the slow-down: the same steps with --checkpoint-every 1 (A, 60x more often than the 60 s of the issue)
#      against --checkpoint-every 0 (B), paired by farm-bench; the cost at 60 s is that per-checkpoint time / 60 s.
# Usage: bench/bench_checkpoint.sh [RUNS]   (groklab from ./build/groklab, or GK=...)
set -euo pipefail
cd "$(dirname "$0")/.."
GK=${GK:-./build/groklab}
RUNS=${1:-3}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
KEYS="steps=${STEPS:-3000} evals=10 evals_lin=0 n_test=2000"
echo "== one checkpoint of diag-sparse-paper ($(uptime | sed 's/.*load/load/'))"
"$GK" run diag-sparse-paper $KEYS --checkpoint-every 0.2 --quiet --out "$T/c" >/dev/null
n=$(grep -o '"checkpoints_written":[^,]*' "$T/c/summary.json" | sed 's/.*://')
s=$(grep -o '"checkpoint_seconds":[^,]*' "$T/c/summary.json" | sed 's/.*://')
awk -v n="$n" -v s="$s" -v b="$(stat -c %s "$T/c/checkpoint")" \
    'BEGIN{printf "%d checkpoints of %.2f MB in %.3f s: %.1f ms each\n", n, b / 1e6, s, 1e3 * s / n}'
for every in 1; do
    echo "== --checkpoint-every $every (A) vs 0 (B), $RUNS pairs"
    farm-bench -n "$RUNS" --warmup 0 --timeout 3000 \
        --vs "sh -c 'rm -rf $T/b; exec $GK run diag-sparse-paper $KEYS --checkpoint-every 0 --quiet --out $T/b'" \
        -- sh -c "rm -rf $T/a; exec $GK run diag-sparse-paper $KEYS --checkpoint-every $every --quiet --out $T/a"
done
