#!/usr/bin/env bash
# e2e_slingshot.sh: the slingshot (src/exp/slingshot.c, src/report/slingshot.c). A short slingshot-parity run (Adam,
# hinge loss, AdamW's wd 0.01) shows at least two cycles of the last layer's norm (a train-loss spike, norm growth,
# a plateau) in summary.json; with wd 0 the hinge loss reaches 0, Adam stops and no cycle begins after; a run killed
# with -9 mid-way (Adam's moments and the minibatch order in its checkpoint) and resumed gives the metrics of a
# run never stopped, byte for byte.
source "$(dirname "$0")/lib.sh"

"$GK" run slingshot-parity threads=1 steps=12000 evals=20 evals_lin=240 --quiet --out "$T/s" >"$T/s.out" 2>&1
S="$T/s/summary.json"
check "slingshot-parity completes" grep -q '"status":[[:space:]]*"completed"' "$S"
read -r n lone big ordered marked < <(/usr/bin/python3 - "$S" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["slingshot"]
cy = s["cycles"]
for c in cy:
    print("  cycle: onset %g, peak %g, recovery %g, plateau to %g, |W2| x%.2f" % (
        c["onset_step"], c["peak_step"], c["recovery_step"], c["plateau_end_step"], c["growth"]), file=sys.stderr)
ordered = all(c["onset_step"] <= c["peak_step"] < c["recovery_step"] <= c["plateau_end_step"] for c in cy)
marked = all(j["cycle"] < len(cy) for j in s["test_acc_jumps"])
print(s["n_cycles"], s["spikes_without_growth"], sum(c["growth"] >= 1.2 for c in cy), int(ordered), int(marked))
PY
)
echo "  $n cycles ($big with |W2| up >= 1.2x), $lone loss spikes without norm growth"
check "at least two slingshot cycles are detected" [ "${n:-0}" -ge 2 ]
check "at least two of them grow the last layer's norm by >= 1.2x" [ "${big:-0}" -ge 2 ]
check "each cycle's steps are in order (onset <= peak < recovery <= plateau end)" [ "${ordered:-0}" = 1 ]
check "the test accuracy's jumps are marked against the cycles" [ "${marked:-0}" = 1 ]
check "the slingshot figure is drawn" [ -s "$T/s/slingshot.png" ]

"$GK" run slingshot-parity threads=1 steps=12000 evals=20 evals_lin=240 wd=0 --quiet --out "$T/w0" >/dev/null 2>&1
read -r n0 late zero < <(/usr/bin/python3 - "$T/w0/summary.json" "$T/w0/metrics.csv" <<'PY'
import csv, json, sys
cy = json.load(open(sys.argv[1]))["slingshot"]["cycles"]
zero = next((float(r["step"]) for r in csv.DictReader(open(sys.argv[2])) if float(r["train_loss"]) == 0), -1)
print(len(cy), sum(c["onset_step"] >= zero for c in cy), zero)
PY
)
echo "  wd=0: $n0 cycles, the hinge loss at 0 from step $zero, $late cycles after"
check "with wd 0 the hinge loss reaches 0" [ "${zero:--1}" != -1 ]
check "... and no cycle begins after it (Adam stops)" [ "${late:-1}" -eq 0 ]

# kill -9 once the first checkpoint is on disk (the run frozen first, so the kill does not depend on timing), then
# resume: metrics.csv byte-identical to the uninterrupted run's.
"$GK" run slingshot-parity threads=1 steps=16000 evals=10 evals_lin=40 --quiet --checkpoint-every 0 --out "$T/full" >/dev/null 2>&1
"$GK" run slingshot-parity threads=1 steps=16000 evals=10 evals_lin=40 --quiet --checkpoint-every 0.2 --out "$T/kr" >/dev/null 2>&1 &
pid=$!
wait_file "$T/kr/checkpoint" $pid
if kill -STOP $pid 2>/dev/null; then
    kill -9 $pid; wait $pid 2>/dev/null
    check "the killed run has no summary" [ ! -e "$T/kr/summary.json" ]
    "$GK" resume "$T/kr" --quiet >/dev/null 2>&1
    check "resume exits 0" [ $? -eq 0 ]
    check "the resumed metrics.csv is byte-identical to the uninterrupted run's" cmp -s "$T/full/metrics.csv" "$T/kr/metrics.csv"
    check "the resumed summary lists the same cycles" bash -c "diff <(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[\"slingshot\"][\"cycles\"])' '$T/full/summary.json') <(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[\"slingshot\"][\"cycles\"])' '$T/kr/summary.json')"
else
    fail "the run ended before its first checkpoint was seen (make it longer)"
fi
finish
