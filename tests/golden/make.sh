#!/usr/bin/env bash
# Regenerates tests/golden/<preset>.csv: the metrics.csv of each small run in presets.txt.
# Run only when a change of results is intended, and say why in the commit.
# Usage: tests/golden/make.sh path/to/groklab [preset ...]
set -euo pipefail
GK=${1:?usage: $0 path/to/groklab [preset ...]}; shift
DIR=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
while IFS='|' read -r preset keys; do
    preset=$(echo "$preset" | xargs); [[ -z "$preset" || "$preset" == \#* ]] && continue
    if [[ $# -gt 0 ]] && ! printf '%s\n' "$@" | grep -qx "$preset"; then continue; fi
    start=$(date +%s.%N)
    # shellcheck disable=SC2086
    "$GK" run "$preset" $keys --quiet --out "$T/$preset" >/dev/null
    cp "$T/$preset/metrics.csv" "$DIR/$preset.csv"
    printf '%-24s %6.1f s\n' "$preset" "$(echo "$(date +%s.%N) - $start" | bc)"
done < "$DIR/presets.txt"
