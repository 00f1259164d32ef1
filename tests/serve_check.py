"""serve_check.py GROKLAB TMPDIR ARTIFACT_DIR: the end-to-end test of `groklab serve` and report.html (run by
tests/e2e_serve.sh). A run and a sweep train while the server serves them; headless Chromium (tests/cdp.py)
opens their pages and checks what they show as they go; the server's refusals are checked over raw sockets;
report.html is opened from disk with the network off. Screenshots land in ARTIFACT_DIR."""
import os
import re
import resource
import signal
import decimal
import fractions
import math
import random
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cdp  # noqa: E402
import serve_bench  # noqa: E402

GK, T, ART = sys.argv[1], sys.argv[2], sys.argv[3]
PASSES, FAILS = [0], [0]


def check(what, ok, detail=""):
    if ok:
        PASSES[0] += 1
        print("  PASS " + what, flush=True)
    else:
        FAILS[0] += 1
        print("  FAIL %s %s" % (what, detail), flush=True)


def http(port, raw, timeout=30):
    """Sends raw bytes, returns (status code or None, body bytes)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(raw)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except (ConnectionResetError, BrokenPipeError, socket.timeout):
        pass
    finally:
        s.close()
    m = re.match(rb"HTTP/1\.[01] (\d{3})", data)
    return (int(m.group(1)) if m else None), data.split(b"\r\n\r\n", 1)[-1]


def get(port, path):
    return http(port, b"GET " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")


def start_server(dirs):
    p = subprocess.Popen([GK, "serve"] + dirs + ["--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    line = p.stdout.readline()
    m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if not m:
        raise RuntimeError("groklab serve printed %r, stderr %r" % (line, p.stderr.read()))
    return p, int(m.group(1))


def safety(port, runs):
    """Traversal (plain, encoded, symlinks), hidden files, methods, bad arguments, oversized requests."""
    os.symlink("/etc", os.path.join(runs, "escape"))
    os.symlink("/etc/passwd", os.path.join(runs, "passwd"))
    for path, want in [("/f?p=0/../../../etc/passwd", (403,)), ("/f?p=0/%2e%2e/%2e%2e/%2e%2e/etc/passwd", (403,)),
                       ("/f?p=0%2F..%2F..%2Fetc%2Fpasswd", (403,)), ("/f/../../../../etc/passwd", (404,)),
                       ("/f?p=0/escape/passwd", (403,)), ("/f?p=0/passwd", (403,)), ("/view?p=0/escape", (403,)),
                       ("/f?p=0/live/.running.lock", (404,)), ("/f?p=0/live", (404,)), ("/f?p=/etc/passwd", (400,)),
                       ("/f?p=7/live/metrics.csv", (404,)), ("/f?p=0/%252e%252e/%252e%252e/etc/passwd", (404,)),
                       ("/api/cols?p=0/live&offset=-1&cols=step", (400,)),
                       ("/api/cols?p=0/live&offset=abc&cols=step", (400,)), ("/api/cols?p=0/live&offset=0", (400,)),
                       ("/api/cols?p=0/live&offset=0&cols=step,nope", (400,)),
                       ("/api/cols?p=0/live&offset=0&cols=step,step", (400,)),
                       ("/api/cols?p=0/../live&offset=0&cols=step", (403,)),
                       ("/api/cols?p=0/live&offset=999999999&cols=step", (409,))]:
        code, body = get(port, path)
        check("refused %s -> %s" % (path, code), code in want and b"root:" not in body, "(want %s)" % (want,))
    code, _ = http(port, b"POST /api/list HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc")
    check("POST refused with 405 (read-only)", code == 405, code)
    code, _ = http(port, b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    check("a 100 kB request line refused with a 4xx (%s)" % code, code is not None and 400 <= code < 500, code)
    code, _ = http(port, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"b" * 200000 + b"\r\n\r\n")
    check("a 200 kB header refused with a 4xx (%s)" % code, code is not None and 400 <= code < 500, code)
    code, _ = http(port, b"NOT HTTP AT ALL\r\n\r\n")
    check("garbage refused with a 4xx (%s)" % code, code is not None and 400 <= code < 500, code)
    code, _ = get(port, "/api/list")
    check("still serving after the bad requests", code == 200, code)


def double_rounding_traps(rng, tries=6000):
    """18-digit decimals near the midpoint of two doubles that round to that midpoint in 64-bit long double: the
    nearest double is on the decimal's side of it, which rounding the long double again (to even) can miss."""
    out, ctx = [], decimal.Context(prec=18)
    for _ in range(tries):
        d = rng.uniform(1, 10) * 10.0 ** rng.randint(-9, 40)
        mid = fractions.Fraction(d) + fractions.Fraction(math.ulp(d)) / 2
        text = str(ctx.divide(decimal.Decimal(mid.numerator), decimal.Decimal(mid.denominator)))
        val = fractions.Fraction(decimal.Decimal(text))
        k = math.floor(math.log2(val))
        q = round(val / fractions.Fraction(2) ** (k - 63))  # the nearest 64-bit significand (ties to even)
        if val != mid and q * fractions.Fraction(2) ** (k - 63) == mid:
            out.append(text)
    return out


def number_texts():
    """Decimal texts whose nearest double is hard to get right, and many ordinary ones."""
    hard = ["0.98999999999999999", "0.1", "-0", "0e5", "000123", "1.e5", ".5", "+5", "9007199254740993",
            "9007199254740995", "18014398509481985", "1e23", "8.98846567431158e307", "2.2250738585072011e-308",
            "2.2250738585072012e-308", "4.9406564584124654e-324", "1e-320", "1.7976931348623157e308",
            "1.7976931348623159e308", "123456789012345678901234567890", "0.30000000000000004", "1e-22", "1e22",
            "7.2057594037927933e16", "3.0517578125e-05", "nan", "inf", "-inf", "", "abc", "1e", "1.5x", "0x10"]
    rng = random.Random(7)
    out = list(hard) + double_rounding_traps(rng)
    for k in range(20000):
        v = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0] if k % 4 == 0 else \
            rng.uniform(-1, 1) * 10 ** rng.randint(-30, 30)
        out.append(("%." + str(rng.choice((17, 16, 15, 12, 6))) + "g") % v)
    return out


def numbers(port, runs):
    """/api/cols gives each field's nearest double (Python's float of the text; NaN when it is not a number)."""
    d = os.path.join(runs, "numbers")
    os.makedirs(d)
    open(os.path.join(d, "config.json"), "w").write("{}\n")
    texts = number_texts()
    with open(os.path.join(d, "metrics.csv"), "w") as f:
        f.write("step,v,w\n" + "".join("%d,%s,%s\n" % (k, t, t) for k, t in enumerate(texts)))
    code, body = get(port, "/api/cols?p=0/numbers&offset=0&cols=v")
    n = len(texts)
    got = struct.unpack("<%dd" % (len(body) // 8), body) if code == 200 and len(body) % 8 == 0 else (0, 0)

    def want(t):
        try:
            return float(t) if t.strip().lower() not in ("", "0x10") else (16.0 if t == "0x10" else float("nan"))
        except ValueError:
            return float("nan")
    bad = [(t, got[2 + k]) for k, t in enumerate(texts) if len(got) == 2 + n and
           struct.pack("<d", want(t)) != struct.pack("<d", got[2 + k]) and not (want(t) != want(t) and
                                                                                 got[2 + k] != got[2 + k])]
    check("/api/cols: all %d numbers (hard cases, %d double-rounding traps, random) are the texts' nearest "
          "doubles, bit for bit" % (n, len(double_rounding_traps(random.Random(7)))),
          code == 200 and len(got) == 2 + n and got[0] == n and not bad, (code, len(got), bad[:5]))


def host_header(port):
    """DNS rebinding: bound to 127.0.0.1, the server answers only requests whose Host names this machine."""
    for host, want in [("127.0.0.1", 200), ("localhost:%d" % port, 200), ("[::1]:%d" % port, 200),
                       ("LocalHost", 200), ("evil.example", 421), ("evil.example:%d" % port, 421),
                       ("127.0.0.1.evil.example", 421), ("localhost:x", 421), ("[::1", 421)]:
        code, body = http(port, b"GET /api/list HTTP/1.1\r\nHost: " + host.encode() + b"\r\nConnection: close\r\n\r\n")
        check("Host: %s -> %s" % (host, code), code == want and (want != 421 or b"items" not in body), "(want %d)" % want)
    code, body = http(port, b"GET /f?p=0/live/config.json HTTP/1.0\r\n\r\n")
    check("no Host header (HTTP/1.0) -> %s" % code, code == 421 and b"params" not in body)


def thousand(port):
    """1,000 requests at once: each one answered (200) or refused (connection closed), and the server goes on."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
    out = {"ok": 0, "refused": 0, "other": 0}
    lock = threading.Lock()

    def one():
        try:
            code, body = get(port, "/api/run?p=0/live")
            k = "ok" if code == 200 and body.startswith(b"{") else ("refused" if code in (None, 503) else "other")
        except OSError:
            k = "refused"
        with lock:
            out[k] += 1
    threads = [threading.Thread(target=one) for _ in range(1000)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check("1000 concurrent requests: %d answered, %d refused, %d otherwise" % (out["ok"], out["refused"], out["other"]),
          out["ok"] + out["refused"] == 1000 and out["ok"] >= 100)
    code, _ = get(port, "/api/list")
    check("still serving after 1000 concurrent requests", code == 200, code)


def disconnects(port, big):
    """Clients that go away mid-response (reset after reading a little of a 32 MB file)."""
    for _ in range(20):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.sendall(b"GET /f?p=0/" + big.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        s.recv(2048)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()
    code, body = get(port, "/f?p=0/" + big)
    check("still serving after 20 clients reset mid-response, the whole file after", code == 200 and
          len(body) == 32 << 20, (code, len(body)))


def run_page(b, port, runs):
    b.goto("http://127.0.0.1:%d/view?p=0/live" % port)
    b.wait("window.gk && gk.ready && gk.charts.length && gk.charts[0].data[0].length > 2", 60)
    status1, n1 = b.eval("gk.status"), b.eval("gk.charts[0].data[0].length")
    labels = b.eval("gk.charts.map(u => u.series.map(s => s.label)).flat()")
    check("live run page: status running at first read (%s)" % status1, status1 == "running")
    check("live run page: the chart holds the run's series, named in the figures' words", all(c in labels for c in
          ("train accuracy", "test accuracy", "train loss", "test loss")) and "train_acc" not in labels, labels)
    ticks = b.eval("[0, 0.5, 1e-5, 1e4, 2e-5].map(gk.tickNum)")
    check("live run page: axis ticks as the figures write them (%s)" % ticks,
          ticks[:4] == ["0", "0.5", "10\u207b\u2075", "10\u2074"] and ticks[4] != "10")
    cols = b.eval("[...document.querySelectorAll('.cols label')].map(l => l.textContent)")
    check("live run page: the column list in words (%s)" % cols[:4], "test loss" in cols and "test_loss" not in cols)
    n2 = b.wait("gk.charts[0].data[0].length > %d && gk.charts[0].data[0].length" % n1, 60)
    check("live run page: the points grow as the run advances (%d -> %d)" % (n1, n2), n2 > n1)
    fit = b.wait("(document.querySelector('.marker[data-kind=fit]') || {}).textContent", 60)
    check("live run page: the fit marker appears (%s)" % fit, bool(fit))
    eta = b.wait("(t => t.includes('ETA') && t)(document.getElementById('facts').textContent)", 30)
    check("live run page: step, speed and ETA shown (%s)" % eta.strip()[:80], "steps/s" in eta and "ETA" in eta)
    b.screenshot(os.path.join(ART, "serve_run_live.png"))
    b.wait("gk.status === 'completed'", 120)
    rows = sum(1 for _ in open(os.path.join(runs, "live", "metrics.csv"))) - 1
    n3 = b.eval("gk.charts[0].data[0].length")
    check("live run page: completed at the end, every row drawn (%d of %d, step 0 off the log axis)" % (n3, rows),
          n3 == rows - 1)
    figs = b.wait("document.querySelectorAll('.figs img').length", 20)
    check("live run page: the run's figures shown (%s)" % figs, figs >= 2)
    b.screenshot(os.path.join(ART, "serve_run.png"))
    # A column picked now is fetched for the rows the page has (/api/cols up to its offset), then kept.
    b.eval("[...document.querySelectorAll('.cols input')].find(i => i.value === 'param_norm').click()")
    got = b.wait("(u => (k => k > 0 && u.data[k].filter(v => v !== null).length)"
                 "(u.series.findIndex(s => s.col === 'param_norm')))(gk.charts[0])", 30)
    check("live run page: a column picked afterwards (param_norm) drawn at every row (%s of %d)" % (got, rows - 1),
          got == rows - 1)
    b.eval("(s => { s.value = 'time'; s.dispatchEvent(new Event('change')); })(document.querySelector('.controls select'))")
    n = b.wait("gk.charts[0].series[0].label === 't' && gk.charts[0].data[0].length", 30)
    check("live run page: x switched to t, its column fetched (%d points)" % n, n == rows - 1)


def sweep_page(b, port, sweep_proc):
    b.goto("http://127.0.0.1:%d/view?p=1/sw" % port)
    try:
        b.wait("window.gk && gk.ready && gk.charts.length && gk.points(0) > 2", 120)
    except TimeoutError:
        print("  sweep page state:", b.eval("[gk.ready, gk.status, gk.charts.length, gk.sources.map(s => [s.name, "
                                            "s.status, s.t.n]), document.getElementById('title').textContent]"),
              os.listdir(os.path.join(T, "sweeps", "sw")))
        raise
    s1, n1 = b.eval("gk.status"), b.eval("gk.points(0)")
    check("live sweep page: running at first read (%s)" % s1, s1 == "running")
    n2 = b.wait("gk.points(0) > %d && gk.points(0)" % n1, 60)
    check("live sweep page: the points' curves grow (%d -> %d)" % (n1, n2), n2 > n1)
    fit = b.wait("(document.querySelector('.marker[data-kind=fit]') || {}).textContent", 60)
    check("live sweep page: a point's fit marker appears (%s)" % fit, bool(fit))
    b.wait("gk.status === 'completed'", 120)
    labels = b.eval("gk.charts[0].series.map(s => s.label)")
    check("live sweep page: completed, a curve per point (%s)" % labels, len(labels) == 3 and "test accuracy" in labels[1])
    cells = b.eval("document.querySelectorAll('.heat td').length")
    check("live sweep page: the heat map (%d cells) and the table" % cells, cells == 2 and
          b.eval("document.querySelectorAll('.sweep-table tr').length") == 3)
    opts = b.eval("[...document.querySelectorAll('.controls select option')].map(o => o.textContent)")
    check("live sweep page: the heat map's choices in the sweep figures' words (%s)" % opts[:6],
          "steps to 95% test accuracy" in opts and "weight decay" in opts and "test_grok_step" not in opts)
    b.screenshot(os.path.join(ART, "serve_sweep.png"))
    sweep_proc.wait(60)


def offline_report(b, path, what, min_series):
    b.offline(True)
    b.goto("file://" + path)
    b.wait("window.gk && gk.ready", 30)
    series = b.eval("gk.charts.map(u => u.series.length - 1).reduce((a, b) => a + b, 0)")
    n = b.eval("gk.charts[0].data[0].length")
    net = [u for u in b.requests() if not u.startswith("file://")]
    fit = b.eval("(document.querySelector('.marker[data-kind=fit]') || {}).textContent")
    check("%s report.html offline: completed, %d series of %d points, fit marked (%s), no network request %s" %
          (what, series, n, fit, net), b.eval("gk.status") == "completed" and series >= min_series and n > 10 and
          bool(fit) and not net)
    b.screenshot(os.path.join(ART, "report_%s.png" % what))
    b.offline(False)


def big_run(b, port, runs):
    """A run of 1e5 rows (tests/serve_bench.py): every row held, the rows drawn thinned to the chart's pixel
    columns with each series' extremes kept, the rows in view drawn at full resolution after a zoom."""
    serve_bench.make_big_run(os.path.join(runs, "live"), os.path.join(runs, "big"))
    wall, t = serve_bench.load_once(b, "http://127.0.0.1:%d/view?p=0/big" % port)
    print("  1e5-row page: navigation to drawn %.0f ms (%s)" % (wall, ", ".join("%s %.0f" % kv for kv in
                                                                              sorted(t.items()))))
    # The time is printed, not asserted (speed goals are measured by tests/serve_bench.py, never in a timed test).
    check("1e5-row run page: every row held (%d), %d drawn" % (t["rows"], t["drawn"]), t["rows"] == 100000 and
          100 < t["drawn"] < 20000)
    same = b.eval("""gk.charts[0].series.slice(1).every((s, k) => {
        const col = Array.from(gk.sources[0].t.col(s.col).subarray(1)).filter(v => v === v);
        const y = gk.charts[0].data[k + 1].filter(v => v !== null), hi = a => a.reduce((m, v) => v > m ? v : m),
          lo = a => a.reduce((m, v) => v < m ? v : m);
        return hi(y) === hi(col) && lo(y) === lo(col); })""")
    check("1e5-row run page: each series' smallest and largest value drawn", same is True)
    b.eval("document.querySelector('.controls input[type=checkbox]').click()")  # linear x
    b.wait("gk.charts[0].scales.x.distr === 1", 10)
    b.eval("gk.charts[0].setScale('x', {min: 50000, max: 50400})")
    in_view = ("(u => u.data[0].filter(x => x >= u.scales.x.min && x <= u.scales.x.max).length)(gk.charts[0])")
    try:
        n = b.wait("%s > 300 && %s" % (in_view, in_view), 10)
    except TimeoutError:
        n = b.eval(in_view)
    want = b.eval("(u => gk.sources[0].t.col('step').filter(x => x >= u.scales.x.min && x <= u.scales.x.max).length)"
                  "(gk.charts[0])")
    check("1e5-row run page: zoomed to steps 50000-50400, all %d rows in view drawn (of %d)" % (n, want),
          n == want and 300 < n < 1000)
    b.eval("gk.charts[0].setScale('x', {min: 0, max: 99999})")
    m = b.wait("gk.charts[0].data[0].length < 20000 && gk.charts[0].data[0].length", 10)
    check("1e5-row run page: zoomed out again, thinned again (%d drawn)" % m, 100 < m < 20000)


def sigint_mid_download(runs):
    """SIGINT while a client is half way through a 32 MB download: the server closes it and exits 0."""
    server, port = start_server([runs])
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.sendall(b"GET /f?p=0/big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    s.recv(4096)
    server.send_signal(signal.SIGINT)
    try:
        rc = server.wait(20)
    except subprocess.TimeoutExpired:
        server.kill()
        rc = None
    s.close()
    out = server.stdout.read()
    check("SIGINT mid-download: the server exits 0 (%s, %r)" % (rc, out.strip()), rc == 0 and "SIGINT" in out)


def main():
    runs, sweeps = os.path.join(T, "runs"), os.path.join(T, "sweeps")
    os.makedirs(runs)
    os.makedirs(sweeps)
    with open(os.path.join(runs, "big.bin"), "wb") as f:
        f.write(os.urandom(1 << 20) * 32)
    run = subprocess.Popen([GK, "run", "modadd-adamw-fast", "steps=16000", "evals=300", "--out",
                            os.path.join(runs, "live"), "--quiet"], stdout=subprocess.DEVNULL)
    server, port = start_server([runs, sweeps])
    print("  server on port %d" % port, flush=True)
    while not os.path.exists(os.path.join(runs, "live", "metrics.csv")):
        time.sleep(0.2)
    b, sweep = cdp.Browser(), None
    try:
        run_page(b, port, runs)
        sweep = subprocess.Popen([GK, "sweep", "modadd-adamw-fast", "wd=0.5,1", "steps=5000", "--jobs", "1",
                                  "--out", os.path.join(sweeps, "sw"), "--quiet"], stdout=subprocess.DEVNULL)
        end = time.time() + 120  # a sweep directory is one once its first point has its config and lock
        while get(port, "/api/sweep?p=1/sw")[0] != 200 and time.time() < end:
            time.sleep(0.2)
        sweep_page(b, port, sweep)
        run.wait(60)
        safety(port, runs)
        host_header(port)
        numbers(port, runs)
        thousand(port)
        disconnects(port, "big.bin")
        offline_report(b, os.path.join(runs, "live", "report.html"), "run", 6)
        offline_report(b, os.path.join(sweeps, "sw", "report.html"), "sweep", 2)
        big_run(b, port, runs)
        sigint_mid_download(runs)
    finally:
        b.close()
        for p in (run, sweep):
            if p is not None and p.poll() is None:
                p.kill()
        if sys.exc_info()[0] is not None:
            server.kill()
    server.send_signal(signal.SIGTERM)
    rc = server.wait(20)
    out = server.stdout.read()
    check("SIGTERM: the server exits 0 (%s, %r)" % (rc, out.strip()), rc == 0 and "stopped" in out)
    print("%d passed, %d failed" % (PASSES[0], FAILS[0]))
    return 0 if FAILS[0] == 0 and PASSES[0] > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
