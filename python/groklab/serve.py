"""groklab.serve: the live report pages from a notebook, and runs read while they train or after they died.

    srv = groklab.serve(["runs"])        # starts `groklab serve runs --port 0`; srv.url is the page
    srv.stop()
    groklab.load("runs/x").status        # "running", "completed", "interrupted", "killed", ...
    groklab.load_sweep("sweeps/s")       # the sweep table, also while the sweep runs
"""
import csv
import errno
import fcntl
import json
import os
import re
import subprocess

LOCK_NAME = ".running.lock"  # held (flock) by the process that trains the run: src/io/run_lock.h


def is_running(run_dir):
    """True if a process holds the run lock of run_dir (it trains now)."""
    try:
        fd = os.open(os.path.join(run_dir, LOCK_NAME), os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except OSError as e:
        return e.errno in (errno.EWOULDBLOCK, errno.EAGAIN)
    finally:
        os.close(fd)


def run_state(run_dir):
    """"running" (locked), else summary.json's status, else "killed" (rows or config but no summary), else
    "missing"."""
    if is_running(run_dir):
        return "running"
    try:
        with open(os.path.join(run_dir, "summary.json")) as f:
            return json.load(f).get("status", "unknown")
    except (OSError, ValueError):
        pass
    if any(os.path.exists(os.path.join(run_dir, n)) for n in ("metrics.csv", "config.json")):
        return "killed"
    return "missing"


def _number(s):
    try:
        return float(s)
    except ValueError:
        return float("nan")


def read_partial_csv(path):
    """The columns of a metrics CSV as NumPy arrays (step as integers); a short last row is padded with NaN."""
    import numpy as np
    cols = {}
    if os.path.exists(path):
        with open(path, newline="") as f:
            rows = [r for r in csv.reader(f) if r]
        head, body = (rows[0], rows[1:]) if rows else ([], [])
        for i, name in enumerate(head):
            cols[name] = np.array([_number(r[i]) if i < len(r) else float("nan") for r in body])
        if "step" in cols:
            cols["step"] = cols["step"].astype(np.int64)
    return cols


def read_partial(run_dir, pd=None):
    """metrics (DataFrame, or dict of NumPy arrays without pandas), config and a minimal summary of a run that has
    no summary.json: one that is running, or was killed."""
    cols = read_partial_csv(os.path.join(run_dir, "metrics.csv"))
    config = {}
    try:
        with open(os.path.join(run_dir, "config.json")) as f:
            config = json.load(f)
    except (OSError, ValueError):
        pass
    if not cols and not config:
        raise FileNotFoundError("%s is not a groklab run directory (no metrics.csv, no config.json)" % run_dir)
    state = run_state(run_dir)
    steps = cols.get("step")
    summary = {"preset": config.get("preset"), "status": state,
               "steps": config.get("params", {}).get("steps"),
               "steps_done": int(steps[-1]) if steps is not None and len(steps) else 0}
    metrics = pd.DataFrame(cols) if pd is not None else cols
    return metrics, config, summary, state


def load_sweep(sweep_dir):
    """The sweep table: sweep.csv (a DataFrame with pandas, else a dict of lists) once the sweep has written it;
    before that, one row per point so far with its status and its summary's numbers."""
    try:
        import pandas as pd
    except ImportError:
        pd = None
    path = os.path.join(sweep_dir, "sweep.csv")
    if os.path.exists(path):
        if pd is not None:
            return pd.read_csv(path)
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
        return {k: [r[k] for r in rows] for k in (rows[0].keys() if rows else [])}
    if not os.path.isdir(sweep_dir):
        raise FileNotFoundError("%s is not a directory" % sweep_dir)
    rows = []
    for name in sorted(os.listdir(sweep_dir)):
        pdir = os.path.join(sweep_dir, name)
        if name.startswith(".") or not os.path.exists(os.path.join(pdir, "config.json")):
            continue
        row = {"point": name, "status": run_state(pdir)}
        try:
            with open(os.path.join(pdir, "summary.json")) as f:
                s = json.load(f)
            row.update({k: v for k, v in s.items() if isinstance(v, (int, float)) and not isinstance(v, bool)})
        except (OSError, ValueError):
            pass
        rows.append(row)
    keys = []
    for r in rows:
        keys += [k for k in r if k not in keys]
    table = {k: [r.get(k) for r in rows] for k in keys}
    return pd.DataFrame(table) if pd is not None else table


class Server:
    """A running `groklab serve`: .url, .stop(); a context manager; shows a link in a notebook."""

    def __init__(self, proc, url):
        self.proc, self.url = proc, url

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def _repr_html_(self):
        return '<a href="%s" target="_blank">groklab serve: %s</a>' % (self.url, self.url)

    def __repr__(self):
        return "<groklab.Server %s%s>" % (self.url, "" if self.proc.poll() is None else " (stopped)")


def serve(dirs=None, port=0, host="127.0.0.1", binary=None):
    """Starts `groklab serve DIRS --port PORT --host HOST` in the background and returns a Server (its url, and
    stop()). dirs: a directory or a list (default: runs/ and sweeps/ where they exist). port 0: a free port."""
    if binary is None:
        from . import _binary
        binary = _binary()
    if not binary:
        raise RuntimeError("groklab: the groklab binary was not found (set GROKLAB_BIN)")
    dirs = [dirs] if isinstance(dirs, (str, os.PathLike)) else list(dirs or [])
    cmd = [binary, "serve"] + [os.fspath(d) for d in dirs] + ["--port", str(int(port)), "--host", str(host)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    m = re.search(r"(http://\S+/)", line)
    if not m:
        err = proc.stderr.read().strip()
        proc.wait()
        raise ValueError(err.replace("groklab: error: ", "", 1) or "groklab serve did not start")
    return Server(proc, m.group(1))
