#!/usr/bin/env bash
# Times every preset at its defaults (all cores) and writes the table `groklab list` and the README show:
# bench/preset_times.tsv and src/run/preset_runtimes.h (name, CPU seconds, measured or estimated), and the
# CPU-time column of README.md's preset table (bench/preset_times_readme.py).
# usage: bench/preset_times.sh [CAP_SECONDS] [PRESET ...]   (after scripts/build.sh; CAP defaults to 30)
# Naming presets re-times those only and keeps the others' rows.
# The number kept is CPU time (user + system), not wall time: on a shared machine the wall time measures the
# other jobs, the CPU time does not; on 2 free cores a run's wall time is at most its CPU time (about half when
# both threads are busy). A preset that finishes within CAP seconds of wall time is measured whole (set-up
# included). A longer one is stopped (SIGINT) after CAP seconds and extrapolated from its last progress line:
# CPU so far + ETA x (CPU so far / wall time so far), i.e. the ETA at the share of a core the run got.
# One whose set-up outlasts CAP gets no row: time it with a larger CAP.
# With every preset: at most 51 x CAP of wall time (25 min at CAP 30).
set -euo pipefail
cd "$(dirname "$0")/.."
CAP=${1:-30}
shift || true
GK=./build/groklab
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
if [ $# -gt 0 ]; then PRESETS="$*"; else PRESETS=$($GK list | cut -d' ' -f1); fi
# "12s", "3.5 min", "2.1 h", "78 days" (cli/common.c gk_cli_duration) -> seconds
to_seconds() {
  awk -v d="$1" 'BEGIN { n = d + 0; if (d ~ /days/) n *= 86400; else if (d ~ / h$/) n *= 3600;
                         else if (d ~ /min/) n *= 60; printf "%.0f", n }'
}
OUT=$T/times.tsv
touch "$OUT"
for p in $PRESETS; do
  start=$(date +%s.%N)
  set +e
  /usr/bin/time -f '%U %S' -o "$T/$p.time" timeout -k 10 -s INT "$CAP" $GK run "$p" --out "$T/$p" 2>"$T/$p.err" >/dev/null
  rc=$?
  set -e
  cpu=$(awk 'END { printf "%.1f", $1 + $2 }' "$T/$p.time")
  wall=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
  if [ "$cpu" = 0.0 ] || [ $rc = 126 ] || [ $rc = 127 ]; then # not run (a binary being rebuilt, say)
    echo "$p: did not run (rc $rc)" >&2; continue
  elif [ $rc = 0 ]; then
    printf '%s\t%s\tmeasured\n' "$p" "$cpu" | tee -a "$OUT"
  else
    line=$(grep 'ETA' "$T/$p.err" | tail -1 || true)
    eta=$(sed -n 's/.*, ETA \(.*[a-z]\) *$/\1/p' <<<"$line")
    if [ -z "$eta" ]; then
      echo "$p: no estimate after $CAP s (rc $rc; a larger CAP times it whole)" >&2; continue
    fi
    # the CPU still to spend: the ETA (wall time at this speed) times the share of a core the run got so far
    est=$(awk -v c="$cpu" -v w="$wall" -v r="$(to_seconds "$eta")" 'BEGIN { printf "%.0f", c + r * c / w }')
    printf '%s\t%s\testimated\n' "$p" "$est" | tee -a "$OUT"
  fi
  rm -rf "${T:?}/$p"
done
TSV=bench/preset_times.tsv
touch "$TSV"
awk -F'\t' 'NR == FNR { new[$1] = $0; next } ($1 in new) { print new[$1]; delete new[$1]; next } { print }
             END { for (k in new) print new[k] }' "$OUT" "$TSV" >"$T/merged"
# in `groklab list` order
for p in $($GK list | cut -d' ' -f1); do grep -P "^$p\t" "$T/merged" || true; done >"$TSV"
H=src/run/preset_runtimes.h
{
  echo "/* preset_runtimes.h: each preset's CPU time (user + system) at its defaults, from bench/preset_times.tsv,"
  echo " * written by bench/preset_times.sh (last run: CAP $CAP s, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%d))."
  echo " * estimated = 1: stopped after CAP seconds and extrapolated from its progress. Included by registry.c only. */"
  echo "static const preset_runtime preset_runtimes[] = {"
  awk -F'\t' '{ printf "    {\"%s\", %s, %d},\n", $1, $2, $3 == "estimated" }' "$TSV"
  echo "    {NULL, 0, 0},"
  echo "};"
} >"$H"
/usr/bin/python3 bench/preset_times_readme.py README.md "$TSV"
echo "wrote $TSV, $H and README.md's preset table" >&2
