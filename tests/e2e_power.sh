#!/usr/bin/env bash
# e2e_power.sh: Power et al. 2022's transformer on an operation table through the CLI. Asserts grokking on
# power-add-fast (train accuracy 0.99 well before validation accuracy 0.95), the columns and summary facts,
# label-noise columns, determinism across thread counts, resume bit for bit (with dropout), bad input.
source "$(dirname "$0")/lib.sh"
export OPENBLAS_NUM_THREADS=1

echo "== list"
"$GK" list >"$T/list"
for p in power-add power-div power-div-adam power-s5 power-noisy power-add-fast; do check "list has $p" grep -q "^$p " "$T/list"; done

echo "== memorise, then generalise (power-add-fast: x+y mod 31, 50%, width 32)"
"$GK" run power-add-fast --out "$T/pa" --quiet >/dev/null 2>&1
S=$T/pa/summary.json; M=$T/pa/metrics.csv
F=$(json_num "$S" train99_step); G=$(json_num "$S" val95_step); A=$(json_num "$S" val_acc_at_train99); B=$(json_num "$S" best_val_acc)
check "run directory complete" test -s "$M" -a -s "$S" -a -s "$T/pa/curves.png" -a -s "$T/pa/norms.png"
check "train 480 equations, validation 481, batch 240 (half the train set)" test "$(json_num "$S" train_equations)" = 480 -a "$(json_num "$S" val_equations)" = 481 -a "$(json_num "$S" batch_rows)" = 240
check "train acc reaches 0.99 (step $F) within 1000 steps" awk -v f="$F" 'BEGIN{exit !(f!="null" && f<=1000)}'
check "validation acc < 0.5 when the train set is fit (got $A)" awk -v a="$A" 'BEGIN{exit !(a<0.5)}'
check "validation acc >= 0.95 later (step $G), at least 4x the fit step ($F)" awk -v g="$G" -v f="$F" 'BEGIN{exit !(g!="null" && g>=4*f)}'
check "best validation acc >= 0.99 (got $B)" awk -v b="$B" 'BEGIN{exit !(b>=0.99)}'
check "metrics columns" bash -c "head -1 '$M' | grep -q '^step,time,train_loss,train_acc,test_loss,test_acc,param_norm,rel_dist_from_init,norm_W_E,norm_ln1_g,norm_ln1_b,norm_W_Q,norm_W_K,norm_W_V,norm_W_O,norm_ln2_g,norm_ln2_b,norm_W_1,norm_W_2,norm_W_U$'"
check "the validation loss peaks above its start, then falls below it" /usr/bin/python3 -c "
import json,sys; s=json.load(open('$S')); sys.exit(not (s['val_loss_peak']>s['val_loss_initial']>s['val_loss_min_after_peak']))"

echo "== label noise: clean and corrupted train accuracy columns"
"$GK" run power-add-fast label_noise=0.1 steps=300 evals=5 evals_lin=0 --out "$T/pn" --quiet >/dev/null 2>&1
check "48 corrupted rows" test "$(json_num "$T/pn/summary.json" noisy_train_rows)" = 48
check "columns train_acc_clean, train_acc_noisy" bash -c "head -1 '$T/pn/metrics.csv' | grep -q ',train_acc_clean,train_acc_noisy,'"

echo "== determinism: 1 and 2 threads; resume bit for bit (dropout on)"
"$GK" run power-add-fast steps=120 evals=6 evals_lin=0 dropout=0.1 threads=1 --out "$T/d1" --quiet >/dev/null 2>&1
"$GK" run power-add-fast steps=120 evals=6 evals_lin=0 dropout=0.1 threads=2 --out "$T/d2" --quiet >/dev/null 2>&1
check "metrics.csv byte-identical" cmp -s "$T/d1/metrics.csv" "$T/d2/metrics.csv"
"$GK" run power-add-fast steps=120 evals=6 evals_lin=0 dropout=0.1 seed=2 --out "$T/d3" --quiet >/dev/null 2>&1
check "another seed gives other metrics" bash -c "! cmp -s '$T/d1/metrics.csv' '$T/d3/metrics.csv'"
"$GK" run power-add-fast steps=60 evals=6 evals_lin=0 dropout=0.1 --out "$T/r" --quiet >/dev/null 2>&1
"$GK" resume "$T/r" steps=120 --quiet >/dev/null 2>&1
check "resumed to step 120: the last row equals the uninterrupted run's" test "$(tail -1 "$T/r/metrics.csv")" = "$(tail -1 "$T/d1/metrics.csv")"

echo "== the paper-size preset (2 layers, width 128, 4 heads, d_ff 512, x/y mod 97), one step"
"$GK" run power-div steps=1 evals=1 evals_lin=0 --out "$T/pd" --quiet >/dev/null 2>&1
check "9312 equations split 4656/4656, batch 512, ~4e5 non-embedding parameters" test "$(json_num "$T/pd/summary.json" train_equations)" = 4656 -a "$(json_num "$T/pd/summary.json" batch_rows)" = 512 -a "$(json_num "$T/pd/summary.json" non_embedding_params)" = 394240

echo "== bad input: exit code 2, the key named, no run directory"
expect_bad "unknown op" "op=mul is not allowed" power-add-fast op=mul
expect_bad "div needs a prime" "p=33 is not allowed with op=div" power-add-fast op=div p=33
expect_bad "S_n degree" "sn=7 is out of range" power-add-fast op=perm_xy sn=7
expect_bad "d_model not a multiple of heads" "d_model=30 must be a multiple of heads=4" power-add-fast d_model=30
expect_bad "label noise above 1" "label_noise=2" power-add-fast label_noise=2

finish
