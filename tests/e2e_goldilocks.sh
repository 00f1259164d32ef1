#!/usr/bin/env bash
# e2e_goldilocks.sh: Omnigrok's Goldilocks norm on the teacher-student tanh MLP (goldilocks-teacher: the parameter
# norm held at the init's, wd 0). Swept over the init scale alpha = 0.1, 1, 10 (3000 steps): the final test loss is
# lowest inside the range (U) and the final train loss is high at the smallest norm, low at the larger ones (L).
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
finish
