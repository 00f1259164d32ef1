#!/usr/bin/env bash
# e2e_power_f32.sh: Power et al.'s transformer with precision=f32 through the CLI: power-add-fast fits its train
# set in float32; the float32 run's metrics are its own (not float64's) yet close to them; bits do not depend on
# the thread count; resume bit for bit; a bad precision is bad input.
source "$(dirname "$0")/lib.sh"
export OPENBLAS_NUM_THREADS=1
q() { "$GK" run power-add-fast "$@" --quiet >/dev/null 2>&1; }

echo "== float32 fits the train set (power-add-fast, 600 steps)"
q steps=600 evals=12 evals_lin=0 precision=f32 --out "$T/fit"
F=$(json_num "$T/fit/summary.json" train99_step)
check "train acc reaches 0.99 in float32 (step $F)" awk -v f="$F" 'BEGIN{exit !(f!="null" && f<=600)}'

echo "== float32 against float64, thread counts, resume (dropout on)"
q steps=120 evals=6 evals_lin=0 dropout=0.1 precision=f32 threads=1 --out "$T/a1"
q steps=120 evals=6 evals_lin=0 dropout=0.1 precision=f32 threads=2 --out "$T/a2"
q steps=120 evals=6 evals_lin=0 dropout=0.1 precision=f64 threads=1 --out "$T/d"
check "float32 metrics.csv byte-identical at 1 and 2 threads" cmp -s "$T/a1/metrics.csv" "$T/a2/metrics.csv"
check "float32 metrics differ from float64's" bash -c "! cmp -s '$T/a1/metrics.csv' '$T/d/metrics.csv'"
check "float32 train loss at step 120 within 1% of float64's" /usr/bin/python3 -c "
import csv,sys
a=list(csv.DictReader(open('$T/a1/metrics.csv')))[-1]; d=list(csv.DictReader(open('$T/d/metrics.csv')))[-1]
x,y=float(a['train_loss']),float(d['train_loss']); print(x,y); sys.exit(not (a['step']==d['step']=='120' and abs(x-y)<=0.01*y))"
q steps=60 evals=6 evals_lin=0 dropout=0.1 precision=f32 --out "$T/r"
"$GK" resume "$T/r" steps=120 --quiet >/dev/null 2>&1
check "float32 resumed to step 120: the last row equals the uninterrupted run's" \
  test "$(tail -1 "$T/r/metrics.csv")" = "$(tail -1 "$T/a1/metrics.csv")"

echo "== bad input"
"$GK" run power-add-fast precision=f16 --out "$T/bad" >"$T/bad.txt" 2>&1; rc=$?
check "precision=f16: exit 2 naming the key, nothing written" \
  bash -c "[ $rc = 2 ] && grep -q precision '$T/bad.txt' && [ ! -e '$T/bad' ]"
finish
