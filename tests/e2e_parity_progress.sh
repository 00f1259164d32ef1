#!/usr/bin/env bash
# e2e_parity_progress.sh: sparse parity's hidden progress (src/exp/parity_progress.c). On parity-merrill-fast the
# first layer's weight on the k relevant bits and the net's Fourier coefficient on the support rise before the
# test accuracy does, after the train set is fit; the active subnetwork shrinks to a few neurons; and a run
# killed with -9 and resumed gives the metrics of a run never stopped.
source "$(dirname "$0")/lib.sh"

"$GK" run parity-merrill-fast threads=1 evals=30 evals_lin=60 --quiet --out "$T/pm" >"$T/pm.out" 2>&1
S="$T/pm/summary.json"
check "parity-merrill-fast completes" grep -q '"status":[[:space:]]*"completed"' "$S"
fit=$(json_num "$S" train_fit_step); sup=$(json_num "$S" support_rise_step); fou=$(json_num "$S" fourier_rise_step)
rise=$(json_num "$S" test_acc_rise_step); grok=$(json_num "$S" test_grok_step)
a_fit=$(json_num "$S" active_neurons_at_fit); a_end=$(json_num "$S" active_neurons_final)
echo "  fit $fit, Fourier 0.1 at $fou, support ratio 1.25 at $sup, test 0.6 at $rise, test 0.95 at $grok; active $a_fit -> $a_end"
check "every step is in summary.json" bash -c "for v in $fit $sup $fou $rise $grok; do [[ \$v =~ ^[0-9]+$ ]] || exit 1; done"
check "the train set is fit before the support's weight rises" [ "${fit:-0}" -lt "${sup:-0}" ]
check "the support's weight rises before the test accuracy (0.6)" [ "${sup:-1}" -lt "${rise:-0}" ]
check "the Fourier coefficient on the support rises before the test accuracy (0.6)" [ "${fou:-1}" -lt "${rise:-0}" ]
check "the test accuracy jumps (0.95) well after the fit" [ "${grok:-0}" -ge $((2 * ${fit:-1})) ]
check "the active subnetwork shrinks to a few neurons (<= 10, from > 50 at the fit)" \
    bash -c "isnum() { [[ \$1 =~ ^[0-9.]+$ ]]; }; isnum '$a_end' && isnum '$a_fit' && awk 'BEGIN { exit !($a_end <= 10 && $a_fit > 50) }'"
check "the progress figure is drawn" [ -s "$T/pm/progress.png" ]

# kill -9 after the first checkpoint and resume: byte-identical metrics
"$GK" run parity-merrill-fast threads=1 steps=12000 evals=20 evals_lin=20 --quiet --checkpoint-every 0 --out "$T/full" >/dev/null 2>&1
"$GK" run parity-merrill-fast threads=1 steps=12000 evals=20 evals_lin=20 --quiet --checkpoint-every 0.2 --out "$T/kr" >/dev/null 2>&1 &
pid=$! waited=0
while [ ! -s "$T/kr/checkpoint" ] && [ $waited -lt 1200 ] && kill -0 $pid 2>/dev/null; do sleep 0.05; waited=$((waited + 1)); done
kill -STOP $pid 2>/dev/null
if kill -9 $pid 2>/dev/null && wait $pid 2>/dev/null; [ ! -e "$T/kr/summary.json" ]; then
    "$GK" resume "$T/kr" --quiet >/dev/null 2>&1
    check "resumed metrics.csv is byte-identical to the uninterrupted run's" cmp -s "$T/full/metrics.csv" "$T/kr/metrics.csv"
else
    fail "the run ended before the kill (make it longer)"
fi
finish
