#!/usr/bin/env bash
# Checkpoints and resume: a run killed with kill -9 mid-way and continued with `groklab resume` gives a
# metrics.csv byte-identical to the uninterrupted run's, for each kind of optimizer (GD with the fused diag
# step, GD, AdamW, minibatch AdamW, gradient flow) and at another thread count; corrupt, truncated and foreign
# checkpoints are refused with exit 2 and the run directory is left as it was; --out never overwrites.
source "$(dirname "$0")/lib.sh"

# kill_and_resume NAME PRESET KEYS...: full run vs killed + resumed run. With CRASH=POINT set, the run is
# groklab-crashtest killed (SIGKILL) at that crash point (src/io/fault.h): "checkpoint#1" = the moment its first
# checkpoint is written, however loaded the machine is. Without CRASH it is a real kill -9 from outside, which does
# not depend on timing either: the moment the checkpoint file is on disk the run is frozen (SIGSTOP), then killed;
# such a run lasts seconds after its first checkpoint (at 0.2 s), so it is still going when the file appears.
kill_and_resume() {
    local name=$1 preset=$2; shift 2
    "$GK" run "$preset" "$@" threads=1 --quiet --checkpoint-every 0 --out "$T/$name-full" >/dev/null 2>&1
    if [ -n "${CRASH:-}" ]; then
        GK_CRASH_AT=$CRASH "$GKC" run "$preset" "$@" threads=2 --quiet --checkpoint-every 0.2 --out "$T/$name" >/dev/null 2>"$T/$name.crash"
        local rc=$?
        if [ $rc -ne 137 ]; then fail "$name: the run was not killed at crash point $CRASH (rc=$rc)"; return; fi
    else
        "$GK" run "$preset" "$@" threads=2 --quiet --checkpoint-every 0.2 --out "$T/$name" >/dev/null 2>&1 &
        local pid=$!
        wait_file "$T/$name/checkpoint" $pid
        if ! kill -STOP $pid 2>/dev/null; then fail "$name: the run ended before its first checkpoint was seen (make it longer)"; return; fi
        kill -9 $pid
        wait $pid 2>/dev/null
    fi
    [ -e "$T/$name/summary.json" ] && { fail "$name: killed run has a summary"; return; }
    "$GK" resume "$T/$name" --quiet >"$T/$name.out" 2>&1
    local rc=$?
    check "$name: resume exits 0 (rc=$rc)" [ $rc -eq 0 ]
    check "$name: resumed metrics.csv is byte-identical to the uninterrupted run's" cmp -s "$T/$name-full/metrics.csv" "$T/$name/metrics.csv"
    check "$name: resumed summary says completed" grep -q '"status":[[:space:]]*"completed"' "$T/$name/summary.json"
    check "$name: no temp file is left" bash -c "[ -z \"\$(find '$T/$name' -name '.*.tmp*')\" ]"
}

kill_and_resume diag diag-sparse steps=40000 evals=40 evals_lin=20
CRASH="checkpoint#1" kill_and_resume modadd modadd-lyu-fast steps=2500 evals=20 evals_lin=10
CRASH="checkpoint#1" kill_and_resume modadd-auto modadd-lyu-fast lr_auto=1 steps=2500 evals=20 evals_lin=10
# Killed after its final checkpoint, before its summary: the resume evaluates nothing more, and the summary's
# key frequencies (of the last eval) come from the checkpoint, not zeros.
"$GK" run modadd-lyu-fast steps=300 evals=5 evals_lin=0 --quiet --out "$T/modend" >/dev/null 2>&1
grep -o '"key_frequencies":[^]]*]' "$T/modend/summary.json" >"$T/modend.kf"
rm "$T/modend/summary.json"
"$GK" resume "$T/modend" --quiet >/dev/null 2>&1
check "modadd: key_frequencies after a resume from the final checkpoint are the run's ($(cat "$T/modend.kf"))" \
    bash -c "grep -q '[1-9]' '$T/modend.kf' && grep -qF -- \"\$(cat '$T/modend.kf')\" '$T/modend/summary.json'"
CRASH="checkpoint#1" kill_and_resume teacher kumar-teacher steps=4000 evals=20 evals_lin=10
CRASH="checkpoint#1" kill_and_resume mnist omnigrok-mnist steps=1000 evals=10 evals_lin=5
CRASH="checkpoint#1" kill_and_resume xor xor steps=300 p=2000 evals=20 evals_lin=10
CRASH="checkpoint#1" kill_and_resume xor-direct xor steps=60 p=2000 m=300 path=direct evals=20 evals_lin=10
CRASH="checkpoint#1" kill_and_resume flow diag-sparse-flow steps=4000000 evals=40 evals_lin=20 rtol=1e-10 atol=1e-12 d=3000

# Crashes at exact places (groklab-crashtest): inside the checkpoint's write (its temp written, not renamed), between
# a checkpoint's weights/step_N and the checkpoint itself, inside those weights (u.npy renamed, v.npy a temp),
# and while the figures are drawn (after the last checkpoint, before summary.json). Each resume gives the
# uninterrupted run's metrics and leaves no temp; weights/step_N are those of checkpoints, each whole.
CRASH="rename:checkpoint#2" kill_and_resume ckpt-temp diag-sparse steps=40000 evals=40 evals_lin=20
weights_whole() { # DIR: every weights/*/ holds u.npy and v.npy and nothing else
    local d
    for d in "$1"/weights/*/; do [ "$(ls -A "$d" | tr '\n' ' ')" = "u.npy v.npy " ] || { echo "$d: $(ls -A "$d")"; return 1; }; done
}
CRASH="weights#2" kill_and_resume ckpt-weights diag-sparse steps=40000 evals=40 evals_lin=20 --save-weights
check "ckpt-weights: every weights/ directory is whole after the resume" weights_whole "$T/ckpt-weights"
CRASH="rename:v.npy#3" kill_and_resume in-weights diag-sparse steps=40000 evals=40 evals_lin=20 --save-weights
check "in-weights: every weights/ directory is whole after the resume" weights_whole "$T/in-weights"
CRASH="rename:curves.png" kill_and_resume drawing diag-sparse steps=3000 evals=20 evals_lin=0
check "drawing: the figures are there after the resume" test -s "$T/drawing/curves.png" -a -s "$T/drawing/curves.svg"

# A sweep whose worker crashes (and takes the sweep with it) inside a point, after the point's first checkpoint,
# or while the point draws its figures: the rerun continues the point to the uninterrupted run's metrics.
"$GK" run diag-sparse alpha=64 steps=20000 --quiet --checkpoint-every 0 --out "$T/cs-ref" >/dev/null 2>&1
for point in "checkpoint#1" "rename:curves.png"; do
    d="$T/cs-${point%%[#:]*}"
    GK_CRASH_AT=$point GK_CRASH_PARENT=1 "$GKC" sweep diag-sparse alpha=64 steps=20000 --jobs 1 --checkpoint-every 0.2 \
        --out "$d" >/dev/null 2>"$d.err"
    rc=$?
    pt=$(ls -d "$d"/*/ | head -1) # the one point
    check "sweep crashed at $point (rc=$rc; $(grep -o 'crash point.*' "$d.err"))" bash -c "[ $rc -eq 137 ] && [ -d '$pt' ] && [ ! -e '$pt/summary.json' ]"
    "$GK" sweep diag-sparse alpha=64 steps=20000 --jobs 1 --out "$d" >/dev/null 2>&1
    rc=$?
    check "  the rerun completes it (rc=$rc)" test $rc -eq 0
    check "  to the uninterrupted run's metrics" cmp "$T/cs-ref/metrics.csv" "$pt/metrics.csv"
    check "  with its figures, and no temp is left ($(find "$d" -name '.*.tmp*'))" bash -c \
        "[ -s '$pt/curves.png' ] && [ -z \"\$(find '$d' -name '.*.tmp*')\" ]"
done

# A sweep stopped mid-point continues that point from its checkpoint: the same metrics as a run never stopped.
# SIGINT goes once the point's own first checkpoint is on disk (the point lasts seconds more).
"$GK" run diag-sparse alpha=64 steps=200000 --quiet --checkpoint-every 0 --out "$T/sw-ref" >/dev/null 2>&1
"$GK" sweep diag-sparse alpha=64 steps=200000 --jobs 1 --checkpoint-every 0.2 --out "$T/sw" >/dev/null 2>&1 &
spid=$!
wait_file "$T/sw/*/checkpoint" $spid
kill -INT $spid 2>/dev/null; wait $spid 2>/dev/null
pdir=$(ls -d "$T"/sw/*/ | head -1)
check "the stopped point says interrupted and has a checkpoint" bash -c "grep -q interrupted '$pdir/summary.json' && [ -s '$pdir/checkpoint' ]"
"$GK" sweep diag-sparse alpha=64 steps=200000 --jobs 1 --out "$T/sw" >/dev/null 2>&1
check "the rerun sweep resumed the point to the uninterrupted metrics" cmp -s "$T/sw-ref/metrics.csv" "$pdir/metrics.csv"

# A finished run goes further with steps=N; its rows up to the old end are kept.
"$GK" run diag-sparse steps=2000 evals=10 evals_lin=0 --quiet --out "$T/ext" >/dev/null 2>&1
head -n 11 "$T/ext/metrics.csv" >"$T/ext-before.csv"
# summary.json comes last: a run killed while it draws has none, so it is resumed (and a sweep reruns it)
check "summary.json is written after every figure and the checkpoint" bash -c \
    "[ -s '$T/ext/curves.png' ] && [ -z \"\$(find '$T/ext' -newer '$T/ext/summary.json' \\( -name '*.png' -o -name '*.svg' -o -name checkpoint \\))\" ]"
"$GK" resume "$T/ext" steps=4000 --quiet >/dev/null 2>&1
check "resume steps=N extends a finished run" [ "$(tail -1 "$T/ext/metrics.csv" | cut -d, -f1)" = 4000 ]
check "resume steps=N keeps the finished rows" cmp -s "$T/ext-before.csv" <(head -n 11 "$T/ext/metrics.csv")
expect_resume_bad() { # WHAT NEEDLE DIR [ARGS]
    local what=$1 needle=$2 dir=$3; shift 3
    local before; before=$(find "$dir" -printf '%p %s %T@\n' | sort | md5sum)
    "$GK" resume "$dir" "$@" --quiet >"$T/stdout" 2>"$T/stderr"
    local rc=$? after; after=$(find "$dir" -printf '%p %s %T@\n' | sort | md5sum)
    if [ $rc -eq 2 ] && grep -qF -- "$needle" "$T/stderr" && [ "$before" = "$after" ]; then pass "$what"
    else fail "$what (rc=$rc, stderr: $(head -c 300 "$T/stderr"), dir changed: $([ "$before" = "$after" ] && echo no || echo yes))"; fi
}
expect_resume_bad "resume refuses fewer steps" "resume can only go further" "$T/ext" steps=100
expect_resume_bad "resume refuses other keys" "resume takes only steps" "$T/ext" alpha=3
cp -r "$T/ext" "$T/trunc"; truncate -s 100 "$T/trunc/checkpoint"
expect_resume_bad "a truncated checkpoint is refused" "truncated" "$T/trunc"
cp -r "$T/ext" "$T/corrupt"; printf '\x01' | dd of="$T/corrupt/checkpoint" bs=1 seek=200 conv=notrunc 2>/dev/null
expect_resume_bad "a corrupt checkpoint is refused" "checksum" "$T/corrupt"
"$GK" run diag-l2sep steps=100 evals=3 evals_lin=0 --quiet --out "$T/other" >/dev/null 2>&1
cp -r "$T/ext" "$T/foreign"; cp "$T/other/checkpoint" "$T/foreign/checkpoint"
expect_resume_bad "a checkpoint of another run is refused" "cannot resume" "$T/foreign"
# A checkpoint must belong to its config.json and make sense, even with a valid CRC.
"$GK" run diag-sparse alpha=64 steps=2000 evals=10 evals_lin=0 --quiet --out "$T/a64" >/dev/null 2>&1
"$GK" run diag-sparse alpha=128 steps=2000 evals=10 evals_lin=0 --quiet --out "$T/a128" >/dev/null 2>&1
cp "$T/a64/checkpoint" "$T/a128/checkpoint"; rm -f "$T/a128/summary.json"
expect_resume_bad "a checkpoint of another config of the same preset is refused" "another config" "$T/a128"
cp -r "$T/ext" "$T/edited"; sed -i 's/"wd":[[:space:]]*[0-9.e-]*/"wd": 0.5/' "$T/edited/config.json"
expect_resume_bad "a config.json edited after the checkpoint is refused" "another config" "$T/edited"
set_step() { # DIR VALUE: the checkpoint's trainer.step set to VALUE, the CRC made valid again
    /usr/bin/python3 - "$1/checkpoint" "$2" <<'PYEOF'
import struct, sys, zlib
path, value = sys.argv[1], int(sys.argv[2])
b = bytearray(open(path, "rb").read())
i = b.index(b"trainer.step") + len(b"trainer.step") + 8
b[i:i + 8] = struct.pack("<q", value)
b[-4:] = struct.pack("<I", zlib.crc32(bytes(b[:-4])) & 0xffffffff)
open(path, "wb").write(bytes(b))
PYEOF
}
cp -r "$T/ext" "$T/step-huge"; set_step "$T/step-huge" 4611686018427387904
expect_resume_bad "a checkpoint at step 2^62 (valid CRC) is refused" "outside 0.." "$T/step-huge"
cp -r "$T/ext" "$T/step-neg"; set_step "$T/step-neg" -5
expect_resume_bad "a checkpoint at step -5 (valid CRC) is refused" "outside 0.." "$T/step-neg"
cp -r "$T/ext" "$T/part-row" # the metrics block one value short (a partial last row), the CRC made valid again
/usr/bin/python3 - "$T/part-row/checkpoint" <<'PYEOF'
import struct, sys, zlib
path = sys.argv[1]
b = bytearray(open(path, "rb").read())
i = b.index(b"run.metrics") + len(b"run.metrics")
n = struct.unpack("<Q", b[i:i + 8])[0]
b[i:i + 8] = struct.pack("<Q", n - 8)
del b[i + 8 + n - 8:i + 8 + n]
b[16:24] = struct.pack("<Q", len(b) - 28)
b[-4:] = struct.pack("<I", zlib.crc32(bytes(b[:-4])) & 0xffffffff)
open(path, "wb").write(bytes(b))
PYEOF
expect_resume_bad "a checkpoint whose last metrics row is partial (valid CRC) is refused" "not whole" "$T/part-row"
# config.json is read back checked: a key that is not a name, a key given twice, a value cut short are refused.
for bad in 'steps=1":1,"x' 'seed":1,"seed'; do
    cp -r "$T/ext" "$T/cj"; sed -i "s/\"wd\":/\"$bad\":/" "$T/cj/config.json"
    expect_resume_bad "config.json with param \"$bad\" is refused" "config.json: param" "$T/cj"
    rm -rf "$T/cj"
done
cp -r "$T/ext" "$T/cj"; /usr/bin/python3 -c "
import json, sys; p = sys.argv[1]; c = json.load(open(p)); c['params']['mode'] = 'x' * 400; json.dump(c, open(p, 'w'))" "$T/cj/config.json"
expect_resume_bad "config.json with a 400-character value is refused, not cut" "longer than 255" "$T/cj"
echo garbage >"$T/junk"; mkdir -p "$T/nockpt"; cp "$T/ext/config.json" "$T/nockpt/"
expect_resume_bad "a run without a checkpoint is refused" "cannot read the checkpoint" "$T/nockpt"

# Two runs started into one --out at once: one runs, the other is refused (exit 2); a run going on is never
# replaced, not even with --force.
for i in 1 2 3; do
    "$GK" run diag-sparse steps=3000 --quiet --out "$T/twin$i" >/dev/null 2>"$T/twin$i-a.err" & pa=$!
    "$GK" run diag-sparse steps=3000 --quiet --out "$T/twin$i" >/dev/null 2>"$T/twin$i-b.err" & pb=$!
    wait $pa; ra=$?; wait $pb; rb=$?
    check "two runs into one new --out (try $i): one completes, the other exits 2 (rc $ra, $rb)" \
        bash -c "[ \$(( ($ra == 0) + ($rb == 0) )) -eq 1 ] && [ \$(( ($ra == 2) + ($rb == 2) )) -eq 1 ]"
done
"$GK" run diag-sparse steps=100000000 --quiet --out "$T/busy" >/dev/null 2>&1 & pbusy=$!
wait_file "$T/busy/config.json" $pbusy
"$GK" run diag-sparse steps=100 --quiet --force --out "$T/busy" >/dev/null 2>"$T/busy.err"; rc=$?
check "--force into a run going on exits 2 and says so (rc=$rc)" bash -c "[ $rc -eq 2 ] && grep -q 'going on' '$T/busy.err'"
check "the run going on is left alone" kill -0 $pbusy
kill -INT $pbusy; wait $pbusy

# --out never overwrites: an existing run is refused (exit 2, untouched); --force replaces it whole.
"$GK" run diag-sparse steps=300 seed=1 --save-data --quiet --out "$T/keep" >/dev/null 2>&1
sum_before=$(md5sum "$T/keep/metrics.csv")
"$GK" run diag-sparse steps=100 seed=2 --quiet --out "$T/keep" >/dev/null 2>"$T/stderr"; rc=$?
check "--out on an existing run exits 2 naming --force (rc=$rc)" [ $rc -eq 2 ] && grep -q -- "--force" "$T/stderr"
check "the existing run is left as it was" [ "$(md5sum "$T/keep/metrics.csv")" = "$sum_before" ]
"$GK" run diag-sparse steps=100 seed=2 --quiet --force --out "$T/keep" >/dev/null 2>&1
check "--force replaces the run whole (no stale train.csv)" [ ! -e "$T/keep/train.csv" ] && grep -q '"seed":[[:space:]]*2' "$T/keep/config.json"
mkdir -p "$T/notarun"; echo precious >"$T/notarun/notes.txt"
"$GK" run diag-sparse steps=100 --quiet --force --out "$T/notarun" >/dev/null 2>&1
check "--force does not delete a directory that is not a run" [ -e "$T/notarun/notes.txt" ]

# Weights that explode are a divergence, like a loss that does (issue 15 item 9): exit 1, status diverged.
"$GK" run xor steps=10 p=2000 n=100 m=200 lr=1e300 --quiet --checkpoint-every 0 --out "$T/boom" >/dev/null 2>"$T/boom.err"
rc=$?
check "exploded weights: exit 1, status diverged, the step named (rc=$rc)" bash -c \
    "[ $rc -eq 1 ] && grep -q '\"status\":[[:space:]]*\"diverged\"' '$T/boom/summary.json' && grep -q 'parameter norm became non-finite at step 1' '$T/boom.err'"

# Weights: init and final .npy per tensor, loadable by NumPy, final = the checkpoint's theta.
check "weights/init and weights/final are written" [ -s "$T/ext/weights/init/u.npy" ] && [ -s "$T/ext/weights/final/v.npy" ]
if /usr/bin/python3 -c "import numpy" 2>/dev/null; then
    check "NumPy loads the weights (d x 1 per tensor)" /usr/bin/python3 -c "
import numpy as np, sys
u = np.load('$T/ext/weights/final/u.npy'); u0 = np.load('$T/ext/weights/init/u.npy')
sys.exit(0 if u.shape == (1000, 1) and u.dtype == np.float64 and np.isfinite(u).all() and (u != u0).any() else 1)"
fi
finish
