# lib.sh: helpers for the end-to-end tests (sourced). Each check prints PASS/FAIL; `finish` sets the exit code.
GK=${1:?usage: $0 path/to/groklab}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
PASSES=0
FAILS=0
pass() { PASSES=$((PASSES + 1)); echo "  PASS $*"; }
fail() { FAILS=$((FAILS + 1)); echo "  FAIL $*"; }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
finish() { echo "$PASSES passed, $FAILS failed"; [ "$FAILS" -eq 0 ] && [ "$PASSES" -gt 0 ]; }

# col FILE NAME: the column index (1-based) of NAME in a CSV header
col() { head -1 "$1" | tr ',' '\n' | grep -nx "$2" | cut -d: -f1; }
# json_num FILE KEY: a top-level number (or null) from summary.json
json_num() { grep -o "\"$2\":[[:space:]]*[^,}]*" "$1" | head -1 | sed 's/.*:[[:space:]]*//'; }
json_str() { grep -o "\"$2\":[[:space:]]*\"[^\"]*\"" "$1" | head -1 | sed 's/.*:[[:space:]]*"//; s/"$//'; }

# expect_bad DESCRIPTION ARGS...: exit code 2, a one-line error naming the key, and no run directory
expect_bad() {
    local what=$1 needle=$2; shift 2
    local out="$T/bad-$RANDOM"
    "$GK" run "$@" --out "$out" --quiet >"$T/stdout" 2>"$T/stderr"
    local rc=$?
    if [ $rc -eq 2 ] && grep -q -- "$needle" "$T/stderr" && [ ! -e "$out" ]; then pass "bad input: $what"
    else fail "bad input: $what (rc=$rc, stderr: $(head -c 300 "$T/stderr"), dir exists: $([ -e "$out" ] && echo yes || echo no))"; fi
}
