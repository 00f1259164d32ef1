#!/usr/bin/env bash
# e2e_kumar.sh: lazy to rich (issue 8, Kumar et al. ICLR 2024) end to end through the CLI, at small sizes.
# Asserts the three phases, the kernel reference, the eq. 6 identity, the alpha ordering of the test drop, the
# eigenvector labels (Fig. 5), the App. 15 variants (multi-index sums, Hermite He_3), determinism across thread
# counts and bad input.
source "$(dirname "$0")/lib.sh"

echo "== list"
"$GK" list >"$T/list"
check "list names the kumar presets" bash -c "for p in kumar-fig1 kumar-fig4-decomp kumar-fig5-eigen kumar-fig9-datasize kumar-hermite kumar-multi; do grep -q \"^\$p \" '$T/list' || exit 1; done"

SMALL="D=20 P=120 N=50 ntest=300 eps=0.1 evals=40 evals_lin=20"
echo "== three phases (kumar-fig1 at D=20, P=120, N=50, eps=0.1)"
"$GK" run kumar-fig1 $SMALL steps=5000 threads=1 --out "$T/g" --quiet >/dev/null 2>&1
M=$T/g/metrics.csv
S=$T/g/summary.json
check "run directory complete (curves and kumar figures)" test -s "$M" -a -s "$S" -a -s "$T/g/curves.png" -a -s "$T/g/kumar.png" -a -s "$T/g/kumar.svg"
check "metrics columns" bash -c "head -1 '$M' | grep -q '^step,time,train_loss,test_loss,kernel_test_loss,ntk_alignment,pop_loss,decomp_variance,decomp_misalign,decomp_linear,param_norm,wbar_norm,M_minus_I_fro,rel_dist_from_init$'"
tr=$(col "$M" train_loss); te=$(col "$M" test_loss); kt=$(col "$M" kernel_test_loss); al=$(col "$M" ntk_alignment)
po=$(col "$M" pop_loss); dv=$(col "$M" decomp_variance); dm=$(col "$M" decomp_misalign); dl=$(col "$M" decomp_linear)
K0=$(json_num "$S" kernel_test_loss)
check "time = lr * step (lr = N/alpha^2 = 50)" awk -F, 'NR>1 && ($2 != 50*$1) {bad=1} END{exit bad}' "$M"
check "initial test MSE = mean y^2 (the centred predictor starts at 0)" awk -F, -v c="$te" -v z="$(json_num "$S" zero_predictor_test_loss)" 'NR==2 {d=$c-z; if (d<0) d=-d; exit !(d<=1e-12*z)}' "$M"
check "kernel_test_loss constant, = summary ($K0), below the initial test MSE" awk -F, -v c="$kt" -v k="$K0" -v t="$te" 'NR>1 && ($c != k || $c >= $t && NR==2) {bad=1} END{exit bad}' "$M"
check "lazy phase: test MSE >= 0.99 x its initial value up to step 70 (while train MSE falls 30%)" awk -F, -v a="$tr" -v c="$te" 'NR==2 {r0=$a; t0=$c} NR>2 && $1<=70 && $c<0.99*t0 {bad=1} NR>2 && $1<=70 {r=$a} END{exit bad || !(r<0.7*r0)}' "$M"
check "gap: some eval has 10 x train MSE < test MSE" awk -F, -v a="$tr" -v b="$te" 'NR>1 && 10*$a<$b {ok=1} END{exit !ok}' "$M"
check "drop: final test MSE < 0.1 x its maximum and < 0.1 x kernel regression" awk -F, -v c="$te" -v k="$K0" 'NR>1 && $c>mx {mx=$c} END{exit !($c<0.1*mx && $c<0.1*k)}' "$M"
check "the NTK alignment rises (final > 2 x initial)" awk -F, -v c="$al" 'NR==2 {a0=$c} END{exit !($c>2*a0)}' "$M"
check "eq. 6: variance + misalignment + linear = pop_loss (1e-12 relative)" awk -F, -v p="$po" -v a="$dv" -v b="$dm" -v c="$dl" 'NR>1 {d=$a+$b+$c-$p; if (d<0) d=-d; if (d>1e-12*$p) bad=1} END{exit bad}' "$M"
check "pop_loss within 25% of the finite test MSE at every eval" awk -F, -v p="$po" -v t="$te" 'NR>1 && ($p>1.25*$t || $p<0.75*$t) {bad=1} END{exit bad}' "$M"
check "summary has the phase keys" bash -c "for k in kernel_test_loss init_test_loss max_test_loss test_half_step train_test_gap_step below_kernel_step init_ntk_alignment final_ntk_alignment final_pop_loss; do grep -q \"\\\"\$k\\\"\" '$S' || exit 1; done"
check "summary: path stats, status completed" test "$(json_str "$S" model_path)/$(json_str "$S" status)" = stats/completed

echo "== a larger alpha delays the drop (lr = N/alpha^2)"
for a in 1 2 8; do
    "$GK" run kumar-fig1 $SMALL alpha=$a steps=4000 threads=1 --out "$T/a$a" --quiet >/dev/null 2>&1
done
H1=$(json_num "$T/a1/summary.json" test_half_step); H2=$(json_num "$T/a2/summary.json" test_half_step); H8=$(json_num "$T/a8/summary.json" test_half_step)
check "test-half step increases with alpha: $H1 < $H2 < $H8" awk -v a="$H1" -v b="$H2" -v c="$H8" 'BEGIN{exit !(a+0>0 && a+0<b+0 && b+0<c+0)}'
check "the kernel reference does not depend on alpha" test "$(json_num "$T/a1/summary.json" kernel_test_loss)" = "$(json_num "$T/a8/summary.json" kernel_test_loss)"

echo "== eigenvector labels (kumar-fig5-eigen, 6000 steps)"
for j in 1 70 100; do
    "$GK" run kumar-fig5-eigen j=$j steps=6000 evals=30 evals_lin=10 threads=1 --out "$T/e$j" --quiet >/dev/null 2>&1
done
E=$T/e1/metrics.csv
check "j=1: test MSE below half its initial value by step 60 and 10x below by the end" awk -F, -v c="$te" 'NR==2 {t0=$c} NR>2 && $1<=60 && $c<0.5*t0 {ok=1} END{exit !(ok && $c<0.1*t0)}' "$E"
E=$T/e70/metrics.csv
check "j=70 groks: train MSE 10x down while test MSE > 0.8 x initial, then test MSE < 0.5 x initial" awk -F, -v a="$tr" -v c="$te" 'NR==2 {r0=$a; t0=$c} NR>2 && $a<0.1*r0 && $c>0.8*t0 {lazy=1} END{exit !(lazy && $c<0.5*t0)}' "$E"
E=$T/e100/metrics.csv
check "j=100 never generalizes: final test MSE > initial" awk -F, -v c="$te" 'NR==2 {t0=$c} END{exit !($c>t0)}' "$E"
check "eigen labels have no eq. 6 columns (empty)" awk -F, -v p="$po" 'NR>1 && $p != "" {bad=1} END{exit bad}' "$E"

echo "== multi-index target (kumar-multi, r = 2, at D=20, P=200, N=50, eps=0.1)"
"$GK" run kumar-multi D=20 P=200 N=50 ntest=300 eps=0.1 steps=8000 evals=40 evals_lin=20 threads=1 --save-data --out "$T/m" --quiet >/dev/null 2>&1
M=$T/m/metrics.csv
S=$T/m/summary.json
K0=$(json_num "$S" kernel_test_loss)
check "multi: stats path, completed" test "$(json_str "$S" model_path)/$(json_str "$S" status)" = stats/completed
check "multi: beta.csv has r = 2 rows" awk -F, 'END{exit !(NR==3 && NF==20)}' "$T/m/beta.csv"
check "multi: lazy phase: up to step 25 the test MSE stays >= 0.99 x initial and rises above it, while train MSE falls 20%" awk -F, -v a="$tr" -v c="$te" 'NR==2 {r0=$a; t0=$c} NR>2 && $1<=25 && $c<0.99*t0 {bad=1} NR>2 && $1<=25 {r=$a; if ($c>t0) up=1} END{exit bad || !up || !(r<0.8*r0)}' "$M"
check "multi: gap: some eval has 10 x train MSE < test MSE" awk -F, -v a="$tr" -v b="$te" 'NR>1 && 10*$a<$b {ok=1} END{exit !ok}' "$M"
check "multi: drop: final test MSE < 0.1 x its maximum and < 0.1 x kernel regression ($K0)" awk -F, -v c="$te" -v k="$K0" 'NR>1 && $c>mx {mx=$c} END{exit !($c<0.1*mx && $c<0.1*k)}' "$M"
check "multi: the NTK alignment rises (final > 2 x initial)" awk -F, -v c="$al" 'NR==2 {a0=$c} END{exit !($c>2*a0)}' "$M"
check "multi: eq. 6 with B = sum beta_m beta_m^T: terms add up to pop_loss (1e-12 relative)" awk -F, -v p="$po" -v a="$dv" -v b="$dm" -v c="$dl" 'NR>1 {d=$a+$b+$c-$p; if (d<0) d=-d; if (d>1e-12*$p) bad=1} END{exit bad}' "$M"
check "multi: pop_loss within 25% of the finite test MSE at every eval" awk -F, -v p="$po" -v t="$te" 'NR>1 && ($p>1.25*$t || $p<0.75*$t) {bad=1} END{exit bad}' "$M"
"$GK" run kumar-fig1 $SMALL steps=300 threads=1 target=multi r=1 --out "$T/m1" --quiet >/dev/null 2>&1
"$GK" run kumar-fig1 $SMALL steps=300 threads=1 --out "$T/q1" --quiet >/dev/null 2>&1
check "target=multi r=1 is target=quad bit for bit" bash -c "test -s '$T/m1/metrics.csv' && cmp -s '$T/m1/metrics.csv' '$T/q1/metrics.csv'"

echo "== Hermite target He_3 with phi = h + eps/2 He_3 (kumar-hermite at D=20, P=200, N=50, eps=0.1, alpha=4)"
HSMALL="D=20 P=200 N=50 ntest=200 eps=0.1 alpha=4 evals=40 evals_lin=20"
"$GK" run kumar-hermite $HSMALL steps=8000 threads=1 --out "$T/h3" --quiet >/dev/null 2>&1
M=$T/h3/metrics.csv
S=$T/h3/summary.json
K0=$(json_num "$S" kernel_test_loss)
check "hermite: direct path, completed" test "$(json_str "$S" model_path)/$(json_str "$S" status)" = direct/completed
check "hermite: initial test MSE = mean He_3(z)^2 (E = 3! = 6; 200 points)" awk -F, -v c="$te" -v z="$(json_num "$S" zero_predictor_test_loss)" 'NR==2 {d=$c-z; if (d<0) d=-d; exit !(d<=1e-12*z && $c>3 && $c<9)}' "$M"
check "hermite: kernel regression with the initial NTK does not beat the zero predictor by 2x ($K0)" awk -F, -v c="$te" -v k="$K0" 'NR==2 {exit !(k>0.5*$c)}' "$M"
check "hermite: memorization first: when train MSE is first < 0.8 x initial, test MSE is still > 0.95 x initial" awk -F, -v a="$tr" -v c="$te" 'NR==2 {r0=$a; t0=$c} NR>2 && !seen && $a<0.8*r0 {seen=1; ok=($c>0.95*t0)} END{exit !(seen && ok)}' "$M"
check "hermite: the test MSE rises above its initial value before it falls" awk -F, -v c="$te" 'NR==2 {t0=$c} NR>2 && $c>t0 {ok=1} END{exit !ok}' "$M"
check "hermite: gap: some eval has 10 x train MSE < test MSE" awk -F, -v a="$tr" -v b="$te" 'NR>1 && 10*$a<$b {ok=1} END{exit !ok}' "$M"
check "hermite: drop: final test MSE < 0.1 x its maximum and < 0.1 x kernel regression" awk -F, -v c="$te" -v k="$K0" 'NR>1 && $c>mx {mx=$c} END{exit !($c<0.1*mx && $c<0.1*k)}' "$M"
check "hermite: the NTK alignment rises (final > 5 x initial)" awk -F, -v c="$al" 'NR==2 {a0=$c} END{exit !($c>5*a0)}' "$M"
check "hermite: no eq. 6 columns (empty)" awk -F, -v p="$po" 'NR>1 && $p != "" {bad=1} END{exit bad}' "$M"
"$GK" run kumar-hermite $HSMALL steps=300 threads=1 --out "$T/h3t1" --quiet >/dev/null 2>&1
"$GK" run kumar-hermite $HSMALL steps=300 threads=2 --out "$T/h3t2" --quiet >/dev/null 2>&1
check "hermite (direct path): 1 and 2 threads, metrics.csv byte-identical" bash -c "test -s '$T/h3t1/metrics.csv' && cmp -s '$T/h3t1/metrics.csv' '$T/h3t2/metrics.csv'"

echo "== determinism: 1 and 2 threads, same bits"
"$GK" run kumar-fig1 $SMALL steps=300 threads=1 --out "$T/t1" --quiet >/dev/null 2>&1
"$GK" run kumar-fig1 $SMALL steps=300 threads=2 --out "$T/t2" --quiet >/dev/null 2>&1
check "small: metrics.csv byte-identical" bash -c "test -s '$T/t1/metrics.csv' && cmp -s '$T/t1/metrics.csv' '$T/t2/metrics.csv'"
"$GK" run kumar-fig1 steps=20 evals=4 evals_lin=0 threads=1 --out "$T/b1" --quiet >/dev/null 2>&1
"$GK" run kumar-fig1 steps=20 evals=4 evals_lin=0 threads=2 --out "$T/b2" --quiet >/dev/null 2>&1
check "fig1 size: metrics.csv byte-identical" bash -c "test -s '$T/b1/metrics.csv' && cmp -s '$T/b1/metrics.csv' '$T/b2/metrics.csv'"
"$GK" run kumar-fig1 $SMALL steps=300 seed=2 --out "$T/t3" --quiet >/dev/null 2>&1
check "another seed gives other metrics" bash -c "! cmp -s '$T/t1/metrics.csv' '$T/t3/metrics.csv'"

echo "== options: direct path, Hermite, readouts, --save-data"
"$GK" run kumar-fig1 $SMALL steps=300 threads=1 path=direct --out "$T/d" --quiet >/dev/null 2>&1
check "path=direct: same test MSE as stats to 1e-9 relative" bash -c "paste -d, '$T/t1/metrics.csv' '$T/d/metrics.csv' | awk -F, -v c=$te -v n=\$(head -1 '$T/t1/metrics.csv' | tr ',' '\n' | wc -l) 'NR>1 {a=\$c; b=\$(c+n); d=a-b; if (d<0) d=-d; if (d>1e-9*b) bad=1} END{exit bad}'"
"$GK" run kumar-fig1 D=10 P=40 N=20 ntest=50 act=hermite target=hermite k=3 readouts=1 eta=0.2 steps=200 evals=5 evals_lin=0 --out "$T/h" --quiet >/dev/null 2>&1
check "act=hermite target=hermite readouts=1 runs on the direct path" test "$(json_str "$T/h/summary.json" model_path)" = direct
check "act=hermite target=hermite readouts=1: train loss falls" awk -F, -v c="$tr" 'NR==2 {a=$c} END{exit !($c<a)}' "$T/h/metrics.csv"
"$GK" run kumar-fig1 D=8 P=30 N=10 ntest=20 steps=5 --save-data --out "$T/s" --quiet >/dev/null 2>&1
check "--save-data: train.csv has 30 rows + header with 9 columns, beta.csv has 8" bash -c "awk -F, 'END{exit !(NR==31 && NF==9)}' '$T/s/train.csv' && awk -F, 'END{exit !(NR==2 && NF==8)}' '$T/s/beta.csv'"

echo "== bad input: exit code 2, the problem named, no run directory"
expect_bad "eps < 0" "eps=-0.1 is out of range" kumar-fig1 eps=-0.1
expect_bad "alpha = 0" "alpha=0 is out of range" kumar-fig1 alpha=0
expect_bad "alpha < 0" "alpha=-1 is out of range" kumar-fig1 alpha=-1
expect_bad "eta = 0" "eta=0 is out of range" kumar-fig1 eta=0
expect_bad "j = 0" "j=0 is out of range" kumar-fig5-eigen j=0
expect_bad "j > P + ntest" "j=201 is out of range" kumar-fig5-eigen j=201
expect_bad "k = 5" "k=5 is out of range" kumar-fig1 act=hermite k=5
expect_bad "k = 1" "k=1 is out of range" kumar-fig1 target=hermite k=1
expect_bad "k = 0" "k=0 is out of range" kumar-hermite k=0
expect_bad "k = 2.5" "k=2.5 is not an integer" kumar-hermite k=2.5
expect_bad "eps < 0 on the Hermite preset" "eps=-0.2 is out of range" kumar-hermite eps=-0.2
expect_bad "alpha = -0" "alpha=-0 is out of range" kumar-fig1 alpha=-0
expect_bad "alpha = nan" "alpha=nan is not a number" kumar-fig1 alpha=nan
expect_bad "j = -1" "j=-1 is out of range" kumar-fig5-eigen j=-1
expect_bad "j > P + ntest (P=50, ntest=30)" "j=81 is out of range" kumar-fig5-eigen P=50 ntest=30 j=81
expect_bad "r = 0" "r=0 is out of range" kumar-multi r=0
expect_bad "r > 1 without target=multi" "r=2 needs target=multi" kumar-fig1 r=2
expect_bad "path=stats with a Hermite activation" "path=stats needs" kumar-fig1 act=hermite path=stats
expect_bad "unknown target" "target" kumar-fig1 target=cubic

finish
