#!/usr/bin/env bash
# Regenerates the figures shown in the README into docs/figures/, each from the command printed beside it.
# usage: scripts/make-figures.sh [--paper] [--overlays]   (after scripts/build.sh; a few minutes on 2 cores)
#   --paper     adds the 27-minute diag-sparse-paper GD run
#   --overlays  adds the sweeps behind Lyu Fig. 2(b, c) and Kumar Fig. 3(a): modadd-lyu-fast, 7 runs of
#               60-70k steps at 200-240 s of CPU each; kumar-fig1, 6 runs of 40k steps at ~60 s of CPU each
#               (about 30 min on 2 free cores; 58 min when three other sessions loaded the machine)
set -euo pipefail
cd "$(dirname "$0")/.."
PAPER=0 OVERLAYS=0
for a in "$@"; do
  case $a in
    --paper) PAPER=1 ;;
    --overlays) OVERLAYS=1 ;;
    *) echo "usage: $0 [--paper] [--overlays]" >&2; exit 2 ;;
  esac
done
GK=./build/groklab
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
mkdir -p docs/figures
fig() { # name, source png, command...
  local name=$1 src=$2; shift 2
  echo "+ $*"
  "$@" --out "$OUT/$name" --quiet >/dev/null
  cp "$OUT/$name/$src" "docs/figures/$name.png"
}
PRESETS=$($GK list | cut -d' ' -f1) # (not `list | grep -q`: with pipefail, grep's early exit fails the pipe)
has() { grep -qx "$1" <<<"$PRESETS"; }
fig diag-sparse curves.png $GK run diag-sparse
fig diag-l2sep curves.png $GK run diag-l2sep
if has mc-multiply-fast; then fig mc-multiply-fast matrices.png $GK run mc-multiply-fast; fi
if has xor-paper; then fig xor boundary_step15.png $GK run xor-paper; fi
if has xor-paper; then fig xor-neurons neurons.png $GK run xor-paper; fi
if has xor-paper; then fig xor-hist hist_step15.png $GK run xor-paper; fi
if has xor-slow; then fig xor-slow accuracy.png $GK run xor-slow; fi
if has xor-paper-100; then fig xor-seeds accuracy.png $GK run xor-paper-100; fi
if has kumar-teacher; then fig kumar-teacher mse.png $GK run kumar-teacher; fi
if has diag-sparse-paper-flow; then fig diag-sparse-paper-flow curves.png $GK run diag-sparse-paper-flow; fi
if [ $PAPER = 1 ]; then fig diag-sparse-paper curves.png $GK run diag-sparse-paper; fi
echo "+ $GK sweep diag-sparse alpha=16,32,64,128,256 wd=5e-3,1e-2,2e-2 --steps-per-tstar 2.5"
$GK sweep diag-sparse alpha=16,32,64,128,256 wd=5e-3,1e-2,2e-2 --steps-per-tstar 2.5 --out "$OUT/sweep" >/dev/null
for f in "$OUT"/sweep/*.png; do cp "$f" "docs/figures/sweep-$(basename "$f")"; done
cp "$OUT/sweep/sweep.csv" docs/figures/sweep.csv
# Overlays of the sweep's runs on the t/t* axis (Lyu et al. Fig. 2(b, c) style, on diag-sparse): by alpha, by wd
overlay() { # name, plot arguments...
  local name=$1; shift
  echo "+ $GK plot SWEEP_DIR $* --out docs/figures/$name.png"
  "$GK" plot "$OUT/sweep" "$@" --out "docs/figures/$name.png" >/dev/null
}
overlay overlay-alpha --by alpha --x tstar --y test_acc,param_norm
overlay overlay-wd --by wd --x tstar --y test_acc,param_norm
# Lyu Fig. 2(b, c) on modular addition (W2 = 0 at init: zero_last=1, the preset's default) and Kumar Fig. 3(a):
# one sweep and one plot each
sweep_plot() { # name, sweep arguments..., --, plot arguments...
  local name=$1 sargs=() pargs=(); shift
  while [ "$1" != -- ]; do sargs+=("$1"); shift; done
  shift
  pargs=("$@")
  echo "+ $GK sweep ${sargs[*]} --jobs 2 --out SWEEP_DIR"
  $GK sweep "${sargs[@]}" --jobs 2 --quiet --out "$OUT/$name" >/dev/null
  echo "+ $GK plot SWEEP_DIR ${pargs[*]} --out docs/figures/$name.png"
  $GK plot "$OUT/$name" "${pargs[@]}" --out "docs/figures/$name.png" >/dev/null
}
if [ $OVERLAYS = 1 ]; then
  sweep_plot lyu-fig2b modadd-lyu-fast alpha=1,4,8,16 wd=2e-3 steps=70000 -- --by alpha --y train_acc,test_acc --logx
  sweep_plot lyu-fig2c modadd-lyu-fast wd=1e-3,2e-3,4e-3 steps=60000 -- --by wd --y train_acc,test_acc --logx
  sweep_plot kumar-fig3a kumar-fig1 alpha=0.25,0.5,1,2,4,8 P=450 eps=0.25 eta=0.5 steps=40000 -- \
    --by alpha --y test_loss,train_loss --logx --logy
fi
# Sparse parity online, the Goldilocks norm, grokking eliminated at a fixed norm (each a sweep or two runs and a
# plot; about 25 min of wall time on 2 loaded cores, mostly the MNIST sweep)
if has parity-barak-fast && has goldilocks-modadd-fast; then
  echo "+ $GK sweep parity-barak-fast n=10,14,20,28,40,56 --seeds 3 --jobs 2 --out SWEEP_DIR"
  $GK sweep parity-barak-fast n=10,14,20,28,40,56 --seeds 3 --jobs 2 --quiet --out "$OUT/barak-n" >/dev/null
  cp "$OUT/barak-n/curve.png" docs/figures/parity-barak-nsweep.png
  echo "+ $GK sweep goldilocks-mnist init_scale=0.1:10:9log --x norm_final --y final_train_loss,final_test_loss --jobs 2 --out SWEEP_DIR"
  $GK sweep goldilocks-mnist init_scale=0.1:10:9log --x norm_final --y final_train_loss,final_test_loss --jobs 2 --quiet \
    --out "$OUT/gold" >/dev/null
  cp "$OUT/gold/curve.png" docs/figures/goldilocks-mnist-lu.png
  echo "+ $GK run goldilocks-mnist fixed_norm=0 init_scale=3.1622776601683813 --out BASE"
  $GK run goldilocks-mnist fixed_norm=0 init_scale=3.1622776601683813 --quiet --out "$OUT/gold-base" >/dev/null
  echo "+ $GK plot SWEEP_DIR BASE --by init_scale --y test_loss,test_acc --logx --out docs/figures/goldilocks-mnist-by-alpha.png"
  $GK plot "$OUT/gold" "$OUT/gold-base" --by init_scale --y test_loss,test_acc --logx \
    --title "goldilocks-mnist: the norm held at init x alpha (dashed) and the free-norm baseline at alpha 3.16" \
    --out docs/figures/goldilocks-mnist-by-alpha.png >/dev/null
  $GK run goldilocks-modadd-fast --quiet --out "$OUT/mod-fixed" >/dev/null
  $GK run modadd-nanda-fast --quiet --out "$OUT/mod-wd" >/dev/null
  echo "+ $GK plot FIXED WD1 --by fixed_norm --y test_acc,train_loss --logx --out docs/figures/goldilocks-modadd.png"
  $GK plot "$OUT/mod-fixed" "$OUT/mod-wd" --by fixed_norm --y test_acc,train_loss --logx \
    --title "modular addition (p = 31, Nanda's transformer): the norm held at init x 0.9 (wd 0) against wd 1" \
    --out docs/figures/goldilocks-modadd.png >/dev/null
fi
# ---- Power et al. 2022 (docs/power.md) ----
# Fig. 3 (the unembedding on its top two principal components), the label-noise run (clean and corrupted
# train rows), and with POWER_SWEEPS=1 the scaled-down Fig. 1-centre sweep (15 runs, ~15 min of CPU).
if has power-add-fast; then
  fig power-add-fast curves.png $GK run power-add-fast
  cp "$OUT/power-add-fast/wu_pca.png" docs/figures/power-add-fast-wu.png
fi
if has power-noisy-fast; then fig power-noisy-fast norms.png $GK run power-noisy-fast; fi
if [ "${POWER_SWEEPS:-0}" = 1 ] && has power-add-fast; then
  echo "+ $GK sweep power-add-fast frac=0.4,0.5,0.6,0.7,0.8 steps=10000 evals=40 evals_lin=100 --seeds 3 --jobs 2 --out SWEEP_DIR"
  $GK sweep power-add-fast frac=0.4,0.5,0.6,0.7,0.8 steps=10000 evals=40 evals_lin=100 --seeds 3 --jobs 2 \
    --z val99_step --quiet --out "$OUT/power-frac" >/dev/null
  echo "+ scripts/sweep-median.py SWEEP_DIR frac val99_step docs/figures/power-fraction.png --logy"
  /usr/bin/python3 scripts/sweep-median.py "$OUT/power-frac" frac val99_step docs/figures/power-fraction.png --logy \
    --ylabel "steps to 99% validation accuracy" --title "x+y mod 31 (power-add-fast): median over 3 seeds"
fi
# ---- end Power et al. ----
ls -la docs/figures
