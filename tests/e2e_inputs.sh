#!/usr/bin/env bash
# e2e_inputs.sh: hostile inputs are refused cleanly and bounded work stays bounded (issue 15, items 3, 7, 8, 10):
# target_csv=/dev/zero and an IDX header that promises 16 GiB stop at once with exit 2; a flow run stops at
# max_evals (its default shown in --help); bytes after a gzip stream or a JSON value are refused; a broken .gz
# does not hide a good raw file; a malformed data file is bad input (exit 2); two sweep values that used to map
# to one directory get one each, stable across reruns; sweep.csv has no duplicate column and the sweep's
# "files in" line names only what it wrote.
source "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
GK=$(readlink -f "$GK") # the sweep below runs from another directory

# mkidx DIR: a tiny MNIST-format set (20 train, 10 t10k images of 4 x 4, labels 0..9), gzip-compressed.
mkidx() {
    mkdir -p "$1"
    "$PY" - "$1" <<'PYEOF'
import gzip, struct, sys
d = sys.argv[1]
for part, n in (("train", 20), ("t10k", 10)):
    img = struct.pack(">4B3I", 0, 0, 8, 3, n, 4, 4) + bytes((7 * i + k) % 256 for i in range(n) for k in range(16))
    lab = struct.pack(">4BI", 0, 0, 8, 1, n) + bytes(i % 10 for i in range(n))
    for name, data in ((part + "-images-idx3-ubyte", img), (part + "-labels-idx1-ubyte", lab)):
        with gzip.open(f"{d}/{name}.gz", "wb") as f:
            f.write(data)
PYEOF
}
IMG=(omnigrok-mnist dataset=idx n_train=20 n_test=10 width=8 batch=10 steps=3 evals=2 evals_lin=0)

echo "== unbounded reads and allocations stop at once (item 7)"
timeout 60 "$GK" run mc-multiply-fast target_csv=/dev/zero --out "$T/zero" --quiet >/dev/null 2>"$T/err"
rc=$?
check "target_csv=/dev/zero: exit 2 within 60 s (rc=$rc: $(head -c 200 "$T/err"))" \
    bash -c "[ $rc -eq 2 ] && grep -q \"target_csv '/dev/zero'\" '$T/err' && [ ! -e '$T/zero' ]"
mkidx "$T/bomb"
"$PY" -c "import struct,sys; open(sys.argv[1],'wb').write(struct.pack('>4B3I',0,0,8,3,4096,2048,2048)+bytes(100))" \
    "$T/bomb/train-images-idx3-ubyte"
rm "$T/bomb/train-images-idx3-ubyte.gz"
timeout 60 "$GK" run "${IMG[@]}" data_dir="$T/bomb" --out "$T/bo" --quiet >/dev/null 2>"$T/err"
rc=$?
check "a 116-byte IDX file promising 2^34 bytes: exit 2, truncated (rc=$rc: $(head -c 200 "$T/err"))" \
    bash -c "[ $rc -eq 2 ] && grep -q 'truncated' '$T/err'"

echo "== a flow run bounds its gradient evaluations (item 8)"
"$GK" run diag-sparse-flow --help >"$T/fh"
check "--help shows max_evals with its default" grep -qE "^  max_evals += 1000000 " "$T/fh"
start=$(date +%s)
timeout 300 "$GK" run diag-sparse-flow lr=1e6 steps=2000 max_evals=20000 --out "$T/flow" --quiet >/dev/null 2>"$T/err"
rc=$?
el=$(($(date +%s) - start))
check "lr=1e6 with max_evals=20000 stops by itself (rc=$rc, $el s), not as bad input" bash -c "[ $rc -ne 124 ] && [ $rc -ne 0 ] && [ $rc -ne 2 ]"
check "  summary.json names max_evals" grep -q 'max_evals=20000' "$T/flow/summary.json"
check "  the error is on stderr" grep -q 'max_evals' "$T/err"
check "  and metrics.csv keeps the evals done" bash -c "[ \$(wc -l < '$T/flow/metrics.csv') -ge 2 ]"

echo "== loose ends of the readers (item 10)"
mkidx "$T/ok"
"$GK" run "${IMG[@]}" data_dir="$T/ok" --out "$T/ok-run" --quiet >/dev/null 2>"$T/err"
check "the tiny IDX set trains (rc=$?)" test -s "$T/ok-run/summary.json"
cp -r "$T/ok" "$T/junk"
printf 'JUNK' >>"$T/junk/train-labels-idx1-ubyte.gz"
"$GK" run "${IMG[@]}" data_dir="$T/junk" --out "$T/junk-run" --quiet >/dev/null 2>"$T/err"
rc=$?
check "bytes after the gzip stream: exit 2, named (rc=$rc: $(head -c 200 "$T/err"))" \
    bash -c "[ $rc -eq 2 ] && grep -q 'train-labels-idx1-ubyte.gz: extra bytes after the end of the gzip stream' '$T/err'"
cp -r "$T/ok" "$T/fallback"
gunzip -k "$T/fallback/train-images-idx3-ubyte.gz"
head -c 40 "$T/ok/train-images-idx3-ubyte.gz" >"$T/fallback/train-images-idx3-ubyte.gz"
"$GK" run "${IMG[@]}" data_dir="$T/fallback" --out "$T/fb-run" --quiet >/dev/null 2>"$T/err"
rc=$?
check "a broken .gz beside a good raw file: the raw one is read (rc=$rc: $(head -c 200 "$T/err"))" \
    bash -c "[ $rc -eq 0 ] && cmp -s '$T/fb-run/metrics.csv' '$T/ok-run/metrics.csv'"
cp -r "$T/ok" "$T/magic"
printf '\x00\x00\x09\x03' | gzip >"$T/magic/t10k-images-idx3-ubyte.gz"
"$GK" run "${IMG[@]}" data_dir="$T/magic" --out "$T/mg-run" --quiet >/dev/null 2>"$T/err"
rc=$?
check "a malformed IDX file is bad input: exit 2 (rc=$rc: $(head -c 200 "$T/err"))" \
    bash -c "[ $rc -eq 2 ] && grep -q 'IDX data type 0x09' '$T/err' && [ ! -e '$T/mg-run' ]"
mkdir -p "$T/json"
for k in 0 1 2 3 4 5 6 7 8 9; do
    "$PY" -c "import json,sys; json.dump({'data': [0.5] * 784 * 3}, open(sys.argv[1], 'w'))" "$T/json/$k.json"
done
MN=(omnigrok-mnist dataset=mnist n_train=20 n_test=10 width=8 batch=10 steps=3 evals=2 evals_lin=0)
"$GK" run "${MN[@]}" data_dir="$T/json" --out "$T/js-ok" --quiet >/dev/null 2>"$T/err"
check "the tiny digits set trains (rc=$?)" test -s "$T/js-ok/summary.json"
printf ' {"data": []}' >>"$T/json/4.json"
"$GK" run "${MN[@]}" data_dir="$T/json" --out "$T/js-bad" --quiet >/dev/null 2>"$T/err"
rc=$?
check "a second JSON value after the first: exit 2, the file named (rc=$rc: $(head -c 200 "$T/err"))" \
    bash -c "[ $rc -eq 2 ] && grep -q '4.json: not valid JSON' '$T/err' && [ ! -e '$T/js-bad' ]"

echo "== sweep point names are unique and stable (item 3)"
mkdir -p "$T/col"
cd "$T/col" || exit 1
SAN=$(printf '%s' "$T/col/m.csv" | tr -c 'A-Za-z0-9.+-' '_') # what the old names made of the path
"$PY" - "$SAN" <<'PYEOF'
import sys
for name, s in (("m.csv", 1.0), (sys.argv[1], 0.5)):  # two different 6 x 6 multiplication tables
    open(name, "w").write("".join(",".join(repr(s * i * j / 36) for j in range(6)) + "\n" for i in range(6)))
PYEOF
COL=(mc-multiply-fast "target_csv=$T/col/m.csv,$SAN" alpha=1 steps=200 evals=5 evals_lin=0 --jobs 1 --out "$T/col/sw")
"$GK" sweep "${COL[@]}" >"$T/col.out" 2>"$T/col.err"
rc=$?
check "both values run (rc=$rc)" test $rc -eq 0
check "two point directories, each completed" bash -c "[ \$(grep -l '\"completed\"' '$T'/col/sw/*/summary.json | wc -l) -eq 2 ]"
check "each point holds its own matrix (target X* differ)" bash -c \
    "[ \$(ls '$T'/col/sw/*/config.json | wc -l) -eq 2 ] && ! cmp -s \$(ls '$T'/col/sw/*/config.json | head -1) \$(ls '$T'/col/sw/*/config.json | tail -1)"
"$GK" sweep "${COL[@]}" >/dev/null 2>"$T/col2.err"
check "a rerun runs neither again" grep -q "2 of 2 points already completed" "$T/col2.err"
cd - >/dev/null || exit 1

echo "== sweep.csv and the files line (item 10)"
"$GK" sweep diag-sparse steps=20,30 d=50 n=16 n_test=50 evals=3 evals_lin=0 --jobs 1 --out "$T/st" >"$T/st.out" 2>/dev/null
check "sweep.csv names steps once" bash -c "[ \$(head -1 '$T/st/sweep.csv' | tr ',' '\n' | grep -cx steps) -eq 1 ]"
check "every row has as many fields as the header" awk -F, 'NR==1{n=NF} NF!=n{bad=1} END{exit bad}' "$T/st/sweep.csv"
line=$(grep '^files in' "$T/st.out")
check "one swept key: the heat map is skipped and not listed ($line)" bash -c "! echo '$line' | grep -q heatmap && [ ! -e '$T/st/heatmap.png' ]"
for f in $(echo "$line" | sed 's/^files in [^:]*: //'); do
    check "  listed file $f exists" test -s "$T/st/$f"
done

echo "== a run larger than the machine is refused up front, with the estimate and the key to lower (item 7)"
expect_bad "diag d=1e8: memory estimate names d" "lower d" diag-sparse d=100000000 n=10000
expect_bad "modadd width=1e6: memory estimate names width" "lower width" modadd-lyu width=1000000
expect_bad "images width=1e5: memory estimate names width" "lower width" omnigrok-mnist width=100000 n_train=100000
expect_bad "kumar P=1e7: memory estimate names P" "lower P" kumar-fig1 P=10000000
expect_bad "filter=ma: a window past 10000 is out of range" "filter_window <= 10000" modadd-lyu-fast filter=ma filter_window=100000
expect_bad "filter=ma: the window's ring of gradients counts in the memory check" "lower filter_window" \
    modadd-lyu-fast filter=ma filter_window=10000 width=100000 steps=10

echo "== --out checked before anything is written: empty, too long, a file (exit 2, nothing created)"
expect_bad "a data_dir without the digits: exit 2 naming it" "data_dir=$T/nodigits" omnigrok-mnist data_dir="$T/nodigits"
expect_bad "a user data file that is not there: exit 2 naming it" "absent.csv" omnigrok-mnist dataset=file train="$T/absent.csv" test="$T/absent.csv"

out_bad() { # WHAT NEEDLE OUT
    (cd "$T" && "$GK" run diag-sparse steps=10 --quiet --out "$3" >/dev/null 2>"$T/stderr")
    local rc=$? made; made=$(find "$T" -mindepth 1 -newer "$T/marker" -type d | head -1)
    check "$1 (rc=$rc, $(head -c 120 "$T/stderr"))" bash -c "[ $rc -eq 2 ] && grep -qF -- '$2' '$T/stderr' && [ -z '$made' ]"
}
touch "$T/marker"; sleep 0.01
out_bad "--out \"\" is refused" "--out is empty" ""
out_bad "a 1,200-character --out is refused, no directory made" "at most 900" "$(printf 'd/%.0s' $(seq 600))"
out_bad "a 300-character component is refused" "at most 255" "$(printf 'x%.0s' $(seq 300))"
echo data >"$T/afile"
out_bad "--out naming a file is refused" "is an existing file" "$T/afile"

finish
