#!/usr/bin/env bash
# bench_kumar.sh: microseconds per GD step of kumar-fig1 (D = 100, P = 550, N = 500), groklab (C; its default
# path=auto, i.e. the (w_bar, M) statistics path) against PyTorch float64 by the direct formula with autograd
# (bench/kumar_torch.py), on the same number of threads. Issue goal: groklab >= 5x.
# usage: bench/bench_kumar.sh [THREADS]
source "$(dirname "$0")/bench_lib.sh"
PT=$($PY bench/kumar_torch.py 100 550 500 200 "$THREADS")
header
row "kumar-fig1 D=100 P=550 N=500 (stats)" "$(c_us kumar-fig1 300 ntest=100)" "$PT"
row "kumar-fig1 D=100 P=550 N=500 (direct)" "$(c_us kumar-fig1 100 ntest=100 path=direct)" "$PT"
footer
