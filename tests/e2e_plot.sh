#!/usr/bin/env bash
# e2e_plot.sh: `groklab plot` end to end: three runs overlaid as PNG, SVG and PDF on a 16:9 page with their
# text searchable (pdftotext) and kept as <text> in the SVG, axis titles in words, every decade labelled on a
# log axis, a sweep directory coloured --by alpha (a second differing key as line styles, each named once; a
# colour bar for 5 values or more),
# runs of two presets labelled by what differs only, --size and --font, and bad input refused with exit 2 and
# nothing written.
source "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3

echo "== three small runs"
for a in 16 64 256; do
    "$GK" run diag-sparse steps=300 evals=10 evals_lin=0 alpha=$a --quiet --out "$T/r$a" >/dev/null 2>&1 ||
        fail "run alpha=$a"
done
RUNS=("$T/r16" "$T/r64" "$T/r256")

echo "== PNG, SVG and PDF"
for ext in png svg pdf; do
    "$GK" plot "${RUNS[@]}" --x tstar --logx --y test_acc,test_loss --out "$T/o.$ext" >"$T/o.out" 2>"$T/o.err"
    rc=$?
    check "plot --out o.$ext: exit 0 (rc=$rc, $(head -c 200 "$T/o.err"))" test $rc -eq 0 -a -s "$T/o.$ext"
done
png_size() { $PY -c "from PIL import Image; import sys; im = Image.open(sys.argv[1]); im.load(); print('%dx%d' % im.size)" "$1"; }
check "the PNG decodes, a 16:9 landscape page (1600x900, got $(png_size "$T/o.png"))" test "$(png_size "$T/o.png")" = 1600x900
check "the SVG is XML with <text> elements (no outlined glyphs)" $PY -c "
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
texts = [e for e in root.iter() if e.tag.endswith('}text')]
sys.exit(0 if len(texts) >= 20 and b'<glyph' not in open(sys.argv[1], 'rb').read() else 1)" "$T/o.svg"
if command -v pdftotext >/dev/null; then
    pdftotext "$T/o.pdf" "$T/o.txt"
    for w in "t / t*" "test accuracy" "test loss" accuracy loss "alpha=16" "alpha=64" "alpha=256" "L1 max-margin (reference)" "L2 max-margin (reference)" "diag-sparse: 3 runs"; do
        check "pdftotext finds '$w'" grep -qF -- "$w" "$T/o.txt"
    done
else
    fail "pdftotext is missing (Debian poppler-utils: scripts/install-deps.sh)"
fi

echo "== every decade of a log axis is labelled"
"$GK" plot "${RUNS[@]}" --logx --logy --y test_loss,train_loss --out "$T/l.svg" >/dev/null 2>&1
# the text of each <text> element (a label 10^k reads "10k")
$PY -c "
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
for e in root.iter():
    if e.tag.endswith('}text'): print(''.join(e.itertext()).strip())" "$T/l.svg" >"$T/l.txt"
# steps 2..300 on x: the axis runs from 2 to 500 with 10^1 and 10^2 inside; the losses span ~1e-3 .. 1.3
for k in 1 2; do check "x decade label 10^$k" grep -qx "10$k" "$T/l.txt"; done
for k in -2 -1 0; do check "y decade label 10^$k" grep -qx -- "10$k" "$T/l.txt"; done

echo "== --logy with accuracies beside losses: the losses on a log axis, the accuracies linear (0 .. 1)"
"$GK" plot "${RUNS[@]}" --logy --y test_acc,test_loss --out "$T/al.svg" >/dev/null 2>&1
$PY -c "
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
for e in root.iter():
    if e.tag.endswith('}text'): print(''.join(e.itertext()).strip())" "$T/al.svg" >"$T/al.txt"
check "accuracy ticks 0.50 and 1.00 (a linear axis)" bash -c "grep -qx 0.50 '$T/al.txt' && grep -qx 1.00 '$T/al.txt'"
check "loss decade label 10^-1 (a log axis)" grep -qx -- "10-1" "$T/al.txt"

echo "== --logx keeps the step-0 eval (drawn at half the first step, said in the axis title)"
check "the x title says where step 0 is drawn" grep -qxE "step \(0 drawn at [0-9.]+\)" "$T/l.txt"
"$GK" plot "${RUNS[@]}" --y test_loss --out "$T/lin.svg" >/dev/null 2>&1
$PY -c "
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
for e in root.iter():
    if e.tag.endswith('}text'): print(''.join(e.itertext()).strip())" "$T/lin.svg" >"$T/lin.txt"
check "a linear x axis keeps the plain title" grep -qx "step" "$T/lin.txt"

echo "== kumar's references (flat in its run summary) drawn; none beyond 3 decades of the curves on log y"
"$GK" run kumar-fig1 D=20 P=60 N=40 ntest=50 steps=40 evals=8 evals_lin=0 --quiet --out "$T/k" >/dev/null 2>&1 ||
    fail "kumar run"
"$GK" plot "$T/k" --y test_loss,train_loss --logx --logy --out "$T/k.svg" >/dev/null 2>&1
$PY -c "
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
for e in root.iter():
    if e.tag.endswith('}text'): print(''.join(e.itertext()).strip())" "$T/k.svg" >"$T/k.txt"
check "kernel reference of the test loss in the legend" grep -qF "kernel regression, initial NTK (reference, test)" "$T/k.txt"
check "the interpolating kernel's train loss (~1e-27) is left out" bash -c "! grep -qF '(reference, train)' '$T/k.txt'"

echo "== a sweep directory, coloured by alpha"
"$GK" sweep diag-sparse alpha=16,64 steps=300 evals=10 evals_lin=0 --jobs 1 --quiet --out "$T/sw" >/dev/null 2>&1
"$GK" plot "$T/sw" --by alpha --out "$T/sw.pdf" >"$T/sw.out" 2>"$T/sw.err"
rc=$?
check "plot SWEEP --by alpha: exit 0 (rc=$rc, $(head -c 200 "$T/sw.err"))" test $rc -eq 0 -a -s "$T/sw.pdf"
check "2 runs read from the sweep" grep -q "(2 runs)" "$T/sw.out"
if command -v pdftotext >/dev/null; then
    pdftotext "$T/sw.pdf" "$T/sw.txt"
    check "legend 'init scale α 16' and '... 64', the title names the key in words" bash -c "grep -qF 'init scale α 16' '$T/sw.txt' && grep -qF 'init scale α 64' '$T/sw.txt' && grep -qF 'coloured by init scale α' '$T/sw.txt'"
fi

echo "== one run: train blue, test red; accuracies and losses in their own panels"
"$GK" plot "$T/r64" --out "$T/one.png" >/dev/null 2>&1
check "one run plotted" test -s "$T/one.png"
if command -v pdftotext >/dev/null; then
    "$GK" plot "$T/r64" --y train_acc,test_acc,train_loss --out "$T/one.pdf" >/dev/null 2>&1
    pdftotext "$T/one.pdf" "$T/one.txt"
    check "one run, accuracies and a loss: two panels titled in words ('accuracy', 'loss'; legend 'train loss', 'test accuracy')" bash -c \
        "grep -qxF accuracy '$T/one.txt' && grep -qxF loss '$T/one.txt' && grep -qxF 'test accuracy' '$T/one.txt' && grep -qxF 'train loss' '$T/one.txt' && ! grep -qF train_acc '$T/one.txt'"
fi

echo "== --by alpha with wd differing too: a colour per alpha, a line style per wd, each named once"
"$GK" sweep diag-sparse alpha=16,64 wd=1e-3,4e-3 steps=300 evals=10 evals_lin=0 --jobs 1 --quiet --out "$T/sw2" >/dev/null 2>&1
"$GK" plot "$T/sw2" --by alpha --y test_acc --out "$T/sw2.pdf" >/dev/null 2>&1
if command -v pdftotext >/dev/null; then
    pdftotext "$T/sw2.pdf" "$T/sw2.txt"
    for w in "init scale α 16" "init scale α 64" "weight decay 0.001" "weight decay 0.004"; do
        check "legend names '$w' once" test "$(grep -cxF "$w" "$T/sw2.txt")" = 1
    done
fi

echo "== --by alpha with 5 values: a colour bar labelled in words and with the values, no legend entry per value"
"$GK" sweep diag-sparse alpha=16,32,64,128,256 steps=100 evals=5 evals_lin=0 --jobs 1 --quiet --out "$T/sw5" >/dev/null 2>&1
"$GK" plot "$T/sw5" --by alpha --y test_acc --out "$T/sw5.pdf" >/dev/null 2>&1
if command -v pdftotext >/dev/null; then
    pdftotext "$T/sw5.pdf" "$T/sw5.txt"
    check "the bar's label 'init scale α'" grep -qxF "init scale α" "$T/sw5.txt"
    for v in 16 32 64 128 256; do check "the bar labels value $v" grep -qxF "$v" "$T/sw5.txt"; done
    check "no legend entry per value" bash -c "! grep -qF 'init scale α 16' '$T/sw5.txt'"
fi

echo "== runs of two presets: labelled by the preset and the shared keys that differ, on a 16:9 page"
"$GK" plot "$T/r64" "$T/k" --y test_loss --out "$T/mix.png" >/dev/null 2>&1
check "two presets, one panel: a 16:9 page of 1280x720 (got $(png_size "$T/mix.png"))" test "$(png_size "$T/mix.png")" = 1280x720
if command -v pdftotext >/dev/null; then
    "$GK" plot "$T/r64" "$T/k" --y test_loss --out "$T/mix.pdf" >/dev/null 2>&1
    pdftotext "$T/mix.pdf" "$T/mix.txt"
    check "legend: the presets and their shared keys that differ (alpha, steps), no key only one has (D=, wd=)" bash -c \
        "grep -qF 'diag-sparse, alpha=64, steps=300' '$T/mix.txt' && grep -qF 'kumar-fig1, alpha=1, steps=40' '$T/mix.txt' && ! grep -qF 'D=' '$T/mix.txt' && ! grep -qF 'wd=' '$T/mix.txt'"
fi

echo "== --size and --font"
"$GK" plot "$T/r64" --size 960x540 --font 1.4 --out "$T/small.png" >/dev/null 2>&1
check "--size 960x540 gives 960x540 (got $(png_size "$T/small.png"))" test "$(png_size "$T/small.png")" = 960x540
if false; then :
fi

echo "== bad input: exit 2, the culprit named, nothing written"
bad() { # what needle args...
    local what=$1 needle=$2; shift 2
    local out="$T/bad-$RANDOM.png"
    "$GK" plot "$@" --out "$out" >"$T/stdout" 2>"$T/stderr"
    local rc=$?
    if [ $rc -eq 2 ] && grep -qF -- "$needle" "$T/stderr" && [ ! -e "$out" ]; then pass "bad input: $what"
    else fail "bad input: $what (rc=$rc, stderr: $(head -c 300 "$T/stderr"))"; fi
}
bad "missing directory" "$T/nope" "$T/nope"
mkdir -p "$T/empty"
bad "a directory without runs" "is neither a run directory" "$T/empty"
bad "unknown column" "no column 'test_accuracy'" "${RUNS[@]}" --y test_accuracy
bad "bad --x" "--x 'epoch'" "${RUNS[@]}" --x epoch
bad "unknown --by key" "no param 'lambda'" "${RUNS[@]}" --by lambda
bad "unknown option" "--colour" "${RUNS[@]}" --colour
bad "bad --size" "--size '100'" "${RUNS[@]}" --size 100
bad "bad --font" "--font 'big'" "${RUNS[@]}" --font big
bad "no directory" "no run or sweep directory"
"$GK" plot "${RUNS[@]}" --out "$T/o.jpg" >/dev/null 2>"$T/stderr"
rc=$?
check "bad --out extension: exit 2 naming the formats (rc=$rc)" bash -c "[ $rc -eq 2 ] && grep -qF '.png, .svg or .pdf' '$T/stderr' && [ ! -e '$T/o.jpg' ]"
finish
