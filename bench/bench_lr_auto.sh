#!/usr/bin/env bash
# bench_lr_auto.sh: lr_auto against the fixed learning rate on the time axis (issue 19), side by side in one run:
# modadd-lyu-fast with its fixed lr 0.1 to t = 1e4 (100,000 steps) and with lr_auto=1, then
# bench/compare_in_t.py (steps, grok time in t, accuracy and train-loss differences at every common t).
# usage: bench/bench_lr_auto.sh [OUTDIR] [KEY=VALUE ...]  (keys go to both runs, e.g. steps=20000)
set -u
GK=${GK:-build/groklab}
OUT=${1:-runs/bench-lr-auto}; shift || true
mkdir -p "$OUT"
rm -rf "$OUT/fixed" "$OUT/auto"
TIMEFORMAT="fixed: %R s wall, %U s user"; time "$GK" run modadd-lyu-fast "$@" threads=1 --quiet --out "$OUT/fixed" >/dev/null
TIMEFORMAT="auto:  %R s wall, %U s user"; time "$GK" run modadd-lyu-fast lr_auto=1 "$@" threads=1 --quiet --out "$OUT/auto" >/dev/null
/usr/bin/python3 "$(dirname "$0")/compare_in_t.py" "$OUT/fixed" "$OUT/auto" --tol-loss 0.02
