#!/usr/bin/env bash
# e2e_cli.sh: one option parser for every command (issue 15, item 6): options before or after the preset,
# --opt=VALUE, `--version` in --help, the run options --force, --checkpoint-every (a number of seconds >= 0),
# --save-weights, the resume command's arguments, and every refusal naming the option.
source "$(dirname "$0")/lib.sh"
SMALL=(steps=10 evals=2 evals_lin=0 d=50 n=16 n_test=50)

echo "== options before the preset"
"$GK" run --quiet diag-sparse "${SMALL[@]}" --out "$T/a" >"$T/a.out" 2>"$T/a.err"
rc=$?
check "run --quiet PRESET ... exits 0 (rc=$rc: $(head -c 200 "$T/a.err"))" test $rc -eq 0
check "  and wrote the run" test -s "$T/a/summary.json"
check "  with no progress line" test ! -s "$T/a.err"
"$GK" run --out "$T/b" --quiet diag-sparse "${SMALL[@]}" >/dev/null 2>"$T/b.err"
rc=$?
check "run --out DIR PRESET exits 0 (rc=$rc: $(head -c 200 "$T/b.err"))" bash -c "[ $rc -eq 0 ] && [ -s '$T/b/summary.json' ]"
"$GK" run diag-sparse "${SMALL[@]}" --out="$T/c" --quiet >/dev/null 2>&1
check "--out=DIR" test -s "$T/c/summary.json"
check "the same preset and keys give the same metrics in any order" cmp "$T/a/metrics.csv" "$T/b/metrics.csv"
"$GK" run --quiet "${SMALL[@]}" diag-sparse --out "$T/d" >/dev/null 2>&1
check "the preset after its keys" test -s "$T/d/summary.json"
"$GK" theory --help diag-sparse >"$T/th" 2>&1
check "theory --help PRESET lists the keys" grep -q "alpha" "$T/th"
"$GK" sweep --quiet --jobs 1 --out "$T/s" diag-sparse alpha=16,32 "${SMALL[@]}" >/dev/null 2>"$T/s.err"
rc=$?
check "sweep --options PRESET ... exits 0 (rc=$rc)" bash -c "[ $rc -eq 0 ] && [ -s '$T/s/sweep.csv' ]"
"$GK" run --save-data --force --save-weights --checkpoint-every 0.5 diag-sparse "${SMALL[@]}" --out "$T/e" --quiet \
    >/dev/null 2>"$T/e.err"
rc=$?
check "--force --save-weights --checkpoint-every 0.5 are accepted (rc=$rc: $(head -c 200 "$T/e.err"))" test $rc -eq 0
"$GK" run --checkpoint-every=0 diag-sparse "${SMALL[@]}" --out "$T/f" --quiet >/dev/null 2>&1
check "--checkpoint-every=0 (off) is accepted" test -s "$T/f/summary.json"

echo "== help and version"
"$GK" --help >"$T/help" 2>&1
check "--help exits 0 and lists --version, resume and the run options" bash -c "grep -q -- '--version' '$T/help' && \
    grep -q 'groklab resume' '$T/help' && grep -q -- '--checkpoint-every' '$T/help' && grep -q -- '--force' '$T/help'"
check "--version prints the version" bash -c "'$GK' --version | grep -q '^groklab [0-9]'"
"$GK" resume --help >"$T/rh" 2>&1
check "resume --help exits 0 and names steps=N" bash -c "[ $? -eq 0 ] && grep -q 'steps=N' '$T/rh'"

echo "== refusals: exit 2, the option named, nothing created"
expect_bad "unknown option" "unknown option '--frobnicate'" diag-sparse --frobnicate
expect_bad "unknown option before the preset" "unknown option '--frobnicate'" --frobnicate diag-sparse
expect_bad "a second preset" "'diag-l2sep' is not of the form key=value" diag-sparse diag-l2sep
expect_bad "negative --checkpoint-every" "--checkpoint-every=-1 is not allowed" diag-sparse --checkpoint-every -1
expect_bad "--checkpoint-every nan" "--checkpoint-every=nan is not allowed" diag-sparse --checkpoint-every nan
expect_bad "--checkpoint-every inf" "--checkpoint-every=inf is not allowed" --checkpoint-every=inf diag-sparse
expect_bad "--checkpoint-every text" "--checkpoint-every=soon is not allowed" diag-sparse --checkpoint-every soon
expect_bad "--checkpoint-every 1e999" "--checkpoint-every=1e999 is not allowed" diag-sparse --checkpoint-every 1e999
"$GK" run diag-sparse --out >/dev/null 2>"$T/err"
check "--out without a value: exit 2, named" bash -c "[ $? -eq 2 ] && grep -q -- '--out needs a value' '$T/err'"
"$GK" resume >/dev/null 2>"$T/err"
check "resume without a directory: exit 2, usage" bash -c "[ $? -eq 2 ] && grep -q 'usage: groklab resume RUN_DIR' '$T/err'"
"$GK" resume "$T/a" frob >/dev/null 2>"$T/err"
check "resume DIR frob: exit 2" bash -c "[ $? -eq 2 ] && grep -q \"'frob' is not of the form key=value\" '$T/err'"
"$GK" resume --checkpoint-every -3 "$T/a" >/dev/null 2>"$T/err"
check "resume --checkpoint-every -3: exit 2" bash -c "[ $? -eq 2 ] && grep -q -- '--checkpoint-every=-3 is not allowed' '$T/err'"
"$GK" list extra >/dev/null 2>&1
check "list with an argument: exit 2" test $? -eq 2
"$GK" theory --bogus diag-sparse >/dev/null 2>"$T/err"
check "theory --bogus: exit 2, named" bash -c "[ $? -eq 2 ] && grep -q \"unknown option '--bogus'\" '$T/err'"


echo "== run --config, list --help, phenomena in step order, resume messages, completion and man page"
SMALL=(d=50 n=32 n_test=100 steps=3000 evals=20 evals_lin=0)
"$GK" run diag-sparse "${SMALL[@]}" --out "$T/cfg-a" >"$T/cfg-a.out" 2>&1
"$GK" run --config "$T/cfg-a/config.json" --out "$T/cfg-b" --quiet >/dev/null 2>&1
check "run --config a run's config.json repeats it (metrics.csv byte-identical)" cmp -s "$T/cfg-a/metrics.csv" "$T/cfg-b/metrics.csv"
"$GK" run --config "$T/cfg-a/config.json" steps=100 --out "$T/cfg-c" --quiet >/dev/null 2>&1
done_c=$(json_num "$T/cfg-c/summary.json" steps_done)
check "a key given with --config replaces the file's (steps=100: $done_c)" test "$done_c" = 100
printf '{"preset": "diag-sparse", "params": {"d": 50, "n": 32, "n_test": 100, "steps": 50, "evals": 3, "evals_lin": 0}}' >"$T/hand.json"
"$GK" run --config "$T/hand.json" --out "$T/cfg-d" --quiet >/dev/null 2>&1
done_d=$(json_num "$T/cfg-d/summary.json" steps_done)
check "a hand-written JSON config runs ($done_d steps)" test "$done_d" = 50
"$GK" run xor --config "$T/hand.json" --out "$T/cfg-e" >"$T/cfg-e.err" 2>&1
rc=$?
check "another preset than the config's: exit 2, both named, nothing written (rc=$rc)" bash -c \
    "[[ $rc -eq 2 ]] && grep -q xor '$T/cfg-e.err' && grep -q diag-sparse '$T/cfg-e.err' && [[ ! -e '$T/cfg-e' ]]"
printf '# the same run as hand.json, in TOML\npreset = "diag-sparse"\n\n[params]\nd = 50\nn = 32\nn_test = 100\nsteps = 50\nevals = 3\nevals_lin = 0\nreferences = true\n' >"$T/hand.toml"
"$GK" run --config "$T/hand.toml" --out "$T/cfg-t" --quiet >/dev/null 2>&1
check "a hand-written TOML config runs as the same JSON config does (metrics.csv byte-identical)" \
    cmp -s "$T/cfg-d/metrics.csv" "$T/cfg-t/metrics.csv"
for bad in 'preset = "diag-sparse"\n[params]\nalpha = [1, 2]\n|params.alpha' 'preset = "diag-sparse"\nalpha = 3\n|only preset' \
           'preset = "diag-sparse"\n[params\n|line 2' 'preset = "diag-sparse"\n[params]\nalpha = -1\n|alpha=-1' \
           '[params]\nalpha = 3\n|no preset'; do
    printf "${bad%|*}" >"$T/bad.toml"
    "$GK" run --config "$T/bad.toml" --out "$T/cfg-bt" >"$T/cfg-bt.err" 2>&1
    rc=$?
    check "a bad TOML config: exit 2, nothing written, says '${bad#*|}' (rc=$rc)" bash -c \
        "[[ $rc -eq 2 ]] && grep -q -- '${bad#*|}' '$T/cfg-bt.err' && [[ ! -e '$T/cfg-bt' ]]"
done
echo '{"preset": 3}' >"$T/bad.json"
"$GK" run --config "$T/bad.json" --out "$T/cfg-f" >"$T/cfg-f.err" 2>&1
rc=$?
check "a file that is not a config: exit 2, the file named (rc=$rc)" bash -c "[[ $rc -eq 2 ]] && grep -q 'bad.json' '$T/cfg-f.err'"
steps=$(grep -o 'at step [0-9]*' "$T/cfg-a.out" | awk '{print $3}' | tr '\n' ' ')
check "phenomena print in step order ($steps)" bash -c "[[ -n '$steps' ]] && printf '%s\n' $steps | sort -n -c"
for c in list run resume sweep theory plot; do
    "$GK" $c --help >"$T/h-$c" 2>&1
    rc=$?
    check "groklab $c --help exits 0 and prints its usage or keys (rc=$rc)" bash -c "[[ $rc -eq 0 ]] && grep -qi -e usage -e '^keys' '$T/h-$c'"
done
"$GK" resume "$T/cfg-a" steps=3100 >"$T/res.out" 2>"$T/res.err"
check "resume of a finished run says the step it stopped at ($(head -1 "$T/res.err"))" grep -q 'stopped at step 3000' "$T/res.err"
mkdir -p "$T/setup-killed"
"$GK" resume "$T/setup-killed" >"$T/sk.err" 2>&1
rc=$?
check "a directory without config.json: exit 2, 'stopped before training began' and how to run again (rc=$rc)" bash -c \
    "[[ $rc -eq 2 ]] && grep -q 'stopped before training began' '$T/sk.err' && grep -q -- '--force' '$T/sk.err' && ! grep -q 'cannot read' '$T/sk.err'"
"$GK" --help-completion >"$T/comp.bash"
comp() { bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _groklab; printf "%s\n" "${COMPREPLY[@]}"' _ "$T/comp.bash" "$@"; }
out=$(comp groklab "")
check "completion: plot among the commands" grep -qx plot <<<"$out"
out=$(comp groklab run diag-sparse --)
check "completion: --force, --save-weights, --checkpoint-every, --config after run PRESET" bash -c \
    "for o in --force --save-weights --checkpoint-every --config; do grep -qx -- \$o <<<'$out' || exit 1; done"
out=$(comp groklab run diag-sparse data =)
check "completion: the values of an enumerated key after key=" bash -c "[[ \$(sort <<<'$out' | tr '\\n' ' ') == 'file l2sep sparse ' ]]"
out=$(comp groklab run modadd-lyu-fast optim = a)
check "completion: a value's prefix" grep -qx adamw <<<"$out"
out=$(comp groklab run mc-multiply-fast)
check "completion: preset names" grep -qx mc-multiply-fast <<<"$out"
out=$(comp groklab plot runs --x "")
check "completion: plot --x values" bash -c "[[ \$(tr '\\n' ' ' <<<'$out') == 'step t tstar ' ]]"
"$GK" list >"$T/list.txt"
check "list: each preset's CPU time (or ? when not measured) in the second column" bash -c \
    "! grep -Evq '^[a-z0-9-]+ +(~?[0-9.]+(s| min| h| days)|\\?) +[A-Z]' '$T/list.txt'"
check "list: diag-sparse's time is the measured one (bench/preset_times.sh)" grep -Eq '^diag-sparse +[0-9]+s ' "$T/list.txt"
"$GK" --help-man >"$T/g.1"
MANWIDTH=200 man -l "$T/g.1" >"$T/man.txt" 2>/dev/null
for sec in PLOT RESUME THEORY EXAMPLES ENVIRONMENT; do
    check "man page has a $sec section" grep -q "^$sec" "$T/man.txt"
done
# A run that will take long says so once the speed is known (modadd-lyu: 1e7 steps), in human units.
timeout -s INT 20 "$GK" run modadd-lyu --out "$T/long" >/dev/null 2>"$T/long.err"
check "a long run announces its duration (days or hours)" grep -Eq "this run needs about [0-9.]+ (days|h) more" "$T/long.err"
check "the ETA is in human units, not seconds" bash -c "! grep -Eq 'ETA [0-9]{4,}s' '$T/long.err'"
finish
