#!/usr/bin/env bash
# e2e_slingshot_power.sh: the slingshot on Power's transformer (src/exp/power.c, preset slingshot-power-fast, the
# cycles found by src/report/slingshot.c). A shortened run (Adam, no weight decay, eps 1e-8, the softmax in float32
# as PyTorch's) has at least one cycle in summary.json: a train-loss spike from the loss's floor after the
# unembedding's norm grew, then a plateau; the same run with the softmax in double (its floor near 1e-16, where
# Adam's updates have long faded under eps) has none.
source "$(dirname "$0")/lib.sh"

RUN="steps=6000 evals=10 evals_lin=600"
"$GK" run slingshot-power-fast $RUN --quiet --out "$T/s" >"$T/s.out" 2>&1
S="$T/s/summary.json"
check "slingshot-power-fast completes" grep -q '"status":[[:space:]]*"completed"' "$S"
read -r n ordered grown marked floor < <(/usr/bin/python3 - "$S" "$T/s/metrics.csv" <<'PY'
import csv, json, sys
s = json.load(open(sys.argv[1]))["slingshot"]
rows = list(csv.DictReader(open(sys.argv[2])))
cy = s["cycles"]
for c in cy:
    print("  cycle: onset %g, peak %g (loss %.2g from %.2g), recovery %g, plateau to %g, |W_U| x%.3f" % (
        c["onset_step"], c["peak_step"], c["loss_peak"], c["loss_before"], c["recovery_step"],
        c["plateau_end_step"], c["growth"]), file=sys.stderr)
ordered = all(c["onset_step"] <= c["peak_step"] < c["recovery_step"] <= c["plateau_end_step"] for c in cy)
grown = all(c["growth"] >= 1.05 and c["norm_after"] > c["norm_before"] for c in cy)
marked = all(j["cycle"] < len(cy) for j in s["test_acc_jumps"])
# each spike rises from the float32 softmax's floor: the loss before it under 1e-6, its peak over 1e-3
floor = all(c["loss_before"] < 1e-6 and c["loss_peak"] > 1e-3 for c in cy)
print(s["n_cycles"], int(ordered), int(grown), int(marked), int(floor))
PY
)
echo "  $n cycles"
check "the detector finds a slingshot cycle in a short real run" [ "${n:-0}" -ge 1 ]
check "each cycle's steps are in order (onset <= peak < recovery <= plateau end)" [ "${ordered:-0}" = 1 ]
check "each cycle grew the unembedding's norm by >= 5%" [ "${grown:-0}" = 1 ]
check "each spike rises from the loss's float32 floor (< 1e-6) to over 1e-3" [ "${floor:-0}" = 1 ]
check "the validation accuracy's jumps are marked against the cycles" [ "${marked:-0}" = 1 ]
check "the slingshot figure is drawn" [ -s "$T/s/slingshot.png" ]
check "the norm column is norm_W_U (the unembedding)" grep -q "norm_W_U" "$T/s/metrics.csv"

"$GK" run slingshot-power-fast $RUN softmax_precision=f64 --quiet --out "$T/d" >/dev/null 2>&1
read -r n64 low64 < <(/usr/bin/python3 - "$T/d/summary.json" "$T/d/metrics.csv" <<'PY'
import csv, json, sys
s = json.load(open(sys.argv[1]))["slingshot"]
print(s["n_cycles"], min(float(r["train_loss"]) for r in csv.DictReader(open(sys.argv[2]))))
PY
)
echo "  softmax in double: $n64 cycles, lowest train loss $low64"
check "with the softmax in double there is no cycle" [ "${n64:-1}" -eq 0 ]
check "... and the train loss falls far below float32's floor" /usr/bin/python3 -c "import sys; sys.exit(not float('${low64:-1}') < 1e-9)"
finish
