"""groklab.plot: runs' curves with matplotlib, for a notebook or a slide (16:9 by default)."""
import os
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


def plot(runs: Any, columns: Optional[Sequence[Union[str, Sequence[str]]]] = None, x: str = "step",
         out: Optional[str] = None, size: Tuple[float, float] = (12.8, 7.2), title: Optional[str] = None) -> Any:
    """Plots runs (a Run, a Sweep, a run or sweep directory, or a list of them) and returns the matplotlib Figure.
    columns: one entry per panel, each a column or a list of columns (default: the accuracies with the theory
    references, then the losses on a log axis when they span decades). One colour per run, one line style per
    column, a legend entry per curve. out: also save the figure there (PNG, SVG or PDF by its extension)."""
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
