#!/usr/bin/env bash
# e2e_sweep.sh: `groklab sweep` end to end (issue 5): sweep.csv and figures, the grok step against the
# prediction, resume after a kill, mpirun -n 2 equal to one process, failure recording, bad input.
source "$(dirname "$0")/lib.sh"

# A small grid that groks within 2 t* in about a second per point.
GRID=(diag-sparse alpha=16,64 wd=4e-2,8e-2 d=100 n=64 n_test=300 evals=40 evals_lin=60 --steps-per-tstar 2)
# field POINT COLUMN [FILE]: one value of sweep.csv
field() { local f=${3:-$T/a/sweep.csv}; awk -F, -v p="$1" -v c="$(col "$f" "$2")" '$0 ~ "," p "," {print $c}' "$f"; }

echo "== a 2x2 sweep with 2 jobs"
"$GK" sweep "${GRID[@]}" --jobs 2 --out "$T/a" >"$T/a.out" 2>"$T/a.err"
rc=$?
check "exit 0 (rc=$rc)" test $rc -eq 0
check "sweep.csv, sweep_times.csv, sweep_fit.json and both figures" test -s "$T/a/sweep.csv" -a -s "$T/a/sweep_times.csv" \
    -a -s "$T/a/sweep_fit.json" -a -s "$T/a/heatmap.png" -a -s "$T/a/heatmap.svg" -a -s "$T/a/transition.png" -a -s "$T/a/transition.svg"
check "one run directory per point, named from its values" test -s "$T/a/alpha=16_wd=0.04_seed=1/summary.json" \
    -a -s "$T/a/alpha=64_wd=0.08_seed=1/metrics.csv"
check "sweep.csv: header + 4 rows" awk 'END{exit !(NR==5)}' "$T/a/sweep.csv"
check "sweep.csv header" bash -c "head -1 '$T/a/sweep.csv' | grep -q '^alpha,wd,d,n,n_test,evals,evals_lin,seed,point,status,error,'"
check "every point completed" awk -F, -v c="$(col "$T/a/sweep.csv" status)" 'NR>1 && $c!="completed"{bad=1} END{exit bad}' "$T/a/sweep.csv"
check "no wall-time column in sweep.csv" bash -c "! head -1 '$T/a/sweep.csv' | grep -q seconds"
check "wall_seconds in sweep_times.csv" bash -c "head -1 '$T/a/sweep_times.csv' | grep -q '^point,wall_seconds'"
g1=$(field alpha=16_wd=0.04_seed=1 test_grok_step); g2=$(field alpha=64_wd=0.04_seed=1 test_grok_step)
g3=$(field alpha=64_wd=0.08_seed=1 test_grok_step)
check "grok step grows with alpha ($g1 < $g2) and falls with wd ($g3 < $g2)" awk -v a="$g1" -v b="$g2" -v c="$g3" 'BEGIN{exit !(a>0 && a<b && c<b)}'
st=$(field alpha=64_wd=0.08_seed=1 steps); pr=$(field alpha=64_wd=0.08_seed=1 predicted_transition_step)
check "steps = ceil(2 t*) ($st, t*=$pr)" awk -v s="$st" -v p="$pr" 'BEGIN{exit !(s>=2*p && s<2*p+1)}'
slope=$(json_num "$T/a/sweep_fit.json" slope)
check "log-log slope of observed vs predicted near 1 (got $slope)" awk -v s="$slope" 'BEGIN{exit !(s>0.7 && s<1.3)}'
check "progress lines: points done / total, failures" grep -q "4/4 points done, 0 failed" "$T/a.err"

echo "== a second start runs nothing again"
md5_before=$(md5sum "$T"/a/*/summary.json)
cp "$T/a/sweep.csv" "$T/a.csv"
"$GK" sweep "${GRID[@]}" --jobs 2 --out "$T/a" >/dev/null 2>"$T/a2.err"
check "all 4 reported as already completed" grep -q "4 of 4 points already completed" "$T/a2.err"
check "no summary.json rewritten" test "$md5_before" = "$(md5sum "$T"/a/*/summary.json)"
check "sweep.csv the same" cmp -s "$T/a.csv" "$T/a/sweep.csv"

echo "== killed, then started again: only the missing points run, each point once"
SLOW=(diag-sparse alpha=16,32,64,128 d=200 n=64 n_test=200 steps=40000 evals=20 evals_lin=20)
"$GK" sweep "${SLOW[@]}" --jobs 1 --out "$T/k" >/dev/null 2>"$T/k.err" &
pid=$!
for _ in $(seq 1 6000); do grep -qs "\"completed\"" "$T"/k/*/summary.json && break; sleep 0.02; done
kill -TERM $pid
wait $pid
rc=$?
ndone=$(grep -ls '"completed"' "$T"/k/*/summary.json | wc -l)
check "killed sweep exits 130 (rc=$rc) with 1 to 3 of 4 points completed ($ndone)" bash -c "[ $rc -eq 130 ] && [ $ndone -ge 1 ] && [ $ndone -le 3 ]"
check "sweep.csv written anyway, every point once" awk 'END{exit !(NR==5)}' "$T/k/sweep.csv"
done_md5=$(md5sum $(grep -ls '"completed"' "$T"/k/*/summary.json))
"$GK" sweep "${SLOW[@]}" --jobs 2 --out "$T/k" >/dev/null 2>"$T/k2.err"
rc=$?
check "restart exits 0 (rc=$rc)" test $rc -eq 0
check "restart skips the $ndone completed points" grep -q "$ndone of 4 points already completed" "$T/k2.err"
check "completed points not rerun (summary.json unchanged)" bash -c "echo '$done_md5' | md5sum -c --quiet"
check "every point exactly once, all completed" awk -F, -v c="$(col "$T/k/sweep.csv" status)" -v p="$(col "$T/k/sweep.csv" point)" \
    'NR>1{n[$p]++; if($c!="completed") bad=1} END{for(k in n) if(n[k]!=1) bad=1; exit bad || length(n)!=4}' "$T/k/sweep.csv"

echo "== mpirun -n 2 gives the same sweep.csv as one process"
if command -v mpirun >/dev/null 2>&1; then
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
        mpirun --allow-run-as-root --oversubscribe -n 2 "$GK" sweep "${GRID[@]}" --out "$T/mpi" >"$T/mpi.out" 2>"$T/mpi.err"
    rc=$?
    check "mpirun sweep exits 0 (rc=$rc)" test $rc -eq 0
    check "both ranks ran points" bash -c "grep -q 'rank 0/2' '$T/mpi.err' && grep -q 'rank 1/2' '$T/mpi.err'"
    check "sweep.csv identical to the single-process one" cmp "$T/mpi/sweep.csv" "$T/a/sweep.csv"
    check "rank 0 drew the figures" test -s "$T/mpi/heatmap.png" -a -s "$T/mpi/transition.svg"
else
    pass "SKIP: mpirun not found, the MPI comparison was not run"
fi

echo "== a failing point is recorded and the sweep goes on"
"$GK" sweep diag-sparse lr=1e3,0.01 d=50 n=16 n_test=50 steps=300 --out "$T/f" >"$T/f.out" 2>/dev/null
rc=$?
check "exit 1 when a point failed (rc=$rc)" test $rc -eq 1
check "diverged point recorded with its error" bash -c "grep '^1000,' '$T/f/sweep.csv' | grep -q 'diverged,.*non-finite at step'"
check "the other point completed" bash -c "grep -q '^0.01,.*,completed,' '$T/f/sweep.csv'"
check "the failure is printed" grep -q "lr=1000_seed=1: diverged" "$T/f.out"

echo "== bad input: exit 2, the key named, nothing created"
expect_bad_sweep() {
    local what=$1 needle=$2; shift 2
    expect_exit 2 sweep "bad input: $what" "$needle" "$@"
}
expect_bad_sweep "empty list" "alpha: empty list" diag-sparse alpha= wd=1e-2
expect_bad_sweep "empty value in a list" "an empty value" diag-sparse alpha=16,,32
expect_bad_sweep "malformed range" "alpha=1:2 is a malformed range" diag-sparse alpha=1:2
expect_bad_sweep "malformed range count" "malformed range" diag-sparse alpha=1:2:x
expect_bad_sweep "unknown key" "unknown key 'foo'" diag-sparse foo=1,2
expect_bad_sweep "key repeated" "key 'alpha' is given twice" diag-sparse alpha=16 alpha=32
expect_bad_sweep "seed and --seeds" "key 'seed' is given twice" diag-sparse seed=1,2 --seeds 2
expect_bad_sweep "a bad value at one point" "point alpha=0_seed=1: alpha=0 is out of range" diag-sparse alpha=16,0
expect_bad_sweep "cross-key check at one point" "s=5 is out of range" diag-sparse d=3,10 s=5
expect_bad_sweep "unknown preset" "unknown preset 'nope'" nope alpha=1
expect_bad_sweep "--jobs 0" "--jobs=0 is not allowed" diag-sparse alpha=16 --jobs 0
expect_bad_sweep "unknown option" "unknown option '--frobnicate'" diag-sparse alpha=16 --frobnicate

finish
