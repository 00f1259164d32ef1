"""groklab from Python: the presets, runs, theory references and sweeps of libgroklab (ctypes).

    import groklab
    r = groklab.run("diag-sparse", steps=3000, evals=20, evals_lin=0)
    r.metrics["test_acc"]          # a pandas DataFrame (a dict of NumPy arrays without pandas)
    r.summary["test_grok_step"]
    s = groklab.sweep("diag-sparse", {"alpha": [16, 64]}, progress=True)   # sweep.csv as a table
    groklab.plot([r, "runs/other-run"], out="both.png")                     # as `groklab plot` draws it

`pip install ./python` bundles libgroklab.so and the groklab binary into the installed package. Otherwise the
library is found through GROKLAB_LIB (a path to libgroklab.so), else the installed one (cmake --install),
else build/ of the source tree. NumPy and pandas are optional: without pandas
Run.metrics is a dict of NumPy arrays, without NumPy a dict of lists. Ctrl-C stops a run at the next step: the run directory keeps the metrics so far
and the Run says status "interrupted". A bad key raises groklab.Error (a ValueError) and writes nothing.
"""
import ctypes
import datetime
import importlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from . import _lib

try:
    import numpy as np
except ImportError:  # NumPy is optional: metrics become lists
    np = None  # type: ignore[assignment]
try:
    import pandas as _pd
except ImportError:  # pandas is optional
    _pd = None

__all__ = ["Error", "Run", "Sweep", "presets", "params", "columns", "run", "fit", "load", "load_sweep", "theory",
           "sweep", "plot", "serve", "version"]

Value = Union[int, float, str, bool]
PathLike = Union[str, "os.PathLike[str]"]

_L = _lib.load()
__version__ = _L.gk_version().decode()


class Error(ValueError):
    """A bad preset, key or value (the CLI's message), or a run that could not be set up."""


def version() -> str:
    return __version__


def _s(b: Optional[bytes]) -> Optional[str]:
    return b.decode() if b is not None else None


def _fail(status: int, err: _lib.Err) -> None:
    msg = err.msg.decode(errors="replace")
    if status == _lib.GK_EINVAL:
        raise Error(msg)
    raise RuntimeError("groklab: %s: %s" % (_L.gk_status_str(status).decode(), msg))


def _preset(name):
    p = _L.gk_preset_find(str(name).encode())
    if not p:
        raise Error("unknown preset '%s' (groklab list shows them all)" % name)
    return p


def presets() -> List[Dict[str, Optional[str]]]:
    """Every preset, in `groklab list` order: a list of dicts (name, experiment, paper, figure, shows)."""
    out = []
    for i in range(_L.gk_preset_count()):
        info = _lib.PresetInfo()
        _L.gk_preset_describe(_L.gk_preset_at(i), ctypes.byref(info))
        out.append({k: _s(getattr(info, k)) for k, _ in _lib.PresetInfo._fields_})
    return out


def params(preset: str) -> List[Dict[str, Optional[str]]]:
    """The keys of a preset: a list of dicts (key, kind, default, range, help), defaults as the preset sets them."""
    p, out = _preset(preset), []
    for i in range(_L.gk_preset_nparams(p)):
        info, err = _lib.ParamInfo(), _lib.Err()
        st = _L.gk_preset_param(p, i, ctypes.byref(info), ctypes.byref(err))
        if st:
            _fail(st, err)
        out.append({"key": _s(info.key), "kind": _s(info.kind_name), "default": _s(info.default),
                    "range": _s(info.range), "help": _s(info.help)})
    return out


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, float) or (np is not None and isinstance(v, np.floating)):
        return repr(float(v))
    return str(v)


def _c_text(value: Any, what: str) -> bytes:
    """value as bytes for the C library: a str (or path), without NUL (C would cut the text there)."""
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str):
        raise Error("%s must be a string or a path, not %s (%r)" % (what, type(value).__name__, value))
    if "\0" in value:
        raise Error("%s %r contains a NUL character" % (what, value))
    return value.encode()


def _argv(items):
    arr = (ctypes.c_char_p * max(1, len(items)))(*[_c_text(s, "key=value") for s in items])
    return arr, len(items)


def _assign(keys: Mapping[str, Any]) -> List[str]:
    return ["%s=%s" % (k, _value(v)) for k, v in keys.items()]


def _interruptible(fn):
    """Runs fn() in a worker thread while the main thread waits, so that Ctrl-C reaches a Python handler here
    that sets the stop flag the C side polls. Returns (fn's result, whether Ctrl-C was pressed)."""
    stop = ctypes.c_int(0)
    box, hit = {}, []

    def work():
        try:
            box["r"] = fn(stop)
        except BaseException as e:  # re-raised in the caller's thread
            box["e"] = e

    def on_sigint(sig, frame):
        stop.value = 1
        hit.append(1)

    main = threading.current_thread() is threading.main_thread()
    old = signal.signal(signal.SIGINT, on_sigint) if main else None
    try:
        t = threading.Thread(target=work, name="groklab", daemon=True)
        t.start()
        while t.is_alive():
            t.join(0.1)
    finally:
        if main:
            signal.signal(signal.SIGINT, old)
    if "e" in box:
        raise box["e"]
    return box["r"], bool(hit)


def _default_dir(base: str) -> str:
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    d, k = os.path.join("runs", "%s-%s" % (base, stamp)), 2
    while os.path.exists(d):
        d, k = os.path.join("runs", "%s-%s-%d" % (base, stamp, k)), k + 1
    return d


def _print_progress(ud, pp):
    p = pp.contents
    names = [p.names[i].decode() for i in range(p.ncols)] if p.ncols else []
    row = {names[i]: p.row[i] for i in range(p.ncols)} if p.row else {}
    bits = ["%s %.4g" % (k, row[k]) for k in ("train_acc", "test_acc", "test_loss") if k in row]
    sys.stderr.write("\r[%s] step %d/%d  %s  %.1fs" % (p.preset.decode(), p.step, p.steps, "  ".join(bits), p.elapsed))
    if p.step >= p.steps:
        sys.stderr.write("\n")
    sys.stderr.flush()


# summary.json keys renamed so that a number has one name: (current, before). A run written before has the
# old key only and gets the current one; a run written now gets the old one too, so code that reads it works.
_SUMMARY_RENAMED = (("train_fit_step", "fit_step"), ("grok_over_predicted", "grok_over_tstar"))


def _summary_compat(summary: dict) -> dict:
    """Both names of each renamed summary key, filled from whichever the run wrote (only where the experiment
    has the number at all: a run without a train accuracy has neither)."""
    for new, old in _SUMMARY_RENAMED:
        if new in summary and old not in summary:
            summary[old] = summary[new]
        elif old in summary and new not in summary:
            summary[new] = summary[old]
    for p in summary.get("phenomena", []):  # a standard fact's step is under its own key ("step_key")
        if "step_key" in p and "step" not in p:
            p["step"] = summary.get(p["step_key"])
        if ("steps" in p or "ratios" in p) and "median" not in p:  # over seeds: the median is the step (or ratio)
            p["median"] = p.get("step", p.get("ratio"))
        if p.get("step_key") == "test_grok_step" and "time" in p:  # diag wrote the jump's time as grok_time
            summary.setdefault("grok_time", p["time"])
    return summary


def _column(ptr: Any, n: int) -> Any:
    """n doubles from the C table: a NumPy array (a list without NumPy)."""
    if np is None:
        return [ptr[i] for i in range(n)]
    return np.ctypeslib.as_array(ptr, shape=(n,)).copy() if n else np.zeros(0)


def _integers(col: Any) -> Any:
    return [int(v) for v in col] if np is None else col.astype(np.int64)


class Run:
    """A run directory read back: .metrics (DataFrame or dict of arrays), .summary and .config (dicts),
    .dir, .figures (paths of the PNG/SVG files), .status ("completed", "interrupted", "diverged", ...).
    A multi-seed run (seeds=K): .metrics holds the mean, std, min and max of every column over the seeds
    (columns c, c_std, c_min, c_max, and seeds_n), .seeds the runs of the seeds (a Run each, read from
    DIR/seed_<s>; empty for one run and for xor, whose seeds train side by side in one run) and
    .seed_metrics {seed: that seed's metrics} (for xor read from its seeds.csv)."""

    def __init__(self, run_dir: PathLike):
        _c_text(run_dir, "run_dir")
        self.dir = os.path.abspath(run_dir)
        self.summary: Dict[str, Any]
        self.config: Dict[str, Any]
        _serve = importlib.import_module(__name__ + ".serve")  # the module: groklab.serve is the function
        if not os.path.exists(os.path.join(self.dir, "summary.json")):  # running, or killed: the rows so far
            self.metrics, self.config, self.summary, self.status = _serve.read_partial(self.dir, _pd)
            self.figures = sorted(os.path.join(self.dir, f) for f in os.listdir(self.dir) if f.endswith((".png", ".svg")))
            self._read_seeds()
            return
        h, err = ctypes.c_void_p(), _lib.Err()
        st = _L.gk_result_open(self.dir.encode(), ctypes.byref(h), ctypes.byref(err))
        if st:
            _fail(st, err)
        try:
            t = _L.gk_result_metrics(h)
            cols = {}
            n = _L.gk_table_nrows(t)
            for c in range(_L.gk_table_ncols(t)):
                ptr = _L.gk_table_column(t, c)
                cols[_L.gk_table_name(t, c).decode()] = _column(ptr, n)
            self.summary = _summary_compat(json.loads(_L.gk_result_summary(h).decode()))
            self.config = json.loads(_L.gk_result_config(h).decode())
        finally:
            _L.gk_result_close(h)
        if "step" in cols:
            cols["step"] = _integers(cols["step"])
        self.metrics: Any = _pd.DataFrame(cols) if _pd is not None else cols
        self.status: Optional[str] = "running" if _serve.is_running(self.dir) else self.summary.get("status")  # resumed
        self.figures: List[str] = sorted(os.path.join(self.dir, f) for f in os.listdir(self.dir) if f.endswith((".png", ".svg")))
        self._read_seeds()

    def _read_seeds(self) -> None:
        """.seeds and .seed_metrics: the seed_<s> runs of a multi-seed run, or the seeds.csv of xor's."""
        self.seeds: List["Run"] = []
        self.seed_metrics: Dict[int, Any] = {}
        params = self.config.get("params", {}) if isinstance(self.config, dict) else {}
        k, seed0 = int(params.get("seeds", 1) or 1), int(params.get("seed", 1) or 1)
        lockstep = os.path.join(self.dir, "seeds.csv")
        if k > 1 and os.path.exists(lockstep):
            _serve = importlib.import_module(__name__ + ".serve")
            cols = _serve.read_partial_csv(lockstep)
            seeds = cols.get("seed")
            for s in sorted(set(int(v) for v in seeds)) if seeds is not None else []:
                sel = [i for i, v in enumerate(seeds) if int(v) == s]
                part = {c: v[sel] for c, v in cols.items() if c != "seed"}
                self.seed_metrics[s] = _pd.DataFrame(part) if _pd is not None else part
            return
        for s in range(seed0, seed0 + k) if k > 1 else []:
            d = os.path.join(self.dir, "seed_%d" % s)
            if os.path.exists(os.path.join(d, "config.json")):
                self.seeds.append(Run(d))
                self.seed_metrics[s] = self.seeds[-1].metrics

    def __repr__(self) -> str:
        return "<groklab.Run %s %s: %s>" % (self.summary.get("preset"), self.status, self.dir)


def load(run_dir: PathLike) -> Run:
    """Reads a run directory written by groklab (CLI or Python)."""
    return Run(run_dir)


def run(preset: str, out: Optional[PathLike] = None, progress: bool = False, save_data: bool = False,
        checkpoint_every: Optional[float] = None, **keys: Value) -> Run:
    """Runs one experiment into `out` (default runs/PRESET-DATE-TIME) and returns its Run.
    keys are the preset's keys (groklab.params(preset)), e.g. steps=3000, alpha=256. A checkpoint is written
    every checkpoint_every seconds (default 300; 0: none) and at the end, so `groklab resume` continues the run."""
    ckpt = 0.0 if checkpoint_every is None else -1.0 if float(checkpoint_every) <= 0 else float(checkpoint_every)
    out = _default_dir(preset) if out is None else out
    out = _c_text(out, "out").decode()
    if not out:
        raise Error("out is empty: give the run's directory")
    argv, n = _argv(_assign(keys))
    cb = _lib.PROGRESS_FN(_print_progress) if progress else _lib.PROGRESS_FN()

    def call(stop):
        opts = _lib.RunOptions(out.encode(), int(bool(save_data)), ctypes.pointer(stop), cb, None, ckpt)
        outcome, err = ctypes.c_int(0), _lib.Err()
        st = _L.gk_run_preset(str(preset).encode(), argv, n, ctypes.byref(opts), ctypes.byref(outcome), ctypes.byref(err))
        return st, outcome.value, err

    (st, outcome, err), _ = _interruptible(call)
    if st:
        _fail(st, err)
    r = Run(out)
    if outcome == _lib.GK_EINTERRUPTED:
        sys.stderr.write("groklab: %s interrupted; metrics kept in %s\n" % (preset, out))
    return r


# The experiments whose models take arbitrary inputs, and the preset whose keys they start from.
_FIT_PRESETS = {"diag": "diag-sparse", "xor": "xor", "images": "omnigrok-mnist"}


def _as_pair(X: Any, y: Any, what: str) -> Tuple[Any, Any]:
    import numpy as np
    X = np.ascontiguousarray(X, dtype=np.float64)
    y = np.ascontiguousarray(y, dtype=np.float64).reshape(-1)
    if X.ndim != 2 or X.shape[0] != y.shape[0] or X.shape[0] == 0:
        raise Error("%s: X must be a 2-D array (n, d) and y a 1-D array of n labels; got X %s and y %s"
                    % (what, X.shape, y.shape))
    return X, y


def fit(experiment: str, X_train: Any, y_train: Any, X_test: Any, y_test: Any, out: Optional[PathLike] = None,
        progress: bool = False, **keys: Value) -> Run:
    """Trains an experiment's model on your own data and returns its Run (the same as run()).
    experiment: "diag" (labels -1/+1; with its L2 and L1 max-margin references) or "images" (the deep MLP;
    classes 0-9) or "xor" (the two-layer ReLU net of Xu et al., labels -1/+1, with its linear reference). keys as
    for run(), e.g. alpha=128, wd=1e-2, steps=3000."""
    import numpy as np
    import shutil
    import tempfile
    preset = _FIT_PRESETS.get(experiment)
    if preset is None:
        raise Error("fit: experiment %r is not one of %s" % (experiment, ", ".join(sorted(_FIT_PRESETS))))
    keys_of = [p["key"] for p in params(preset)]
    if "train" not in keys_of:
        raise Error("fit: experiment %r does not take data=file in this groklab yet" % experiment)
    source = "dataset" if "dataset" in keys_of else "data"  # the images' key is `dataset`
    sets = [_as_pair(X_train, y_train, "train"), _as_pair(X_test, y_test, "test")]
    if sets[0][0].shape[1] != sets[1][0].shape[1]:
        raise Error("fit: the train set has %d features and the test set %d" % (sets[0][0].shape[1], sets[1][0].shape[1]))
    tmp = tempfile.mkdtemp(prefix="groklab-fit-")
    try:
        specs = []
        for name, (X, y) in zip(("train", "test"), sets):
            xp, yp = os.path.join(tmp, name + "_X.npy"), os.path.join(tmp, name + "_y.npy")
            np.save(xp, X)
            np.save(yp, y)
            specs.append(xp + "," + yp)
        keys[source] = "file"
        return run(preset, out=out or _default_dir(experiment + "-fit"), progress=progress, train=specs[0],
                   test=specs[1], **keys)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def theory(preset: str, **keys: Value) -> Dict[str, Any]:
    """The theory references alone (no training): a dict with each reference's accuracies and margin and the
    predicted transition step."""
    argv, n = _argv(_assign(keys))
    out, err = ctypes.c_void_p(), _lib.Err()
    st = _L.gk_theory_preset(str(preset).encode(), argv, n, ctypes.byref(out), ctypes.byref(err))
    if st:
        _fail(st, err)
    try:
        return json.loads(ctypes.string_at(out).decode())
    finally:
        _L.gk_free(out)


def columns(preset: str, **keys: Value) -> List[str]:
    """The metrics.csv columns this preset gives with these keys (builds the experiment, does not train)."""
    argv, n = _argv(_assign(keys))
    out, err = ctypes.c_void_p(), _lib.Err()
    st = _L.gk_preset_columns(str(preset).encode(), argv, n, ctypes.byref(out), ctypes.byref(err))
    if st:
        _fail(st, err)
    try:
        return ctypes.string_at(out).decode().split(",")
    finally:
        _L.gk_free(out)


def _read_table(path: str) -> Any:
    if _pd is not None:
        return _pd.read_csv(path)
    import csv
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    return {k: [r[k] for r in rows] for k in (rows[0].keys() if rows else [])}


def _binary() -> Optional[str]:
    b = os.environ.get("GROKLAB_BIN")
    if b:
        return b
    bundled = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bin", "groklab")  # pip install ./python
    if os.path.exists(bundled):
        return bundled
    try:
        from . import _installed
        return os.path.join(_installed.BINDIR, "groklab")
    except ImportError:
        pass
    here = os.path.join(os.path.dirname(os.path.realpath(_L._path)), "groklab")
    return here if os.path.exists(here) else shutil.which("groklab")


def _grid_args(grid: Mapping[str, Any], keys: Mapping[str, Any]) -> List[str]:
    def values(vals: Any) -> Iterable[Any]:
        return vals if hasattr(vals, "__iter__") and not isinstance(vals, (str, bytes)) else [vals]
    return ["%s=%s" % (k, ",".join(_value(v) for v in values(vals))) for k, vals in grid.items()] + _assign(keys)


def _point_printer(preset: str) -> Callable[[Any, int, int, Optional[bytes], int], None]:
    """A sweep's point_done callback: one line per finished point on stderr, with its time and the time to go."""
    t0 = [_now()]

    def point_done(ud: Any, k: int, npoints: int, name: Optional[bytes], outcome: int) -> None:
        elapsed = _now() - t0[0]
        left = elapsed / (k + 1) * (npoints - k - 1)
        status = "completed" if outcome == _lib.GK_OK else _L.gk_status_str(outcome).decode()
        sys.stderr.write("[%s] point %d/%d %s: %s  (%s, about %s to go)\n" % (
            preset, k + 1, npoints, _s(name), status, _duration(elapsed), _duration(left)))
        sys.stderr.flush()
    return point_done


def _now() -> float:
    import time
    return time.monotonic()


def _duration(seconds: float) -> str:
    """2 h 14 min, 3 min 5 s, 12 s."""
    s = int(round(seconds))
    if s >= 3600:
        return "%d h %d min" % (s // 3600, s % 3600 // 60)
    if s >= 60:
        return "%d min %d s" % (s // 60, s % 60)
    return "%d s" % s


def sweep(preset: str, grid: Mapping[str, Any], out: Optional[PathLike] = None, jobs: Optional[int] = None,
          seeds: int = 0, steps_per_tstar: float = 0.0, progress: bool = False, force: bool = False,
          checkpoint_every: Optional[float] = None, **keys: Value) -> Any:
    """A grid of runs: grid = {"alpha": [16, 64], "wd": [5e-3, 1e-2]}; keys fix other keys. Returns the sweep
    table (sweep.csv: one row per point, the swept keys, status and the summary scalars); load_sweep(out) reads
    the rest (fit, figures, each point's Run). progress=True prints a line per finished point.
    jobs=None or 1 runs the points one after another in this process; jobs=N > 1 runs `groklab sweep --jobs N`
    (the CLI binary beside the library) so that N points run side by side. A point checkpoints every
    checkpoint_every seconds (default 300; 0: none) and an interrupted sweep goes on where it stopped when it is
    called again. An out directory that holds another sweep is an Error unless force=True, which replaces its
    tables and figures (not its points' runs)."""
    out = os.path.join("runs", "sweep-%s" % preset) if out is None else out
    out = _c_text(out, "out").decode()
    if not out:
        raise Error("out is empty: give the sweep's directory")
    args = _grid_args(grid, keys)
    ckpt = 0.0 if checkpoint_every is None else -1.0 if float(checkpoint_every) <= 0 else float(checkpoint_every)
    if jobs and jobs > 1:
        return _sweep_cli(preset, args, out, jobs, seeds, steps_per_tstar, progress, force, ckpt)
    argv, n = _argv(args)
    cb = _lib.POINT_FN(_point_printer(preset)) if progress else _lib.POINT_FN()

    def call(stop):
        o = _lib.SweepOptions(out.encode(), int(seeds), float(steps_per_tstar), None, ctypes.pointer(stop), cb, None,
                              int(bool(force)), ckpt)
        done, err = ctypes.c_size_t(0), _lib.Err()
        st = _L.gk_sweep_preset(str(preset).encode(), argv, n, ctypes.byref(o), ctypes.byref(done), ctypes.byref(err))
        return st, err

    (st, err), _ = _interruptible(call)
    if st and st != _lib.GK_EINTERRUPTED:
        _fail(st, err)
    return _read_table(os.path.join(out, "sweep.csv"))


def _sweep_cli(preset: str, args: List[str], out: str, jobs: int, seeds: int, spt: float, progress: bool,
               force: bool, ckpt: float) -> Any:
    b = _binary()
    if not b:
        raise RuntimeError("groklab: the groklab binary was not found for jobs > 1 (set GROKLAB_BIN)")
    cmd = [b, "sweep", str(preset)] + args + ["--out", out, "--jobs", str(int(jobs))]
    if not progress:
        cmd.append("--quiet")
    if seeds:
        cmd += ["--seeds", str(int(seeds))]
    if spt:
        cmd += ["--steps-per-tstar", repr(float(spt))]
    if force:
        cmd.append("--force")
    if ckpt:
        cmd += ["--checkpoint-every", repr(ckpt) if ckpt > 0 else "0"]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=None if progress else subprocess.PIPE, text=True)
    if p.returncode == 2:
        raise Error((p.stderr or "bad sweep arguments").strip().replace("groklab: error: ", "", 1))
    if not os.path.exists(os.path.join(out, "sweep.csv")):
        raise RuntimeError("groklab sweep failed (exit %d): %s" % (p.returncode, (p.stderr or "").strip()))
    return _read_table(os.path.join(out, "sweep.csv"))


class Sweep:
    """A sweep directory read back: .table (sweep.csv: a DataFrame, or a dict of lists without pandas), .times
    (sweep_times.csv), .fit (sweep_fit.json: the fit of the grok step against the predicted one), .figures, .dir,
    .points (the point directories' names, in sweep.csv order); .run(point) loads one point's Run."""

    def __init__(self, sweep_dir: PathLike):
        self.dir = os.path.abspath(sweep_dir)
        path = os.path.join(self.dir, "sweep.csv")
        if os.path.exists(path):
            self.table: Any = _read_table(path)
        else:  # a sweep still running (or stopped before its table): one row per point so far
            _serve = importlib.import_module(__name__ + ".serve")  # the module: groklab.serve is the function
            if not os.path.isdir(self.dir):
                raise Error("%s: no such sweep directory" % self.dir)
            self.table = _serve.load_sweep(self.dir)
            if not len(self.table):
                raise Error("%s: no sweep.csv and no points (not a sweep directory)" % self.dir)
        times = os.path.join(self.dir, "sweep_times.csv")
        self.times: Any = _read_table(times) if os.path.exists(times) else None
        fitp = os.path.join(self.dir, "sweep_fit.json")
        self.fit: Dict[str, Any] = json.load(open(fitp)) if os.path.exists(fitp) else {}
        self.points: List[str] = [str(p) for p in self.table["point"]]
        self.figures: List[str] = sorted(os.path.join(self.dir, f) for f in os.listdir(self.dir)
                                         if f.endswith((".png", ".svg")))

    def run(self, point: Union[int, str]) -> Run:
        """One point's Run, by its row number in table or by its name (e.g. "alpha=16_seed=1")."""
        name = self.points[point] if isinstance(point, int) else point
        return Run(os.path.join(self.dir, name))

    def __repr__(self) -> str:
        return "<groklab.Sweep %d points: %s>" % (len(self.points), self.dir)


def load_sweep(sweep_dir: PathLike) -> Sweep:
    """Reads a sweep directory written by `groklab sweep` or groklab.sweep()."""
    return Sweep(sweep_dir)


from .serve import serve  # noqa: E402  (starts `groklab serve` in a subprocess)
from ._plot import plot  # noqa: E402  (matplotlib is imported when plot() is called)
