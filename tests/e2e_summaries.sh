#!/usr/bin/env bash
# Every family's terminal summary names its phenomenon with a step (and t/t* where a prediction exists), and
# `groklab theory` prints a reference for each family that has one.
source "$(dirname "$0")/lib.sh"

# says NAME PRESET REGEX KEYS...: `groklab run` prints a line matching REGEX (grep -E); again with the same
# NAME: the same run's output, not run again
says() {
    local name=$1 preset=$2 re=$3; shift 3
    [ -e "$T/$name.out" ] || "$GK" run "$preset" "$@" --quiet --checkpoint-every 0 --out "$T/$name" >"$T/$name.out" 2>&1
    check "$name: prints /$re/" grep -qE "$re" "$T/$name.out"
}
says diag diag-sparse 'test accuracy jumped .*at step [0-9]+, t = [0-9.]+ = 0\.[0-9]+ t\*'
# (misgrokking's "test accuracy fell" line is checked in e2e_diag.sh, on its l2sep run)
says mc mc-multiply-fast 'test loss dropped .*at step [0-9]+, t = [0-9.]+ = [12]\.[0-9]+ t\*' steps=60000
says mc mc-multiply-fast 'train set fit .*train_loss <= 0.001 x its initial value\) at step [0-9]+' steps=60000
says kumar kumar-fig4-decomp 'test loss halved .*at step [0-9]+' steps=3000
says kumar kumar-fig4-decomp 'vs the kernel line +final test_loss / kernel_test_loss = ' steps=3000
says modular modadd-adamw-fast 'test accuracy jumped .*at step [0-9]+' threads=1
says teacher kumar-teacher 'train set fit .*at step [0-9]+' steps=3000
says flow diag-sparse-flow '[0-9]+ gradient evaluations'
check "regression progress line shows losses, not nan accuracies" bash -c "! grep -q 'acc nan' '$T/kumar.out'"

theory() { # NAME PRESET REGEX
    "$GK" theory "$2" >"$T/th-$1.out" 2>&1
    check "theory $1: prints /$3/" grep -qE "$3" "$T/th-$1.out"
}
theory diag diag-sparse 'l1margin +train_acc 1 +test_acc 1'
theory mc mc-multiply-fast 'nucnorm +test_loss [0-9.e-]+'
theory kumar kumar-fig1 'kernel +test_loss [0-9.e-]+'
theory xor xor 'linear +train_acc [0-9.]+ +test_acc 0\.[0-9]+'
finish
