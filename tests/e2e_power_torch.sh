#!/usr/bin/env bash
# e2e_power_torch.sh: the transformer's AdamW steps equal PyTorch's (bench/check_power_torch.sh) at a small size:
# 200 steps, batch 64, width 32, on x/y mod 23, for the paper's options (post-LN, sinusoids, ReLU) and for pre-LN,
# learned positions, GELU; every tensor within 1e-10 relative. Skipped (exit 77) without python3-torch.
source "$(dirname "$0")/lib.sh"
SRC=${GK_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
export BUILD=${GK_BUILD_DIR:-$(dirname "$GK")}
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  echo "SKIPPED: PyTorch (python3-torch) is not installed; scripts/install-deps.sh --bench installs it"
  exit 77
fi
small="steps=200 batch=64 d_model=32 d_ff=64 p=23"
for opts in "ln=post pos=sin act=relu" "ln=pre pos=learned act=gelu"; do
  # shellcheck disable=SC2086
  check "200 AdamW steps equal PyTorch's to 1e-10 ($opts)" bash "$SRC/bench/check_power_torch.sh" $small $opts
done
# the check can fail: a different lr on one side is seen
D="$T/dump"; mkdir -p "$D"
# shellcheck disable=SC2086
"$BUILD/power_dump" "$D" $small steps=20 >/dev/null
sed -i 's/^lr .*/lr 0.0011/' "$D/dims.txt"
check "a changed learning rate on the PyTorch side fails the check" \
  sh -c "! /usr/bin/python3 '$SRC/bench/power_torch.py' check '$D' 1e-10 >/dev/null"
finish
