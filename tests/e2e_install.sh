#!/usr/bin/env bash
# e2e_install.sh: `cmake --install` into a temporary prefix: the files, the shared library's soname, the
# installed programs' RUNPATH, pkg-config (the example compiles with `cc example.c $(pkg-config --cflags --libs
# groklab)` and runs without LD_LIBRARY_PATH), find_package(groklab), the man page, the bash completion, the
# installed Python package, and `pip install ./python` (and `pip install .`) into a venv, offline.
source "$(dirname "$0")/lib.sh"
B=${GK_BUILD_DIR:?} S=${GK_SOURCE_DIR:?}
P="$T/prefix"

echo "== cmake --install"
cmake --install "$B" --prefix "$P" >"$T/install.log" 2>&1
rc=$?
check "cmake --install exits 0 (rc=$rc)" test $rc -eq 0
for f in bin/groklab lib/libgroklab.a lib/libgroklab.so lib/libgroklab.so.0 lib/libgroklab.so.0.1.0 include/groklab.h \
         lib/pkgconfig/groklab.pc lib/cmake/groklab/groklab-config.cmake lib/cmake/groklab/groklab-config-version.cmake \
         share/man/man1/groklab.1 share/bash-completion/completions/groklab; do
    check "installed $f" test -e "$P/$f"
done
check "soname libgroklab.so.0" bash -c "readelf -d '$P/lib/libgroklab.so.0.1.0' | grep -q 'SONAME.*\\[libgroklab.so.0\\]'"
# The first library that defines cblas_* wins: OpenBLAS must come before GSL (which needs libgslcblas).
order=$(readelf -d "$P/lib/libgroklab.so" | grep NEEDED | grep -n -e openblas -e libgsl | cut -d: -f1 | tr '\n' ' ')
check "libgroklab.so needs OpenBLAS before GSL (lines $order)" bash -c "readelf -d '$P/lib/libgroklab.so' | grep NEEDED | grep -o -e openblas -e libgsl | head -1 | grep -q openblas"
check "--version prints the version" bash -c "'$P/bin/groklab' --version | grep -qx 'groklab [0-9][0-9.]*'"
check "--help lists --version" bash -c "'$P/bin/groklab' --help | grep -q -- --version"
check "bin/groklab's RUNPATH starts with \$ORIGIN/../lib" bash -c "readelf -d '$P/bin/groklab' | grep -q 'RUNPATH.*\[\$ORIGIN/../lib'"

echo "== pkg-config"
export PKG_CONFIG_PATH="$P/lib/pkgconfig"
libs=$(pkg-config --libs groklab)
check "pkg-config --libs is -L<prefix>/lib -lgroklab (got: $libs)" bash -c "[[ '$libs' == *'-lgroklab'* && '$libs' == *'$P/lib'* ]]"
static=$(pkg-config --static --libs groklab)
check "pkg-config --static: -lopenblas before -lgslcblas" bash -c "s='$static'; a=\${s%%-lopenblas*}; b=\${s%%-lgslcblas*}; [[ \${#a} -lt \${#b} ]]"
mkdir -p "$T/ex" && cd "$T/ex" || exit 1
cc "$S/examples/run_preset.c" $(pkg-config --cflags --libs groklab) -o run_preset 2>"$T/cc.err"
check "the example compiles against the installed tree alone ($(head -c 300 "$T/cc.err"))" test -x run_preset
# A small setting that groks within its steps: t* = ln(16)/(0.08*0.01) = 3466 steps.
KEYS=(d=100 n=64 n_test=300 alpha=16 wd=8e-2 steps=7000 evals=40 evals_lin=60 threads=1)
env -u LD_LIBRARY_PATH ./run_preset diag-sparse "${KEYS[@]}" >"$T/ex.out" 2>&1
rc=$?
check "the example runs without LD_LIBRARY_PATH (rc=$rc): $(tr '\n' ' ' <"$T/ex.out")" test $rc -eq 0
ours=$(sed -n 's/^grok step (test_acc >= 0.95): //p' "$T/ex.out")
theirs=$(json_num run_preset-diag-sparse/summary.json test_grok_step)
check "its grok step ($ours) is the run's test_grok_step ($theirs) and before the last step" \
    awk -v a="$ours" -v b="$theirs" 'BEGIN{exit !(a==b && a>0 && a<7000)}'
check "the example used the installed library" bash -c "env -u LD_LIBRARY_PATH ldd ./run_preset | grep -q 'libgroklab.so.0 => $P/lib/'"
./run_preset diag-sparse alpha=-1 >"$T/bad.out" 2>&1
rc=$?
check "a bad key: exit 2, the key named, no run directory (rc=$rc)" bash -c \
    "[[ $rc -eq 2 ]] && grep -q 'alpha=-1' '$T/bad.out' && grep -q 'alpha > 0' '$T/bad.out'"

echo "== find_package(groklab)"
mkdir -p "$T/cm" && cp "$S/examples/run_preset.c" "$T/cm/"
cat >"$T/cm/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.18)
project(user C)
find_package(groklab 0.1 REQUIRED)
add_executable(run_preset run_preset.c)
target_link_libraries(run_preset PRIVATE groklab::groklab)
CM
cmake -S "$T/cm" -B "$T/cm/build" -DCMAKE_PREFIX_PATH="$P" >"$T/cm.log" 2>&1 && cmake --build "$T/cm/build" >>"$T/cm.log" 2>&1
check "find_package(groklab) + groklab::groklab builds the example ($(grep -m1 -i error "$T/cm.log"))" test -x "$T/cm/build/run_preset"
(cd "$T/cm" && ./build/run_preset diag-sparse d=50 n=32 n_test=100 steps=20 evals=3 evals_lin=0 >"$T/cm.out" 2>&1)
check "and it runs (rpath to the installed library)" grep -q "completed after" "$T/cm.out"

echo "== man page"
export MANWIDTH=200
man -l "$P/share/man/man1/groklab.1" >"$T/man.txt" 2>"$T/man.err"
check "man -l renders it" test -s "$T/man.txt"
for c in "groklab list" "groklab run" "groklab sweep" "groklab theory" "groklab --version" "--steps-per-tstar"; do
    check "man page shows '$c'" grep -qF -- "$c" "$T/man.txt"
done
missing=$("$P/bin/groklab" list | awk '{print $1}' | while read -r p; do grep -qw -- "$p" "$T/man.txt" || echo "$p"; done)
check "man page names every preset (missing: $missing)" test -z "$missing"
check "man page lists the keys (alpha, wd, p, init_scale)" bash -c "grep -q '^ *alpha=' '$T/man.txt' && grep -q '^ *wd=' '$T/man.txt' && grep -q '^ *p=' '$T/man.txt'"
check "no roff warnings" test ! -s "$T/man.err"

echo "== bash completion"
comp() { bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _groklab; printf "%s\n" "${COMPREPLY[@]}"' _ \
    "$P/share/bash-completion/completions/groklab" "$@"; }
out=$(comp groklab "")
check "completion: commands" bash -c "grep -qx run <<<'$out' && grep -qx sweep <<<'$out' && grep -qx theory <<<'$out' && grep -qx list <<<'$out'"
out=$(comp groklab run "")
n=$(grep -c '^[^-]' <<<"$out"); np=$("$P/bin/groklab" list | wc -l)
check "completion offers every preset after 'groklab run ' ($n of $np)" test "$n" -eq "$np"
out=$(comp groklab run diag-)
check "completion of 'groklab run diag-' gives only diag presets" bash -c "grep -qx diag-sparse <<<'$out' && ! grep -qv '^diag-' <<<'$out'"
out=$(comp groklab run diag-sparse "")
check "completion offers the preset's keys after 'groklab run diag-sparse '" bash -c "grep -qx alpha= <<<'$out' && grep -qx wd= <<<'$out' && grep -qx steps= <<<'$out' && grep -qx -- --out <<<'$out'"
out=$(comp groklab sweep modadd-lyu-fast "")
check "and another experiment's keys after 'groklab sweep modadd-lyu-fast '" bash -c "grep -qx p= <<<'$out' && ! grep -qx gamma= <<<'$out'"

echo "== the installed Python package"
PY=$(ls -d "$P"/lib/python3*/dist-packages 2>/dev/null | head -1)
(cd "$T" && env -u GROKLAB_LIB PYTHONPATH="$PY" /usr/bin/python3 -c "
import groklab, sys
assert groklab._L._path.startswith('$P/'), groklab._L._path
r = groklab.run('diag-sparse', out='pyrun', d=50, n=32, n_test=100, steps=20, evals=3, evals_lin=0)
assert r.status == 'completed' and list(r.metrics['step'])[-1] == 20, (r, r.metrics)
print('ok', groklab._L._path)
") >"$T/py.out" 2>&1
check "import groklab from the prefix finds the installed library and runs ($(tail -1 "$T/py.out"))" grep -q '^ok' "$T/py.out"

echo "== pip install ./python into a venv, offline"
# A plain venv (no system packages: no NumPy, no pandas) and one with Debian's packages; pip gets no index.
venv_install() {  # venv_install DIR SOURCE [venv options]
    local dir=$1 src=$2; shift 2
    /usr/bin/python3 -m venv "$@" "$dir" >"$dir.log" 2>&1 &&
        (cd "$T" && PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1 "$dir/bin/pip" install "$src" >>"$dir.log" 2>&1)
}
GROKLAB_LIB="$B/libgroklab.so" GROKLAB_BIN="$B/groklab" venv_install "$T/v" "$S/python"
rc=$?
check "python3 -m venv v && v/bin/pip install ./python works offline (rc=$rc; $(grep -m1 -i error "$T/v.log"))" test $rc -eq 0
mkdir -p "$T/vrun"
(cd "$T/vrun" && env -u GROKLAB_LIB -u PYTHONPATH -u LD_LIBRARY_PATH "$T/v/bin/python" -c "
import groklab
print(groklab.run('diag-sparse', steps=2000, evals=5, evals_lin=0, d=50, n=32, n_test=100).summary['status'])
print(groklab._L._path)") >"$T/vrun.out" 2>&1
check "import groklab; groklab.run('diag-sparse', ...) prints completed ($(head -1 "$T/vrun.out"))" bash -c "head -1 '$T/vrun.out' | grep -qx completed"
check "with the library bundled in the venv ($(tail -1 "$T/vrun.out"))" grep -q "^$T/v/lib/python3.*/site-packages/groklab/libgroklab.so.0" "$T/vrun.out"
check "py.typed is installed" bash -c "ls '$T'/v/lib/python3*/site-packages/groklab/py.typed"
check "v/bin/groklab runs" bash -c "'$T/v/bin/groklab' --version | grep -q '^groklab '"
# From the repository root, in a venv that sees Debian's NumPy and pandas, without build isolation; the build
# directory is brought up to date with cmake --build (nothing to do here).
/usr/bin/python3 -m venv --without-pip --system-site-packages "$T/vs" >"$T/vs.log" 2>&1 &&
    (cd "$T" && GROKLAB_BUILD_DIR="$B" PIP_NO_INDEX=1 /usr/bin/python3 -m pip --python "$T/vs/bin/python" install \
        --no-build-isolation "$S" >>"$T/vs.log" 2>&1)
rc=$?
check "pip install . from the root (system site packages, cmake --build of the build dir) (rc=$rc)" test $rc -eq 0
(cd "$T/vrun" && env -u GROKLAB_LIB -u PYTHONPATH "$T/vs/bin/python" -c "
import groklab, pandas
r = groklab.run('diag-sparse', out='vs', steps=200, evals=5, evals_lin=0, d=50, n=32, n_test=100)
assert isinstance(r.metrics, pandas.DataFrame) and r.metrics['step'].iloc[-1] == 200, r.metrics
s = groklab.sweep('diag-sparse', {'alpha': [16, 64]}, out='vsw', jobs=2, steps=50, evals=3, evals_lin=0, d=50, n=32, n_test=100)
assert list(s['status']) == ['completed'] * 2, s
print('ok', groklab._L._path)") >"$T/vs.out" 2>&1
check "and runs, a DataFrame of metrics, sweep(jobs=2) through the bundled binary ($(tail -1 "$T/vs.out"))" grep -q "^ok $T/vs/" "$T/vs.out"
finish
