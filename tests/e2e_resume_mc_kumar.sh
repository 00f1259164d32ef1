#!/usr/bin/env bash
# e2e_resume_mc_kumar.sh: checkpoints of matrix completion and of the Kumar committee machine (issue 14).
# A run started with --checkpoint-every 0.2 is killed with kill -9 once its first checkpoint is on disk, then
# `groklab resume DIR` finishes it: metrics.csv is byte-identical to the uninterrupted run's, summary.json too
# apart from timing fields, and (mc) the matrices figure, whose snapshots are part of the checkpoint.
# mc by gradient flow with flow_method=bdf cannot be checkpointed: the run goes on without and says why.
source "$(dirname "$0")/lib.sh"

# kill_resume NAME "RESUME ARGS" PRESET KEYS...: the uninterrupted run (NAME-a), then one killed mid-run and
# resumed (NAME-b).
kill_resume() {
    local name=$1 rargs=$2; shift 2
    local a=$T/$name-a b=$T/$name-b
    "$GK" run "$@" --quiet --checkpoint-every 0 --out "$a" >/dev/null 2>&1
    "$GK" run "$@" --quiet --checkpoint-every 0.2 --out "$b" >/dev/null 2>&1 &
    local pid=$!
    wait_file "$b/checkpoint" $pid # frozen the moment its first checkpoint is on disk, then killed
    kill -STOP "$pid" 2>/dev/null
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    local rc=$?
    check "$name: killed (kill -9) mid-run with a checkpoint on disk (rc=$rc)" test $rc -eq 137 -a -s "$b/checkpoint"
    # shellcheck disable=SC2086
    "$GK" resume "$b" $rargs --quiet >/dev/null 2>"$T/$name.err"
    rc=$?
    check "$name: resume completes (rc=$rc $(head -c 300 "$T/$name.err"))" test $rc -eq 0 -a "$(json_str "$b/summary.json" status)" = completed
    check "$name: metrics.csv byte-identical to the uninterrupted run's" bash -c "test -s '$a/metrics.csv' && cmp -s '$a/metrics.csv' '$b/metrics.csv'"
    check "$name: summary.json identical apart from timing (and threads)" bash -c \
        "diff <(grep -v -e seconds -e '\"threads\"' '$a/summary.json') <(grep -v -e seconds -e '\"threads\"' '$b/summary.json') >/dev/null"
    check "$name: final weights identical" bash -c "for f in '$a'/weights/final/*.npy; do cmp -s \"\$f\" '$b'/weights/final/\$(basename \"\$f\") || exit 1; done"
}

echo "== mc by GD (mc-multiply-fast, d=40; sigma > 0 so that W at init is not 0 and its snapshot matters)"
kill_resume mc-gd "" mc-multiply-fast sigma=0.01 steps=15000 evals=40 evals_lin=10 threads=1
check "mc-gd: the matrices figure (init, plateau and end snapshots) is identical" cmp -s "$T/mc-gd-a/matrices.svg" "$T/mc-gd-b/matrices.svg"
check "mc-gd: weights U and V written at init and at the end" bash -c "for w in init/U init/V final/U final/V; do test -s '$T/mc-gd-b/weights/'\$w.npy || exit 1; done"

echo "== mc by gradient flow (rkck, can be checkpointed)"
kill_resume mc-flow "" mc-multiply-fast opt=flow steps=600000 evals=30 evals_lin=10 threads=1
check "mc-flow: the matrices figure is identical" cmp -s "$T/mc-flow-a/matrices.svg" "$T/mc-flow-b/matrices.svg"

echo "== kumar (kumar-fig1 at D=20, P=120, N=50), resumed on 2 threads"
kill_resume kumar "threads=2" kumar-fig1 D=20 P=120 N=50 ntest=300 eps=0.1 steps=30000 evals=40 evals_lin=20 threads=1

echo "== mc by gradient flow with flow_method=bdf: no checkpoint, same results"
FLOW="mc-multiply-flow d=40 obs_frac=0.15 wd=1e-3 steps=150000 evals=30 evals_lin=10 threads=1"
# shellcheck disable=SC2086
"$GK" run $FLOW --quiet --checkpoint-every 0 --out "$T/bdf-a" >/dev/null 2>&1
# shellcheck disable=SC2086
"$GK" run $FLOW --quiet --checkpoint-every 0.2 --out "$T/bdf-b" >/dev/null 2>&1
S=$T/bdf-b/summary.json
check "bdf: completed, no checkpoint file" test "$(json_str "$S" status)" = completed -a ! -e "$T/bdf-b/checkpoint"
check "bdf: the summary says why (checkpoint_unavailable names bdf)" grep -q '"checkpoint_unavailable":[[:space:]]*"[^"]*bdf' "$S"
check "bdf: metrics.csv byte-identical to the run without checkpoints" cmp -s "$T/bdf-a/metrics.csv" "$T/bdf-b/metrics.csv"
cp "$T/bdf-b/metrics.csv" "$T/bdf-metrics.csv"
"$GK" resume "$T/bdf-b" --quiet >/dev/null 2>"$T/bdf.err"
rc=$?
check "bdf: resume refused with exit 2, naming the checkpoint (rc=$rc)" bash -c "test $rc -eq 2 && grep -q checkpoint '$T/bdf.err'"
check "bdf: the refused resume leaves metrics.csv as it was" cmp -s "$T/bdf-metrics.csv" "$T/bdf-b/metrics.csv"

finish
