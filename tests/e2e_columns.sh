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
            f.write(",".join(map(str, x)) + ",%d\n" % (1 if x[0] + x[1] + x[2] > 0 else -1))
PY
"$GK" run diag-sparse data=file train="$T/train.csv" test="$T/test.csv" steps=300 evals=5 evals_lin=0 \
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

echo "== the example experiment of docs/design.md compiles against the headers"
ROOTB="$(dirname "$GK")"
/usr/bin/python3 - "$ROOT/docs/design.md" "$T/example.c" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
block = re.search(r"the smallest complete one.*?```c\n(.*?)```", text, re.S).group(1)
open(sys.argv[2], "w").write(block)
PY
check "docs/design.md's example compiles (C11, -Wall -Werror)" cc -std=c11 -Wall -Wextra -Werror -Wno-unused-parameter \
    -I"$ROOT/include" -I"$ROOT/src" -I"$ROOTB" -c "$T/example.c" -o "$T/example.o"
check "it declares its columns (no add_column by name, no row[2])" bash -c "grep -q 'GK_COLUMNS(lin_cols' '$T/example.c' && ! grep -q 'row\[[0-9]' '$T/example.c'"

echo "== summary.json: one name per number; the removed duplicates read back through groklab.load"
export PYTHONPATH="$ROOT/python" GROKLAB_LIB="$(dirname "$GK")/libgroklab.so"
check "a phenomenon that is a standard fact names its key instead of repeating the step" /usr/bin/python3 - "$T/file/summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
fit = [p for p in s["phenomena"] if p["what"] == "train set fit"][0]
assert "step" not in fit and fit["step_key"] == "train_fit_step" and s["train_fit_step"] is not None, fit
assert "fit_step" not in s and "grok_over_tstar" not in s and "grok_time" not in s, sorted(s)
PY
check "groklab.load gives phenomena[].step (and fit_step) as before" /usr/bin/python3 - "$T/file" <<'PY'
import sys, groklab
s = groklab.load(sys.argv[1]).summary
steps = {p["what"]: p["step"] for p in s["phenomena"]}
assert steps["train set fit"] == s["train_fit_step"] == s["fit_step"], (steps, s["train_fit_step"])
assert steps["test accuracy jumped"] == s["test_grok_step"], steps
jump = [p for p in s["phenomena"] if p["what"] == "test accuracy jumped"][0]
assert s["grok_time"] == jump["time"], (s.get("grok_time"), jump)
PY
check "an old summary (steps in the phenomena, fit_step) reads the same" /usr/bin/python3 - "$T/file" <<'PY'
import json, os, shutil, sys, groklab
old = sys.argv[1] + "-old"
shutil.copytree(sys.argv[1], old)
s = json.load(open(os.path.join(old, "summary.json")))
for p in s["phenomena"]:
    if "step_key" in p:
        p["step"] = s[p.pop("step_key")]
s["fit_step"] = s.pop("train_fit_step")
json.dump(s, open(os.path.join(old, "summary.json"), "w"))
new, was = groklab.load(sys.argv[1]).summary, groklab.load(old).summary
assert was["train_fit_step"] == new["train_fit_step"] and was["fit_step"] == new["fit_step"], (was, new)
assert [p["step"] for p in was["phenomena"]] == [p["step"] for p in new["phenomena"]]
PY
finish
