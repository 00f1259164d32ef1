#!/usr/bin/env bash
# bench_xor.sh: microseconds per GD step of the xor presets, groklab (C) against PyTorch float64
# (bench/xor_torch.py), on the same number of threads. Issue goal: groklab >= 1x (parity) at paper size.
# n_test=100 only shortens the evals (outside the timed steps). xor-slow has the shapes of xor-paper (only
# the step size differs), so its step costs the same. usage: bench/bench_xor.sh [THREADS]
# groklab splits each of the two products into 2 fixed output blocks (single-threaded dgemm each) spread
# over the OpenMP threads: threads=2 can use both cores, with results bitwise equal to threads=1.
source "$(dirname "$0")/bench_lib.sh"
header
row "xor p=1e4 n=200 m=1000" "$(c_us xor 8 n_test=100)" "$($PY bench/xor_torch.py 10000 200 1000 8 "$THREADS")"
row "xor-paper p=4e4 n=200 m=1000" "$(c_us xor-paper 4 n_test=100)" "$($PY bench/xor_torch.py 40000 200 1000 3 "$THREADS")"
footer
