#!/usr/bin/env bash
# bench_modular.sh: microseconds per GD step of modadd-lyu (p = 97, 40% train, width 1024), groklab (C, float64)
# against PyTorch (bench/modular_torch.py) in float64 and float32, on the same number of threads.
# Issue goal: groklab >= 2x. usage: bench/bench_modular.sh [THREADS]
source "$(dirname "$0")/bench_lib.sh"
C=$(c_us modadd-lyu 30)
header
row "modadd-lyu p=97 h=1024 (pytorch f64)" "$C" "$($PY bench/modular_torch.py 97 0.4 1024 15 "$THREADS" float64)"
row "modadd-lyu p=97 h=1024 (pytorch f32)" "$C" "$($PY bench/modular_torch.py 97 0.4 1024 15 "$THREADS" float32)"
footer
# float32 (issue 18): groklab precision=f32 softmax_precision=f32 (sgemm forward/backward, float32 parameters)
C32=$(c_us modadd-lyu 30 precision=f32 softmax_precision=f32)
header
row "modadd-lyu f32 (pytorch f32)" "$C32" "$($PY bench/modular_torch.py 97 0.4 1024 15 "$THREADS" float32)"
footer
