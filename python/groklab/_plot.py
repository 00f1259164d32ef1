"""groklab.plot: runs' curves for a notebook or a slide (16:9 by default).

Two engines. "c" (the default) calls gk_plot_runs, the library's overlay that `groklab plot` draws, through
ctypes: the same figure from Python as from the command line (axis titles in words, the theory references,
colours and line styles for `by`, log loss axes), written to a PNG, SVG or PDF file. "matplotlib" draws a
matplotlib Figure instead, to edit further in a notebook (one colour per run, one line style per column).
"""
import ctypes
import os
import tempfile
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

# Axis titles in words for the columns every experiment has; other columns get their name with spaces.
_WORDS = {"step": "training step", "time": "time (lr x step)", "train_acc": "train accuracy",
          "test_acc": "test accuracy", "train_loss": "train loss", "test_loss": "test loss",
          "param_norm": "parameter norm", "rel_dist_from_init": "relative distance from init"}


def _words(column: str) -> str:
    return _WORDS.get(column, column.replace("_", " "))


def _as_runs(runs: Any) -> List[Any]:
    from . import Run, Sweep, load, load_sweep
    items = runs if isinstance(runs, (list, tuple)) else [runs]
    out: List[Any] = []
    for r in items:
        if isinstance(r, (str, os.PathLike)):
            r = load_sweep(r) if os.path.exists(os.path.join(r, "sweep.csv")) else load(r)
        if isinstance(r, Sweep):
            out.extend(r.run(k) for k in range(len(r.points)))
        elif isinstance(r, Run):
            out.append(r)
        else:
            raise TypeError("groklab.plot: %r is not a Run, a Sweep or a directory" % (r,))
    return out


def _labels(runs: Sequence[Any]) -> List[str]:
    """Each run named by the keys whose values differ between the runs (the preset too when presets differ)."""
    if len(runs) == 1:
        return [""]
    params = [dict(r.config.get("params", {}), preset=r.summary.get("preset")) for r in runs]
    keys = sorted({k for p in params for k in p})
    differ = [k for k in keys if len({repr(p.get(k)) for p in params}) > 1 and k not in ("train", "test")]
    if not differ:
        return [os.path.basename(r.dir) for r in runs]
    return [" ".join(("%s" % p.get(k)) if k == "preset" else "%s=%s" % (k, p.get(k)) for k in differ[:3])
            for p in params]


def _spans_decades(values: Any) -> bool:
    pos = [float(v) for v in values if v == v and float(v) > 0]
    return bool(pos) and max(pos) / min(pos) > 100


def _panel(ax: Any, runs: Sequence[Any], labels: Sequence[str], columns: Sequence[str], x: str,
           colours: Sequence[Any]) -> None:
    styles = ["-", "--", ":", "-."]
    for run, label, colour in zip(runs, labels, colours):
        for j, col in enumerate(columns):
            if col not in run.metrics or x not in run.metrics:
                continue
            name = _words(col) if not label else "%s, %s" % (label, _words(col))
            ax.plot(list(run.metrics[x]), list(run.metrics[col]), styles[j % len(styles)], color=colour,
                    label=name, lw=1.6)
    ax.set_xlabel(_words(x))
    ax.set_ylabel(", ".join(_words(c) for c in columns) if len(columns) < 3 else "")
    xs = [v for r in runs if x in r.metrics for v in r.metrics[x]]
    if _spans_decades(xs):
        ax.set_xscale("log")
    ys = [v for r in runs for c in columns if c in r.metrics for v in r.metrics[c]]
    if any("loss" in c for c in columns) and _spans_decades(ys):
        ax.set_yscale("log")
    ax.grid(alpha=0.3)


def _references(ax: Any, run: Any) -> None:
    """The theory references' test accuracies as horizontal lines (the first run's)."""
    refs: Dict[str, Any] = run.summary.get("references") or {}
    for k, (name, ref) in enumerate(sorted(refs.items())):
        acc = ref.get("test_acc") if isinstance(ref, dict) else None
        if isinstance(acc, (int, float)):
            ax.axhline(acc, color="0.35", lw=1, ls=(0, (1, 2 + k)), label="%s reference (test)" % name.replace("margin", " margin"))


class _PlotOptions(ctypes.Structure):  # gk_plot_options (include/groklab.h)
    _fields_ = [("out", ctypes.c_char_p), ("x", ctypes.c_char_p), ("y", ctypes.POINTER(ctypes.c_char_p)),
                ("ny", ctypes.c_int), ("logx", ctypes.c_int), ("logy", ctypes.c_int), ("by", ctypes.c_char_p),
                ("title", ctypes.c_char_p), ("width", ctypes.c_int), ("height", ctypes.c_int),
                ("font", ctypes.c_double)]


class PlotFile(str):
    """The path of the figure gk_plot_runs wrote; a notebook shows it (PNG or SVG) as the cell's result."""

    def _repr_png_(self) -> Optional[bytes]:
        if not self.lower().endswith(".png"):
            return None
        with open(self, "rb") as f:
            return f.read()

    def _repr_svg_(self) -> Optional[str]:
        if not self.lower().endswith(".svg"):
            return None
        with open(self, encoding="utf-8") as f:
            return f.read()


_DPI = 125  # size is in inches, as matplotlib's figsize: 12.8 x 7.2 inches = 1600 x 900 pixels


def _plot_c(runs: Sequence[Any], y: List[str], x: str, by: Optional[str], logx: bool, logy: bool,
            title: Optional[str], out: Optional[str], size: Optional[Tuple[float, float]],
            font: Optional[float]) -> PlotFile:
    from . import _L, _fail, _lib
    f = _L.gk_plot_runs
    f.restype = ctypes.c_int
    f.argtypes = [ctypes.POINTER(ctypes.c_char_p), ctypes.c_int, ctypes.POINTER(_PlotOptions),
                  ctypes.POINTER(ctypes.c_int), ctypes.POINTER(_lib.Err)]
    if out is None:
        out = os.path.join(tempfile.mkdtemp(prefix="groklab-plot-"), "plot.png")
    dirs = (ctypes.c_char_p * len(runs))(*[os.fsencode(r.dir) for r in runs])
    ys = (ctypes.c_char_p * max(1, len(y)))(*[c.encode() for c in y])
    w, h = (int(round(size[0] * _DPI)), int(round(size[1] * _DPI))) if size else (0, 0)
    o = _PlotOptions(os.fsencode(out), {"time": "t"}.get(x, x).encode(), ys, len(y), int(logx), int(logy),
                     by.encode() if by else None, title.encode() if title else None, w, h, float(font or 0))
    n, err = ctypes.c_int(), _lib.Err()
    st = f(dirs, len(runs), ctypes.byref(o), ctypes.byref(n), ctypes.byref(err))
    if st:
        _fail(st, err)
    return PlotFile(out)


def plot(runs: Any, columns: Optional[Sequence[Union[str, Sequence[str]]]] = None, x: str = "step",
         out: Optional[str] = None, size: Optional[Tuple[float, float]] = None, title: Optional[str] = None,
         by: Optional[str] = None, logx: bool = False, logy: bool = False, font: Optional[float] = None,
         engine: str = "c") -> Any:
    """Plots runs (a Run, a Sweep, a run or sweep directory, or a list of them).

    engine="c" (default): the figure of `groklab plot` (gk_plot_runs), written to out (PNG, SVG or PDF by its
    extension; default a temporary plot.png) and returned as a PlotFile, the path, which a notebook shows.
    columns: metrics columns, one panel each (one run: its accuracies in one panel, its other columns in a
    second; default the accuracies, else the losses); x: "step", "t" or "tstar" (t / t*); by: colour by this
    config key; size: the page in inches at 125 dpi (default 12.8 x 7.2 = 1600 x 900 pixels); font: text scale.

    engine="matplotlib": a matplotlib Figure (saved to out too when given). columns: one entry per panel, each
    a column or a list of columns (default: the accuracies with the theory references, then the losses on a
    log axis when they span decades); one colour per run, one line style per column; by, logx, logy and font
    are not used."""
    if engine not in ("c", "matplotlib"):
        raise ValueError("groklab.plot: engine=%r is not 'c' or 'matplotlib'" % (engine,))
    rs = _as_runs(runs)
    if not rs:
        raise ValueError("groklab.plot: no runs")
    if engine == "c":
        y = [c for entry in (columns or []) for c in ([entry] if isinstance(entry, str) else entry)]
        return _plot_c(rs, y, x, by, logx, logy, title, out, size, font)
    size = size or (12.8, 7.2)
    import matplotlib.pyplot as plt
    rs = _as_runs(runs)
    if not rs:
        raise ValueError("groklab.plot: no runs")
    panels = [[c] if isinstance(c, str) else list(c) for c in (columns or [("train_acc", "test_acc"), ("train_loss", "test_loss")])]
    cmap = plt.get_cmap("tab10" if len(rs) <= 10 else "viridis")
    colours = [cmap(k if len(rs) <= 10 else k / max(1, len(rs) - 1)) for k in range(len(rs))]
    labels = _labels(rs)
    fig, axes = plt.subplots(1, len(panels), figsize=size, squeeze=False, layout="constrained")
    for ax, cols in zip(axes[0], panels):
        _panel(ax, rs, labels, cols, x, colours)
        if "test_acc" in cols:
            _references(ax, rs[0])
        ax.legend(fontsize="small" if len(rs) * len(cols) <= 12 else "x-small")
    fig.suptitle(title or ", ".join(sorted({str(r.summary.get("preset")) for r in rs})))
    if out:
        fig.savefig(out, dpi=150)
    return fig
