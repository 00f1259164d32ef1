#!/usr/bin/env bash
# Installs the Debian dependencies, builds, and runs the default experiment (diag-sparse).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
./build/groklab run "$@"
