#!/usr/bin/env bash
# seeds=K on every experiment family: K whole runs in DIR/seed_<s> (xor: its runs side by side in one run), and
# in DIR their mean, std, min and max per column and the spread of their phenomena, checked against the runs'
# own files (tests/seeds_check.py); each run is the plain run of its seed byte for byte; a multi-seed run killed
# with kill -9 mid-way and resumed gives the uninterrupted run's files byte for byte.
source "$(dirname "$0")/lib.sh"
REPO=$(cd "$(dirname "$0")/.." && pwd)
GK=$(cd "$(dirname "$GK")" && pwd)/$(basename "$GK") # the images run starts in the repo (its data/ folder)
CHECK="/usr/bin/python3 $REPO/tests/seeds_check.py"

echo "== seeds=3 on a small preset of every family"
while IFS='|' read -r family keys; do
    # shellcheck disable=SC2086
    (cd "$REPO" && "$GK" run $keys seeds=3 threads=1 --quiet --out "$T/$family" >"$T/$family.out" 2>&1)
    rc=$?
    check "$family: exit 0 (rc=$rc)" [ $rc -eq 0 ]
    check "$family: the aggregate equals the runs' mean, std, min, max; phenomena per seed" $CHECK "$T/$family" 3
    check "$family: curves.png drawn" test -s "$T/$family/curves.png"
done <<'EOF'
diag|diag-sparse steps=300 evals=8 evals_lin=2
mc|mc-multiply-fast steps=300 evals=8 evals_lin=2
modular|modadd-lyu-fast steps=100 evals=4 evals_lin=0 p=23
kumar|kumar-fig1 steps=200 evals=6 evals_lin=0 P=200 N=100 ntest=200
images|omnigrok-mnist steps=10 evals=3 evals_lin=0 n_train=100 n_test=100
teacher|kumar-teacher steps=100 evals=4 evals_lin=0
parity|parity-fast steps=300 evals=8 evals_lin=2
power|power-add-fast steps=10 evals=3 evals_lin=0
slingshot|slingshot-parity steps=300 evals=6 evals_lin=0
xor|xor p=2000 n=40 m=100 n_test=200 steps=4 boundary_steps=1
EOF
check "diag: the runs are seed_1 seed_2 seed_3, each a whole run" bash -c \
    "for s in 1 2 3; do [ -s '$T/diag/seed_'\$s/summary.json ] && [ -s '$T/diag/seed_'\$s/checkpoint ] || exit 1; done"
check "diag: the CLI prints each phenomenon over the seeds" grep -q "in 3 of 3 seeds: median step" "$T/diag.out"

echo "== each run is the plain run of its seed (byte for byte, at another thread count)"
"$GK" run diag-sparse steps=300 evals=8 evals_lin=2 seed=2 threads=2 --quiet --out "$T/plain2" >/dev/null 2>&1
check "seed_2 of seeds=3 = groklab run seed=2" cmp -s "$T/plain2/metrics.csv" "$T/diag/seed_2/metrics.csv"
"$GK" run diag-sparse steps=300 evals=8 evals_lin=2 seed=7 seeds=2 threads=2 --quiet --out "$T/s7" >/dev/null 2>&1
check "seed=7 seeds=2: runs seed_7 and seed_8" test -s "$T/s7/seed_8/metrics.csv" -a ! -e "$T/s7/seed_1"

echo "== python: groklab.load reads the aggregate and the runs"
check "groklab.load: .metrics has the spread columns, .seeds the 3 runs" env PYTHONPATH="$REPO/python" \
    GROKLAB_LIB="$(dirname "$GK")/libgroklab.so" /usr/bin/python3 -c "
import groklab, sys
r = groklab.load('$T/diag')
x = groklab.load('$T/xor')
ok = len(r.seeds) == 3 and sorted(r.seed_metrics) == [1, 2, 3] and 'test_acc_max' in list(r.metrics.columns)
ok = ok and abs(r.metrics['test_acc'].iloc[-1] - sum(s.metrics['test_acc'].iloc[-1] for s in r.seeds) / 3) < 1e-12
ok = ok and sorted(x.seed_metrics) == [1, 2, 3] and len(x.seed_metrics[2]) == len(x.metrics)
sys.exit(0 if ok else 1)"

echo "== kill -9 in the second seed, then groklab resume: the uninterrupted run's files, byte for byte"
KEYS="diag-sparse steps=40000 evals=40 evals_lin=20 seeds=3"
# shellcheck disable=SC2086
"$GK" run $KEYS threads=1 --quiet --checkpoint-every 0 --out "$T/full" >/dev/null 2>&1
# shellcheck disable=SC2086
"$GK" run $KEYS threads=2 --quiet --checkpoint-every 0.2 --out "$T/killed" >/dev/null 2>&1 &
pid=$!
wait_file "$T/killed/seed_2/checkpoint" $pid
if kill -STOP $pid 2>/dev/null; then
    kill -9 $pid
    wait $pid 2>/dev/null
    check "killed: no summary.json, seed_1 finished, seed_3 not begun" bash -c \
        "[ ! -e '$T/killed/summary.json' ] && [ -s '$T/killed/seed_1/summary.json' ] && [ ! -e '$T/killed/seed_3' ]"
    "$GK" resume "$T/killed" --quiet >"$T/resume.out" 2>&1
    rc=$?
    check "resume exits 0 (rc=$rc)" [ $rc -eq 0 ]
    for f in metrics.csv seed_1/metrics.csv seed_2/metrics.csv seed_3/metrics.csv; do
        check "resumed $f is byte-identical" cmp -s "$T/full/$f" "$T/killed/$f"
    done
    check "resumed summary says completed" grep -q '"status":[[:space:]]*"completed"' "$T/killed/summary.json"
else
    fail "the run ended before seed 2's first checkpoint was seen (make it longer)"
fi

echo "== bad input: exit 2, nothing written"
expect_bad "seeds = 0" "seeds=0 is out of range" diag-sparse seeds=0
"$GK" run diag-sparse seed=4294967295 seeds=2 --quiet --out "$T/past" >"$T/past.out" 2>&1
rc=$?
check "seeds past the last seed: exit 2, no directory (rc=$rc)" bash -c "[ $rc -eq 2 ] && [ ! -e '$T/past' ] && grep -q 'past 4294967295' '$T/past.out'"
"$GK" run diag-sparse steps=10 seeds=2 --quiet --out "$T/diag" >"$T/again.out" 2>&1
check "an existing multi-seed run is not overwritten without --force" bash -c "[ $? -eq 2 ] && [ -s '$T/diag/seed_3/metrics.csv' ]"
finish
