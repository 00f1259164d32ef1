#!/usr/bin/env bash
# bench_paper_scale.sh: the paper-scale modular runs of issue 19 (hours of CPU: a record of the commands whose
# numbers the README quotes, not a test).
#   prefix  modadd-lyu (p = 97, width 1024) at the paper's lr 0.002 to t = 40 (20,000 steps) beside lr_auto=1 to
#           the same t, compared at every common t (bench/compare_in_t.py: train/test accuracy within 0.02,
#           train loss within 2%)
#   long    modadd-lyu with lr_auto=1 to the paper's t = 2e4 (its 1e7 steps at lr 0.002), then resumed to
#           t = 6e4 (steps=3e7) and t = 1e5 (steps=5e7), and the figure of accuracies and losses against t
#   nanda   modadd-nanda at Nanda et al.'s values (p = 113, 30% train, AdamW lr 1e-3, wd 1; the preset runs
#           50,000 steps; the measured run was stopped with Ctrl-C at step 16,798, past its cleanup)
#   wd      modadd-lyu with lr_auto=1 at weight decay 1e-3 (the measured run was stopped at t = 1.1e4: with
#           wd 1e-3 lr_auto's steps are 3-5x shorter than at 1e-4), overlaid with the long run
# usage: bench/bench_paper_scale.sh prefix|long|nanda|wd [OUTDIR]
set -eu
GK=${GK:-build/groklab}
what=${1:?usage: bench/bench_paper_scale.sh prefix|long|nanda|wd [OUTDIR]}
OUT=${2:-runs/paper-scale}
mkdir -p "$OUT"
case "$what" in
prefix)
    "$GK" run modadd-lyu steps=20000 threads=1 --quiet --out "$OUT/prefix-fixed"
    "$GK" run modadd-lyu steps=20000 lr_auto=1 threads=1 --quiet --out "$OUT/prefix-auto"
    /usr/bin/python3 "$(dirname "$0")/compare_in_t.py" "$OUT/prefix-fixed" "$OUT/prefix-auto" \
        --tol-acc 0.02 --tol-loss 0.02 ;;
long)
    "$GK" run modadd-lyu lr_auto=1 threads=2 --quiet --out "$OUT/long"
    "$GK" resume "$OUT/long" steps=30000000 threads=1 --quiet
    "$GK" resume "$OUT/long" steps=50000000 threads=1 --quiet
    "$GK" plot "$OUT/long" --x t --logx --y train_acc,test_acc,train_loss,test_loss \
        --title "modadd-lyu at paper scale with lr_auto (p = 97, width 1024, wd 1e-4)" --out "$OUT/long.png" ;;
nanda)
    "$GK" run modadd-nanda threads=1 --quiet --out "$OUT/nanda" ;;
wd)
    "$GK" run modadd-lyu lr_auto=1 wd=1e-3 threads=1 --quiet --out "$OUT/wd-1e-3"
    "$GK" plot "$OUT/long" "$OUT/wd-1e-3" --x t --logx --by wd --y train_acc,test_acc,test_loss \
        --title "modadd-lyu at paper scale, lr_auto: weight decay 1e-4 against 1e-3" --out "$OUT/wd.png" ;;
*) echo "unknown: $what (prefix, long, nanda, wd)" >&2; exit 2 ;;
esac
