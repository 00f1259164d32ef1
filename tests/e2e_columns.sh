#!/usr/bin/env bash
# Declared metrics columns (src/io/columns.h): a run's columns follow its config (diag data=file has no w*
# columns, and each value sits under its own name), docs/metrics.md is the text the declarations generate, and
# a summary key removed as a duplicate is still readable through groklab.load.
source "$(dirname "$0")/lib.sh"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"

echo "== diag data=file: no w* column, the values under their own names"
/usr/bin/python3 - "$T" <<'PY'
import random, sys
r = random.Random(3)
for name, n in (("train", 40), ("test", 60)):
    with open("%s/%s.csv" % (sys.argv[1], name), "w") as f:
        for _ in range(n):
            x = [r.choice((-1.0, 1.0)) for _ in range(7)]
            f.write(",".join(map(str, x)) + ",%d\n" % (1 if x[0] * x[1] * x[2] > 0 else -1))
PY
"$GK" run diag-sparse data=file train="$T/train.csv" test="$T/test.csv" steps=300 evals=5 evals_lin=0 alpha=2 \
    --quiet --out "$T/file" >"$T/out" 2>&1
check "diag data=file runs" test -s "$T/file/metrics.csv"
check "diag data=file: header without support_share and cos_wstar, with both agreements" /usr/bin/python3 - "$T/file/metrics.csv" <<'PY'
import csv, math, sys
rows = list(csv.reader(open(sys.argv[1])))
head = rows[0]
assert head[:12] == ["step", "time", "train_loss", "train_acc", "test_loss", "test_acc", "param_norm",
                     "rel_dist_from_init", "norm_margin", "u_norm", "v_norm", "w_l1"], head
assert head[12:] == ["agree_l2margin", "agree_l1margin"], head
for r in rows[1:]:
    assert len(r) == len(head), r
    v = dict(zip(head, r))
    u, w, nrm = float(v["u_norm"]), float(v["v_norm"]), float(v["param_norm"])
    assert abs(math.hypot(u, w) - nrm) <= 1e-9 * nrm, v                # the norms sit under their own names
    for c in ("train_acc", "test_acc", "agree_l2margin", "agree_l1margin"):
        assert v[c] == "" or 0 <= float(v[c]) <= 1, (c, v[c])
PY
finish
