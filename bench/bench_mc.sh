#!/usr/bin/env bash
# bench_mc.sh: microseconds per GD step of mc-multiply (d = 97, 5% observed), groklab (C) against the plain
# PyTorch float64 version (bench/mc_torch.py), on the same number of threads. Issue goal: groklab >= 20x.
# nuc_iters=1 only cuts the setup (the min-nuclear-norm reference), not the timed steps.
# usage: bench/bench_mc.sh [THREADS]
source "$(dirname "$0")/bench_lib.sh"
header
row "mc-multiply d=97 5% obs" "$(c_us mc-multiply 20000 nuc_iters=1)" "$($PY bench/mc_torch.py 97 0.05 2000 "$THREADS")"
footer
