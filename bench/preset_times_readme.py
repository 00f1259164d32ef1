#!/usr/bin/python3
"""Writes the CPU-time column of the README's preset table from bench/preset_times.tsv, in the units
`groklab list` prints (cli/common.c gk_cli_duration; ~ for a time extrapolated from a stopped run).
usage: bench/preset_times_readme.py [README.md] [bench/preset_times.tsv]   (bench/preset_times.sh runs it)"""
import os
import re
import sys

COLUMN = "CPU time"


def duration(seconds: float) -> str:
    if seconds < 100:
        return "%.0fs" % seconds
    if seconds < 6000:
        return "%.1f min" % (seconds / 60)
    if seconds < 2 * 86400:
        return "%.1f h" % (seconds / 3600)
    return "%.0f days" % (seconds / 86400)


def main() -> int:
    readme = sys.argv[1] if len(sys.argv) > 1 else "README.md"
    tsv = sys.argv[2] if len(sys.argv) > 2 else "bench/preset_times.tsv"
    times = {}
    with open(tsv) as f:
        for line in f:
            name, sec, how = line.rstrip("\n").split("\t")
            times[name] = ("~" if how == "estimated" else "") + duration(float(sec))
    with open(readme) as f:
        lines = f.read().split("\n")
    out, ncols = [], 0
    for line in lines:
        cells = line[2:-2].split(" | ") if line.startswith("| ") and line.endswith(" |") else None
        if cells and cells[0] == "preset":  # the header: the column second, once
            cells = [cells[0], COLUMN] + [c for c in cells[1:] if c != COLUMN]
            ncols = len(cells)
        elif ncols and line.startswith("|---"):
            line = "|" + "---|" * ncols
        elif ncols and cells:
            names = re.findall(r"`([a-z0-9-]+)`", cells[0])
            rest = cells[2:] if len(cells) == ncols else cells[1:]  # an old time column is replaced
            cells = [cells[0], ", ".join(times.get(n, "?") for n in names)] + rest
        else:
            ncols = 0 if not cells else ncols
        if cells:
            line = "| " + " | ".join(cells) + " |"
        out.append(line)
    with open(readme + ".tmp", "w") as f:
        f.write("\n".join(out))
    os.replace(readme + ".tmp", readme)
    return 0


if __name__ == "__main__":
    sys.exit(main())
