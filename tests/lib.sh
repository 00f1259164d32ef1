# lib.sh: helpers for the end-to-end tests (sourced). Each check prints PASS/FAIL; `finish` sets the exit code.
GK=${1:?usage: $0 path/to/groklab}
# The same program with crash points (src/io/fault.h): GK_CRASH_AT=POINT[#K] "$GKC" ... is killed (SIGKILL) there.
GKC=${GK_CRASHTEST:-$(dirname "$GK")/groklab-crashtest}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
PASSES=0
FAILS=0
pass() { PASSES=$((PASSES + 1)); echo "  PASS $*"; }
fail() { FAILS=$((FAILS + 1)); echo "  FAIL $*"; }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
finish() { echo "$PASSES passed, $FAILS failed"; [ "$FAILS" -eq 0 ] && [ "$PASSES" -gt 0 ]; }

# wait_file PATTERN PID: waits until a file matching PATTERN (a path, or a glob without spaces) exists and is
# not empty (checkpoints are written atomically: then it is whole), or PID has ended, or 120 s have passed.
wait_file() {
    local i f
    for i in $(seq 1 6000); do
        for f in $1; do [ -s "$f" ] && return 0; done
        kill -0 "$2" 2>/dev/null || return 1
        sleep 0.02
    done
    return 1
}

# wait_rows FILE N PID: waits until FILE has at least N lines, or PID has ended, or 120 s have passed.
wait_rows() {
    local i
    for i in $(seq 1 6000); do
        [ -s "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ] && return 0
        kill -0 "$3" 2>/dev/null || return 1
        sleep 0.02
    done
    return 1
}

# col FILE NAME: the column index (1-based) of NAME in a CSV header
col() { head -1 "$1" | tr ',' '\n' | grep -nx "$2" | cut -d: -f1; }
# json_num FILE KEY: a top-level number (or null) from summary.json
json_num() { grep -o "\"$2\":[[:space:]]*[^,}]*" "$1" | head -1 | sed 's/.*:[[:space:]]*//'; }
json_str() { grep -o "\"$2\":[[:space:]]*\"[^\"]*\"" "$1" | head -1 | sed 's/.*:[[:space:]]*"//; s/"$//'; }

# expect_exit CODE SUBCOMMAND DESCRIPTION NEEDLE ARGS...: `groklab SUBCOMMAND ARGS` exits with CODE, its stderr
# contains NEEDLE (a fixed string), and the output directory it was given is not created.
expect_exit() {
    local code=$1 sub=$2 what=$3 needle=$4; shift 4
    local out="$T/bad-$RANDOM"
    "$GK" "$sub" "$@" --out "$out" --quiet >"$T/stdout" 2>"$T/stderr"
    local rc=$?
    if [ $rc -eq "$code" ] && grep -qF -- "$needle" "$T/stderr" && [ ! -e "$out" ]; then pass "$what"
    else fail "$what (rc=$rc, stderr: $(head -c 400 "$T/stderr"), dir exists: $([ -e "$out" ] && echo yes || echo no))"; fi
}

# expect_bad DESCRIPTION NEEDLE ARGS...: bad input to `groklab run`: exit code 2, the key named, no run directory
expect_bad() {
    local what=$1 needle=$2; shift 2
    expect_exit 2 run "bad input: $what" "$needle" "$@"
}
