#!/usr/bin/env bash
# Regenerates every figure in docs/figures/ (the README and docs/results.md show them), each from the command
# printed beside it, and prints how long each took.
# usage: scripts/make-figures.sh [--paper] [--overlays] [--long] [--serve] [--all] [--only NAME[,NAME...]]
#                                [--jobs N] [--keep DIR]   (after scripts/build.sh)
#   --only NAME,... only the named figures (as in docs/figures, without .png), whatever their group; a figure
#                   made from one run or sweep with others brings them along (xor with xor-neurons and xor-hist)
#   --jobs N        worker processes of each sweep and threads of each run (default 2; --jobs 1: one core)
#   --keep DIR      keep the sweeps in DIR/NAME and the --long runs in DIR/lyu-long and DIR/lyu-wd: a later call
#                   with the same DIR reuses their finished points and runs (an interrupted one resumes) and
#                   only redraws
# After each figure it prints the wall and CPU time it took. The times below are CPU times (user + system; with
# --jobs 1 the wall time on a free core is about the same), measured with --jobs 1 at load 7-13 (2026-12-07)
# unless they say otherwise; "wall" marks older wall times on 2 loaded cores, "minutes" an unmeasured one.
#   (default)   diag-sparse (2 s), diag-l2sep (48 s), diag-sparse-paper-flow (3 s), mc-multiply-fast
#               (2 s), xor, xor-neurons, xor-hist (xor-paper: 9 s), xor-slow (44 s), xor-seeds
#               (xor-paper-100: 342 s), kumar-teacher (50 s), modadd-nanda-fast-phases
#               (4 s), and the diag-sparse sweep behind sweep-heatmap, sweep-transition, overlay-alpha and
#               overlay-wd (37 s);
#               parity-barak-nsweep (126 s), goldilocks-mnist-lu with goldilocks-mnist-by-alpha (121 s),
#               goldilocks-modadd (8 s), power-add-fast-wu (power-add-fast: 51 s), power-noisy-fast
#               (73 s), slingshot-power-fast with slingshot-power-fast-norm (33 s); POWER_SWEEPS=1 adds
#               power-fraction (~15 min) and power-ops (36 runs: 608 s)
#   --overlays  the sweeps behind lyu-fig2b (modadd-lyu-fast, 4 runs of 70k steps: 498 s), lyu-fig2c (3 runs
#               of 60k steps: 356 s) and kumar-fig3a (kumar-fig1, 6 runs of 40k steps: 249 s): 18 min (31 min
#               of wall time at load 8-10)
#   --paper     diag-sparse-paper (2e6 GD steps: 1842 s of CPU, 31 min wall on 2 cores at load 2-5),
#               modadd-nanda-phases (modadd-nanda at p = 113 to step 17,000, past its cleanup: 1875 s of CPU,
#               68 min wall on a loaded core) and power-div (to step 5000: 643 s of CPU, 327 s wall on 2 cores)
#   --long      modadd-lyu-paper and modadd-lyu-paper-wd: modadd-lyu at the paper's size with lr_auto to
#               t = 1e5, and at wd 1e-3 to the paper's t = 2e4, side by side on a core each (--jobs 1: one after
#               the other). With lr_auto, steps=N still means t = N x lr (0.002): steps=10000000 is t = 2e4.
#               89 min of wall time in all (2026-12-07, 2 cores): the long run 3,609 s of CPU over 61 min,
#               the wd run (52,312 steps) 5,325 s on its core
#   --serve     serve-live: `ctest -R e2e_serve` (headless Chromium) and its screenshot of a modadd-adamw-fast
#               run's live page (58 s; 94 s wall)
#   --all       all of the above (about 4.3 h of CPU, 4 h of wall time on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
# every figure, by the group that makes it (a group's figures come from one run or sweep and are made together)
FIGURES="diag-sparse diag-l2sep diag-sparse-paper-flow mc-multiply-fast xor xor-neurons xor-hist xor-slow xor-seeds
kumar-teacher modadd-nanda-fast-phases sweep-heatmap sweep-transition overlay-alpha overlay-wd parity-barak-nsweep
goldilocks-mnist-lu goldilocks-mnist-by-alpha goldilocks-modadd power-add-fast-wu power-noisy-fast
power-fraction power-ops slingshot-power-fast slingshot-power-fast-norm lyu-fig2b lyu-fig2c kumar-fig3a diag-sparse-paper modadd-nanda-phases power-div modadd-lyu-paper
modadd-lyu-paper-wd serve-live"
usage() {
  echo "usage: $0 [--paper] [--overlays] [--long] [--serve] [--all] [--only NAME[,NAME...]] [--jobs N] [--keep DIR]" >&2
  echo "  NAME: one of $(tr '\n' ' ' <<<"$FIGURES")" >&2
  exit 2
}
DEFAULT=1 PAPER=0 OVERLAYS=0 LONG=0 SERVE=0 ONLY="" JOBS=2 KEEP=""
while [ $# -gt 0 ]; do
  case $1 in
    --paper) PAPER=1 ;;
    --overlays) OVERLAYS=1 ;;
    --long) LONG=1 ;;
    --serve) SERVE=1 ;;
    --all) PAPER=1 OVERLAYS=1 LONG=1 SERVE=1 ;;
    --only) [ $# -ge 2 ] || usage; ONLY=$2; shift ;;
    --jobs) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || { echo "--jobs: '${2:-}' is not a positive integer" >&2; usage; }
      JOBS=$2; shift ;;
    --keep) [ $# -ge 2 ] || usage; KEEP=$2; shift ;;
    *) usage ;;
  esac
  shift
done
for n in ${ONLY//,/ }; do
  grep -qxw -- "$n" <<<"$(tr ' ' '\n' <<<"$FIGURES")" || { echo "--only: unknown figure '$n'" >&2; usage; }
done
[ -z "$ONLY" ] || { DEFAULT=0 POWER_SWEEPS=0; }
# want GROUP NAME...: with --only, whether it names one of NAMEs; without, whether GROUP (0 or 1) is on
want() {
  local on=$1 n
  shift
  if [ -n "$ONLY" ]; then
    for n in "$@"; do [[ ,$ONLY, == *,$n,* ]] && return 0; done
    return 1
  fi
  [ "$on" = 1 ]
}
GK=./build/groklab
OUT=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$OUT"' EXIT # a run left in the background stops (and checkpoints)
SW=$OUT # the sweeps' directories
if [ -n "$KEEP" ]; then mkdir -p "$KEEP" && SW=$(cd "$KEEP" && pwd); fi
mkdir -p docs/figures
PRESETS=$($GK list | cut -d' ' -f1) # (not `list | grep -q`: with pipefail, grep's early exit fails the pipe)
has() { grep -qx "$1" <<<"$PRESETS"; }
# the CPU seconds (user + system) of this script's finished children so far (/proc/PID/stat: cutime, cstime)
TCK=$(getconf CLK_TCK)
child_cpu() { awk -v t="$TCK" '{ sub(/^.*\) /, ""); printf "%.0f", ($14 + $15) / t }' "/proc/$$/stat"; }
T0=$(date +%s) C0=$(child_cpu)
took() { # the wall and CPU time since the last call
  local t c
  t=$(date +%s) c=$(child_cpu)
  echo "  ($((t - T0)) s wall, $((c - C0)) s CPU)"
  T0=$t C0=$c
}
fig() { # name, source png, command... (a run gets threads=JOBS unless it names threads)
  local name=$1 src=$2; shift 2
  [[ " $* " == *" threads="* ]] || [ "$2" != run ] || set -- "$@" "threads=$JOBS"
  echo "+ $* -> $src"
  "$@" --out "$OUT/$name" --quiet >/dev/null
  cp "$OUT/$name/$src" "docs/figures/$name.png"
}
plot() { # name, plot arguments (directories first)...
  local name=$1; shift
  echo "+ $GK plot $* --out docs/figures/$name.png"
  "$GK" plot "$@" --out "docs/figures/$name.png" >/dev/null
}
sweep() { # out directory, sweep arguments...
  local out=$1; shift
  echo "+ $GK sweep $* --jobs $JOBS --out SWEEP_DIR"
  $GK sweep "$@" --jobs "$JOBS" --quiet --out "$out" >/dev/null
}
for f in diag-sparse diag-l2sep diag-sparse-paper-flow; do
  if want $DEFAULT $f; then fig $f curves.png $GK run $f; took; fi
done
if want $DEFAULT mc-multiply-fast; then fig mc-multiply-fast matrices.png $GK run mc-multiply-fast; took; fi
if want $DEFAULT xor xor-neurons xor-hist; then
  fig xor boundary_step15.png $GK run xor-paper
  cp "$OUT/xor/neurons.png" docs/figures/xor-neurons.png # the same run's neurons.png and hist_step15.png
  cp "$OUT/xor/hist_step15.png" docs/figures/xor-hist.png
  took
fi
if want $DEFAULT xor-slow; then fig xor-slow accuracy.png $GK run xor-slow; took; fi
if want $DEFAULT xor-seeds; then fig xor-seeds accuracy.png $GK run xor-paper-100; took; fi
if want $DEFAULT kumar-teacher; then fig kumar-teacher mse.png $GK run kumar-teacher; took; fi
if want $DEFAULT modadd-nanda-fast-phases; then
  fig modadd-nanda-fast-phases phases.png $GK run modadd-nanda-fast
  took
fi

if want $DEFAULT sweep-heatmap sweep-transition overlay-alpha overlay-wd; then
  sweep "$SW/sweep" diag-sparse alpha=16,32,64,128,256 wd=5e-3,1e-2,2e-2 --steps-per-tstar 2.5
  for f in "$SW"/sweep/*.png; do cp "$f" "docs/figures/sweep-$(basename "$f")"; done
  cp "$SW/sweep/sweep.csv" docs/figures/sweep.csv
  # The sweep's runs on the t/t* axis (Lyu et al. Fig. 2(b, c) style, on diag-sparse): by alpha, by wd
  plot overlay-alpha "$SW/sweep" --by alpha --x tstar --y test_acc,param_norm
  plot overlay-wd "$SW/sweep" --by wd --x tstar --y test_acc,param_norm
  took
fi

# Lyu Fig. 2(b, c) on modular addition (W2 = 0 at init: zero_last=1, the preset's default) and Kumar Fig. 3(a):
# one sweep and one plot each
sweep_plot() { # name, sweep arguments..., --, plot arguments...
  local name=$1 sargs=(); shift
  while [ "$1" != -- ]; do sargs+=("$1"); shift; done
  shift
  sweep "$SW/$name" "${sargs[@]}"
  plot "$name" "$SW/$name" "$@"
  took
}
if want $OVERLAYS lyu-fig2b; then
  sweep_plot lyu-fig2b modadd-lyu-fast alpha=1,4,8,16 wd=2e-3 steps=70000 -- --by alpha --y train_acc,test_acc --logx
fi
if want $OVERLAYS lyu-fig2c; then
  sweep_plot lyu-fig2c modadd-lyu-fast wd=1e-3,2e-3,4e-3 steps=60000 -- --by wd --y train_acc,test_acc --logx
fi
if want $OVERLAYS kumar-fig3a; then
  sweep_plot kumar-fig3a kumar-fig1 alpha=0.25,0.5,1,2,4,8 P=450 eps=0.25 eta=0.5 steps=40000 -- \
    --by alpha --y test_loss,train_loss --logx --logy
fi
# Sparse parity online, the Goldilocks norm, grokking eliminated at a fixed norm (each a sweep or two runs and a
# plot)
if has parity-barak-fast && want $DEFAULT parity-barak-nsweep; then
  sweep "$SW/barak-n" parity-barak-fast n=10,14,20,28,40,56 --seeds 3
  cp "$SW/barak-n/curve.png" docs/figures/parity-barak-nsweep.png
  took
fi
if has goldilocks-mnist && want $DEFAULT goldilocks-mnist-lu goldilocks-mnist-by-alpha; then
  sweep "$SW/gold" goldilocks-mnist init_scale=0.1:10:9log --x norm_final --y final_train_loss,final_test_loss
  cp "$SW/gold/curve.png" docs/figures/goldilocks-mnist-lu.png
  echo "+ $GK run goldilocks-mnist fixed_norm=0 init_scale=3.1622776601683813 --out BASE"
  $GK run goldilocks-mnist fixed_norm=0 init_scale=3.1622776601683813 threads=$JOBS --quiet --out "$OUT/gold-base" >/dev/null
  plot goldilocks-mnist-by-alpha "$SW/gold" "$OUT/gold-base" --by init_scale --y test_loss,test_acc --logx \
    --title "goldilocks-mnist: the norm held at init x alpha (dashed) and the free-norm baseline at alpha 3.16"
  took
fi
if has goldilocks-modadd-fast && want $DEFAULT goldilocks-modadd; then
  echo "+ $GK run goldilocks-modadd-fast --out FIXED; $GK run modadd-nanda-fast --out WD1"
  $GK run goldilocks-modadd-fast threads=$JOBS --quiet --out "$OUT/mod-fixed" >/dev/null
  $GK run modadd-nanda-fast threads=$JOBS --quiet --out "$OUT/mod-wd" >/dev/null
  plot goldilocks-modadd "$OUT/mod-fixed" "$OUT/mod-wd" --by fixed_norm --y test_acc,train_loss --logx \
    --title "modular addition (p = 31, Nanda's transformer): the norm held at init x 0.9 (wd 0) against wd 1"
  took
fi
# ---- Power et al. 2022 (docs/power.md) ----
# Fig. 3 (the unembedding on its top two principal components), the label-noise run (clean and corrupted
# train rows), and with POWER_SWEEPS=1 (or --only power-fraction) the scaled-down Fig. 1-centre sweep.
if has power-add-fast && want $DEFAULT power-add-fast-wu; then
  fig power-add-fast-wu wu_pca.png $GK run power-add-fast steps=10000 evals=40 evals_lin=100
  took
fi
if has power-noisy-fast && want $DEFAULT power-noisy-fast; then
  fig power-noisy-fast norms.png $GK run power-noisy-fast
  took
fi
if has power-add-fast && want "${POWER_SWEEPS:-0}" power-fraction; then
  sweep "$SW/power-frac" power-add-fast frac=0.4,0.5,0.6,0.7,0.8 steps=10000 evals=40 evals_lin=100 --seeds 3 \
    --z val99_step
  cp "$SW/power-frac/curve.png" docs/figures/power-fraction.png  # median over the seeds against frac, with its power-law fit
  took
fi
# Fig. 2 right scaled down: the best validation accuracy of every Z_p table against the train fraction (a heat map)
if has power-add-fast && want "${POWER_SWEEPS:-0}" power-ops; then
  sweep "$SW/power-ops" power-add-fast frac=0.3,0.5,0.7,0.9 op=add,sub,div,div_odd,sq_sum,quad,quad_x,cube_xy,cube_xy2_y \
    --z best_val_acc
  cp "$SW/power-ops/heatmap.png" docs/figures/power-ops.png
  took
fi
# The slingshot on Power's transformer: the loss spikes (log loss axis) and |W_U|'s staircase (linear axes)
if has slingshot-power-fast && want $DEFAULT slingshot-power-fast slingshot-power-fast-norm; then
  echo "+ $GK run slingshot-power-fast --out RUN"
  $GK run slingshot-power-fast threads=$JOBS --quiet --out "$OUT/sling-power" >/dev/null
  plot slingshot-power-fast "$OUT/sling-power" --y norm_W_U,train_loss,test_acc --logy \
    --title "slingshot-power-fast: |W_U|, train loss, validation accuracy (Adam, eps 1e-8, softmax in float32)"
  plot slingshot-power-fast-norm "$OUT/sling-power" --y norm_W_U,train_loss,test_acc \
    --title "slingshot-power-fast: unembedding norm, train loss, validation accuracy"
  took
fi
# ---- end Power et al. ----
if want $PAPER diag-sparse-paper; then fig diag-sparse-paper curves.png $GK run diag-sparse-paper; took; fi
# Power et al.'s own setting (x/y mod 97 at 50%, the paper-size transformer, AdamW wd 1) to step 5000: its
# validation accuracy passes 0.99 near step 4000 (the preset's 1e5 steps change no step before 5000)
if want $PAPER power-div; then fig power-div curves.png $GK run power-div steps=5000; took; fi
if want $PAPER modadd-nanda-phases; then
  fig modadd-nanda-phases phases.png $GK run modadd-nanda steps=17000 threads=1
  took
fi
# the paper-scale runs behind modadd-lyu-paper(-wd) (bench/bench_paper_scale.sh long and wd); with --keep they
# stay in DIR, and a later call resumes or reuses them
L=$SW/lyu-long W=$SW/lyu-wd
config_steps() { sed -n 's/^[[:space:]]*"steps":[[:space:]]*\([0-9]*\).*/\1/p' "$1/config.json"; }
run_to() { # directory, steps, threads, run arguments...: runs them there, or takes a kept run on (or reuses it)
  local dir=$1 steps=$2 threads=$3; shift 3
  if [ ! -f "$dir/config.json" ]; then # not begun, or stopped in its set-up
    rm -rf "$dir"
    $GK run "$@" "steps=$steps" "threads=$threads" --quiet --out "$dir" >/dev/null
  elif [ "$(config_steps "$dir")" -le "$steps" ]; then # resume: an interrupted or shorter run (a finished one redraws)
    $GK resume "$dir" "steps=$steps" "threads=$threads" --quiet >/dev/null
  fi # a kept run that goes further is used as it is
}
WD_JOB=""
if want $LONG modadd-lyu-paper modadd-lyu-paper-wd; then
  if want $LONG modadd-lyu-paper-wd && [ "$JOBS" -ge 2 ]; then # the wd run beside the long one, on a core of its own
    echo "+ $GK run modadd-lyu lr_auto=1 wd=1e-3 steps=10000000 threads=1 (beside the next)"
    run_to "$W" 10000000 1 modadd-lyu lr_auto=1 wd=1e-3 &
    WD_JOB=$!
  fi
  echo "+ $GK run modadd-lyu lr_auto=1 steps=10000000; resume steps=30000000; resume steps=50000000"
  for s in 10000000 30000000 50000000; do
    n=$JOBS # one core fewer while the wd run goes on
    if [ -n "$WD_JOB" ] && kill -0 "$WD_JOB" 2>/dev/null; then n=$((JOBS - 1)); fi
    run_to "$L" $s $n modadd-lyu lr_auto=1
  done
  plot modadd-lyu-paper "$L" --x t --logx --y train_acc,test_acc,train_loss,test_loss \
    --title "modadd-lyu at paper scale with lr_auto (p = 97, width 1024, wd 1e-4)"
  took
fi
if want $LONG modadd-lyu-paper-wd; then
  if [ -n "$WD_JOB" ]; then
    wait "$WD_JOB"
  else
    echo "+ $GK run modadd-lyu lr_auto=1 wd=1e-3 steps=10000000"
    run_to "$W" 10000000 "$JOBS" modadd-lyu lr_auto=1 wd=1e-3
  fi
  plot modadd-lyu-paper-wd "$L" "$W" --x t --logx --by wd --y train_acc,test_acc,test_loss \
    --title "modadd-lyu at paper scale, lr_auto: weight decay 1e-4 against 1e-3"
  took
fi
if want $SERVE serve-live; then
  echo "+ ctest -R e2e_serve (its screenshot build/serve-artifacts/serve_run_live.png)"
  (cd build && ctest -R e2e_serve >/dev/null)
  cp build/serve-artifacts/serve_run_live.png docs/figures/serve-live.png
  took
fi
ls -la docs/figures
