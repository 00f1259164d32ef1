#!/usr/bin/env bash
# e2e_mc.sh: matrix completion end to end through the CLI (issue 9, Lyu et al. Fig. 3).
# Asserts the phenomenon (fit at once, a plateau at the zero fill, a late drop to the min-nuclear-norm
# completion), the files, determinism across thread counts, CSV targets and bad input.
source "$(dirname "$0")/lib.sh"

echo "== list"
"$GK" list >"$T/list"
check "list names the mc presets" bash -c "grep -q '^mc-multiply ' '$T/list' && grep -q '^mc-multiply-fast ' '$T/list' && grep -q '^mc-lowrank ' '$T/list'"

echo "== grokking (mc-multiply-fast: d=40, 15% observed, alpha=10, wd=1e-3)"
"$GK" run mc-multiply-fast threads=1 --out "$T/g" --quiet >/dev/null 2>&1
M=$T/g/metrics.csv
S=$T/g/summary.json
check "run directory complete (curves and matrices figures)" test -s "$M" -a -s "$S" -a -s "$T/g/curves.png" -a -s "$T/g/curves.svg" -a -s "$T/g/matrices.png" -a -s "$T/g/matrices.svg"
check "metrics columns" bash -c "head -1 '$M' | grep -q '^step,time,train_loss,test_loss,test_loss_upper,param_norm,rel_dist_from_init,nuclear_norm,sv1,sv2,sv3,sv4,sv5,eff_rank,dist_kernel,dist_nucnorm,dist_target$'"
TS=$(json_num "$S" predicted_transition_step)
Z=$(json_num "$S" zero_fill_test_mse)
I0=$(json_num "$S" init_test_mse)
tr=$(col "$M" train_loss); te=$(col "$M" test_loss); dk=$(col "$M" dist_kernel); dn=$(col "$M" dist_nucnorm); tm=$(col "$M" time)
check "t* = ln(10)/(1e-3*0.1) = 23026 (got $TS)" awk -v t="$TS" 'BEGIN{exit !(t>23025 && t<23027)}'
check "time = lr * step" awk -F, -v c="$tm" 'NR>1 && ($c - 0.1*$1 > 1e-9 || 0.1*$1 - $c > 1e-9) {bad=1} END{exit bad}' "$M"
check "initial test MSE = mean X*^2 over the test entries ($I0)" awk -F, -v c="$te" -v i="$I0" 'NR==2 {exit !($c-i<1e-12 && i-$c<1e-12)}' "$M"
check "train MSE < 1e-5 by step 20" awk -F, -v c="$tr" 'NR>1 && $1<=20 && $c<1e-5 {ok=1} END{exit !ok}' "$M"
check "plateau: test MSE within 1% of the zero fill ($Z) from step 20 to 0.5 t*" awk -F, -v c="$te" -v z="$Z" -v t="$TS" 'NR>1 && $1>=20 && $1<=0.5*t && ($c>1.01*z || $c<0.99*z) {bad=1} END{exit bad}' "$M"
check "plateau: distance to the zero fill <= 0.01 from step 20 to 0.5 t*" awk -F, -v c="$dk" -v t="$TS" 'NR>1 && $1>=20 && $1<=0.5*t && $c>0.01 {bad=1} END{exit bad}' "$M"
D=$(json_num "$S" test_drop_step)
check "test drop (test MSE < 0.1 plateau) between 0.8 t* and 4 t* (got $D)" awk -v g="$D" -v t="$TS" 'BEGIN{exit !(g>0.8*t && g<4*t)}'
check "final test MSE < 0.02 * zero fill" awk -F, -v c="$te" -v z="$Z" 'END{exit !($c<0.02*z)}' "$M"
check "final distance to the min-nuclear-norm completion <= 0.08" awk -F, -v c="$dn" 'END{exit !($c<=0.08)}' "$M"
check "final distance to the zero fill >= 0.5" awk -F, -v c="$dk" 'END{exit !($c>=0.5)}' "$M"
check "final effective rank < 1.1 (the target has rank 1)" awk -F, -v c="$(col "$M" eff_rank)" 'END{exit !($c<1.1)}' "$M"
check "summary has the regression keys" bash -c "for k in zero_fill_test_mse nucnorm_test_mse nucnorm_residual train_fit_step plateau_test_loss test_drop_step drop_over_predicted final_dist_nucnorm nuclear_norm_target; do grep -q \"\\\"\$k\\\"\" '$S' || exit 1; done"
check "the min-nuclear-norm reference nearly recovers X* (test MSE < 0.01 * zero fill)" awk -v x="$(json_num "$S" nucnorm_test_mse)" -v z="$Z" 'BEGIN{exit !(x<0.01*z)}'
check "summary status completed" test "$(json_str "$S" status)" = completed

echo "== determinism: 1 and 2 threads, same bits (also where the step runs threaded)"
"$GK" run mc-multiply-fast steps=2000 threads=1 --out "$T/t1" --quiet >/dev/null 2>&1
"$GK" run mc-multiply-fast steps=2000 threads=2 --out "$T/t2" --quiet >/dev/null 2>&1
check "small: metrics.csv byte-identical" cmp -s "$T/t1/metrics.csv" "$T/t2/metrics.csv"
"$GK" run mc-multiply-fast d=160 n_obs=4000 lr=0.05 steps=30 evals=5 evals_lin=0 nuc_iters=50 threads=1 --out "$T/b1" --quiet >/dev/null 2>&1
"$GK" run mc-multiply-fast d=160 n_obs=4000 lr=0.05 steps=30 evals=5 evals_lin=0 nuc_iters=50 threads=2 --out "$T/b2" --quiet >/dev/null 2>&1
check "threaded size: metrics.csv byte-identical" bash -c "test -s '$T/b1/metrics.csv' && cmp -s '$T/b1/metrics.csv' '$T/b2/metrics.csv'"
"$GK" run mc-multiply-fast steps=2000 seed=2 --out "$T/t3" --quiet >/dev/null 2>&1
check "another seed gives other metrics" bash -c "! cmp -s '$T/t1/metrics.csv' '$T/t3/metrics.csv'"

echo "== targets: random rank 2, CSV, --save-data"
"$GK" run mc-multiply-fast target=lowrank rank=2 steps=100 --out "$T/lr" --quiet >/dev/null 2>&1
check "lowrank runs; target rank 2 has a nuclear norm reference" bash -c "test -s '$T/lr/summary.json' && grep -q nuclear_norm_target '$T/lr/summary.json'"
"$GK" run mc-multiply-fast d=8 n_obs=20 lr=0.02 steps=10 --save-data --out "$T/save" --quiet >/dev/null 2>&1
check "--save-data: target.csv is 8 x 8, train.csv has 20 rows + header" bash -c "awk -F, 'END{exit !(NR==8 && NF==8)}' '$T/save/target.csv' && awk 'END{exit !(NR==21)}' '$T/save/train.csv'"
cp "$T/save/target.csv" "$T/good.csv"
"$GK" run mc-multiply-fast target_csv="$T/good.csv" n_obs=20 lr=0.02 steps=10 --save-data --out "$T/csv" --quiet >/dev/null 2>&1
check "a CSV target gives the same data as the built-in one" bash -c "cmp -s '$T/save/train.csv' '$T/csv/train.csv' && cmp -s '$T/save/metrics.csv' '$T/csv/metrics.csv'"

echo "== bad input: exit code 2, the problem named, no run directory"
expect_bad "obs_frac = 0" "obs_frac=0 is out of range" mc-multiply-fast obs_frac=0
expect_bad "obs_frac > 1" "obs_frac=1.5 is out of range" mc-multiply-fast obs_frac=1.5
expect_bad "n_obs > d^2" "n_obs=101 is out of range" mc-multiply-fast d=10 n_obs=101
expect_bad "n_obs < 0" "n_obs=-1 is out of range" mc-multiply-fast n_obs=-1
expect_bad "d < 2" "d=1 is out of range" mc-multiply-fast d=1
expect_bad "rank > d" "rank=11 is out of range" mc-multiply-fast target=lowrank d=10 rank=11
expect_bad "alpha <= 0" "alpha=0 is out of range" mc-multiply-fast alpha=0
expect_bad "lr <= 0" "lr=0 is out of range" mc-multiply-fast lr=0
expect_bad "wd < 0" "wd=-1 is out of range" mc-multiply-fast wd=-1
expect_bad "target=csv without a file" "needs target_csv" mc-multiply-fast target=csv
expect_bad "target_csv with target=lowrank" "use target=csv" mc-multiply-fast target=lowrank target_csv="$T/good.csv"
expect_bad "CSV missing" "cannot open" mc-multiply-fast target_csv="$T/nope.csv"
printf '1,2\n2,x\n' >"$T/nonnum.csv"
expect_bad "CSV not numeric" "nonnum.csv': line 2, column 2 is not a number" mc-multiply-fast target_csv="$T/nonnum.csv"
printf '1,2,3\n2,1,4\n' >"$T/rect.csv"
expect_bad "CSV not square" "rect.csv': the matrix is not square" mc-multiply-fast target_csv="$T/rect.csv"
printf '1,2\n3,1\n' >"$T/asym.csv"
expect_bad "CSV not symmetric" "asym.csv': the matrix is not symmetric" mc-multiply-fast target_csv="$T/asym.csv"
printf '1,2,3\n2,1\n3,1,1\n' >"$T/ragged.csv"
expect_bad "CSV ragged rows" "ragged.csv': line 2 has 2 values" mc-multiply-fast target_csv="$T/ragged.csv"
expect_bad "CSV with more observations than entries" "n_obs=65 is out of range" mc-multiply-fast target_csv="$T/good.csv" n_obs=65

finish
