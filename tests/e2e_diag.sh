#!/usr/bin/env bash
# e2e_diag.sh: the diagonal-net experiment end to end through the CLI (issue 2).
# Asserts the phenomena (grokking and misgrokking shapes), determinism, bad input, divergence, Ctrl-C.
source "$(dirname "$0")/lib.sh"

echo "== list and help"
"$GK" list >"$T/list"
check "list names every diag preset" grep -q "^diag-sparse .*Lyu" "$T/list"
check "list has the paper-scale presets" grep -q "^diag-l2sep-paper" "$T/list"
"$GK" run diag-sparse --help >"$T/help"
check "--help lists each key with default and range" grep -q "alpha .*128" "$T/help"
check "--help shows ranges" grep -q "alpha > 0" "$T/help"

echo "== grokking (diag-sparse default: d=1000, n=128, alpha=128, wd=1e-2)"
"$GK" run diag-sparse --out "$T/grok" --quiet >"$T/grok.out" 2>&1
M=$T/grok/metrics.csv
S=$T/grok/summary.json
check "run directory complete" test -s "$M" -a -s "$S" -a -s "$T/grok/config.json" -a -s "$T/grok/curves.png" -a -s "$T/grok/curves.svg"
check "a fresh run's figure draws the theory references' test accuracies (L1 and L2 max-margin)" /usr/bin/python3 -c "
import html, sys; t = html.unescape(open('$T/grok/curves.svg').read())
sys.exit(not all(f'{r} max-margin (test accuracy)' in t for r in ('L1', 'L2')))"
TS=$(json_num "$S" predicted_transition_step)
tr=$(col "$M" train_acc); te=$(col "$M" test_acc)
check "train_acc = 1 by step 100" awk -F, -v c="$tr" 'NR>1 && $1<=100 && $c==1 {ok=1} END{exit !ok}' "$M"
check "test_acc <= 0.70 at every eval before 0.3 t*" awk -F, -v c="$te" -v t="$TS" 'NR>1 && $1<0.3*t && $c>0.70 {bad=1} END{exit bad}' "$M"
check "final test_acc >= 0.97" awk -F, -v c="$te" 'END{exit !($c>=0.97)}' "$M"
G=$(json_num "$S" test_grok_step)
check "grok step between 0.3 t* and 1.2 t* (got $G, t*=$TS)" awk -v g="$G" -v t="$TS" 'BEGIN{exit !(g>0.3*t && g<1.2*t)}'
check "summary has the required keys" bash -c "for k in preset params steps predicted_transition_step train_fit_step test_grok_step max_test_acc final_train_loss final_train_acc final_test_loss final_test_acc wall_seconds misgrok_drop; do grep -q \"\\\"\$k\\\"\" '$S' || exit 1; done"
check "metrics columns" bash -c "head -1 '$M' | grep -q '^step,time,train_loss,train_acc,test_loss,test_acc,param_norm,rel_dist_from_init'"
check "summary status completed" test "$(json_str "$S" status)" = completed
check "CLI summary names the predicted transition" grep -q "predicted transition" "$T/grok.out"

echo "== theory references on the grokking run (issue 10)"
M=$T/grok/metrics.csv; S=$T/grok/summary.json
a2=$(col "$M" agree_l2margin); a1=$(col "$M" agree_l1margin)
check "agree columns present" test -n "$a2" -a -n "$a1"
check "step 1000..0.3 t*: agree_l2 >= 0.88 and agree_l2 - agree_l1 >= 0.2" awk -F, -v a="$a2" -v b="$a1" -v t="$TS" 'NR>1 && $1>=1000 && $1<=0.3*t && ($a<0.88 || $a-$b<0.2) {bad=1} END{exit bad}' "$M"
check "end: agree_l1 >= 0.97 and agree_l1 - agree_l2 >= 0.2" awk -F, -v a="$a2" -v b="$a1" 'END{exit !($b>=0.97 && $b-$a>=0.2)}' "$M"
SW=$(json_num "$S" switch_step)
check "switch step in [0.3 t*, 1.2 t*] (got $SW)" awk -v s="$SW" -v t="$TS" 'BEGIN{exit !(s>=0.3*t && s<=1.2*t)}'
L2ACC=$(grep -A3 '"l2margin"' "$S" | grep -o '"test_acc":[^,]*' | sed 's/.*://')
L1ACC=$(grep -A3 '"l1margin"' "$S" | grep -o '"test_acc":[^,]*' | sed 's/.*://')
check "L2 reference test acc ($L2ACC) = plateau test acc within 0.03" awk -F, -v c="$te" -v r="$L2ACC" -v t="$TS" 'NR>1 && $1>=1000 && $1<=0.3*t && ($c-r>0.03 || r-$c>0.03) {bad=1} END{exit bad}' "$M"
check "L1 reference test acc ($L1ACC) = final test acc within 0.03" awk -F, -v c="$te" -v r="$L1ACC" 'END{exit !($c-r<=0.03 && r-$c<=0.03)}' "$M"
"$GK" theory diag-sparse >"$T/theory.out" 2>&1
check "groklab theory prints both references" bash -c "grep -q 'l2margin .*test_acc 0.5' '$T/theory.out' && grep -q 'l1margin .*test_acc 1' '$T/theory.out'"

echo "== misgrokking (l2sep, d=5000, n=8, wd=3e-2)"
"$GK" run diag-l2sep d=5000 n=8 wd=3e-2 steps=65000 n_test=1000 --out "$T/mis" --quiet >"$T/mis.out" 2>&1
check "the summary says the test accuracy fell, at a step and t/t*" grep -qE 'test accuracy fell .*at step [0-9]+, t = [0-9.]+ = [0-9.]+ t\*' "$T/mis.out"
M=$T/mis/metrics.csv
TS=$(json_num "$T/mis/summary.json" predicted_transition_step)
te=$(col "$M" test_acc)
check "test_acc >= 0.97 at every eval from step 1 to 0.3 t* (step 0 is all ties)" awk -F, -v c="$te" -v t="$TS" 'NR>1 && $1>=1 && $1<0.3*t && $c<0.97 {bad=1} END{exit bad}' "$M"
check "final test_acc lower by >= 0.15" awk -F, -v c="$te" 'NR>1 && $c>m {m=$c} END{exit !(m-$c>=0.15)}' "$M"
a2=$(col "$M" agree_l2margin); a1=$(col "$M" agree_l1margin)
check "agree_l2 >= 0.97 from step 1 to 0.3 t*" awk -F, -v a="$a2" -v t="$TS" 'NR>1 && $1>=1 && $1<=0.3*t && $a<0.97 {bad=1} END{exit bad}' "$M"
check "agree_l1 at the end above its value at 0.3 t*" awk -F, -v b="$a1" -v t="$TS" 'NR>1 && $1<=0.3*t {early=$b} END{exit !($b>early)}' "$M"
L1ACC=$(grep -A3 '"l1margin"' "$T/mis/summary.json" | grep -o '"test_acc":[^,]*' | sed 's/.*://')
check "L1 reference test acc ($L1ACC) within 0.05 of the final test acc" awk -F, -v c="$te" -v r="$L1ACC" 'END{exit !($c-r<=0.05 && r-$c<=0.05)}' "$M"
check "misgrok_drop >= 0.15 in summary" awk -v x="$(json_num "$T/mis/summary.json" misgrok_drop)" 'BEGIN{exit !(x>=0.15)}'

echo "== determinism: same seed, 1 and 2 threads"
"$GK" run diag-sparse steps=3000 threads=1 --out "$T/t1" --quiet >/dev/null 2>&1
"$GK" run diag-sparse steps=3000 threads=2 --out "$T/t2" --quiet >/dev/null 2>&1
check "sparse metrics.csv byte-identical" cmp -s "$T/t1/metrics.csv" "$T/t2/metrics.csv"
"$GK" run diag-l2sep d=700 n=8 steps=500 threads=1 --out "$T/l1" --quiet >/dev/null 2>&1
"$GK" run diag-l2sep d=700 n=8 steps=500 threads=2 test_mem_mb=0 --out "$T/l2" --quiet >/dev/null 2>&1
check "l2sep (stored vs regenerated test set) identical metrics" cmp -s "$T/l1/metrics.csv" "$T/l2/metrics.csv"
"$GK" run diag-sparse steps=3000 seed=2 --out "$T/t3" --quiet >/dev/null 2>&1
check "another seed gives other metrics" bash -c "! cmp -s '$T/t1/metrics.csv' '$T/t3/metrics.csv'"

echo "== --save-data"
"$GK" run diag-sparse d=20 n=16 n_test=10 steps=10 --save-data --out "$T/save" --quiet >/dev/null 2>&1
check "train.csv has n rows + header and d+1 columns" awk -F, 'END{exit !(NR==17 && NF==21)}' "$T/save/train.csv"
check "test.csv has n_test rows + header" awk -F, 'END{exit !(NR==11)}' "$T/save/test.csv"

echo "== bad input: exit code 2, the key named, no run directory"
expect_bad "unknown preset" "unknown preset" no-such-preset
expect_bad "unknown key" "unknown key 'foo'" diag-sparse foo=1
expect_bad "malformed number" "d=12x is not a number" diag-sparse d=12x
expect_bad "d < 1" "d=0 is out of range" diag-sparse d=0
expect_bad "n < 1" "n=0 is out of range" diag-sparse n=0
expect_bad "s > d" "s=7 is out of range" diag-sparse d=5 s=7
expect_bad "s even" "s=4 is not allowed" diag-sparse s=4
expect_bad "alpha <= 0" "alpha=0 is out of range" diag-sparse alpha=0
expect_bad "wd < 0" "wd=-1 is out of range" diag-sparse wd=-1
expect_bad "lr <= 0" "lr=0 is out of range" diag-sparse lr=0
expect_bad "steps < 1" "steps=0 is out of range" diag-sparse steps=0
expect_bad "non-integer d" "d=1.5 is not an integer" diag-sparse d=1.5
expect_bad "key repeated" "given twice" diag-sparse d=10 d=20
expect_bad "unknown data" "data=foo is not allowed" diag-sparse data=foo
touch "$T/afile"
"$GK" run diag-sparse steps=10 --out "$T/afile/sub" --quiet >/dev/null 2>"$T/stderr"
rc=$?
check "unwritable output dir: clear error, non-zero exit (rc=$rc)" bash -c "[ $rc -ne 0 ] && grep -q 'cannot create directory' '$T/stderr'"

echo "== divergence: a non-finite loss stops the run, names the step, keeps the metrics"
"$GK" run diag-sparse lr=1e3 steps=1000 --out "$T/div" --quiet >/dev/null 2>"$T/stderr"
rc=$?
check "diverged run exits 1" test $rc -eq 1
check "summary says diverged" test "$(json_str "$T/div/summary.json" status)" = diverged
check "error names the step" grep -q "non-finite at step" "$T/div/summary.json"
check "metrics kept" awk 'END{exit !(NR>=2)}' "$T/div/metrics.csv"

echo "== Ctrl-C: valid metrics up to the last eval, summary says interrupted"
"$GK" run diag-sparse steps=100000000 evals_lin=100000 --out "$T/int" --quiet >/dev/null 2>&1 &
pid=$!
wait_rows "$T/int/metrics.csv" 3 $pid # a header and two rows, however loaded the machine
kill -INT $pid
wait $pid
rc=$?
check "interrupted run exits 130 (rc=$rc)" test $rc -eq 130
check "summary says interrupted" test "$(json_str "$T/int/summary.json" status)" = interrupted
check "metrics.csv rows all complete" awk -F, 'NR==1{n=NF} NF!=n{bad=1} END{exit bad || NR<3}' "$T/int/metrics.csv"
check "no temp files left" bash -c "! ls -A '$T/int' | grep -q tmp"

finish
