#!/usr/bin/env bash
# e2e_parity.sh: the sample experiment (src/exp/parity.c, one file plus its registry line). Sparse parity groks:
# the train set is fit well before the test accuracy jumps, and the test accuracy ends high. Killed with -9 mid-run
# and resumed, the run gives the metrics of a run never stopped, byte for byte; so do runs with every trainer
# feature on (minibatches by epoch and with replacement, momentum, Nesterov, gradient and weight noise, decay
# toward init, the fixed norm, warmup and the cosine schedule).
source "$(dirname "$0")/lib.sh"

# first_step CSV COLUMN THRESHOLD: the first step with COLUMN >= THRESHOLD (empty if none)
first_step() {
    local c; c=$(col "$1" "$2")
    awk -F, -v c="$c" -v thr="$3" 'NR > 1 && $c >= thr { print $1; exit }' "$1"
}
# value_at CSV COLUMN STEP
value_at() { local c; c=$(col "$1" "$2"); awk -F, -v c="$c" -v s="$3" 'NR > 1 && $1 == s { print $c; exit }' "$1"; }

"$GK" run parity-fast threads=1 evals=40 evals_lin=80 --quiet --out "$T/grok" >"$T/grok.out" 2>&1
csv="$T/grok/metrics.csv"
check "parity-fast completes" grep -q '"status":[[:space:]]*"completed"' "$T/grok/summary.json"
fit=$(first_step "$csv" train_acc 0.99)
grok=$(first_step "$csv" test_acc 0.95)
at_fit=$(value_at "$csv" test_acc "$fit")
final=$(tail -1 "$csv" | cut -d, -f"$(col "$csv" test_acc)")
echo "  fit (train_acc >= 0.99) at step $fit with test_acc $at_fit; test_acc >= 0.95 at step $grok; final $final"
check "the train set is fit (train_acc >= 0.99)" [ -n "$fit" ]
check "the test accuracy jumps (test_acc >= 0.95)" [ -n "$grok" ]
check "the fit comes well before the jump (grok step >= 2 x fit step)" [ -n "$fit" ] && [ -n "$grok" ] && [ "$grok" -ge $((2 * fit)) ]
check "at the fit the test accuracy is near chance (<= 0.7)" awk -v a="$at_fit" 'BEGIN { exit !(a != "" && a <= 0.7) }'
check "the test accuracy ends high (>= 0.95)" awk -v a="$final" 'BEGIN { exit !(a >= 0.95) }'
check "the fit step is in summary.json" [ "$(json_num "$T/grok/summary.json" train_fit_step)" = "$fit" ]

# kill_and_resume NAME KEYS...: a run never stopped against one killed with -9 after its first checkpoint and
# resumed. Robust under load: the kill follows the checkpoint at once (SIGSTOP freezes the run where it is).
kill_and_resume() {
    local name=$1; shift
    "$GK" run parity-fast "$@" threads=1 --quiet --checkpoint-every 0 --out "$T/$name-full" >/dev/null 2>&1
    "$GK" run parity-fast "$@" threads=1 --quiet --checkpoint-every 0.2 --out "$T/$name" >/dev/null 2>&1 &
    local pid=$! waited=0
    while [ ! -s "$T/$name/checkpoint" ] && [ $waited -lt 1200 ] && kill -0 $pid 2>/dev/null; do
        sleep 0.05; waited=$((waited + 1))
    done
    kill -STOP $pid 2>/dev/null
    if ! kill -9 $pid 2>/dev/null; then fail "$name: the run ended before the kill (make it longer)"; return; fi
    wait $pid 2>/dev/null
    if [ -e "$T/$name/summary.json" ]; then fail "$name: the run finished before the kill (make it longer)"; return; fi
    check "$name: the killed run left a checkpoint" [ -s "$T/$name/checkpoint" ]
    "$GK" resume "$T/$name" --quiet >"$T/$name.out" 2>&1
    local rc=$?
    check "$name: resume exits 0 (rc=$rc)" [ $rc -eq 0 ]
    check "$name: resumed metrics.csv is byte-identical to the uninterrupted run's" \
        cmp -s "$T/$name-full/metrics.csv" "$T/$name/metrics.csv"
    check "$name: resumed summary says completed" grep -q '"status":[[:space:]]*"completed"' "$T/$name/summary.json"
}

kill_and_resume plain steps=25000 evals=20 evals_lin=20
kill_and_resume epochs steps=25000 evals=20 evals_lin=20 grad_noise=0.01 warmup=200 schedule=cosine min_lr_frac=0.1
kill_and_resume replace steps=25000 evals=20 evals_lin=20 batch_replace=1 nesterov=1 weight_noise=0.0005 \
    decay_to_init=1 fixed_norm=1

finish
