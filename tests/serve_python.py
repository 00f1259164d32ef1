"""serve_python.py GROKLAB TMPDIR SWEEP_DIR: groklab.load() on a run that is running, killed and interrupted (the
status says which), load_sweep(), and groklab.serve() from Python (run by tests/e2e_serve.sh)."""
import os
import signal
import subprocess
import sys
import time
import urllib.request

import groklab
from groklab.serve import load_sweep, serve

GK, T, SWEEP = sys.argv[1:4]
res = [0, 0]


def check(what, ok, detail=""):
    res[0 if ok else 1] += 1
    print("  %s %s %s" % ("PASS" if ok else "FAIL", what, "" if ok else detail), flush=True)


def start(name, steps):
    d = os.path.join(T, "py", name)
    p = subprocess.Popen([GK, "run", "modadd-adamw-fast", "steps=%d" % steps, "--out", d, "--quiet"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    end = time.time() + 60
    while time.time() < end and not (os.path.exists(os.path.join(d, "metrics.csv")) and
                                     len(open(os.path.join(d, "metrics.csv")).read().splitlines()) > 5):
        time.sleep(0.2)
    return p, d


p, d = start("killed", 200000)
r = groklab.load(d)
check("load() on a running run: status running, %d rows so far" % len(r.metrics["step"]),
      r.status == "running" and len(r.metrics["step"]) > 4, r.status)
p.kill()
p.wait()
r = groklab.load(d)
check("load() on a killed run: status killed, its rows (%d)" % len(r.metrics["step"]),
      r.status == "killed" and len(r.metrics["step"]) > 4 and r.config["preset"] == "modadd-adamw-fast", r.status)
p, d = start("stopped", 200000)
p.send_signal(signal.SIGINT)
p.wait()
r = groklab.load(d)
check("load() on an interrupted run: status interrupted (%s)" % r.status, r.status == "interrupted")
tab = load_sweep(SWEEP)
check("load_sweep(): the sweep table (%d rows)" % len(tab), len(tab) == 2 and "status" in tab)
srv = serve([os.path.join(T, "py")], binary=GK)
body = urllib.request.build_opener(urllib.request.ProxyHandler({})).open(srv.url + "api/list", timeout=10).read()
check("serve(): the server answers at %s" % srv.url, b'"kind":"run"' in body)
srv.stop()
check("serve(): stop() ends it", srv.proc.poll() is not None)
try:
    serve(["/nonexistent-dir"], binary=GK)
    check("serve() of a missing directory raises", False)
except ValueError as e:
    check("serve() of a missing directory raises ValueError (%s)" % e, "not a directory" in str(e))
print("%d passed, %d failed" % tuple(res))
sys.exit(1 if res[1] or not res[0] else 0)
