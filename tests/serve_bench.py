"""serve_bench.py GROKLAB RUN_DIR [LOADS]: the time from navigation to a drawn page of a 1e5-row run in headless
Chromium. RUN_DIR is a finished run; its rows are repeated (with growing steps) into a 1e5-row copy,
`groklab serve` serves it, and the page is loaded LOADS times (default 7): the median and the range are printed,
with the page's own split of the time (drawnMs: its clock from navigation to the last chart drawn; fetchMs: the
rows' requests; renderMs: the charts built) and the CPU time Chromium and the server spent on it (cpuMs). The
run's own page is measured the same way, for comparison.
Used by tests/serve_check.py (once) and by hand for the figure in README and docs/speed.md."""
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cdp  # noqa: E402

ROWS = 100000


def make_big_run(src, dst, rows=ROWS):
    """A copy of run src whose metrics.csv has `rows` rows: src's rows over and over, the step counting up."""
    os.makedirs(dst)
    for f in ("config.json", "summary.json"):
        shutil.copyfile(os.path.join(src, f), os.path.join(dst, f))
    lines = open(os.path.join(src, "metrics.csv")).read().splitlines()
    body = lines[1:]
    with open(os.path.join(dst, "metrics.csv"), "w") as o:
        o.write(lines[0] + "\n")
        for k in range(rows):
            f = body[k % len(body)].split(",")
            f[0] = str(k)
            o.write(",".join(f) + "\n")


def cpu_ms(pids):
    """CPU time (user + system) used so far by the processes pids and their children, in ms."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0
    for pid in pids:
        try:
            f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
            total += sum(int(v) for v in f[11:15])
        except (OSError, IndexError):
            pass
    return 1000.0 * total / tick


def tree(pid):
    """pid and the processes below it."""
    out, kids = [pid], {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                ppid = int(open("/proc/%s/stat" % d).read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError):
                continue
            kids.setdefault(ppid, []).append(int(d))
    for p in out:
        out.extend(kids.get(p, []))
    return out


def load_once(b, url, pids=()):
    """One load: (wall ms from navigation to drawn, the page's timing dict with the CPU ms of pids in it)."""
    b.send("Performance.enable")
    procs = tree(b.proc.pid) + list(pids)
    c0 = cpu_ms(procs)
    t0 = time.time()
    b.send("Page.navigate", {"url": url})
    b.wait("window.gk && gk.ready && gk.charts.length === 2", 60, every=0.01)
    wall = 1000 * (time.time() - t0)
    time.sleep(0.2)  # the charts draw on the next frame
    cpu = cpu_ms(procs) - c0
    t = b.eval("JSON.stringify(Object.assign({rows: gk.sources[0].t.n, drawn: gk.charts[0].data[0].length},"
               "gk.timing, {renderMs: gk.renderMs}))")
    t = json.loads(t)
    t["cpuMs"] = cpu
    m = {x["name"]: x["value"] for x in b.send("Performance.getMetrics")["metrics"]}
    t["taskMs"] = 1000 * m.get("TaskDuration", 0)
    t["scriptMs"] = 1000 * m.get("ScriptDuration", 0)
    b.send("Performance.disable")
    return wall, t


def measure(b, url, loads, pids=()):
    out = [load_once(b, url, pids) for _ in range(loads)]
    walls = sorted(w for w, _ in out)
    keys = sorted(set(k for _, t in out for k, v in t.items() if isinstance(v, (int, float))))
    split = {k: statistics.median(t.get(k, 0) for _, t in out) for k in keys}
    return statistics.median(walls), walls, split


def main():
    gk, src = sys.argv[1], sys.argv[2]
    loads = int(sys.argv[3]) if len(sys.argv) > 3 else 7
    tmp = tempfile.mkdtemp(prefix="gk-bench-")
    make_big_run(src, os.path.join(tmp, "big"))
    shutil.copytree(src, os.path.join(tmp, "small"))
    srv = subprocess.Popen([gk, "serve", tmp, "--port", "0"], stdout=subprocess.PIPE, text=True)
    port = int(re.search(r":(\d+)/", srv.stdout.readline()).group(1))
    b = cdp.Browser()
    try:
        med, walls, split = measure(b, "http://127.0.0.1:%d/view?p=0/big" % port, loads, [srv.pid])
        smed, swalls, ssplit = measure(b, "http://127.0.0.1:%d/view?p=0/small" % port, loads, [srv.pid])
    finally:
        b.close()
        srv.terminate()
        srv.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)
    print("1e5-row page, %d loads: navigation to drawn median %.0f ms (range %.0f-%.0f ms)" %
          (loads, med, walls[0], walls[-1]))
    print("  medians (ms; drawn and rows are counts; cpuMs: Chromium's and the server's CPU): " + ", ".join("%s %.0f" % (k, v) for k, v in split.items()))
    print("the run's own page (%d rows), for comparison: median %.0f ms (range %.0f-%.0f ms), cpuMs %.0f, drawnMs %.0f" %
          (ssplit["rows"], smed, swalls[0], swalls[-1], ssplit["cpuMs"], ssplit.get("drawnMs", 0)))
    print("  load average %s" % open("/proc/loadavg").read().split()[0])


if __name__ == "__main__":
    main()
