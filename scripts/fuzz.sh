#!/usr/bin/env bash
# fuzz.sh: the libFuzzer targets of fuzz/ (the key=value parser, the IDX reader, the digits JSON reader, the
# target CSV reader, the checkpoint reader and its state, the .npy reader, the metrics CSV reader, a run's
# config.json as resume reads it, a TOML config as run --config reads it), built with Debian's clang under -fsanitize=fuzzer,address,undefined.
#   scripts/fuzz.sh [SECONDS]           build into build-fuzz/, then fuzz each target SECONDS (default 600) on a
#                                       copy of its corpus fuzz/corpus/<target>; new inputs land in build-fuzz/
#   scripts/fuzz.sh --smoke OUTDIR      build into OUTDIR, run each target a fixed number of runs with a fixed
#                                       seed (what the test suite does: deterministic, seconds)
#   scripts/fuzz.sh --build OUTDIR      build only
# Exits 77 (CTest's skip) with a message when clang or its fuzzer runtime (libclang-rt-14-dev) is missing.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGETS=(config idx digits_json target_csv checkpoint npy metrics_csv config_json config_toml)
MODE=run SECONDS_EACH=600 OUT="$ROOT/build-fuzz"
case "${1:-}" in
--smoke) MODE=smoke OUT=${2:?usage: fuzz.sh --smoke OUTDIR} ;;
--build) MODE=build OUT=${2:?usage: fuzz.sh --build OUTDIR} ;;
"") ;;
*) SECONDS_EACH=$1 ;;
esac
SMOKE_RUNS=${GK_FUZZ_RUNS:-4000}

CC=$(command -v clang || command -v clang-14 || true)
if [ -z "$CC" ]; then
    echo "fuzz: SKIP: clang is not installed (apt-get install clang libclang-rt-14-dev; scripts/install-deps.sh does it)"
    exit 77
fi
mkdir -p "$OUT"
if ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' |
    "$CC" -x c - -fsanitize=fuzzer -o "$OUT/probe" 2>"$OUT/probe.err"; then
    echo "fuzz: SKIP: $CC cannot link -fsanitize=fuzzer (install libclang-rt-14-dev): $(head -c 300 "$OUT/probe.err")"
    exit 77
fi

sources() {
    case $1 in
    config) echo src/core/config.c src/core/status.c ;;
    idx) echo src/data/idx.c src/core/status.c src/core/rng.c ;;
    digits_json) echo src/data/digits_json.c src/data/idx.c src/core/status.c src/core/rng.c src/io/fsutil.c src/io/fault.c ;;
    target_csv) echo src/data/mc_data.c src/core/status.c src/core/rng.c src/io/fsutil.c src/io/fault.c ;;
    checkpoint) echo src/io/checkpoint.c src/io/metrics.c src/io/columns.c src/core/state.c src/core/status.c src/io/fsutil.c src/io/fault.c ;;
    npy) echo src/data/userdata.c src/core/status.c src/io/fsutil.c src/io/fault.c ;;
    metrics_csv) echo src/io/metrics_read.c src/core/status.c src/io/fsutil.c src/io/fault.c ;;
    config_json) echo src/io/config_json.c src/core/config.c src/core/status.c src/io/fsutil.c src/io/fault.c ;;
    config_toml) echo src/io/config_json.c src/core/config.c src/core/status.c src/io/fsutil.c src/io/fault.c \
        -x none "$OUT/config_toml.o" ;;
    esac
}

FLAGS=(-std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
       -fno-omit-frame-pointer -ffp-contract=off -I"$ROOT/include" -I"$ROOT/src")
# The TOML reader is C++ (Debian's cpptoml is a C++ header): compiled apart; its target is linked by clang++
# (the C++ sanitizer runtimes), its C sources compiled as C.
CXX=$(command -v clang++ || command -v clang++-14)
(cd "$ROOT" && "$CXX" -std=c++11 -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined \
    -fno-omit-frame-pointer -c cli/config_toml.cpp -o "$OUT/config_toml.o")
for t in "${TARGETS[@]}"; do
    # shellcheck disable=SC2046
    if [ "$t" = config_toml ]; then LINK=("$CXX" -x c); else LINK=("$CC"); fi
    (cd "$ROOT" && "${LINK[@]}" "${FLAGS[@]}" "fuzz/fuzz_$t.c" $(sources "$t") -lz -lcjson -lm -o "$OUT/fuzz_$t")
done
echo "fuzz: built ${TARGETS[*]} into $OUT"
[ "$MODE" = build ] && exit 0

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=0
for t in "${TARGETS[@]}"; do
    work="$OUT/corpus-$t"
    rm -rf "$work"
    mkdir -p "$work"
    if [ "$MODE" = smoke ]; then
        args=(-runs="$SMOKE_RUNS" -seed=1)
    else
        args=(-max_total_time="$SECONDS_EACH" -print_final_stats=1)
    fi
    # The first directory receives new inputs; the repository's corpus is only read.
    if (cd "$OUT" && "./fuzz_$t" "${args[@]}" -rss_limit_mb=2048 -timeout=20 -max_len=65536 \
        "$work" "$ROOT/fuzz/corpus/$t" >"$OUT/fuzz_$t.log" 2>&1); then
        echo "fuzz: $t: ok ($(grep -Eo 'Done [0-9]+ runs in [0-9]+ second\(s\)' "$OUT/fuzz_$t.log" | tail -1))"
    else
        failed=1
        echo "fuzz: $t: FAILED (log: $OUT/fuzz_$t.log; the crashing input: $OUT/crash-*)"
        tail -40 "$OUT/fuzz_$t.log"
    fi
done
exit $failed
