#!/usr/bin/env bash
# e2e_power.sh: Power et al. 2022's transformer on an operation table through the CLI. Asserts grokking on
# power-add-fast (train accuracy 0.99 well before validation accuracy 0.95), the columns and summary facts,
# label-noise columns, determinism across thread counts, resume bit for bit (with dropout), bad input.
source "$(dirname "$0")/lib.sh"
export OPENBLAS_NUM_THREADS=1

echo "== list"
"$GK" list >"$T/list"
for p in power-add power-div power-div-adam power-s5 power-noisy power-add-fast power-div-fast power-noisy-fast; do check "list has $p" grep -q "^$p " "$T/list"; done

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
check "the output-layer figure is written (start, fit, end)" test -s "$T/pa/wu_pca.png" -a -s "$T/pa/wu_pca.svg"
C0=$(json_num "$S" wu_radius_cv_start); CE=$(json_num "$S" wu_radius_cv_end)
check "W_U's projection is rounder at the end than at the start: radius CV $C0 -> $CE (falls by 0.1 or more)" awk -v a="$C0" -v b="$CE" 'BEGIN{exit !(b<=a-0.1)}'
check "the fit snapshot is taken at the train fit" test "$(json_num "$S" wu_fit_step)" = "$F"
check "the validation loss peaks above its start, then falls below it" /usr/bin/python3 -c "
import json,sys; s=json.load(open('$S')); sys.exit(not (s['val_loss_peak']>s['val_loss_initial']>s['val_loss_min_after_peak']))"

echo "== power-div-fast shortened to 1000 steps (the paper's model, x/y mod 97, float32): memorised, not generalised"
"$GK" run power-div-fast steps=1000 evals=4 evals_lin=0 threads=2 --out "$T/pdf" --quiet >/dev/null 2>&1
TA=$(json_num "$T/pdf/summary.json" final_train_acc); VA=$(json_num "$T/pdf/summary.json" final_test_acc)
check "train acc $TA >= 0.95 at step 1000 while validation acc $VA < 0.1" awk -v t="$TA" -v v="$VA" 'BEGIN{exit !(t>=0.95 && v<0.1)}'

echo "== the output-layer figure on S_3, coloured by coset (a few steps)"
"$GK" run power-add-fast op=perm_xy sn=3 frac=0.8 steps=20 evals=3 evals_lin=0 --out "$T/ps3" --quiet >/dev/null 2>&1
check "wu_pca.svg has the three cosets in its legend" /usr/bin/python3 -c "
import html, re, sys; t = html.unescape(open('$T/ps3/wu_pca.svg').read())
sys.exit(sorted(set(re.findall(r'coset: x\\(last\\) = \\d', t))) != ['coset: x(last) = %d' % k for k in range(3)])"
check "no fit snapshot before the fit" test "$(json_num "$T/ps3/summary.json" wu_fit_step)" = null

echo "== label noise (power-noisy-fast shortened): the corrupted rows are memorised, then unlearned"
"$GK" run power-noisy-fast steps=2400 evals=12 evals_lin=12 --out "$T/pn" --quiet >/dev/null 2>&1
S=$T/pn/summary.json
check "77 of the 768 train rows corrupted" test "$(json_num "$S" noisy_train_rows)" = 77 -a "$(json_num "$S" train_equations)" = 768
check "columns train_acc_clean, train_acc_noisy" bash -c "head -1 '$T/pn/metrics.csv' | grep -q ',train_acc_clean,train_acc_noisy,'"
NM=$(json_num "$S" noisy_train_acc_max); NF=$(json_num "$S" noisy_train_acc_final)
check "corrupted rows memorised: their train accuracy reaches $NM >= 0.8" awk -v a="$NM" 'BEGIN{exit !(a>=0.8)}'
check "then unlearned: $NF at the end, at least 0.2 below its peak" awk -v a="$NM" -v b="$NF" 'BEGIN{exit !(b<=a-0.2)}'
# by column name: the last value of $2, or (with $3) the value of $2 on the first row where $3 >= 0.95
col() { awk -F, -v c="$2" -v w="${3:-}" 'NR==1{for(i=1;i<=NF;i++){if($i==c)k=i; if($i==w)j=i}; next}
  w=="" {v=$k} w!="" && $j>=0.95 {print $k; exit} END{if(w=="") print v}' "$1"; }
CF=$(col "$T/pn/metrics.csv" train_acc_clean); VF=$(col "$T/pn/metrics.csv" test_acc)
VA=$(col "$T/pn/metrics.csv" test_acc train_acc_clean) # validation when the clean rows are first fit
check "clean rows stay fit ($CF >= 0.95) while validation rises ($VA when they are first fit, $VF at the end)" awk -v c="$CF" -v a="$VA" -v v="$VF" 'BEGIN{exit !(c>=0.95 && a!="" && v>=a+0.2)}'

echo "== a sweep over op and frac: one heat-map row per operation, named by its formula"
"$GK" sweep power-add-fast op=add,sq_sum frac=0.5,0.7 steps=5 evals=1 evals_lin=0 --z best_val_acc --out "$T/sw" --quiet >/dev/null 2>&1
check "heatmap.svg labels its rows x+y and x^2+y^2" /usr/bin/python3 -c "
import html, sys; t = html.unescape(open('$T/sw/heatmap.svg').read())
sys.exit(not ('x+y' in t and 'x^2+y^2' in t and 'operation' in t))"

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
