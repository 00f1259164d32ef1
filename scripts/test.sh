#!/usr/bin/env bash
# Installs the Debian dependencies, builds, and runs the whole test suite: every test in the Release build,
# then the unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
# The suite's total time (set-up, builds and tests), printed however it ends.
trap 'echo "scripts/test.sh: $( [ $? -eq 0 ] && echo passed || echo FAILED ) in $SECONDS s"' EXIT
bash scripts/install-deps.sh
bash scripts/build.sh
(cd build && ctest --output-on-failure -j"$(nproc)")
bash scripts/build.sh --asan
# PLplot's cairo drivers keep a one-time fontconfig cache alive until exit: not ours, suppressed by name.
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
(cd build-asan && ctest --output-on-failure -j"$(nproc)" -L unit)
