#!/usr/bin/env bash
# e2e_teacher.sh: teacher-student grokking (issue 8, kumar-teacher; Kumar Fig. 8, Omnigrok Fig. 2) through the CLI.
# Asserts fit-then-generalise at the paper's size (5-100-100-5 tanh, 100 + 100 samples, init x2, threshold 1e-3)
# with a 3.3x larger lr and 2x larger wd than the preset so that it takes a few seconds, the accuracy rule,
# determinism across thread counts, and exit code 2 naming the key for bad input.
source "$(dirname "$0")/lib.sh"
export OPENBLAS_NUM_THREADS=1
le() { awk -v a="$1" -v b="$2" 'BEGIN{exit !(a!="null" && a+0<=b+0)}'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN{exit !(a!="null" && a+0>=b+0)}'; }

echo "== list"
"$GK" list >"$T/list"
check "list has kumar-teacher" grep -q "^kumar-teacher " "$T/list"

echo "== fit, then generalise (lr 1e-3, wd 0.1, 5000 steps)"
"$GK" run kumar-teacher lr=1e-3 wd=0.1 steps=5000 evals=40 evals_lin=50 threads=1 --out "$T/g" --quiet >/dev/null 2>"$T/g.err"
S=$T/g/summary.json; M=$T/g/metrics.csv
check "run directory complete" test -s "$M" -a -s "$S" -a -s "$T/g/curves.png" -a -s "$T/g/curves.svg" -a -s "$T/g/mse.png"
check "metrics columns" bash -c "head -1 '$M' | grep -qx 'step,time,train_loss,train_acc,test_loss,test_acc,param_norm,rel_dist_from_init'"
F=$(json_num "$S" train_fit_step); A=$(json_num "$S" test_acc_at_fit); G=$(json_num "$S" test_acc90_step)
FT=$(json_num "$S" final_test_acc); N0=$(json_num "$S" norm_initial); N1=$(json_num "$S" norm_final)
check "train set fit (train_acc >= 0.99 at step $F)" test "$F" != null
check "test acc <= 0.30 when the train set is fit (got $A)" le "$A" 0.30
check "test acc passes 0.90 (step $G) at least 5x later than the fit ($F)" \
    awk -v g="$G" -v f="$F" 'BEGIN{exit !(g!="null" && f!="null" && g>=5*f)}'
check "final test acc >= 0.9 (got $FT)" ge "$FT" 0.9
check "the weight norm falls ($N0 -> $N1)" awk -v a="$N0" -v b="$N1" 'BEGIN{exit !(b<0.95*a)}'
# Every row: where the train accuracy is >= 0.99 for the first time, the test accuracy is still <= 0.3.
TR=$(col "$M" train_acc); TE=$(col "$M" test_acc)
check "a row with train_acc >= 0.99 and test_acc <= 0.3" \
    awk -F, -v tr="$TR" -v te="$TE" 'NR>1 && $tr>=0.99 && $te<=0.3 {ok=1} END{exit !ok}' "$M"
check "initial train and test MSE are the teacher's scale (0.05 .. 1)" \
    awk -F, 'NR==2{exit !($3>0.05 && $3<1 && $5>0.05 && $5<1)}' "$M"

echo "== the accuracy rule: per-sample MSE below threshold"
"$GK" run kumar-teacher threshold=1e9 steps=3 evals=2 evals_lin=0 threads=1 --out "$T/a1" --quiet >/dev/null 2>&1
"$GK" run kumar-teacher threshold=1e-12 steps=3 evals=2 evals_lin=0 threads=1 --out "$T/a2" --quiet >/dev/null 2>&1
check "threshold=1e9: every sample correct at step 0" awk -F, 'NR==2{exit !($4==1 && $6==1)}' "$T/a1/metrics.csv"
check "threshold=1e-12: no sample correct at step 0" awk -F, 'NR==2{exit !($4==0 && $6==0)}' "$T/a2/metrics.csv"
check "the threshold does not change the losses" bash -c \
    "diff <(cut -d, -f1,3,5,7 '$T/a1/metrics.csv') <(cut -d, -f1,3,5,7 '$T/a2/metrics.csv') >/dev/null"

echo "== determinism: same seed, 1 and 2 threads; another seed differs"
for t in 1 2; do
    "$GK" run kumar-teacher steps=300 evals=10 evals_lin=5 threads=$t --out "$T/d$t" --quiet >/dev/null 2>&1
    "$GK" run kumar-teacher n_train=400 n_test=300 width=300 steps=20 evals=5 evals_lin=0 threads=$t --out "$T/w$t" --quiet >/dev/null 2>&1
done
"$GK" run kumar-teacher steps=300 evals=10 evals_lin=5 threads=1 seed=2 --out "$T/d3" --quiet >/dev/null 2>&1
"$GK" run kumar-teacher steps=300 evals=10 evals_lin=5 threads=1 seed=2 data_seed=1 --out "$T/d4" --quiet >/dev/null 2>&1
check "metrics.csv byte-identical on 1 and 2 threads" bash -c "test -s '$T/d1/metrics.csv' && cmp -s '$T/d1/metrics.csv' '$T/d2/metrics.csv'"
check "byte-identical on 1 and 2 threads at width 300, 400 samples (parallel slices)" \
    bash -c "test -s '$T/w1/metrics.csv' && cmp -s '$T/w1/metrics.csv' '$T/w2/metrics.csv'"
check "seed=2 gives other metrics" bash -c "test -s '$T/d3/metrics.csv' && ! cmp -s '$T/d1/metrics.csv' '$T/d3/metrics.csv'"
check "seed=2 data_seed=1: the teacher of seed 1 (same teacher_norm), another student" bash -c \
    "[ '$(json_num "$T/d4/summary.json" teacher_norm)' = '$(json_num "$T/d1/summary.json" teacher_norm)' ] && ! cmp -s '$T/d1/metrics.csv' '$T/d4/metrics.csv'"

echo "== bad input: exit code 2, the key named, no run directory"
expect_bad "threshold 0" "threshold=0 is out of range" kumar-teacher threshold=0
expect_bad "threshold < 0" "threshold=-0.001 is out of range" kumar-teacher threshold=-0.001
expect_bad "out_scale 0" "out_scale=0 is out of range" kumar-teacher out_scale=0
expect_bad "init_scale < 0" "init_scale=-2 is out of range" kumar-teacher init_scale=-2
expect_bad "lr 0" "lr=0 is out of range" kumar-teacher lr=0
expect_bad "wd < 0" "wd=-0.05 is out of range" kumar-teacher wd=-0.05
expect_bad "depth 0" "depth=0 is out of range" kumar-teacher depth=0
expect_bad "n_train 0" "n_train=0 is out of range" kumar-teacher n_train=0

finish
