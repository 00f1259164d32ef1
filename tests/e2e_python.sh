#!/usr/bin/env bash
# e2e_python.sh: the Python package over libgroklab.so (issue 16), from the source tree with PYTHONPATH=python:
# the acceptance one-liner, the same metrics as the CLI for the same keys, presets/params/theory/load/sweep,
# a bad key (groklab.Error, nothing written) and Ctrl-C (status interrupted, metrics kept).
source "$(dirname "$0")/lib.sh"
S=${GK_SOURCE_DIR:?} B=${GK_BUILD_DIR:?}
export PYTHONPATH="$S/python:$S/tests" GROKLAB_LIB="$B/libgroklab.so"
PY=/usr/bin/python3
export -f json_str
cd "$T" || exit 1

echo "== the acceptance one-liner"
$PY -c "import groklab; r = groklab.run('diag-sparse', steps=3000, evals=20, evals_lin=0); print(r.metrics['test_acc'].iloc[-1])" \
    >"$T/one.out" 2>"$T/one.err"
rc=$?
acc=$(tail -1 "$T/one.out")
check "runs (rc=$rc) and prints the final test accuracy ($acc; the L2-margin plateau ~0.59 at step 3000)" \
    awk -v a="$acc" -v r=$rc 'BEGIN{exit !(r==0 && a>0.5 && a<0.7)}'
check "without GROKLAB_LIB it finds build/libgroklab.so" bash -c "env -u GROKLAB_LIB $PY -c 'import groklab; print(groklab._L._path)' | grep -q '/build/libgroklab.so'"

echo "== the same metrics as the CLI"
"$GK" run diag-sparse steps=3000 evals=20 evals_lin=0 --out "$T/cli" --quiet >/dev/null 2>&1
$PY - "$T" <<'PYEOF' >"$T/same.out" 2>&1
import sys, groklab, pandas as pd
T = sys.argv[1]
r = groklab.run("diag-sparse", out=T + "/py", steps=3000, evals=20, evals_lin=0)
cli = pd.read_csv(T + "/cli/metrics.csv", float_precision="round_trip")  # exact %.17g parsing
assert list(r.metrics.columns) == list(cli.columns), (list(r.metrics.columns), list(cli.columns))
assert r.metrics.equals(cli), (r.metrics - cli).abs().max()
assert r.summary["status"] == "completed" and r.config["params"]["steps"] == 3000
assert r.dir == T + "/py" and any(f.endswith("curves.png") for f in r.figures)
print("equal", len(cli), "rows", len(cli.columns), "columns")
PYEOF
check "Run.metrics equals the CLI's metrics.csv, column for column ($(tail -1 "$T/same.out"))" grep -q '^equal' "$T/same.out"
check "and the two metrics.csv files are byte-identical" cmp -s "$T/cli/metrics.csv" "$T/py/metrics.csv"

echo "== your own data: groklab.fit on the train.csv / test.csv a CLI run saved"
"$GK" run diag-sparse steps=3000 evals=20 evals_lin=0 --save-data --out "$T/saved" --quiet >/dev/null 2>&1
$PY - "$T" <<'PYEOF' >"$T/fit.out" 2>&1
import os, sys, groklab, numpy as np, pandas as pd
T = sys.argv[1]
tr = pd.read_csv(T + "/saved/train.csv").values
te = pd.read_csv(T + "/saved/test.csv").values
r = groklab.fit("diag", tr[:, :-1], tr[:, -1], te[:, :-1], te[:, -1], out=T + "/fit", alpha=128, wd=1e-2, lr=0.01,
                steps=3000, evals=20, evals_lin=0)
cli = pd.read_csv(T + "/saved/metrics.csv", float_precision="round_trip")
assert (r.metrics["train_acc"].values == cli["train_acc"].values).all() and (r.metrics["test_acc"].values == cli["test_acc"].values).all()
for c in ("train_loss", "test_loss"):
    rel = np.max(np.abs(r.metrics[c].values / cli[c].values - 1))
    assert rel <= 1e-12, (c, rel)
assert "agree_l1margin" in r.metrics.columns and "references" in r.summary
from fit_errors import expect_fit_error
expect_fit_error("label", T + "/badfit", "diag", tr[:, :-1], 2 * tr[:, -1], te[:, :-1], te[:, -1], steps=10)
print("fit ok")
PYEOF
check "groklab.fit('diag', ...) on the saved data: the same accuracies at every row, losses within 1e-12; bad labels raise groklab.Error and write nothing ($(tail -1 "$T/fit.out"))" grep -q '^fit ok' "$T/fit.out"

echo "== your own data on the deep MLP: groklab.fit('images', ...) on three Gaussian clusters in 20 dimensions"
$PY - "$T" <<'PYEOF' >"$T/fitimg.out" 2>&1
import os, sys, groklab, numpy as np
T = sys.argv[1]
rng = np.random.default_rng(0)
c = rng.normal(size=(3, 20)) * 3
def make(n):
    y = rng.integers(0, 3, n)
    return c[y] + rng.normal(size=(n, 20)), y
X, y = make(300)
Xt, yt = make(300)
r = groklab.fit("images", X, y, Xt, yt, out=T + "/fimg", steps=300, evals=5, evals_lin=0, init_scale=1, batch=100)
assert r.summary["status"] == "completed" and r.metrics["test_acc"].iloc[-1] >= 0.95, r.metrics["test_acc"].iloc[-1]
from fit_errors import expect_fit_error
expect_fit_error("label", T + "/fimg-bad", "images", X, y + 0.5, Xt, yt, steps=10)
print("fit images ok")
PYEOF
check "groklab.fit('images', ...) learns separable clusters (test acc >= 0.95); labels outside 0-9 raise groklab.Error, nothing written ($(tail -1 "$T/fitimg.out"))" grep -q '^fit images ok' "$T/fitimg.out"

echo "== your own data on the XOR net: groklab.fit('xor', ...) on the data a generated xor run saved"
"$GK" run xor p=500 n=100 n_test=200 m=200 steps=30 evals=10 evals_lin=0 --save-data --quiet --out "$T/xg" >/dev/null 2>&1
$PY - "$T" <<'PYEOF' >"$T/fitxor.out" 2>&1
import os, sys, groklab, numpy as np
T = sys.argv[1]
tr = np.loadtxt(T + "/xg/train.csv", delimiter=",", skiprows=1)  # x..., label, clean_label
te = np.loadtxt(T + "/xg/test.csv", delimiter=",", skiprows=1)
r = groklab.fit("xor", tr[:, :-2], tr[:, -2], te[:, :-1], te[:, -1], out=T + "/fxor", m=200, steps=30, evals=10, evals_lin=0)
g = groklab.load(T + "/xg")
for c in ("train_loss", "train_acc", "test_loss", "test_acc", "agree_linear"):
    assert (r.metrics[c].values == g.metrics[c].values).all(), c  # the same data, init and steps: the same run
assert r.metrics["align_pos_mu1"].isna().all()  # no clusters in a user's data
from fit_errors import expect_fit_error
expect_fit_error("-1 or +1", T + "/fxor-bad", "xor", tr[:, :-2], tr[:, -2] * 3, te[:, :-1], te[:, -1], steps=10)
print("fit xor ok")
PYEOF
check "groklab.fit('xor', ...) on a generated run's data reproduces its metrics; labels other than -1/+1 raise groklab.Error, nothing written ($(tail -1 "$T/fitxor.out"))" grep -q '^fit xor ok' "$T/fitxor.out"

echo "== presets, params, theory, load"
$PY - "$T" <<'PYEOF' >"$T/api.out" 2>&1
import sys, subprocess, groklab
T = sys.argv[1]
names = [p["name"] for p in groklab.presets()]
assert "diag-sparse" in names and "kumar-teacher" in names, names
keys = {p["key"]: p for p in groklab.params("diag-sparse")}
assert keys["alpha"]["default"] == "128" and keys["alpha"]["kind"] == "real" and "alpha > 0" in keys["alpha"]["range"], keys["alpha"]
assert keys["steps"]["default"] == "121300", keys["steps"]
th = groklab.theory("diag-sparse")
assert abs(th["references"]["l1margin"]["test_acc"] - 1.0) < 1e-12 and th["references"]["l2margin"]["test_acc"] < 0.7, th
assert abs(th["predicted_transition_step"] - 48520.3) < 1, th
r = groklab.load(T + "/cli")
rows = sum(1 for _ in open(T + "/cli/metrics.csv")) - 1
assert r.status == "completed" and len(r.metrics["step"]) == rows and r.metrics["step"].iloc[-1] == 3000, r
print("ok", len(names), "presets")
PYEOF
check "presets(), params(), theory() (L1 reference 1.0, t* 48520), load() ($(tail -1 "$T/api.out"))" grep -q '^ok' "$T/api.out"
"$GK" list | awk '{print $1}' >"$T/list.txt"
$PY -c "import groklab; print('\n'.join(p['name'] for p in groklab.presets()))" >"$T/pylist.txt"
check "presets() are the CLI's list, in order" cmp -s "$T/list.txt" "$T/pylist.txt"

echo "== a bad key: groklab.Error with the CLI's message, nothing written"
"$GK" run diag-sparse alpha=-1 --out "$T/badcli" --quiet 2>"$T/badcli.err"
$PY - "$T" <<'PYEOF' >"$T/bad.out" 2>&1
import os, sys, groklab
T = sys.argv[1]
for kw in ({"alpha": -1}, {"nosuchkey": 1}, {"steps": "many"}):
    try:
        groklab.run("diag-sparse", out=T + "/bad", **kw)
        print("no error for", kw)
    except groklab.Error as e:
        assert isinstance(e, ValueError)
        print("Error:", e)
assert not os.path.exists(T + "/bad")
try:
    groklab.run("no-such-preset", out=T + "/bad")
except groklab.Error as e:
    print("Error:", e)
print("nothing written")
PYEOF
cli_msg=$(sed 's/^groklab: error: //' "$T/badcli.err")
check "the message is the CLI's ($cli_msg)" grep -qxF "Error: $cli_msg" "$T/bad.out"
check "unknown key, malformed number, unknown preset raise groklab.Error; nothing written" bash -c \
    "[[ \$(grep -c '^Error:' '$T/bad.out') -eq 4 ]] && grep -q '^nothing written' '$T/bad.out' && ! grep -q 'no error' '$T/bad.out'"

echo "== Ctrl-C"
$PY - "$T" <<'PYEOF' >"$T/int.out" 2>"$T/int.err" &
import sys, groklab
r = groklab.run("diag-sparse", out=sys.argv[1] + "/int", progress=True, steps=100000000, evals=400, evals_lin=0, threads=1)
print("returned", r.status, len(r.metrics["step"]), r.summary["steps_done"])
PYEOF
pid=$!
wait_rows "$T/int/metrics.csv" 3 $pid # a header and two rows, however loaded the machine
kill -INT $pid
wait $pid
rc=$?
read -r _ status rows done_steps <"$T/int.out"
check "SIGINT: run() returns (rc=$rc) with status interrupted ($status)" bash -c "[[ $rc -eq 0 && '$status' == interrupted ]]"
check "the metrics so far are kept ($rows rows, $done_steps steps done)" bash -c \
    "[[ '$rows' -ge 2 ]] && [[ \$(awk 'END{print NR-1}' '$T/int/metrics.csv') -eq '$rows' ]] && [[ \$(json_str '$T/int/summary.json' status) == interrupted ]]"
check "progress=True printed progress lines" grep -q 'step [0-9]*/100000000' "$T/int.err"

echo "== sweep"
$PY - "$T" <<'PYEOF' >"$T/sweep.out" 2>&1
import sys, groklab
T = sys.argv[1]
keys = dict(d=100, n=64, n_test=300, evals=30, evals_lin=30)
a = groklab.sweep("diag-sparse", {"alpha": [16, 64], "wd": [4e-2]}, out=T + "/sw1", steps_per_tstar=2, **keys)
b = groklab.sweep("diag-sparse", {"alpha": [16, 64], "wd": [4e-2]}, out=T + "/sw2", jobs=2, steps_per_tstar=2, **keys)
assert list(a["status"]) == ["completed"] * 2, a
g = list(a["test_grok_step"])
assert 0 < g[0] < g[1], g  # a larger init groks later
assert list(b["test_grok_step"]) == g, (list(b["test_grok_step"]), g)
try:
    groklab.sweep("diag-sparse", {"alpha": [16, -1]}, out=T + "/sw3")
    print("no error")
except groklab.Error as e:
    print("Error:", e)
import os
assert not os.path.exists(T + "/sw3")
# The CLI's sweep directory is the API's too: the same grid goes on there (nothing to run), another is refused
c = groklab.sweep("diag-sparse", {"alpha": [16, 64], "wd": [4e-2]}, out=T + "/sw2", steps_per_tstar=2, **keys)
assert list(c["test_grok_step"]) == g
try:
    groklab.sweep("diag-sparse", {"alpha": [16, 32], "wd": [4e-2]}, out=T + "/sw1", steps_per_tstar=2, **keys)
    raise SystemExit("another grid into sw1 was not refused")
except groklab.Error as e:
    assert "another sweep" in str(e), e
d = groklab.sweep("diag-sparse", {"alpha": [16, 32], "wd": [4e-2]}, out=T + "/sw1", steps_per_tstar=2, force=True,
                  checkpoint_every=0, **keys)
assert list(d["alpha"]) == [16, 32] and os.path.exists(T + "/sw1/alpha=64_seed=1/summary.json")
print("ok", g)
PYEOF
check "sweep(): grok step grows with alpha; in-process = jobs=2 through the CLI; a bad grid raises; another grid in its directory raises unless force ($(tail -1 "$T/sweep.out"))" grep -q '^ok' "$T/sweep.out"

echo "== bad input from Python: groklab.Error, nothing written (out=123, out='', a NUL in a path or a value)"
check "each is groklab.Error naming what is wrong, no directory made" $PY - "$T" <<'PYEOF'
import os, sys, groklab
base, ok = sys.argv[1], True
for kw, needle in [(dict(out=123), "must be a string"), (dict(out=""), "out is empty"),
                   (dict(out=base + "/nul\0x"), "NUL"), (dict(out=base + "/v", seed="1\0 2"), "NUL")]:
    try:
        groklab.run("diag-sparse", steps=10, **kw)
        ok = False
    except groklab.Error as e:
        ok = ok and needle in str(e)
ok = ok and not os.path.exists(base + "/nul") and not os.path.exists(base + "/v")
sys.exit(0 if ok else 1)
PYEOF

echo "== groklab.plot draws through gk_plot_runs: the same bytes as groklab plot"
"$GK" plot "$T/cli" "$T/py" --y test_acc,train_loss --out "$T/cli-plot.png" >/dev/null 2>&1
check "plot(engine='c') writes the PNG groklab plot writes, a bad column is groklab.Error, matplotlib gives a Figure" \
    $PY - "$T" <<'PYEOF'
import filecmp, sys, groklab
T = sys.argv[1]
p = groklab.plot([T + "/cli", T + "/py"], columns=["test_acc", "train_loss"], out=T + "/py-plot.png")
assert p == T + "/py-plot.png" and filecmp.cmp(p, T + "/cli-plot.png", shallow=False)
assert p._repr_png_()[:8] == b"\x89PNG\r\n\x1a\n"
try:
    groklab.plot(T + "/cli", columns=["no_such"], out=T + "/bad.png")
    sys.exit(1)
except groklab.Error as e:
    assert "no_such" in str(e)
import os
assert not os.path.exists(T + "/bad.png")
fig = groklab.plot(T + "/cli", engine="matplotlib")
assert type(fig).__name__ == "Figure"
PYEOF

finish
