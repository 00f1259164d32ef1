#!/usr/bin/env bash
# e2e_modular.sh: modular arithmetic through the CLI (issue 4). Asserts memorise-then-generalise, grokking
# without weight decay with a growing Fourier IPR, determinism across thread counts, and bad input.
source "$(dirname "$0")/lib.sh"
export OPENBLAS_NUM_THREADS=1

echo "== list"
"$GK" list >"$T/list"
for p in modadd-lyu-fast modadd-lyu modadd-gromov modadd-adamw-fast; do check "list has $p" grep -q "^$p " "$T/list"; done

echo "== memorise, then generalise (modadd-adamw-fast: p=23, 70% train, ReLU MLP width 128, AdamW wd 1)"
"$GK" run modadd-adamw-fast steps=5000 --out "$T/ad" --quiet >/dev/null 2>&1
S=$T/ad/summary.json; M=$T/ad/metrics.csv
F=$(json_num "$S" train_acc1_step); G=$(json_num "$S" test_grok_step); A=$(json_num "$S" test_acc_at_train_acc1)
check "run directory complete" test -s "$M" -a -s "$S" -a -s "$T/ad/curves.png" -a -s "$T/ad/progress.png"
check "train pairs 370, test pairs 159" test "$(json_num "$S" train_pairs)" = 370 -a "$(json_num "$S" test_pairs)" = 159
check "train acc reaches 1 (step $F)" test "$F" != null
check "test acc < 0.2 when train acc first reaches 1 (got $A)" awk -v a="$A" 'BEGIN{exit !(a<0.2)}'
check "test acc >= 0.95 later (step $G), at least 10x the fit step ($F)" awk -v g="$G" -v f="$F" 'BEGIN{exit !(g!="null" && g>=10*f)}'
te=$(col "$M" test_acc); ip=$(col "$M" ipr)
check "final test acc >= 0.95" awk -F, -v c="$te" 'END{exit !($c>=0.95)}' "$M"
check "metrics columns" bash -c "head -1 '$M' | grep -q '^step,time,train_loss,train_acc,test_loss,test_acc,param_norm,rel_dist_from_init,min_margin,norm_W1,norm_b1,norm_W2,ipr,sc_share,grad_weight_cos,restricted_loss,excluded_loss,fourier_gini,key_freq_norm_share$'"
check "min margin > 0 at the end (train fit)" awk -F, -v c="$(col "$M" min_margin)" 'END{exit !($c>0)}' "$M"

echo "== grokking without weight decay (modadd-gromov: quadratic MLP, MSE, plain GD, wd = 0)"
"$GK" run modadd-gromov steps=6000 --out "$T/gr" --quiet >/dev/null 2>&1
S=$T/gr/summary.json
check "wd = 0 in the config" grep -q '"wd":[[:space:]]*0[,}]\?$' "$T/gr/config.json"
G=$(json_num "$S" test_grok_step); R=$(json_num "$S" ipr_ratio)
check "groks (test acc >= 0.95 at step $G)" test "$G" != null
check "IPR grows >= 3x (ratio $R)" awk -v r="$R" 'BEGIN{exit !(r>=3)}'
check "final test acc >= 0.95" awk -v x="$(json_num "$S" final_test_acc)" 'BEGIN{exit !(x>=0.95)}'

echo "== determinism: same seed, 1 and 2 threads"
"$GK" run modadd-gromov steps=300 threads=1 --out "$T/d1" --quiet >/dev/null 2>&1
"$GK" run modadd-gromov steps=300 threads=2 --out "$T/d2" --quiet >/dev/null 2>&1
check "mlp-quad metrics.csv byte-identical" cmp -s "$T/d1/metrics.csv" "$T/d2/metrics.csv"
"$GK" run modadd-adamw-fast steps=300 threads=1 --out "$T/r1" --quiet >/dev/null 2>&1
"$GK" run modadd-adamw-fast steps=300 threads=2 --out "$T/r2" --quiet >/dev/null 2>&1
check "mlp-relu + AdamW metrics.csv byte-identical" cmp -s "$T/r1/metrics.csv" "$T/r2/metrics.csv"
"$GK" run modadd-adamw-fast steps=300 split_seed=2 --out "$T/r3" --quiet >/dev/null 2>&1
check "another split seed gives other metrics" bash -c "! cmp -s '$T/r1/metrics.csv' '$T/r3/metrics.csv'"

echo "== --save-data and the paper split size"
"$GK" run modadd-lyu steps=1 evals=1 evals_lin=0 width=8 --save-data --out "$T/sv" --quiet >/dev/null 2>&1
check "train.csv 3763 rows + header" awk 'END{exit !(NR==3764)}' "$T/sv/train.csv"
check "test.csv 5646 rows + header" awk 'END{exit !(NR==5647)}' "$T/sv/test.csv"
check "labels are (a + b) mod 97" awk -F, 'NR>1 && ($1+$2)%97!=$3 {bad=1} END{exit bad}' "$T/sv/train.csv"

echo "== lr_auto follows the fixed-lr run on t (modadd-lyu-fast to t = 300: lr 0.1 vs the sharpness-set step)"
"$GK" run modadd-lyu-fast steps=3000 evals=30 evals_lin=30 --out "$T/lf" --quiet >/dev/null 2>&1
"$GK" run modadd-lyu-fast steps=3000 evals=30 evals_lin=30 lr_auto=1 --out "$T/la" --quiet >/dev/null 2>&1
check "lr_auto: >= 5x fewer steps, train/test accuracy within 0.03 and train loss within 2% at every common t ($(/usr/bin/python3 "$GK_SOURCE_DIR/bench/compare_in_t.py" "$T/lf" "$T/la" --tol-loss 0.02 2>&1 | tr '\n' ' '))" \
    /usr/bin/python3 "$GK_SOURCE_DIR/bench/compare_in_t.py" "$T/lf" "$T/la" --tol-loss 0.02
check "lr_auto: an lr column, the last row at t = 300" awk -F, -v c="$(col "$T/la/metrics.csv" lr)" 'END{exit !(c>0 && $2==300 && $c>0)}' "$T/la/metrics.csv"

echo "== bad input: exit code 2, the key named, no run directory"
expect_bad "p < 2" "p=1 is out of range" modadd-lyu-fast p=1
expect_bad "p not prime for div" "must be prime" modadd-lyu-fast p=33 op=div
expect_bad "frac = 0" "frac=0 is out of range" modadd-lyu-fast frac=0
expect_bad "lr_auto with AdamW" "lr_auto=1 needs optim=gd" modadd-lyu-fast lr_auto=1 optim=adamw
expect_bad "lr_auto_c past 2" "lr_auto_c=3 is out of range" modadd-lyu-fast lr_auto=1 lr_auto_c=3
expect_bad "frac = 1" "frac=1 is out of range" modadd-lyu-fast frac=1
expect_bad "frac > 1" "frac=1.5 is out of range" modadd-lyu-fast frac=1.5
expect_bad "unknown op" "op=pow is not allowed" modadd-lyu-fast op=pow
expect_bad "empty train set" "empty train" modadd-lyu-fast p=3 frac=0.1
expect_bad "unknown model" "model=cnn is not allowed" modadd-lyu-fast model=cnn

finish
