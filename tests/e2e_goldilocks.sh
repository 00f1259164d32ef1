#!/usr/bin/env bash
# e2e_goldilocks.sh: Omnigrok's Goldilocks norm on the teacher-student tanh MLP (goldilocks-teacher: the parameter
# norm held at the init's, wd 0). Swept over the init scale alpha = 0.1, 1, 10 (3000 steps): the final test loss is
# lowest inside the range (U) and the final train loss is high at the smallest norm, low at the larger ones (L);
# the sweep's curve figure against the norm (--x norm_final) finds the test loss's minimum inside the range.
# Modular addition (goldilocks-modadd-fast, Nanda's transformer at p = 31 with its norm held, wd 0) generalises
# right after it fits, where the wd-1 baseline (modadd-nanda-fast) is still far from it.
source "$(dirname "$0")/lib.sh"

"$GK" sweep goldilocks-teacher init_scale=0.1,1,10 steps=3000 threads=1 --jobs 2 --quiet --checkpoint-every 0 \
    --out "$T/g" >"$T/g.out" 2>&1
check "the sweep completes" [ -s "$T/g/sweep.csv" ]
read -r u l held < <(/usr/bin/python3 - "$T/g/sweep.csv" <<'PY'
import csv, sys
rows = sorted(csv.DictReader(open(sys.argv[1])), key=lambda r: float(r["init_scale"]))
a = [float(r["init_scale"]) for r in rows]
w = [float(r["norm_final"]) for r in rows]
tr = [float(r["final_train_loss"]) for r in rows]
te = [float(r["final_test_loss"]) for r in rows]
for i in range(len(rows)):
    print("  alpha %g: norm %.3g, train loss %.3g, test loss %.3g" % (a[i], w[i], tr[i], te[i]), file=sys.stderr)
u = len(te) == 3 and te[1] < te[0] / 10 and te[1] < te[2] / 10
l = len(tr) == 3 and tr[0] > 100 * tr[1] and tr[0] > 100 * tr[2]
held = all(abs(w[i] / w[0] / (a[i] / a[0]) - 1) < 1e-6 for i in range(len(w)))  # norm = alpha x the default init's
print(int(u), int(l), int(held))
PY
)
check "U: the test loss at alpha 1 is 10x below both ends" [ "${u:-0}" = 1 ]
check "L: the train loss at alpha 0.1 is 100x above the larger norms'" [ "${l:-0}" = 1 ]
check "the norm stays at alpha x the default init's norm" [ "${held:-0}" = 1 ]

"$GK" sweep goldilocks-teacher init_scale=0.1,1,10 steps=3000 threads=1 --jobs 2 --quiet --checkpoint-every 0 \
    --x norm_final --y final_train_loss,final_test_loss --out "$T/g" >"$T/g2.out" 2>&1
check "the curve figure is drawn" [ -s "$T/g/curve.png" ]
check "sweep_curve.json: the test loss's minimum is inside the norm range" /usr/bin/python3 -c '
import json, sys
c = {x["y"]: x for x in json.load(open(sys.argv[1]))["curves"]}
sys.exit(not c["final_test_loss"]["min_interior"])' \
    "$T/g/sweep_curve.json"

# Modular addition: the norm held (alpha 0.9, wd 0) against the wd-1 baseline, 1000 steps each.
"$GK" run goldilocks-modadd-fast steps=1000 evals=20 evals_lin=40 --quiet --out "$T/mf" >/dev/null 2>&1
"$GK" run modadd-nanda-fast steps=1000 evals=20 evals_lin=40 --quiet --out "$T/mb" >/dev/null 2>&1
ffit=$(json_num "$T/mf/summary.json" train_fit_step); fgrok=$(json_num "$T/mf/summary.json" test_grok_step)
bfit=$(json_num "$T/mb/summary.json" train_fit_step); bgrok=$(json_num "$T/mb/summary.json" test_grok_step)
btest=$(json_num "$T/mb/summary.json" final_test_acc)
echo "  norm held: fit $ffit, test 0.95 at $fgrok; wd 1: fit $bfit, test 0.95 at $bgrok (test accuracy $btest at step 1000)"
check "norm held: fits the train set and reaches test accuracy 0.95 within 3x the fit step" \
    bash -c "[[ '$ffit' =~ ^[0-9]+$ && '$fgrok' =~ ^[0-9]+$ ]] && [ $fgrok -le \$((3 * $ffit)) ]"
check "wd 1 baseline: fits the train set, still below 0.95 test accuracy at step 1000 (> 5x its fit step)" \
    bash -c "[[ '$bfit' =~ ^[0-9]+$ ]] && [ '$bgrok' = null ] && [ \$((5 * $bfit)) -lt 1000 ]"
check "the norm stays at its initial value" /usr/bin/python3 -c '
import csv, sys
r = list(csv.DictReader(open(sys.argv[1])))
n = [float(x["param_norm"]) for x in r]
sys.exit(not max(abs(v / n[0] - 1) for v in n) < 1e-9)' "$T/mf/metrics.csv"

"$GK" run goldilocks-modadd steps=5 evals=2 evals_lin=0 --quiet --out "$T/gm" >/dev/null 2>&1
check "goldilocks-modadd (p = 113, d_model 128) runs with its norm held" /usr/bin/python3 -c '
import csv, json, sys
s = json.load(open(sys.argv[1] + "/summary.json"))
n = [float(x["param_norm"]) for x in csv.DictReader(open(sys.argv[1] + "/metrics.csv"))]
sys.exit(not (s["status"] == "completed" and s["params"]["fixed_norm"] and abs(n[-1] / n[0] - 1) < 1e-9))' "$T/gm"
finish
