#!/usr/bin/python3
"""sweep-median.py: a summary number of a sweep's points against one swept key, the median over seeds.

usage: scripts/sweep-median.py SWEEP_DIR KEY SUMMARY_KEY OUT.png [--logy] [--title TEXT] [--ylabel TEXT]

Reads every point's config.json (the key's value, the seed) and summary.json (the number; null: the point
never got there within its budget). Draws each seed as a dot, the median over seeds as a line (a key value
whose median is not reached, i.e. fewer than half its seeds got there, is drawn at the top as an open
marker), and prints the table it drew. Power et al. 2022, Fig. 1 centre: median steps to 99% validation
accuracy against the training fraction.
"""
import argparse
import json
import math
import os
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def read_points(sweep_dir, key, zkey):
    rows = []
    for name in sorted(os.listdir(sweep_dir)):
        d = os.path.join(sweep_dir, name)
        cfg, summ = os.path.join(d, "config.json"), os.path.join(d, "summary.json")
        if not (os.path.isfile(cfg) and os.path.isfile(summ)):
            continue
        params = json.load(open(cfg)).get("params", {})
        if a_key_missing(params, key):
            continue
        z = json.load(open(summ)).get(zkey)
        rows.append((float(params[key]), int(params.get("seed", 0)), None if z is None else float(z)))
    return rows


def a_key_missing(params, key):
    return key not in params


def median_censored(values):
    """The median over seeds where a missing value (never reached) counts as +infinity."""
    m = statistics.median([math.inf if v is None else v for v in values])
    return m


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sweep_dir"), ap.add_argument("key"), ap.add_argument("zkey"), ap.add_argument("out")
    ap.add_argument("--logy", action="store_true")
    ap.add_argument("--title", default=None)
    ap.add_argument("--ylabel", default=None)
    a = ap.parse_args()
    rows = read_points(a.sweep_dir, a.key, a.zkey)
    if not rows:
        print(f"{a.sweep_dir}: no finished points with config.json and summary.json", file=sys.stderr)
        return 2
    xs = sorted({x for x, _, _ in rows})
    med = {x: median_censored([z for xx, _, z in rows if xx == x]) for x in xs}
    top = max([z for _, _, z in rows if z is not None] or [1.0]) * 1.3
    fig, ax = plt.subplots(figsize=(8, 5), dpi=120)
    ax.plot([x for x, _, z in rows if z is not None], [z for _, _, z in rows if z is not None], "o",
            color="#9ecae1", label="one seed")
    ax.plot([x for x, _, z in rows if z is None], [top for _, _, z in rows if z is None], "x", color="#9ecae1",
            label="one seed, not reached")
    fin = [x for x in xs if math.isfinite(med[x])]
    ax.plot(fin, [med[x] for x in fin], "o-", color="#08519c", lw=2, label="median over seeds")
    inf = [x for x in xs if not math.isfinite(med[x])]
    if inf:
        ax.plot(inf, [top] * len(inf), "o", mfc="none", color="#08519c", label="median not reached")
    ax.set_xlabel(a.key)
    ax.set_ylabel(a.ylabel or a.zkey)
    if a.logy:
        ax.set_yscale("log")
    ax.set_title(a.title or f"{os.path.basename(os.path.normpath(a.sweep_dir))}: median {a.zkey} against {a.key}")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(a.out)
    print(f"{a.key},n,median_{a.zkey},values")
    for x in xs:
        vals = [z for xx, _, z in rows if xx == x]
        print(f"{x:g},{len(vals)},{med[x]:g}," + " ".join("never" if v is None else f"{v:g}" for v in vals))
    return 0


if __name__ == "__main__":
    sys.exit(main())
