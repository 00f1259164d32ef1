#!/usr/bin/env bash
# e2e_parity_barak.sh: online sparse parity (Barak et al. 2022; src/exp/parity.c with online=1, the hidden-progress
# columns of src/exp/parity_progress.c). parity-barak-fast draws fresh samples each step: the test accuracy sits at
# chance while the first layer's weight on the 3 relevant bits grows, then jumps to 0.95; a run killed with -9 and
# resumed draws the same samples (per-step seeds) and gives byte-identical metrics; a sweep over n draws
# curve.png and fits the steps to 0.95 test accuracy against n (sweep_curve.json), rising with n.
source "$(dirname "$0")/lib.sh"

"$GK" run parity-barak-fast threads=1 steps=2500 evals=20 evals_lin=100 --quiet --out "$T/b" >"$T/b.out" 2>&1
S="$T/b/summary.json"
check "parity-barak-fast completes" grep -q '"status":[[:space:]]*"completed"' "$S"
sup=$(json_num "$S" support_rise_step); rise=$(json_num "$S" test_acc_rise_step); grok=$(json_num "$S" test_grok_step)
echo "  support ratio 1.25 at $sup, test 0.6 at $rise, test 0.95 at $grok"
check "every step is in summary.json" bash -c "for v in $sup $rise $grok; do [[ \$v =~ ^[0-9]+$ ]] || exit 1; done"
check "the support's weight rises before the test accuracy (0.6)" [ "${sup:-1}" -lt "${rise:-0}" ]
check "the test accuracy stays near chance for hundreds of steps (0.6 after step 300)" [ "${rise:-0}" -gt 300 ]
check "online with batch=0 is bad input (exit 2, nothing written)" \
    bash -c "'$GK' run parity-barak-fast batch=0 --quiet --out '$T/b0' >/dev/null 2>&1; [ \$? -eq 2 ] && [ ! -e '$T/b0' ]"

# kill -9 once the first checkpoint is on disk (frozen first), resume: byte-identical metrics
"$GK" run parity-barak-fast threads=1 steps=3000 evals=10 evals_lin=30 --quiet --checkpoint-every 0 --out "$T/full" >/dev/null 2>&1
"$GK" run parity-barak-fast threads=1 steps=3000 evals=10 evals_lin=30 --quiet --checkpoint-every 0.2 --out "$T/kr" >/dev/null 2>&1 &
pid=$!
wait_file "$T/kr/checkpoint" $pid
if kill -STOP $pid 2>/dev/null; then
    kill -9 $pid; wait $pid 2>/dev/null
    "$GK" resume "$T/kr" --quiet >/dev/null 2>&1
    check "resume exits 0" [ $? -eq 0 ]
    check "the resumed metrics.csv is byte-identical to the uninterrupted run's" cmp -s "$T/full/metrics.csv" "$T/kr/metrics.csv"
else
    fail "the run ended before its first checkpoint was seen (make it longer)"
fi

# the n-sweep: steps to 0.95 test accuracy against n, fitted on a log-log scale
"$GK" sweep parity-barak-fast n=8,16,32 width=64 steps=3000 evals=10 evals_lin=60 --jobs 2 --quiet --checkpoint-every 0 \
    --out "$T/sw" >"$T/sw.out" 2>&1
check "the sweep draws curve.png" [ -s "$T/sw/curve.png" ]
read -r slope rising < <(/usr/bin/python3 - "$T/sw/sweep_curve.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["curves"][0]
y = c["y_median"]
print("  n %s: steps to 0.95 %s, slope %s" % (c["x_median"], y, c["slope"]), file=sys.stderr)
ok = c["y"] == "test_grok_step" and all(v is not None for v in y) and y[0] < y[1] < y[2]
print(c["slope"] if c["slope"] is not None else "nan", int(ok))
PY
)
check "the steps to 0.95 rise with n" [ "${rising:-0}" = 1 ]
check "the fitted log-log slope is positive ($slope)" awk "BEGIN { exit !($slope > 0.3) }"

# the paper-size preset starts and checkpoints (a few steps)
"$GK" run parity-barak steps=20 evals=3 evals_lin=0 threads=1 --quiet --out "$T/pb" >/dev/null 2>&1
check "parity-barak (n = 50, width 1000) runs" grep -q '"status":[[:space:]]*"completed"' "$T/pb/summary.json"
finish
