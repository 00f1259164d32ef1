#!/usr/bin/env bash
# e2e_faults.sh: faults a hostile world brings (issue 15): a disk that fills up mid-run, `--out` into an existing
# run, kill -9 of a run and of a sweep parent, two sweeps on one directory, and reruns. After each: no groklab
# process is left within 1 s, and every file present is whole (every .json parses, every .csv has whole rows,
# every .svg is well-formed XML, every .png decodes), and a rerun leaves no temp file behind.
#
# Some checks need the run driver and the figure writer of issue 15 items 1, 2 and 5 (figures checked and
# written whole, metrics and summary before the figures, --out refused without --force, stale temp files of a
# run directory removed). Until they land those checks report "SKIP (strict)" when they fail; run with
# GK_FAULTS_STRICT=1 to make them count. The full-disk part needs `mount -t tmpfs` (root): without it it is
# skipped with a message.
source "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
STRICT=${GK_FAULTS_STRICT:-1}
MNT=""
trap '[ -n "$MNT" ] && umount "$MNT" 2>/dev/null; rm -rf "$T"' EXIT

# strict WHAT CMD...: a check that counts only with GK_FAULTS_STRICT=1 (otherwise a failure is reported as SKIP).
strict() {
    local what=$1; shift
    if "$@"; then pass "$what"
    elif [ "$STRICT" = 1 ]; then fail "$what"
    else pass "SKIP (strict; set GK_FAULTS_STRICT=1 once items 1, 2, 5 of the run driver land): $what"; fi
}

# whole DIR KINDS: every file of DIR (recursively) of the given kinds (json csv svg png tmp) is whole; "tmp"
# means: no temp file (.NAME.tmpNNN) is present. Prints what is not.
whole() {
    "$PY" - "$1" "$2" <<'PYEOF'
import csv, json, os, re, struct, sys, zlib
import xml.etree.ElementTree as ET
root, kinds = sys.argv[1], sys.argv[2].split(",")
bad = []
def png_ok(p):
    b = open(p, "rb").read()
    if b[:8] != b"\x89PNG\r\n\x1a\n": return "no PNG signature"
    i, idat, end = 8, b"", False
    while i + 8 <= len(b):
        n, t = struct.unpack(">I4s", b[i:i + 8])
        body, crc = b[i + 8:i + 8 + n], b[i + 8 + n:i + 12 + n]
        if len(crc) < 4 or zlib.crc32(t + body) != struct.unpack(">I", crc)[0]: return "bad chunk " + t.decode("latin1")
        if t == b"IDAT": idat += body
        if t == b"IEND": end = True; break
        i += 12 + n
    if not end: return "no IEND"
    zlib.decompress(idat)
    return None
for d, _, files in os.walk(root):
    for f in files:
        p = os.path.join(d, f)
        ext = f.rsplit(".", 1)[-1]
        try:
            if re.match(r"^\..+\.tmp\d+$", f):
                if "tmp" in kinds: bad.append(p + ": a temp file left behind")
            elif ext == "json" and "json" in kinds: json.load(open(p))
            elif ext == "csv" and "csv" in kinds:
                text = open(p, newline="").read()
                rows = list(csv.reader(text.splitlines()))
                if text and not text.endswith("\n"): bad.append(p + ": the last row is cut")
                if any(len(r) != len(rows[0]) for r in rows): bad.append(p + ": rows of different lengths")
            elif ext == "svg" and "svg" in kinds: ET.parse(p)
            elif ext == "png" and "png" in kinds:
                why = png_ok(p)
                if why: bad.append(p + ": " + why)
        except Exception as e:
            bad.append(p + ": " + str(e)[:120])
for b in bad: print(b)
sys.exit(1 if bad else 0)
PYEOF
}

# none_left PATTERN: no process whose command line holds PATTERN within 1 s.
none_left() {
    for _ in 1 2 3 4 5 6 7 8 9 10; do pgrep -f -- "$1" >/dev/null || return 0; sleep 0.1; done
    pgrep -af -- "$1"
    return 1
}

# wait_for PATH: up to 60 s for PATH to exist.
wait_for() { for _ in $(seq 1 600); do [ -e "$1" ] && return 0; sleep 0.1; done; return 1; }

echo "== a disk that fills up mid-run"
MNT="$T/mnt"
mkdir -p "$MNT"
if ! mount -t tmpfs -o size=300k tmpfs "$MNT" 2>"$T/mount.err"; then
    MNT=""
    pass "SKIP: cannot mount a tmpfs here ($(head -c 200 "$T/mount.err")), the full-disk checks were not run"
else
    for size in 300k 64k; do
        mount -o remount,size=$size "$MNT"
        rm -rf "${MNT:?}"/*
        "$GK" run diag-sparse steps=300 evals=5 evals_lin=0 --quiet --out "$MNT/r" >"$T/full.out" 2>"$T/full.err"
        rc=$?
        check "$size: every .json and .csv present is whole (rc=$rc)" whole "$MNT" json,csv
        strict "$size: every .svg and .png present is whole" whole "$MNT" svg,png
        strict "$size: no temp file left" whole "$MNT" tmp
        full=$(grep -c "No space left" "$T/full.err")
        strict "$size: a file that could not be written means exit != 0 and stderr naming it (rc=$rc, stderr: $(head -c 160 "$T/full.err"))" \
            bash -c "[ $rc -eq 0 ] && [ $full -eq 0 ] || { [ $rc -ne 0 ] && grep -q '$MNT/r/[a-z_.]*:\? .*No space left' '$T/full.err'; }"
        for f in $(grep '^files in' "$T/full.out" | sed 's/^files in [^:]*: //'); do
            check "$size: the listed file $f exists" test -s "$MNT/r/$f"
        done
    done
    umount "$MNT"
    MNT=""
fi

echo "== --out into an existing run"
"$GK" run diag-sparse steps=300 seed=1 evals=5 evals_lin=0 --save-data --out "$T/o" --quiet >/dev/null 2>&1
sum1=$(md5sum "$T/o/config.json" "$T/o/metrics.csv")
"$GK" run diag-sparse steps=100 seed=2 evals=5 evals_lin=0 --out "$T/o" --quiet >/dev/null 2>"$T/o.err"
rc=$?
strict "a second run into it is refused: exit 2, the run kept (rc=$rc)" \
    bash -c "[ $rc -eq 2 ] && echo '$sum1' | md5sum -c --quiet"
"$GK" run diag-sparse steps=100 seed=2 evals=5 evals_lin=0 --out "$T/o" --force --quiet >/dev/null 2>&1
rc=$?
check "--force replaces it (rc=$rc)" bash -c "[ $rc -eq 0 ] && grep -q '\"seed\":[[:space:]]*2' '$T/o/config.json'"
strict "  and leaves none of the old run's files (train.csv)" test ! -e "$T/o/train.csv"

echo "== a run killed (SIGKILL, at its 30th eval row: groklab-crashtest), then a rerun"
GK_CRASH_AT="row#30" "$GKC" run diag-sparse steps=100000000 d=200 n=64 n_test=200 evals=200 evals_lin=200 --out "$T/k" \
    --quiet >/dev/null 2>&1
rc=$?
check "the run was killed at its 30th row (rc=$rc)" test $rc -eq 137
check "no groklab process of the run left within 1 s" none_left "$T/k"
check "every file of the killed run is whole" whole "$T/k" json,csv,svg,png
touch "$T/k/.metrics.csv.tmp2147483646" "$T/k/.curves.png.tmp2147483645"
"$GK" run diag-sparse steps=300 evals=5 evals_lin=0 --out "$T/k" --force --quiet >/dev/null 2>"$T/k.err"
rc=$?
check "the rerun completes (rc=$rc: $(head -c 200 "$T/k.err"))" test $rc -eq 0
check "  every file is whole" whole "$T/k" json,csv,svg,png
strict "  and the killed run's temp files are gone" whole "$T/k" tmp

echo "== kill -9 of a sweep parent: its worker dies with it; the rerun finishes the sweep"
SW=(diag-sparse alpha=16,32 d=200 n=64 n_test=200 steps=100000 evals=20 evals_lin=20 --jobs 1)
"$GK" sweep "${SW[@]}" --out "$T/sw" --quiet >/dev/null 2>&1 &
ppid=$!
for _ in $(seq 1 200); do pgrep -P $ppid >/dev/null && break; sleep 0.1; done
check "the sweep started a worker" pgrep -P $ppid
wait_file "$T/sw/alpha=16_seed=1/config.json" $ppid # the worker is inside its point
kill -9 $ppid
wait $ppid 2>/dev/null
check "no groklab process of the sweep left within 1 s" none_left "$T/sw"
check "every file of the killed sweep is whole" whole "$T/sw" json,csv,svg,png
point=$(ls -d "$T"/sw/alpha=16* 2>/dev/null | head -1)
touch "$T/sw/.sweep.csv.tmp2147483646" "${point:-$T/sw}/.metrics.csv.tmp2147483646"
"$GK" sweep "${SW[@]}" --out "$T/sw" --quiet >"$T/sw.out" 2>"$T/sw.err"
rc=$?
check "the rerun completes the sweep (rc=$rc: $(head -c 200 "$T/sw.err"))" test $rc -eq 0
check "  every point completed, once" awk -F, -v c="$(col "$T/sw/sweep.csv" status)" \
    'NR>1 && $c=="completed"{n++} END{exit n!=2 || NR!=3}' "$T/sw/sweep.csv"
check "  every file is whole and no temp file is left" whole "$T/sw" json,csv,svg,png,tmp

echo "== two sweeps on one directory: a point runs in one process at a time"
# The first sweep's worker is frozen while it holds its point, so the second meets the lock however loaded the
# machine is; it runs the other point, then the first is let go.
"$GK" sweep "${SW[@]}" --out "$T/lk" --quiet >/dev/null 2>"$T/a.err" &
a=$!
wait_for "$T/lk/alpha=16_seed=1"
worker=$(pgrep -P $a | head -1)
check "the first sweep's worker holds its point" test -n "$worker"
kill -STOP $worker 2>/dev/null
"$GK" sweep "${SW[@]}" --out "$T/lk" >/dev/null 2>"$T/b.err"
kill -CONT $worker 2>/dev/null
wait $a
check "the second sweep left the locked point alone" grep -q "alpha=16_seed=1 is being run by another process" "$T/b.err"
check "every point completed" bash -c "[ \$(grep -l '\"completed\"' '$T'/lk/*/summary.json | wc -l) -eq 2 ]"
"$GK" sweep "${SW[@]}" --out "$T/lk" >/dev/null 2>"$T/c.err"
rc=$?
check "a third start finds both done (rc=$rc)" bash -c "[ $rc -eq 0 ] && grep -q '2 of 2 points already completed' '$T/c.err'"
check "every file is whole and no temp file is left" whole "$T/lk" json,csv,svg,png,tmp
check "no groklab process left" none_left "$T/lk"

echo "== SIGHUP (the terminal closed) stops a run as Ctrl-C does: exit 130, a summary, a checkpoint"
"$GK" run diag-sparse steps=100000000 evals_lin=100000 --out "$T/hup" --quiet >/dev/null 2>&1 &
pid=$!
wait_rows "$T/hup/metrics.csv" 3 $pid
kill -HUP $pid
wait $pid
rc=$?
check "SIGHUP: exit 130, summary says interrupted, checkpoint kept (rc=$rc)" bash -c \
    "[ $rc -eq 130 ] && grep -q '\"status\":[[:space:]]*\"interrupted\"' '$T/hup/summary.json' && [ -s '$T/hup/checkpoint' ]"

echo "== Ctrl-C while a run sets up (a set-up of minutes: d=20000): it ends at once, not started, its new directory gone"
"$GK" run diag-sparse d=20000 n=2000 steps=1 evals=1 --quiet --out "$T/setup" >/dev/null 2>"$T/setup.err" &
pid=$!
for _ in $(seq 1 3000); do [ -e "$T/setup/.running.lock" ] || ! kill -0 $pid 2>/dev/null && break; sleep 0.02; done
kill -INT $pid
for _ in $(seq 1 500); do kill -0 $pid 2>/dev/null || break; sleep 0.02; done # up to 10 s
kill -0 $pid 2>/dev/null && { kill -9 $pid; echo "  (the run was still setting up 10 s after SIGINT: killed)"; }
wait $pid
rc=$?
check "SIGINT in set-up: exit 130 within 10 s saying it was not started, no directory left (rc=$rc: $(tail -c 160 "$T/setup.err"))" \
    bash -c "[ $rc -eq 130 ] && grep -q 'not started' '$T/setup.err' && [ ! -e '$T/setup' ]"

echo "== a second sweep of another grid into the same --out: refused (exit 2) unless --force, which removes the old"
echo "   sweep's tables and figures; finished points and a run placed in a point's directory are never replaced"
G2=(diag-sparse alpha=16,32 d=200 n=64 evals=5 --jobs 1 --quiet)
"$GK" sweep "${G2[@]}" wd=0.001,0.002 steps=2000 --out "$T/two" >/dev/null 2>&1
check "the first sweep drew its heat map" test -s "$T/two/heatmap.png"
sums=$(md5sum "$T"/two/*/metrics.csv "$T"/two/*/summary.json "$T"/two/sweep.csv)
"$GK" sweep "${G2[@]}" steps=3000 --out "$T/two" >/dev/null 2>"$T/two.err"
rc=$?
check "another sweep into it exits 2 naming --force (rc=$rc: $(head -c 160 "$T/two.err"))" bash -c \
    "[ $rc -eq 2 ] && grep -q 'holds another sweep' '$T/two.err' && grep -q -- '--force' '$T/two.err'"
check "  and the first sweep is untouched" bash -c "echo '$sums' | md5sum -c --quiet"
"$GK" sweep "${G2[@]}" wd=0.001,0.002 steps=2000 --out "$T/two" --jobs 2 >/dev/null 2>&1
rc=$?
check "the same sweep again (other --jobs) is the same sweep: exit 0, its points kept (rc=$rc)" bash -c \
    "[ $rc -eq 0 ] && echo '$sums' | grep -v sweep.csv | md5sum -c --quiet"
"$GK" run diag-sparse alpha=16 d=200 n=64 steps=500 --quiet --out "$T/two/alpha=16_seed=1" >/dev/null 2>&1
hand=$(md5sum "$T/two/alpha=16_seed=1/metrics.csv")
"$GK" sweep "${G2[@]}" steps=3000 --force --out "$T/two" >/dev/null 2>"$T/two.err"
rc=$?
check "with --force the old heat map and table are gone (rc=$rc)" bash -c \
    "[ ! -e '$T/two/heatmap.png' ] && [ ! -e '$T/two/heatmap.svg' ] && ! grep -q 'wd' '$T/two/sweep.csv'"
check "  the run placed in a point's directory is left as it is, and named" bash -c \
    "echo '$hand' | md5sum -c --quiet && grep -q 'alpha=16_seed=1 holds a run of another config' '$T/two.err'"
check "  the old sweep's finished points are untouched" bash -c "ls '$T'/two/*wd=0.001*/summary.json >/dev/null"

echo "== resume of a run that is still going is refused (exit 2, naming the lock); it goes on untouched"
"$GK" run diag-sparse steps=100000000 evals_lin=100000 --out "$T/busy" --quiet >/dev/null 2>&1 &
pid=$!
wait_rows "$T/busy/metrics.csv" 3 $pid
"$GK" resume "$T/busy" --quiet >/dev/null 2>"$T/busy.err"
rc=$?
kill -INT $pid
wait $pid
rc2=$?
check "resume of a running run: exit 2 naming it (rc=$rc: $(head -c 160 "$T/busy.err"))" bash -c \
    "[ $rc -eq 2 ] && grep -q 'still going' '$T/busy.err'"
check "  the run itself stops normally when asked (rc=$rc2)" test $rc2 -eq 130

echo "== an address-space limit (ulimit -v) below what a run needs: refused up front (exit 2, naming it), no spinning"
(ulimit -v 250000; exec timeout -s KILL 60 "$GK" run diag-sparse steps=2000 --quiet --out "$T/ulim" >/dev/null 2>"$T/ulim.err")
rc=$?
check "ulimit -v 250000: exit 2 naming the limit, nothing written (rc=$rc: $(head -c 200 "$T/ulim.err"))" bash -c \
    "[ $rc -eq 2 ] && grep -q 'address-space limit (ulimit -v)' '$T/ulim.err' && [ ! -e '$T/ulim' ]"
"$GK" run diag-sparse steps=500 evals=5 evals_lin=0 --quiet --out "$T/ulim2" >/dev/null 2>&1
(ulimit -v 390000; exec timeout -s KILL 60 "$GK" resume "$T/ulim2" steps=1000 --quiet >/dev/null 2>"$T/ulim2.err")
rc=$?
check "ulimit -v 390000 (Pango aborted while drawing): resume exits 2 naming the limit (rc=$rc)" bash -c \
    "[ $rc -eq 2 ] && grep -q 'ulimit -v' '$T/ulim2.err' && [ -z \"\$(find '$T/ulim2' -name '.*.tmp*')\" ]"
(ulimit -v 1500000; exec timeout -s KILL 120 "$GK" run diag-sparse steps=500 evals=5 evals_lin=0 --quiet --out "$T/ulim3" >/dev/null 2>"$T/ulim3.err")
rc=$?
check "ulimit -v 1500000: the run completes (rc=$rc: $(head -c 200 "$T/ulim3.err"))" test $rc -eq 0

echo "== --save-weights: weights/step_N past the checkpoint (a killed writer's) are removed by resume"
"$GK" run diag-sparse steps=3000 evals=10 evals_lin=0 --save-weights --quiet --out "$T/wt" >/dev/null 2>&1
mkdir -p "$T/wt/weights/step_999999"; echo partial >"$T/wt/weights/step_999999/.u.npy.tmp123"
cp "$T/wt/weights/final/u.npy" "$T/wt/weights/step_999999/u.npy"
rm "$T/wt/summary.json"
"$GK" resume "$T/wt" --quiet >/dev/null 2>&1
rc=$?
check "resume completes (rc=$rc) and the partial weights/step_999999 is gone" bash -c \
    "[ $rc -eq 0 ] && [ ! -e '$T/wt/weights/step_999999' ] && [ -s '$T/wt/weights/final/u.npy' ]"

finish
