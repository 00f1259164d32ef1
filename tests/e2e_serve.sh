#!/usr/bin/env bash
# groklab serve and report.html in headless Chromium (tests/serve_check.py over tests/cdp.py): a run's and a
# sweep's live pages as they train, the server's refusals (traversal, symlinks, oversized and garbage requests,
# a Host header that does not name this machine, 1,000 concurrent requests, clients that reset mid-response), the
# numbers /api/cols sends (bit for bit), report.html offline, a 1e5-row page (rows thinned, extremes kept, zoom),
# and clean stops on SIGINT mid-download and SIGTERM. Chromium is required: without it the test fails (scripts/install-deps.sh installs it).
source "$(dirname "$0")/lib.sh"
ART="${GK_BUILD_DIR:-$T}/serve-artifacts"
mkdir -p "$ART"
if ! command -v chromium >/dev/null 2>&1; then
    fail "chromium is not installed (scripts/install-deps.sh installs Debian's chromium)"
    finish
    exit 1
fi
/usr/bin/python3 "$(dirname "$0")/serve_check.py" "$GK" "$T" "$ART"
rc=$?
echo "== Python: load() of running, killed and interrupted runs, load_sweep(), serve()"
B=${GK_BUILD_DIR:-$(dirname "$GK")}
PYTHONPATH="${GK_SOURCE_DIR:-$(dirname "$0")/..}/python" GROKLAB_LIB="$B/libgroklab.so" \
    /usr/bin/python3 "$(dirname "$0")/serve_python.py" "$GK" "$T" "$T/sweeps/sw" || rc=1
echo "screenshots in $ART"
exit $rc
