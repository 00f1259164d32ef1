#!/usr/bin/env bash
# e2e_transformer.sh: Nanda's one-layer transformer (model=transformer1) through the CLI (issue 4). Asserts
# memorise-then-generalise on modadd-nanda-fast, the metrics columns, determinism across thread counts, the
# paper-size preset's setup, and bad input.
source "$(dirname "$0")/lib.sh"
export OPENBLAS_NUM_THREADS=1

echo "== list"
"$GK" list >"$T/list"
for p in modadd-nanda modadd-nanda-fast; do check "list has $p" grep -q "^$p " "$T/list"; done

echo "== memorise, then generalise (modadd-nanda-fast: p=31, 50% train, d_model 32, AdamW lr 3e-3 wd 1)"
"$GK" run modadd-nanda-fast steps=2000 --out "$T/tf" --quiet >/dev/null 2>&1
S=$T/tf/summary.json; M=$T/tf/metrics.csv
F=$(json_num "$S" train_acc1_step); G=$(json_num "$S" test_grok_step); A=$(json_num "$S" test_acc_at_train_acc1)
check "run directory complete" test -s "$M" -a -s "$S" -a -s "$T/tf/curves.png" -a -s "$T/tf/progress.png"
check "train pairs 480, test pairs 481" test "$(json_num "$S" train_pairs)" = 480 -a "$(json_num "$S" test_pairs)" = 481
check "train acc reaches 1 (step $F)" test "$F" != null
check "test acc < 0.2 when train acc first reaches 1 (got $A)" awk -v a="$A" 'BEGIN{exit !(a<0.2)}'
check "test acc >= 0.95 later (step $G), at least 5x the fit step ($F)" awk -v g="$G" -v f="$F" 'BEGIN{exit !(g!="null" && g>=5*f)}'
check "final test acc >= 0.95" awk -v x="$(json_num "$S" final_test_acc)" 'BEGIN{exit !(x>=0.95)}'
check "metrics columns" bash -c "head -1 '$M' | grep -q '^step,time,train_loss,train_acc,test_loss,test_acc,param_norm,rel_dist_from_init,min_margin,norm_W_E,norm_W_pos,norm_W_Q,norm_W_K,norm_W_V,norm_W_O,norm_W_in,norm_b_in,norm_W_out,norm_b_out,norm_W_U,ipr,sc_share,grad_weight_cos,restricted_loss,excluded_loss,fourier_gini,key_freq_norm_share$'"
R=$(json_num "$S" ipr_ratio)
check "Fourier IPR of W_E grows >= 2x (ratio $R)" awk -v r="$R" 'BEGIN{exit !(r>=2)}'

echo "== progress measures (Nanda et al. 2023): restricted loss before test loss; excluded loss rises, then falls"
phen_step() { /usr/bin/python3 -c 'import json,sys; s = json.load(open(sys.argv[1])); print(next((s[p["step_key"]] if "step_key" in p else p["step"] for p in s["phenomena"] if p["what"] == sys.argv[2]), None))' "$S" "$1"; }
RS=$(phen_step "restricted loss halved"); TS=$(phen_step "test loss halved")
check "the restricted loss halves (step $RS) before the test loss does (step $TS)" awk -v r="$RS" -v t="$TS" 'BEGIN{exit !(r!="None" && t!="None" && r+0<t+0)}'
P1=$(json_num "$S" memorisation_end_step); P2=$(json_num "$S" circuit_formation_end_step); P3=$(json_num "$S" cleanup_end_step)
check "three phases in order ($P1 < $P2 <= $P3)" awk -v a="$P1" -v b="$P2" -v c="$P3" 'BEGIN{exit !(a!="null" && b!="null" && c!="null" && a<b && b<=c)}'
ex=$(col "$M" excluded_loss)
EX1=$(awk -F, -v c="$ex" -v s="$P1" '$1==s{print $c}' "$M"); EX2=$(awk -F, -v c="$ex" -v s="$P2" '$1==s{print $c}' "$M")
EXL=$(awk -F, -v c="$ex" 'END{print $c}' "$M")
check "the excluded loss rises during circuit formation ($EX1 -> $EX2) and falls after it (final $EXL)" awk -v a="$EX1" -v b="$EX2" -v z="$EXL" 'BEGIN{exit !(b>1.5*a && z<b)}'
check "phases.png drawn" test -s "$T/tf/phases.png"
check "five key frequencies in the summary" /usr/bin/python3 -c "import json,sys; k=json.load(open('$S'))['key_frequencies']; sys.exit(not (len(k)==5 and all(1<=x<=15 for x in k)))"

echo "== determinism: same seed, 1 and 2 threads"
"$GK" run modadd-nanda-fast steps=150 threads=1 --out "$T/d1" --quiet >/dev/null 2>&1
"$GK" run modadd-nanda-fast steps=150 threads=2 --out "$T/d2" --quiet >/dev/null 2>&1
check "metrics.csv byte-identical" cmp -s "$T/d1/metrics.csv" "$T/d2/metrics.csv"
"$GK" run modadd-nanda-fast steps=150 seed=2 --out "$T/d3" --quiet >/dev/null 2>&1
check "another init seed gives other metrics" bash -c "! cmp -s '$T/d1/metrics.csv' '$T/d3/metrics.csv'"

echo "== the paper-size preset (modadd-nanda: p=113, d_model 128, 4 heads, d_mlp 512), one step"
"$GK" run modadd-nanda steps=1 evals=1 evals_lin=0 --out "$T/nd" --quiet >/dev/null 2>&1
check "train pairs 3830" test "$(json_num "$T/nd/summary.json" train_pairs)" = 3830
check "config has d_model 128, heads 4, d_mlp 512, wd 1" bash -c "grep -q '\"d_model\":[[:space:]]*128,' '$T/nd/config.json' && grep -q '\"heads\":[[:space:]]*4,' '$T/nd/config.json' && grep -q '\"d_mlp\":[[:space:]]*512,' '$T/nd/config.json' && grep -q '\"wd\":[[:space:]]*1,' '$T/nd/config.json'"
check "initial test acc near chance" awk -F, -v c="$(col "$T/nd/metrics.csv" test_acc)" 'NR==2{exit !($c<0.05)}' "$T/nd/metrics.csv"

echo "== bad input: exit code 2, the key named, no run directory"
expect_bad "d_model not a multiple of heads" "d_model=30 must be a multiple of heads=4" modadd-nanda-fast d_model=30
expect_bad "heads = 0" "heads=0 is out of range" modadd-nanda-fast heads=0
expect_bad "d_mlp = 0" "d_mlp=0 is out of range" modadd-nanda-fast d_mlp=0

finish
