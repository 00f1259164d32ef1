#!/usr/bin/env bash
# Results do not change under a reshaping: a small run of every preset gives the metrics.csv of
# tests/golden/<preset>.csv (made by tests/golden/make.sh before the change), column by column, bit for bit.
source "$(dirname "$0")/lib.sh"
DIR="$(dirname "$0")/golden"
while IFS='|' read -r preset keys; do
    preset=$(echo "$preset" | xargs); [[ -z "$preset" || "$preset" == \#* ]] && continue
    # shellcheck disable=SC2086
    if "$GK" run "$preset" $keys --quiet --out "$T/$preset" >"$T/out" 2>&1; then
        check "$preset: metrics.csv equals the golden run" /usr/bin/python3 "$DIR/compare.py" "$DIR/$preset.csv" "$T/$preset/metrics.csv"
    else
        fail "$preset: run failed: $(head -c 300 "$T/out")"
    fi
done < "$DIR/presets.txt"
finish
