#!/usr/bin/env bash
# Power et al. 2022, Fig. 2 left (interventions), as sweeps: one `groklab sweep` per intervention over the train
# fraction, then one table of the best validation accuracy (best_val_acc, the mean over seeds) per intervention
# and fraction, in DIR/fig2-left.csv and on stdout as markdown.
# usage: scripts/power-fig2-left.sh DIR [PRESET] [SWEEP ARGS...]   (after scripts/build.sh)
#   PRESET defaults to power-add-fast (x+y mod 31, width 32, 3000 steps: about 15 min of CPU for the 45 runs);
#   the paper's setting is `scripts/power-fig2-left.sh DIR power-s5 frac=0.2,0.3,0.4,0.5,0.6,0.7,0.8 --seeds 3`
#   (189 runs of 1e5 steps: hundreds of CPU-hours, docs/power.md).
#   SWEEP ARGS replace the default fractions (frac=0.3,0.4,0.5,0.6,0.7) and may add --seeds N, --jobs N.
# Each intervention differs from minibatch Adam (wd 0) in one thing, except "adamw" (the preset's own recipe) and
# "weight-decay-to-init" (that recipe with the decay pulling toward the initial parameters).
# A DIR that holds finished sweeps is reused: their points are not run again.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { sed -n 5,10p "$0" >&2; exit 2; }
DIR=$1
PRESET=${2:-power-add-fast}
shift $(($# >= 2 ? 2 : 1))
ARGS=("$@")
[ ${#ARGS[@]} -gt 0 ] || ARGS=(frac=0.3,0.4,0.5,0.6,0.7)
GK=./build/groklab
mkdir -p "$DIR"
INTERVENTIONS=(
  "adamw"
  "adam wd=0"
  "adam-full-batch wd=0 batch=0 batch_half=0"
  "adam-full-batch-gradient-noise wd=0 batch=0 batch_half=0 grad_noise=0.01"
  "residual-dropout-0.1 wd=0 dropout=0.1"
  "weight-decay-to-init decay_to_init=1"
  "lr-3e-4 wd=0 lr=3e-4"
  "lr-3e-3 wd=0 lr=3e-3"
  "weight-noise-0.01 wd=0 weight_noise=0.01"
)
for I in "${INTERVENTIONS[@]}"; do
  read -r -a W <<<"$I"
  name=${W[0]}
  echo "+ $GK sweep $PRESET ${ARGS[*]} ${W[*]:1} --z best_val_acc --out $DIR/$name" >&2
  "$GK" sweep "$PRESET" "${ARGS[@]}" "${W[@]:1}" --z best_val_acc --quiet --out "$DIR/$name" >&2
done
/usr/bin/python3 - "$DIR" "${INTERVENTIONS[@]%% *}" <<'EOF'
import sys
import pandas as pd
d, names = sys.argv[1], sys.argv[2:]
rows = []
for n in names:
    s = pd.read_csv(f"{d}/{n}/sweep.csv")
    s = s[s.status == "completed"]
    rows.append(s.groupby("frac").best_val_acc.mean().rename(n))
t = pd.DataFrame(rows)
t.index.name = "intervention"
t.to_csv(f"{d}/fig2-left.csv")
print("| intervention | " + " | ".join(f"{f:g}" for f in t.columns) + " |")
print("|---" * (len(t.columns) + 1) + "|")
for n, r in t.iterrows():
    print(f"| {n} | " + " | ".join("" if pd.isna(v) else f"{v:.3f}" for v in r) + " |")
EOF
