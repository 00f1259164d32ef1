#!/usr/bin/env bash
# Regenerates every figure in docs/figures/ (the README and docs/results.md show them), each from the command
# printed beside it, and prints how long each took.
# usage: scripts/make-figures.sh [--paper] [--overlays] [--long] [--serve] [--all]   (after scripts/build.sh)
# Times are wall times on this 2-core machine while other jobs shared it (load 4-20), so a free machine is
# faster; CPU times are in docs/results.md.
#   (default)   about 10 min: diag-sparse (10 s), diag-l2sep (1-4 min), diag-sparse-paper-flow (5-60 s),
#               mc-multiply-fast (5 s), xor, xor-neurons, xor-hist (xor-paper, 10-60 s), xor-slow (1-3 min),
#               xor-seeds (xor-paper-100, 2-10 min), kumar-teacher (75 s-3 min), modadd-nanda-fast-phases
#               (10-30 s), and the diag-sparse sweep behind sweep-heatmap, sweep-transition, overlay-alpha and
#               overlay-wd (42 s on 2 free cores; 7 min at load 20)
#               Also by default: parity-barak-nsweep, goldilocks-mnist-lu, goldilocks-mnist-by-alpha,
#               goldilocks-modadd (about 25 min on 2 loaded cores, mostly the MNIST sweep), power-add-fast,
#               power-add-fast-wu, power-noisy-fast (minutes); POWER_SWEEPS=1 adds power-fraction (~15 min of CPU)
#   --overlays  the sweeps behind lyu-fig2b, lyu-fig2c (modadd-lyu-fast: 7 runs of 60-70k steps, 200-240 s of
#               CPU each) and kumar-fig3a (kumar-fig1: 6 runs of 40k steps, ~60 s of CPU each): about 30 min on
#               2 free cores, 1 h on a loaded one
#   --paper     diag-sparse-paper (2e6 GD steps: 27 min) and modadd-nanda-phases (modadd-nanda at p = 113 to
#               step 17,000, past its cleanup: 75 min on one core)
#   --long      modadd-lyu-paper and modadd-lyu-paper-wd: modadd-lyu at the paper's size with lr_auto to
#               t = 1e5 (2.3 h), then at wd 1e-3 to steps=12031 (t = 8,200: about 1 h)
#   --serve     serve-live: `ctest -R e2e_serve` (headless Chromium) and its screenshot of a modadd-adamw-fast
#               run's live page (2-4 min)
#   --all       all of the above (about 5.5 h)
set -euo pipefail
cd "$(dirname "$0")/.."
PAPER=0 OVERLAYS=0 LONG=0 SERVE=0
for a in "$@"; do
  case $a in
    --paper) PAPER=1 ;;
    --overlays) OVERLAYS=1 ;;
    --long) LONG=1 ;;
    --serve) SERVE=1 ;;
    --all) PAPER=1 OVERLAYS=1 LONG=1 SERVE=1 ;;
    *) echo "usage: $0 [--paper] [--overlays] [--long] [--serve] [--all]" >&2; exit 2 ;;
  esac
done
GK=./build/groklab
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
mkdir -p docs/figures
PRESETS=$($GK list | cut -d' ' -f1) # (not `list | grep -q`: with pipefail, grep's early exit fails the pipe)
has() { grep -qx "$1" <<<"$PRESETS"; }
T0=$(date +%s)
took() { echo "  ($(($(date +%s) - T0)) s)"; PRESETS=$($GK list | cut -d' ' -f1) # (not `list | grep -q`: with pipefail, grep's early exit fails the pipe)
has() { grep -qx "$1" <<<"$PRESETS"; }
T0=$(date +%s); }
fig() { # name, source png, command...
  local name=$1 src=$2; shift 2
  echo "+ $* -> $src"
  "$@" --out "$OUT/$name" --quiet >/dev/null
  cp "$OUT/$name/$src" "docs/figures/$name.png"
  took
}
plot() { # name, plot arguments (directories first)...
  local name=$1; shift
  echo "+ $GK plot $* --out docs/figures/$name.png"
  "$GK" plot "$@" --out "docs/figures/$name.png" >/dev/null
}
fig diag-sparse curves.png $GK run diag-sparse
fig diag-l2sep curves.png $GK run diag-l2sep
fig diag-sparse-paper-flow curves.png $GK run diag-sparse-paper-flow
fig mc-multiply-fast matrices.png $GK run mc-multiply-fast
fig xor boundary_step15.png $GK run xor-paper
cp "$OUT/xor/neurons.png" docs/figures/xor-neurons.png # the same run's neurons.png and hist_step15.png
cp "$OUT/xor/hist_step15.png" docs/figures/xor-hist.png
fig xor-slow accuracy.png $GK run xor-slow
fig xor-seeds accuracy.png $GK run xor-paper-100
fig kumar-teacher mse.png $GK run kumar-teacher
fig modadd-nanda-fast-phases phases.png $GK run modadd-nanda-fast

echo "+ $GK sweep diag-sparse alpha=16,32,64,128,256 wd=5e-3,1e-2,2e-2 --steps-per-tstar 2.5 --jobs 2"
$GK sweep diag-sparse alpha=16,32,64,128,256 wd=5e-3,1e-2,2e-2 --steps-per-tstar 2.5 --jobs 2 --quiet \
  --out "$OUT/sweep" >/dev/null
for f in "$OUT"/sweep/*.png; do cp "$f" "docs/figures/sweep-$(basename "$f")"; done
cp "$OUT/sweep/sweep.csv" docs/figures/sweep.csv
# The sweep's runs on the t/t* axis (Lyu et al. Fig. 2(b, c) style, on diag-sparse): by alpha, by wd
plot overlay-alpha "$OUT/sweep" --by alpha --x tstar --y test_acc,param_norm
plot overlay-wd "$OUT/sweep" --by wd --x tstar --y test_acc,param_norm
took

# Lyu Fig. 2(b, c) on modular addition (W2 = 0 at init: zero_last=1, the preset's default) and Kumar Fig. 3(a):
# one sweep and one plot each
sweep_plot() { # name, sweep arguments..., --, plot arguments...
  local name=$1 sargs=() pargs=(); shift
  while [ "$1" != -- ]; do sargs+=("$1"); shift; done
  shift
  pargs=("$@")
  echo "+ $GK sweep ${sargs[*]} --jobs 2 --out SWEEP_DIR"
  $GK sweep "${sargs[@]}" --jobs 2 --quiet --out "$OUT/$name" >/dev/null
  plot "$name" "$OUT/$name" "${pargs[@]}"
  took
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
  took
fi
# ---- Power et al. 2022 (docs/power.md) ----
# Fig. 3 (the unembedding on its top two principal components), the label-noise run (clean and corrupted
# train rows), and with POWER_SWEEPS=1 the scaled-down Fig. 1-centre sweep (15 runs, ~15 min of CPU).
if has power-add-fast; then
  fig power-add-fast curves.png $GK run power-add-fast steps=10000 evals=40 evals_lin=100
  cp "$OUT/power-add-fast/wu_pca.png" docs/figures/power-add-fast-wu.png
fi
if has power-noisy-fast; then fig power-noisy-fast norms.png $GK run power-noisy-fast; fi
if has slingshot-power-fast; then # the slingshot on Power's transformer (~35 s of CPU): the spikes, the staircase
  echo "+ $GK run slingshot-power-fast --out RUN"
  $GK run slingshot-power-fast --quiet --out "$OUT/sling-power" >/dev/null
  plot slingshot-power-fast "$OUT/sling-power" --y norm_W_U,train_loss,test_acc --logy \
    --title "slingshot-power-fast: |W_U|, train loss, validation accuracy (Adam, eps 1e-8, softmax in float32)"
  plot slingshot-power-fast-norm "$OUT/sling-power" --y norm_W_U,train_loss,test_acc \
    --title "slingshot-power-fast: unembedding norm, train loss, validation accuracy"
  took
fi
if [ "${POWER_SWEEPS:-0}" = 1 ] && has power-add-fast; then
  echo "+ $GK sweep power-add-fast frac=0.4,0.5,0.6,0.7,0.8 steps=10000 evals=40 evals_lin=100 --seeds 3 --jobs 2 --out SWEEP_DIR"
  $GK sweep power-add-fast frac=0.4,0.5,0.6,0.7,0.8 steps=10000 evals=40 evals_lin=100 --seeds 3 --jobs 2 \
    --z val99_step --quiet --out "$OUT/power-frac" >/dev/null
  cp "$OUT/power-frac/curve.png" docs/figures/power-fraction.png  # median over the seeds against frac, with its power-law fit
fi
# ---- end Power et al. ----
took
if [ $PAPER = 1 ]; then
  fig diag-sparse-paper curves.png $GK run diag-sparse-paper
  fig modadd-nanda-phases phases.png $GK run modadd-nanda steps=17000 threads=1
fi
if [ $LONG = 1 ]; then # bench/bench_paper_scale.sh long and wd
  L=$OUT/lyu-long
  echo "+ $GK run modadd-lyu lr_auto=1; resume steps=30000000; resume steps=50000000"
  $GK run modadd-lyu lr_auto=1 --quiet --out "$L" >/dev/null
  $GK resume "$L" steps=30000000 --quiet >/dev/null
  $GK resume "$L" steps=50000000 --quiet >/dev/null
  plot modadd-lyu-paper "$L" --x t --logx --y train_acc,test_acc,train_loss,test_loss \
    --title "modadd-lyu at paper scale with lr_auto (p = 97, width 1024, wd 1e-4)"
  took
  echo "+ $GK run modadd-lyu lr_auto=1 wd=1e-3 steps=12031"
  $GK run modadd-lyu lr_auto=1 wd=1e-3 steps=12031 --quiet --out "$OUT/lyu-wd" >/dev/null
  plot modadd-lyu-paper-wd "$L" "$OUT/lyu-wd" --x t --logx --by wd --y train_acc,test_acc,test_loss \
    --title "modadd-lyu at paper scale, lr_auto: weight decay 1e-4 against 1e-3"
  took
fi
if [ $SERVE = 1 ]; then
  echo "+ ctest -R e2e_serve (its screenshot build/serve-artifacts/serve_run_live.png)"
  (cd build && ctest -R e2e_serve >/dev/null)
  cp build/serve-artifacts/serve_run_live.png docs/figures/serve-live.png
  took
fi
ls -la docs/figures
